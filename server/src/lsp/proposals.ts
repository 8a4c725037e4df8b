// The Patch panel's Proposals section: every proposals/<name>/ of the workspace folders, with its
// status read from the chain (engine/track). Reading the chain is network: trusted workspaces only.
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { ResponseError, type Connection } from 'vscode-languageserver/node';
import { URI } from 'vscode-uri';
import { connectChain, type ChainClients } from '../engine/chain/clients';
import { secretMasker } from '../engine/chain/secrets';
import { proposalStatus, ProposalReadError } from '../engine/track';
import { ProposalStatusRequest, type ProposalEntry } from '../protocol';

export interface ProposalRequestContext {
  trusted: () => boolean;
  /** The workspace folders: proposals are found in each one's proposals/ folder. */
  roots: () => string[];
  /** The running local demo chain's RPC URL, if one runs (a status read never starts it). */
  localRpc: () => Promise<string | undefined>;
}

const USER_ERROR = 1;

/** The proposal folders (holding proposal.json) under `<root>/proposals/`. */
export function proposalFolders(roots: string[]): string[] {
  const found: string[] = [];
  for (const root of roots) {
    const dir = path.join(root, 'proposals');
    let names: string[];
    try {
      names = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => d.name);
    } catch {
      continue;
    }
    for (const name of names.sort()) if (existsSync(path.join(dir, name, 'proposal.json'))) found.push(path.join(dir, name));
  }
  return found;
}

export function registerProposalRequests(connection: Connection, ctx: ProposalRequestContext): void {
  // Clients per URL: Multicall3's presence is looked up once per chain, not on every refresh.
  const clientsByUrl = new Map<string, Promise<ChainClients>>();
  const clientsFor = (url: string): Promise<ChainClients> => {
    let clients = clientsByUrl.get(url);
    if (!clients) {
      clients = connectChain(url);
      clients.catch(() => clientsByUrl.delete(url));
      clientsByUrl.set(url, clients);
    }
    return clients;
  };

  connection.onRequest(ProposalStatusRequest, async (params) => {
    if (!ctx.trusted()) throw new ResponseError(USER_ERROR, 'Reading proposals from the chain reaches the network: trust this workspace first.');
    const folders = proposalFolders(ctx.roots());
    const url = params.fork.kind === 'rpc' ? params.fork.url : await ctx.localRpc();
    const mask = secretMasker([params.fork.kind === 'rpc' ? params.fork.url : undefined]);
    const entry = (directory: string): Omit<ProposalEntry, 'status' | 'error'> => ({ name: path.basename(directory), directoryUri: URI.file(directory).toString() });
    if (!url) {
      return { proposals: folders.map((d) => ({ ...entry(d), error: 'The local demo chain is not running (a simulation starts it): choose an RPC URL to read the chain.' })) };
    }
    let clients: ChainClients;
    try {
      clients = await clientsFor(url);
    } catch (error) {
      const message = mask(`Cannot read the chain: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
      return { proposals: folders.map((d) => ({ ...entry(d), error: message })) };
    }
    // One proposal's failure (another chain, an unreadable file) does not hide the others.
    const proposals = await Promise.all(
      folders.map(async (directory): Promise<ProposalEntry> => {
        try {
          return { ...entry(directory), status: await proposalStatus(directory, clients) };
        } catch (error) {
          const message = error instanceof ProposalReadError ? error.message : `Cannot read its status: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
          return { ...entry(directory), error: mask(message) };
        }
      }),
    );
    return { proposals };
  });
}
