// What a caller asks for (ProposalRequest) and what Patchline exports (Proposal, the content of
// proposal.json; documented in docs/proposal-format.md). A Proposal holds strings only (no
// bigint), so it crosses JSON boundaries (LSP, files) unchanged.
import type { Address, Hex } from 'viem';
import type { CompilerSettings } from '../chain/artifacts';
import type { ChainClients } from '../chain/clients';
import type { ProxyKind } from '../chain/eip1967';
import type { PauseKit } from '../pause/kit';

export const PROPOSAL_FORMAT = 'patchline.proposal/1';

/** The storage-layout check of the new implementation, as the caller ran it. */
export interface StorageLayoutVerdict {
  /** What was compared against, e.g. `VaultV1 @ 0x1234… (patchline.lock.json)`. */
  baseline: string;
  /** The new version, e.g. `examples/contracts/VaultV2.sol:VaultV2`. */
  current: string;
  verdict: 'compatible' | 'incompatible' | 'not-checked';
  /** The layout operations found (appended, inserted, renamed, …). */
  operations: { kind: string; description: string }[];
}

/** `patchline verify` of the new implementation against its source, as run at export. */
export interface VerificationEvidence {
  /** full: code and metadata equal; partial: code equal; not-run: no source was given. */
  verdict: 'full' | 'partial' | 'mismatch' | 'not-run';
  /** The source compared, `path:Contract`; null when none was given. */
  source: string | null;
  /** The build: solc version and the settings that change the code, e.g. `solc 0.8.37, optimizer on, 200 runs, EVM cancun, from foundry.toml`. */
  build: string | null;
  /** The block whose code was compared. */
  blockNumber: string | null;
  summary: string;
}

export interface UpgradeSpec {
  proxy: string;
  newImplementation: string;
  /** The new implementation's source, `path:Contract`: with an RPC, the deployed code is verified against it. */
  source?: string;
  /** Detected from the EIP-1967 slots when an RPC is given; required otherwise. */
  kind?: ProxyKind;
  /** Transparent proxies: the ProxyAdmin (read from the admin slot when an RPC is given). */
  proxyAdmin?: string;
  /** Beacon proxies: the beacon (read from the beacon slot when an RPC is given). */
  beacon?: string;
  /** Read from the chain when an RPC is given. */
  oldImplementation?: string;
  /** An initializer to run with the upgrade (`upgradeToAndCall` data), e.g. `initializeV2(uint16)` `["250"]`. */
  call?: { signature: string; args: string[] };
  /** Or the initializer calldata itself. */
  callData?: Hex;
  /** Evidence about the new implementation. */
  evidence?: {
    /** keccak256 of the runtime code; read from the chain when an RPC is given. */
    runtimeCodeHash?: Hex;
    /** The build that reproduces the runtime code. */
    compiler?: CompilerSettings & { contract?: string; source?: string };
    storageLayout?: StorageLayoutVerdict;
    verification?: VerificationEvidence;
  };
}

export type GovernanceRoute =
  | {
      kind: 'timelock';
      timelock: string;
      /** Seconds. Default and minimum: `getMinDelay()` (read when an RPC is given; required otherwise). */
      delay?: bigint | number | string;
      /** Default: derived from the operation's content (stable across re-exports). */
      salt?: Hex;
      /** Default: zero (no predecessor). */
      predecessor?: Hex;
    }
  | {
      kind: 'governor';
      governor: string;
      description: string;
      /** The Governor's timelock; read from `timelock()` when an RPC is given. */
      timelock?: string;
    };

export interface SimulationEvidenceInput {
  /** sha256 (0x-hex) of the simulation report file as written (the first report's, with several). */
  reportHash: Hex;
  verdict: 'pass' | 'fail' | 'error';
  /** Where the report is, e.g. `.patchline/runs/2026-…json`. */
  reportPath?: string;
  /** Every report, one per upgrade of the batch (propose --rpc); absent: the one report above. */
  reports?: { proxy: string; reportHash: Hex; reportPath?: string; verdict: 'pass' | 'fail' | 'error' }[];
}

/** One simulation report behind the proposal. */
export interface SimulationReportEvidence {
  /** The proxy whose upgrade the report checks; null for a report given with `--simulation`. */
  proxy: Address | null;
  reportHash: Hex;
  reportPath: string | null;
  verdict: SimulationEvidenceInput['verdict'];
}

export interface ProposalRequest {
  /** Folder name under proposals/; default `upgrade-<first bytes of the operation or proposal id>`. */
  name?: string;
  /** Required without `rpcUrl`; with one it must match the node's. */
  chainId?: number;
  /** Chain reads: proxy kind and slots, `getMinDelay()`, code hashes, the latest block time. */
  rpcUrl?: string;
  /** Already connected clients (instead of `rpcUrl`). */
  clients?: ChainClients;
  upgrades: UpgradeSpec[];
  governance: GovernanceRoute;
  /** A Safe that submits the schedule/execute (or propose) transactions. */
  safe?: { address: string; owner?: string };
  simulation?: SimulationEvidenceInput;
  /**
   * The user confirmed exporting without a passing simulation (none ran, or it failed).
   * Without a passing simulation and without this, the export is refused.
   */
  confirmedWithoutPassingSimulation?: boolean;
  /** Export time (createdAt, and the clock for the earliest execution time without an RPC). Default now. */
  now?: Date;
  /** One line for the Safe batch and the README. */
  title?: string;
  /** The emergency-pause kit of each pausable proxy (from a pause drill): written to pause/. */
  pauseKits?: Omit<PauseKit, 'files'>[];
}

