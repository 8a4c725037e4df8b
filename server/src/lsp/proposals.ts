// The Patch panel's Proposals section: every proposals/<name>/ of the workspace folders, with its
// status read from the chain (engine/track). Reading the chain is network: trusted workspaces only.
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { LSPErrorCodes, ResponseError, type Connection } from 'vscode-languageserver/node';
import { URI } from 'vscode-uri';
import { connectChain, type ChainClients } from '../engine/chain/clients';
import { maskDeep, secretMasker } from '../engine/chain/secrets';
import { SimulationCancelledError } from '../engine/simulate';
import { proposalStatus, ProposalReadError, recheckProposal } from '../engine/track';
import { ProposalStatusRequest, RecheckProposalRequest, SimulationProgressNotification, type ProposalEntry } from '../protocol';

export interface ProposalRequestContext {
  trusted: () => boolean;
  /** The workspace folders: proposals are found in each one's proposals/ folder. */
  roots: () => string[];
  /** The running local demo chain's RPC URL, if one runs (a status read never starts it). */
  localRpc: () => Promise<string | undefined>;
  /** `patchline.anvilPath` (the re-check forks the chain). */
  anvilPath: () => Promise<string | undefined>;
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

  connection.onRequest(RecheckProposalRequest, async (params, token) => {
    if (!ctx.trusted()) throw new ResponseError(USER_ERROR, 'Simulating a proposal\'s execution starts anvil and reaches the network: trust this workspace first.');
    // Only a proposal folder of the workspace: the request never reads or writes elsewhere.
    let requested: string;
    try {
      requested = path.resolve(URI.parse(params.directoryUri).fsPath);
    } catch {
      throw new ResponseError(USER_ERROR, 'Not a proposal folder URI.');
    }
    const directory = proposalFolders(ctx.roots()).find((d) => path.resolve(d) === requested);
    if (!directory) throw new ResponseError(USER_ERROR, `${requested} is not a proposal folder (proposals/<name>/ with a proposal.json) of the workspace.`);
    const url = params.fork.kind === 'rpc' ? params.fork.url : await ctx.localRpc();
    if (!url) throw new ResponseError(USER_ERROR, 'The local demo chain is not running (a simulation starts it): choose an RPC URL to fork.');
    const mask = secretMasker([params.fork.kind === 'rpc' ? params.fork.url : undefined]);
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    const anvilPath = await ctx.anvilPath();
    try {
      const result = await recheckProposal({
        directory,
        rpcUrl: url,
        // Reports go beside the proposals/ folder: the workspace folder that holds it.
        reportsRoot: path.dirname(path.dirname(directory)),
        ...(anvilPath ? { anvilPath } : {}),
        signal: abort.signal,
        onProgress: (progress) =>
          void connection.sendNotification(SimulationProgressNotification, {
            title: progress.title,
            ...(progress.detail ? { detail: mask(progress.detail) } : {}),
            index: progress.index + 1,
            total: progress.total,
          }),
      });
      return {
        name: result.name,
        verdict: result.verdict,
        reports: result.reports.map((r) => ({ proxy: r.proxy, report: maskDeep(r.report, mask), reportUri: r.saved ? URI.file(r.saved.file).toString() : '' })),
      };
    } catch (error) {
      if (error instanceof SimulationCancelledError || abort.signal.aborted) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'The re-check was cancelled.');
      const message = error instanceof ProposalReadError ? error.message : `The re-check could not run: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
      throw new ResponseError(USER_ERROR, mask(message));
    }
  });
}
