// The fork simulation's request, progress and report: what the CLI, the panel and `npm run demo`
// hand to `simulateUpgrade` and render. Every value in a report is JSON (bigints as decimal strings).
import type { Abi, Address, Hex } from 'viem';
import type { CompilerSettings } from '../chain/artifacts';
import type { StorageLayout } from '../layout/types';
import type { Proposal } from '../propose/types';
import type { ProposalExecutionFacts } from './proposal-route';
import type { StaticVerdict } from './static';

export type UpgradeRoute = 'auto' | 'direct' | 'proxy-admin' | 'beacon' | 'timelock';
export type ProxyKind = 'uups' | 'transparent' | 'beacon';

/** The new implementation: compiled bytecode (the caller compiles), or an address already on the chain. */
export type NewImplementation =
  | {
      kind: 'artifact';
      /** A compiled contract; `ContractArtifact` of the chain layer fits. */
      artifact: {
        name?: string;
        sourceName?: string;
        abi: Abi;
        bytecode: Hex;
        deployedBytecode?: Hex;
        compiler?: CompilerSettings;
      };
      /** Constructor arguments (usually none for an implementation). */
      constructorArgs?: readonly unknown[];
    }
  | {
      kind: 'address';
      address: Address;
      /** Its ABI when known: new getters, initializers to try on the implementation. */
      abi?: Abi;
    };

/** A call from `patchline.json` `simulate.calls`, run on the proxy after the upgrade. */
export interface SmokeCall {
  /** `balanceOf(address) returns (uint256)`; declare outputs to compare a result. */
  signature: string;
  args?: string[];
  /** `"no revert"` (default), `"revert"`, or the expected result as text (a JSON array for several outputs). */
  expect?: string;
  /** Default: a funded dev account of the fork. */
  from?: Address;
  /** Wei, decimal. */
  value?: string;
}

export interface SimulationRequest {
  /** The chain to fork: an RPC URL (masked in every output), or the URL of a running local chain (the demo chain). */
  rpcUrl: string;
  /** Fork at this block; default the latest. */
  blockNumber?: bigint;
  proxy: Address;
  implementation: NewImplementation;
  /** The initializer passed to upgradeToAndCall (or called after a beacon's upgradeTo). */
  call?: { signature: string; args: string[] };
  /** Default `auto`. */
  route?: UpgradeRoute;
  /** The TimelockController to go through (route `timelock`); default: the one found behind the authority. */
  timelock?: Address;
  /** The account that sends the upgrade (direct/proxy-admin/beacon) or schedules it (timelock); default: found on chain. */
  account?: Address;
  /** The timelock executor; default: the proposer when it may execute, or a holder of EXECUTOR_ROLE. */
  executor?: Address;
  /** Timelock salt; default zero. */
  salt?: Hex;
  /**
   * The timelock operation as exported (`patchline propose`): its calls (the whole batch, other
   * proxies' upgrades too), salt and predecessor are executed instead of this upgrade's own call.
   */
  timelockOperation?: { calls: { to: Address; data: Hex }[]; salt: Hex; predecessor: Hex; batch: boolean };
  /** The deployed version: its storage layout (the baseline, parser or compiler tier) and ABI (getters to compare). */
  baseline?: { layout?: StorageLayout; abi?: Abi; description?: string };
  /** The new implementation's own storage layout (when compiled from source): its words are read too. */
  implementationLayout?: StorageLayout;
  /** The implementation's findings from source (both tiers): errors fail the simulation. Absent for a deployed address. */
  staticVerdict?: StaticVerdict;
  /** `patchline.json` `simulate.calls`. */
  calls?: SmokeCall[];
  /** Replay the calls to the proxy (direct, and internal where the node traces blocks) in this many blocks up to the fork block; default 50, 0 turns it off. */
  replayBlocks?: number;
  /** `patchline.anvilPath` */
  anvilPath?: string;
  /** How long the fork RPC may take to answer its first question; default 6000 ms. */
  rpcTimeoutMs?: number;
  /**
   * Re-check at execution time: instead of an upgrade planned here, the exported proposal's own
   * payloads are sent (schedule or queue when still needed, the wait, then execute, byte for byte).
   */
  proposal?: Proposal;
}

export type SimulationStepId = 'fork' | 'inspect' | 'deploy' | 'before' | 'upgrade' | 'after' | 'checks';

export const SIMULATION_STEPS: readonly { id: SimulationStepId; title: string }[] = [
  { id: 'fork', title: 'Fork the chain' },
  { id: 'inspect', title: 'Find the proxy kind and upgrade authority' },
  { id: 'deploy', title: 'Deploy the new implementation' },
  { id: 'before', title: 'Read the state before' },
  { id: 'upgrade', title: 'Upgrade' },
  { id: 'after', title: 'Read the state after' },
  { id: 'checks', title: 'Run the checks' },
];

export interface SimulationProgress {
  step: SimulationStepId;
  /** 0-based position in SIMULATION_STEPS, and its length. */
  index: number;
  total: number;
  title: string;
  state: 'running' | 'done' | 'failed';
  /** A line about what happens inside the step (e.g. "schedule", "advance 3600 s"). */
  detail?: string;
  /** With `done` and `failed`. */
  durationMs?: number;
}

