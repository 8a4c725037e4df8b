// Custom LSP requests and notifications between the extension (client/) and the language server.
// Typed once here; both sides import this file and nothing else from each other.
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';

/** Analysis state shown in the status bar. */
export type AnalysisState = 'idle' | 'analyzing' | 'error';

export interface StatusParams {
  state: AnalysisState;
  /** Documents waiting for or under analysis. */
  pending: number;
  /** Human-readable detail for the status bar tooltip. */
  message: string;
  /** Trust mode the server runs in: `parser` only in untrusted workspaces. */
  tiers: 'parser' | 'parser+compiler';
}

export const StatusNotification = new NotificationType<StatusParams>('patchline/status');

export interface ContractInfo {
  name: string;
  uri: string;
  /** File system path: the Patch panel names workspace contracts as `<file>:<name>`. */
  file: string;
  /** 0-based line of the contract name. */
  line: number;
  character: number;
  upgradeable: boolean;
  proxyKind?: 'uups' | 'transparent-or-beacon';
  upgradesFrom?: string;
  errors: number;
  warnings: number;
}

export interface ListContractsParams {
  /** Restrict to upgradeable contracts. */
  upgradeableOnly: boolean;
}

export interface ListContractsResult {
  contracts: ContractInfo[];
}

/** The contracts of every open or workspace Solidity document the server has analysed. */
export const ListContractsRequest = new RequestType<ListContractsParams, ListContractsResult, void>('patchline/listContracts');

/** Options the client passes at start-up (`initializationOptions`). */
export interface InitializationOptions {
  /** VS Code's workspace trust. Untrusted: parser tier only, no compiler, no processes, no network. */
  trusted: boolean;
}

export interface RecordBaselineParams {
  /** A file of the project whose baseline to record (the active editor's). */
  uri: string;
}

export interface RecordBaselineResult {
  /** URI of the patchline.lock.json written. */
  lockUri: string;
  /** Contracts recorded, `path:Contract`. */
  contracts: string[];
}

/** Writes the current layouts of the project's upgradeable contracts to patchline.lock.json. */
export const RecordBaselineRequest = new RequestType<RecordBaselineParams, RecordBaselineResult, void>('patchline/recordBaseline');

// The slot grid is a view model built by the engine; its types are plain data shared as-is.
export type { SlotCell, SlotRow } from './engine/layout/grid';
import type { SlotRow } from './engine/layout/grid';

export interface StorageLayoutParams {
  uri: string;
  /** The contract under the cursor is shown; without a position, the file's last contract. */
  position?: { line: number; character: number };
}

export interface StorageLayoutView {
  contract: string;
  current: SlotRow[];
  baseline?: { description: string; contract: string; rows: SlotRow[] };
}

/** The slot grid of the contract at a position, beside its baseline's; undefined when there is none. */
export const StorageLayoutRequest = new RequestType<StorageLayoutParams, StorageLayoutView | null, void>('patchline/storageLayout');

// --- Fork simulation and proposal export (the Patch panel) ---

export type { SimulationReport, SimulationCheck, StorageWordDiff, GetterDiff, UpgradeRoute } from './engine/simulate/types';
import type { SimulationReport, UpgradeRoute } from './engine/simulate/types';

export interface SimulateParams {
  /** `local`: the embedded demo chain (kept running for the session); `rpc`: fork this URL. */
  fork: { kind: 'local' } | { kind: 'rpc'; url: string; block?: string };
  /** Default with `local`: the demo vault's proxy. */
  proxy?: string;
  /** `<absolute path>:<Contract>` of a workspace contract, or the address of a deployed implementation. */
  implementation: string;
  route: UpgradeRoute;
  timelock?: string;
  call?: { signature: string; args: string[] };
}

export interface SimulateResult {
  report: SimulationReport;
  /** Where the report was saved (URI) and the sha256 of its bytes (an export simulates its own operation: its report is the evidence). */
  reportUri: string;
  reportHash: string;
  /** Prefills for the export form. */
  suggestion: { proxy?: string; newImplementation?: string; timelock?: string; chainId?: number };
}

