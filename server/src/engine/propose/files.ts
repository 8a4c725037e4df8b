// Writing a proposal to proposals/<name>/: every file is rendered first, written into a temporary
// folder beside the target, and the folder is renamed into place, so a reader never sees half a
// proposal. An existing proposal is replaced only with `force`.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { attachPauseKits, renderPauseKitFiles } from '../pause/kit';
import { buildProposal } from './build';
import { renderProposalReadme } from './readme';
import { safeBatchFiles } from './safe';
import type { Proposal, ProposalRequest } from './types';

export class ProposalExistsError extends Error {
  constructor(readonly directory: string) {
    super(`a proposal already exists at ${directory}`);
    this.name = 'ProposalExistsError';
  }
}

/** The proposals folder cannot hold the proposal (it is a file, or cannot be created). */
export class ProposalFolderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProposalFolderError';
  }
}

/** Throws `ProposalFolderError` when `directory`, or a folder above it, exists and is not a folder. */
export function checkProposalFolder(directory: string): void {
  for (let dir = resolve(directory); ; dir = dirname(dir)) {
    let isDirectory: boolean | undefined;
    try {
      isDirectory = statSync(dir).isDirectory();
    } catch {
      isDirectory = undefined; // not there yet: it will be created
    }
    if (isDirectory === false) throw new ProposalFolderError(`${dir} is a file, not a folder: give another output folder`);
    if (isDirectory || dirname(dir) === dir) return;
  }
}

export interface WriteProposalOptions {
  /** The folder that holds the proposals, e.g. `<workspace>/proposals`; the proposal goes to `<directory>/<name>/`. */
  directory: string;
  /** Replace an existing proposal of the same name. */
  force?: boolean;
}

export interface WrittenProposal {
  proposal: Proposal;
  /** `<directory>/<name>` */
  directory: string;
  /** Absolute paths of the files written. */
  files: string[];
}

/** The files of a proposal by name, as they are written. */
export function renderProposalFiles(proposal: Proposal): Record<string, string> {
  const files: Record<string, string> = { 'proposal.json': `${JSON.stringify(proposal, null, 2)}\n` };
  for (const [name, batch] of Object.entries(safeBatchFiles(proposal))) files[name] = `${JSON.stringify(batch, null, 2)}\n`;
  files['README.md'] = renderProposalReadme(proposal);
  Object.assign(files, renderPauseKitFiles(proposal));
  return files;
}

export async function writeProposal(proposal: Proposal, options: WriteProposalOptions): Promise<WrittenProposal> {
  const parent = resolve(options.directory);
  const target = join(parent, proposal.name);
  if (existsSync(target) && !options.force) throw new ProposalExistsError(target);
  const contents = renderProposalFiles(proposal);

  checkProposalFolder(parent);
  mkdirSync(parent, { recursive: true });
  // mkdir, not mkdtemp: mkdtemp makes the folder 0700, and proposals are shared and committed, so
  // they get the user's umask like any other folder.
  const staging = join(parent, `.${proposal.name}.writing-${randomBytes(6).toString('hex')}`);
  mkdirSync(staging);
  try {
    for (const [name, text] of Object.entries(contents)) {
      mkdirSync(dirname(join(staging, name)), { recursive: true });
      writeFileSync(join(staging, name), text);
    }
    if (existsSync(target)) {
      // Move the old proposal aside first: rename cannot replace a non-empty folder.
      const previous = `${staging}.previous`;
      renameSync(target, previous);
      renameSync(staging, target);
      rmSync(previous, { recursive: true, force: true });
    } else {
      renameSync(staging, target);
    }
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  return { proposal, directory: target, files: Object.keys(contents).map((name) => join(target, name)) };
}

/**
 * Builds the proposal and writes its files: what the CLI's `patchline propose` and the panel's
 * "Export proposal" call. Throws `ProposalError` (invalid request), `ChainReadError` (the RPC
 * failed), `ProposalFolderError` (the folder is a file) or `ProposalExistsError` (the name is
 * taken and `force` is not set); in each case nothing is written.
 */
export async function exportProposal(request: ProposalRequest, options: WriteProposalOptions): Promise<WrittenProposal> {
  checkProposalFolder(options.directory);
  if (request.name && !options.force && existsSync(join(resolve(options.directory), request.name))) {
    throw new ProposalExistsError(join(resolve(options.directory), request.name));
  }
  const proposal = attachPauseKits(await buildProposal(request), request.pauseKits ?? []);
  return writeProposal(proposal, options);
}