export interface SimulateOptions {
  onProgress?: (progress: SimulationProgress) => void;
  /** Aborting stops anvil; the promise rejects with `SimulationCancelledError`. */
  signal?: AbortSignal;
}

export class SimulationCancelledError extends Error {
  constructor() {
    super('the simulation was cancelled');
    this.name = 'AbortError';
  }
}

export type CheckId = 'static-rules' | 'upgrade-applied' | 'storage-preserved' | 'getters' | 'implementation-initializers' | 'atomic-initialization' | 'still-upgradeable' | 'pause' | 'smoke-calls' | 'replay';
export type CheckStatus = 'pass' | 'fail' | 'skip';

export interface SimulationCheck {
  id: CheckId;
  title: string;
  status: CheckStatus;
  /** One line: why it passed, failed or was skipped. */
  summary: string;
  /** What was observed, one fact per line. */
  evidence: string[];
  /** With a failure: what to do next. */
  next?: string;
  /** Source locations the check refers to (the panel opens them). */
  links?: CheckLink[];
  /** A change to the simulation form that fixes the failure (the panel prefills it). */
  fix?: { call: { signature: string; args: string[] } };
}

export interface CheckLink {
  /** `file://` URI. */
  uri: string;
  /** 0-based. */
  line: number;
  character: number;
  text: string;
}

/** A storage word of the baseline: its variables decoded before and after. */
export interface StorageWordDiff {
  /** 0x-prefixed 32-byte slot. */
  slot: Hex;
  /** `depositCap, capEnabled`, or `openzeppelin.storage.Ownable: _owner`. */
  label: string;
  before: Hex;
  after: Hex;
  changed: boolean;
  /** The upgrade transaction(s) wrote this slot (from a prestate trace); undefined when no trace was available. */
  writtenByUpgrade?: boolean;
  variables: { label: string; type: string; before: string; after: string; changed: boolean }[];
}

export interface GetterDiff {
  /** `totalDeposits()` */
  signature: string;
  /** Formatted result, or `revert: <reason>`. */
  before: string;
  after: string;
  changed: boolean;
  /** Why this change matters: `moved` (reads other storage), `reverts` (now reverts), `review` (changed, maybe on purpose), `new`. */
  verdict: 'same' | 'review' | 'moved' | 'reverts' | 'new';
  note?: string;
  /** The proxy slots the call read before and after the upgrade (traced), labelled where a layout names them. */
  reads?: { before?: string[]; after?: string[] };
}

export interface GasEntry {
  /** `deploy VaultV2`, `schedule`, `execute`, `upgradeToAndCall`, `pause`… */
  label: string;
  from: Address;
  to: Address | null;
  hash: Hex;
  gasUsed: string;
}

export interface StepTiming {
  step: SimulationStepId;
  durationMs: number;
}

export interface ProxyFacts {
  address: Address;
  kind: ProxyKind;
  slots: { implementation: Address; admin: Address; beacon: Address };
  /** The contract that decides upgrades: the proxy (UUPS), its ProxyAdmin, or its beacon. */
  upgradeTarget: Address;
  /** The account that contract checks (owner, admin, role holder), and how it was found. */
  authority?: { account: Address; via: string };
  /** A TimelockController holding the authority. */
  timelock?: { address: Address; minDelay: string };
}

export interface SimulationReport {
  /** Bumped when the shape changes. */
  version: 1;
  verdict: 'pass' | 'fail' | 'error';
  /** With verdict `error`: why the simulation could not run. */
  error?: { step: SimulationStepId; message: string };
  startedAt: string;
  durationMs: number;
  fork: { rpc: string; chainId?: number; blockNumber?: string; requestedBlock?: string };
  proxy?: ProxyFacts;
  implementation?: { address?: Address; name?: string; deployed: boolean; compiler?: CompilerSettings };
  route?: { requested: UpgradeRoute; used?: Exclude<UpgradeRoute, 'auto'>; sender?: Address; description?: string };
  call?: { signature: string; args: string[]; data: Hex };
  timelock?: {
    address: Address;
    operationId: Hex;
    localOperationId: Hex;
    salt: Hex;
    predecessor: Hex;
    /** The operation's calls: more than one is a batch (scheduleBatch/executeBatch). */
    calls: number;
    proposer?: Address;
    executor?: Address;
    delaySeconds: string;
    scheduled: boolean;
  };
  baseline?: { description?: string; contract?: string };
  /** A re-check of an exported proposal: its state on the fork and what was sent. */
  proposal?: ProposalExecutionFacts;
  checks: SimulationCheck[];
  storage: StorageWordDiff[];
  getters: GetterDiff[];
  /** Proxy storage slots the upgrade transaction(s) wrote, with what they hold after. */
  writes: { slot: Hex; before: Hex; after: Hex; label?: string }[];
  gas: GasEntry[];
  steps: StepTiming[];
}
