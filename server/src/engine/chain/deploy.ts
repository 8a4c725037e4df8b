// Deployments on a local chain (tests and the demo): contracts from the artifact set, proxies of
// the example vault of each kind, and a TimelockController in front of them.
import { encodeDeployData, encodeFunctionData, getAddress, type Address, type Hex } from 'viem';
import type { ArtifactSet, ContractArtifact } from './artifacts';
import { sendAndConfirm, type ChainClients } from './clients';
import { readProxySlots } from './eip1967';

export async function deployContract(
  clients: ChainClients,
  from: Address,
  artifact: ContractArtifact,
  args: readonly unknown[] = [],
): Promise<Address> {
  const data = encodeDeployData({ abi: artifact.abi, bytecode: artifact.bytecode, args });
  const receipt = await sendAndConfirm(clients, { from, data });
  if (!receipt.contractAddress) throw new Error(`deploying ${artifact.name} created no contract`);
  return getAddress(receipt.contractAddress);
}

export interface TimelockSetup {
  from: Address;
  /** Seconds; default 3600. */
  minDelay?: bigint;
  proposers: Address[];
  /** Default: anyone (the zero address holds EXECUTOR_ROLE). */
  executors?: Address[];
  /** Optional extra admin (default none: the timelock administers itself). */
  admin?: Address;
}

export function deployTimelock(clients: ChainClients, artifacts: ArtifactSet, setup: TimelockSetup): Promise<Address> {
  return deployContract(clients, setup.from, artifacts.get('TimelockController'), [
    setup.minDelay ?? 3600n,
    setup.proposers,
    setup.executors ?? ['0x0000000000000000000000000000000000000000'],
    setup.admin ?? '0x0000000000000000000000000000000000000000',
  ]);
}

export interface VaultProxySetup {
  from: Address;
  /** Owner of the vault (UUPS) or of the ProxyAdmin / beacon (transparent, beacon: the vault is owned by `from`). */
  owner: Address;
  /** The implementation contract; default VaultV1. */
  implementation?: string;
  /** `depositCap` given to `initialize`; default 10 ETH. */
  cap?: bigint;
}

export interface DeployedProxy {
  proxy: Address;
  implementation: Address;
}

/** Deploys the vault implementation; returns it with the `initialize(vaultOwner, cap)` calldata for its proxy. */
async function vaultImplementation(
  clients: ChainClients,
  artifacts: ArtifactSet,
  setup: VaultProxySetup,
  vaultOwner: Address,
): Promise<{ implementation: Address; init: Hex }> {
  const artifact = artifacts.get(setup.implementation ?? 'VaultV1');
  const implementation = await deployContract(clients, setup.from, artifact);
  const init = encodeFunctionData({ abi: artifact.abi, functionName: 'initialize', args: [vaultOwner, setup.cap ?? 10n ** 19n] });
  return { implementation, init };
}

/** A UUPS vault: ERC1967Proxy over the implementation, initialized with `owner` as its owner. */
export async function deployUupsVault(clients: ChainClients, artifacts: ArtifactSet, setup: VaultProxySetup): Promise<DeployedProxy> {
  const { implementation, init } = await vaultImplementation(clients, artifacts, setup, setup.owner);
  const proxy = await deployContract(clients, setup.from, artifacts.get('ERC1967Proxy'), [implementation, init]);
  return { proxy, implementation };
}

/** A transparent vault: OZ 5's proxy deploys its own ProxyAdmin, owned by `owner`. */
export async function deployTransparentVault(
  clients: ChainClients,
  artifacts: ArtifactSet,
  setup: VaultProxySetup,
): Promise<DeployedProxy & { proxyAdmin: Address }> {
  const { implementation, init } = await vaultImplementation(clients, artifacts, setup, setup.from);
  const proxy = await deployContract(clients, setup.from, artifacts.get('TransparentUpgradeableProxy'), [implementation, setup.owner, init]);
  const { admin } = await readProxySlots(clients.public, proxy);
  return { proxy, implementation, proxyAdmin: admin };
}

/** A beacon vault: UpgradeableBeacon owned by `owner`, and one BeaconProxy in front of it. */
export async function deployBeaconVault(
  clients: ChainClients,
  artifacts: ArtifactSet,
  setup: VaultProxySetup,
): Promise<DeployedProxy & { beacon: Address }> {
  const { implementation, init } = await vaultImplementation(clients, artifacts, setup, setup.from);
  const beacon = await deployContract(clients, setup.from, artifacts.get('UpgradeableBeacon'), [implementation, setup.owner]);
  const proxy = await deployContract(clients, setup.from, artifacts.get('BeaconProxy'), [beacon, init]);
  return { proxy, implementation, beacon };
}

export interface TimelockedVault {
  timelock: Address;
  minDelay: bigint;
  proxy: Address;
  /** VaultV1, the deployed version. */
  implementation: Address;
  /** VaultV2, deployed too when asked (the patch, ready to upgrade to). */
  implementationV2?: Address;
}

/**
 * The demo chain's setup: VaultV1 behind an ERC1967 (UUPS) proxy whose owner is a
 * TimelockController; `proposer` may schedule, anyone may execute.
 */
export async function deployTimelockedVault(
  clients: ChainClients,
  artifacts: ArtifactSet,
  options: { from: Address; proposer?: Address; minDelay?: bigint; deployV2?: boolean },
): Promise<TimelockedVault> {
  const minDelay = options.minDelay ?? 3600n;
  const timelock = await deployTimelock(clients, artifacts, { from: options.from, minDelay, proposers: [options.proposer ?? options.from] });
  const { proxy, implementation } = await deployUupsVault(clients, artifacts, { from: options.from, owner: timelock });
  const implementationV2 = options.deployV2 ? await deployContract(clients, options.from, artifacts.get('VaultV2')) : undefined;
  return { timelock, minDelay, proxy, implementation, implementationV2 };
}