export const SimulateRequest = new RequestType<SimulateParams, SimulateResult, void>('patchline/simulate');

export interface SimulationProgressParams {
  title: string;
  detail?: string;
  index: number;
  total: number;
}

export const SimulationProgressNotification = new NotificationType<SimulationProgressParams>('patchline/simulationProgress');

export interface ProposeParams {
  /**
   * Export without simulating (recorded in the evidence), as `propose --no-simulation`. Otherwise the
   * export simulates the exact operation it writes first, and writes nothing unless it passes.
   */
  confirmedWithoutPassingSimulation: boolean;
  fork: SimulateParams['fork'];
  proxy: string;
  newImplementation: string;
  call?: { signature: string; args: string[] };
  governance: { kind: 'timelock'; timelock: string; delay?: string } | { kind: 'governor'; governor: string; description: string };
  safe?: string;
  name: string;
  force: boolean;
}

/** The simulation of the exported operation that did not pass: nothing was written. */
export interface ExportSimulationFailure {
  /** Why nothing was written, one sentence naming the saved report. */
  message: string;
  /** The failing checks (title: summary (next: …)), or the error when the simulation could not run. */
  failures: string[];
  proxy: string;
  report: SimulationReport;
  reportUri: string;
  reportHash: string;
}

export type ProposeResult =
  /** `reports`: the simulations of the exported operation, one per upgrade (their hashes are in the evidence); empty when exported without one. */
  | { written: true; directoryUri: string; files: string[]; id: string; reports: { proxy: string; reportUri: string; reportHash: string }[] }
  | { written: false; exists: true; directoryUri: string }
  | { written: false; exists: false; simulation: ExportSimulationFailure };

export const ProposeRequest = new RequestType<ProposeParams, ProposeResult, void>('patchline/propose');

// --- Proposals (the Patch panel's Proposals section) ---

export type { ProposalStatus } from './engine/track/status';
import type { ProposalStatus } from './engine/track/status';

export interface ProposalStatusParams {
  /** The chain to read: `local` is the running demo chain (never started for this), `rpc` a node's URL. */
  fork: { kind: 'local' } | { kind: 'rpc'; url: string };
}

export interface ProposalEntry {
  /** The folder name under proposals/. */
  name: string;
  directoryUri: string;
  /** Where it is on chain; absent when it could not be read (then `error` says why). */
  status?: ProposalStatus;
  error?: string;
}

export interface ProposalStatusResult {
  /** Every proposals/<name>/proposal.json under the workspace folders, by name. */
  proposals: ProposalEntry[];
}

/** The exported proposals of the workspace with their on-chain status (one Multicall3 call each where deployed). */
export const ProposalStatusRequest = new RequestType<ProposalStatusParams, ProposalStatusResult, void>('patchline/proposalStatus');

export interface RecheckProposalParams {
  /** A proposal folder of the workspace (`ProposalEntry.directoryUri`). */
  directoryUri: string;
  /** The chain to fork at its latest block: `local` is the running demo chain (never started for this). */
  fork: { kind: 'local' } | { kind: 'rpc'; url: string };
}

export interface RecheckProposalResult {
  name: string;
  /** fail when a report fails (the execute reverts on today's state, the operation is Done or Cancelled, a check fails). */
  verdict: 'pass' | 'fail' | 'error';
  /** One simulation report per upgrade of the proposal, saved under .patchline/runs/ of its workspace folder. */
  reports: { proxy: string; report: SimulationReport; reportUri: string }[];
}

/**
 * Re-check at execution time ("Simulate execution now"): fork today's chain, bring the proposal to
 * its execute (schedule, wait, queue as needed), send its execute payload byte for byte, run the
 * checks. Trusted workspaces only; progress as `patchline/simulationProgress`; cancellable.
 */
export const RecheckProposalRequest = new RequestType<RecheckProposalParams, RecheckProposalResult, void>('patchline/recheckProposal');