/** One call the governance route makes. */
export interface ProposalCall {
  to: Address;
  /** Wei, decimal. */
  value: string;
  data: Hex;
  /** Canonical signature of the function called, e.g. `upgradeToAndCall(address,bytes)`. */
  function: string;
}

export interface ProposalUpgrade {
  proxy: Address;
  kind: ProxyKind;
  /** The contract the upgrade call goes to: the proxy (UUPS), its ProxyAdmin or its beacon. */
  target: Address;
  proxyAdmin: Address | null;
  beacon: Address | null;
  oldImplementation: Address | null;
  newImplementation: Address;
  initializer: { signature: string | null; args: string[]; data: Hex } | null;
  call: ProposalCall;
}

export interface TimelockPayload {
  address: Address;
  /** `getMinDelay()` as read from the chain; null without an RPC. */
  minDelay: string | null;
  delay: string;
  predecessor: Hex;
  salt: Hex;
  saltSource: 'derived' | 'given';
  /** `hashOperation` (one call) or `hashOperationBatch` (several). */
  operationId: Hex;
  batch: boolean;
  schedule: ProposalCall;
  execute: ProposalCall;
  /** When `execute` can run at the earliest, if `schedule` is mined at `basisTimestamp`. */
  earliestExecution: { timestamp: number; iso: string; basis: 'latest-block' | 'export-clock'; basisTimestamp: number };
}

export interface GovernorPayload {
  address: Address;
  timelock: Address | null;
  description: string;
  descriptionHash: Hex;
  /** `hashProposal(targets, values, calldatas, descriptionHash)`, decimal. */
  proposalId: string;
  proposalIdHex: Hex;
  /** The salt GovernorTimelockControl gives the timelock: `bytes20(governor) ^ descriptionHash`. */
  timelockSalt: Hex;
  /** `hashOperationBatch(targets, values, calldatas, 0, timelockSalt)` on the timelock. */
  timelockOperationId: Hex;
  propose: ProposalCall;
  queue: ProposalCall;
  execute: ProposalCall;
}

export interface UpgradeEvidence {
  proxy: Address;
  kind: ProxyKind;
  oldImplementation: Address | null;
  newImplementation: Address;
  runtimeCodeHash: Hex | null;
  runtimeCodeHashSource: 'chain' | 'caller' | null;
  compiler: (CompilerSettings & { contract?: string; source?: string }) | null;
  storageLayout: StorageLayoutVerdict | null;
  /** The deployed code compared with its source (`patchline verify`); null when the exporter did not run it. */
  verification: VerificationEvidence | null;
}

export interface ProposalEvidence {
  chainId: number;
  patchlineVersion: string;
  /** The chain as read during the export; null without an RPC. */
  chainState: { rpc: string; blockNumber: string; blockTimestamp: number } | null;
  upgrades: UpgradeEvidence[];
  simulation: {
    status: 'passed' | 'failed' | 'not-run';
    reportHash: Hex | null;
    reportPath: string | null;
    verdict: SimulationEvidenceInput['verdict'] | null;
    /** The user confirmed exporting although no simulation passed. */
    exportedWithoutPassingSimulation: boolean;
    /** All reports (propose --rpc: one per upgrade, each running the whole exported operation); empty when none ran. */
    reports: SimulationReportEvidence[];
  };
}

export interface Proposal {
  format: typeof PROPOSAL_FORMAT;
  name: string;
  title: string;
  createdAt: string;
  chainId: number;
  route: 'timelock' | 'governor';
  upgrades: ProposalUpgrade[];
  /** The calls the timelock (or the Governor's timelock) makes, in order. */
  calls: ProposalCall[];
  timelock: TimelockPayload | null;
  governor: GovernorPayload | null;
  safe: { address: Address; owner: Address | null } | null;
  /** The files of proposals/<name>/: proposal.json, README.md and the Safe batch files. */
  files: string[];
  evidence: ProposalEvidence;
  /** The emergency-pause kit per pausable proxy (pause/ files, the drill's result); absent when none was made. */
  pause?: PauseKit[];
  /** Things a reviewer should look at (e.g. the upgrade authority is not the timelock). */
  warnings: string[];
}

/** A request that cannot become a proposal; nothing was written. */
export class ProposalError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.length === 1 ? problems[0] : `the proposal cannot be exported:\n- ${problems.join('\n- ')}`);
    this.name = 'ProposalError';
  }
}

/** The chain could not be read (the RPC failed or answered an error): nothing was checked, nothing written. */
export class ChainReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChainReadError';
  }
}
