// buildProposal: validates a request (reading the chain when an RPC is given), then assembles the
// calls, ids and evidence of a governance proposal. It writes nothing; files.ts does.
import { BaseError, getAddress, isHex, keccak256, toHex, type Address, type Hex } from 'viem';
import { beaconAbi, governorAbi, proxyAdminAbi, timelockAbi, uupsAbi } from '../chain/abis';
import { addressProblem } from '../chain/address';
import { encodeSignatureCall } from '../chain/calldata';
import { connectChain, rpcUrlProblem, type ChainClients } from '../chain/clients';
import { maskRpcUrl, secretMasker } from '../chain/secrets';
import { IMPLEMENTATION_SLOT, proxyKindFromSlots, readProxySlots, ZERO_ADDRESS, type ProxyKind } from '../chain/eip1967';
import { patchlineVersion } from '../version';
import {
  derivedSalt,
  descriptionHash,
  governorCalls,
  governorProposalId,
  governorTimelockOperationId,
  governorTimelockSalt,
  operationCalls,
  timelockCalls,
  timelockOperationId,
  upgradeCall,
  ZERO_BYTES32,
} from './encode';
import {
  ChainReadError,
  PROPOSAL_FORMAT,
  ProposalError,
  type GovernorPayload,
  type Proposal,
  type ProposalEvidence,
  type ProposalRequest,
  type ProposalUpgrade,
  type TimelockPayload,
  type UpgradeEvidence,
  type UpgradeSpec,
} from './types';

const PROXY_KINDS: readonly ProxyKind[] = ['uups', 'transparent', 'beacon'];
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** Collects every problem of a request before giving up, so the user fixes them in one go. */
class Problems {
  readonly list: string[] = [];
  add(message: string): void {
    this.list.push(message);
  }
  address(value: string | undefined, what: string): Address | undefined {
    if (value === undefined) return undefined;
    const problem = addressProblem(value, what);
    if (problem) {
      this.add(problem);
      return undefined;
    }
    return getAddress(value.trim());
  }
  bytes32(value: Hex | undefined, what: string): Hex | undefined {
    if (value === undefined) return undefined;
    if (!isHex(value) || value.length !== 66) {
      this.add(`${what} "${value}" is not 32 bytes of hex (0x followed by 64 hex digits)`);
      return undefined;
    }
    return value.toLowerCase() as Hex;
  }
  throwIfAny(): void {
    if (this.list.length > 0) throw new ProposalError(this.list);
  }
}

function parseDelay(value: bigint | number | string | undefined, problems: Problems): bigint | undefined {
  if (value === undefined) return undefined;
  try {
    const delay = BigInt(value);
    if (delay < 0n) throw new RangeError();
    return delay;
  } catch {
    problems.add(`delay "${String(value)}" is not a whole number of seconds`);
    return undefined;
  }
}

interface ResolvedUpgrade {
  spec: UpgradeSpec;
  proxy: Address;
  newImplementation: Address;
  kind?: ProxyKind;
  proxyAdmin?: Address;
  beacon?: Address;
  oldImplementation?: Address;
  initializer: ProposalUpgrade['initializer'];
  runtimeCodeHash?: Hex;
  runtimeCodeHashSource?: 'chain' | 'caller';
}

/** The request's own consistency, before any chain read. */
function checkShape(request: ProposalRequest, problems: Problems): ResolvedUpgrade[] {
  if (request.upgrades.length === 0) problems.add('no upgrade given: name at least one proxy and its new implementation');
  if (!request.rpcUrl && !request.clients && request.chainId === undefined) problems.add('the chain id is required when no RPC URL is given');
  if (request.chainId !== undefined && (!Number.isSafeInteger(request.chainId) || request.chainId <= 0)) {
    problems.add(`chain id "${request.chainId}" is not a positive integer`);
  }
  if (request.name !== undefined && !NAME_PATTERN.test(request.name)) {
    problems.add(`proposal name "${request.name}" must be letters, digits, ".", "_" or "-" (it names a folder)`);
  }
  const seen = new Set<string>();
  const resolved: ResolvedUpgrade[] = [];
  request.upgrades.forEach((spec, index) => {
    const where = request.upgrades.length > 1 ? ` (upgrade ${index + 1})` : '';
    const proxy = problems.address(spec.proxy, `proxy${where}`);
    const newImplementation = problems.address(spec.newImplementation, `new implementation${where}`);
    if (spec.kind !== undefined && !PROXY_KINDS.includes(spec.kind)) problems.add(`proxy kind "${spec.kind}"${where} is not one of ${PROXY_KINDS.join(', ')}`);
    if (!spec.kind && !request.rpcUrl && !request.clients) problems.add(`the proxy kind${where} is unknown: give it (uups, transparent or beacon), or an RPC URL to detect it`);
    if (spec.call && spec.callData) problems.add(`give the initializer${where} as a signature with arguments or as calldata, not both`);
    let initializer: ProposalUpgrade['initializer'] = null;
    if (spec.call) {
      try {
        const encoded = encodeSignatureCall(spec.call.signature, spec.call.args);
        initializer = { signature: encoded.signature, args: encoded.args, data: encoded.data };
      } catch (error) {
        problems.add(`initializer${where}: ${(error as Error).message}`);
      }
    } else if (spec.callData !== undefined && spec.callData !== '0x') {
      if (!isHex(spec.callData)) problems.add(`initializer calldata${where} is not 0x-prefixed hex`);
      else initializer = { signature: null, args: [], data: spec.callData };
    }
    if (initializer && (spec.kind === 'beacon' || spec.beacon)) {
      problems.add(`a beacon upgrade${where} cannot call an initializer (UpgradeableBeacon.upgradeTo takes no data); call it in a separate proposal`);
    }
    const codeHash = spec.evidence?.runtimeCodeHash;
    if (codeHash !== undefined) problems.bytes32(codeHash, `runtime code hash${where}`);
    if (proxy) {
      if (seen.has(proxy)) problems.add(`proxy ${proxy} is upgraded twice in one proposal`);
      seen.add(proxy);
    }
    resolved.push({
      spec,
      proxy: proxy ?? ZERO_ADDRESS,
      newImplementation: newImplementation ?? ZERO_ADDRESS,
      kind: spec.kind,
      proxyAdmin: problems.address(spec.proxyAdmin, `ProxyAdmin${where}`),
      beacon: problems.address(spec.beacon, `beacon${where}`),
      oldImplementation: problems.address(spec.oldImplementation, `old implementation${where}`),
      initializer,
      runtimeCodeHash: codeHash,
      runtimeCodeHashSource: codeHash ? 'caller' : undefined,
    });
  });
  return resolved;
}

interface ChainFacts {
  chainId: number;
  blockNumber: bigint;
  blockTimestamp: number;
  minDelay?: bigint;
  governorTimelock?: Address;
}

async function hasCode(clients: ChainClients, address: Address): Promise<boolean> {
  const code = await clients.public.getCode({ address });
  return !!code && code !== '0x';
}

async function tryRead<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch {
    return undefined;
  }
}

/** Chain reads: every fact the proposal needs, and every check that needs the chain. */
async function readChain(
  clients: ChainClients,
  request: ProposalRequest,
  upgrades: ResolvedUpgrade[],
  authority: Address | undefined,
  problems: Problems,
  warnings: string[],
): Promise<ChainFacts> {
  const chainId = await clients.public.getChainId();
  if (request.chainId !== undefined && request.chainId !== chainId) {
    problems.add(`chain id ${request.chainId} does not match the RPC, whose chain id is ${chainId}`);
  }
  const block = await clients.public.getBlock({ blockTag: 'latest' });
  const facts: ChainFacts = { chainId, blockNumber: block.number, blockTimestamp: Number(block.timestamp) };
  const route = request.governance;

  if (route.kind === 'timelock' && authority) {
    if (!(await hasCode(clients, authority))) {
      problems.add(`timelock ${authority} is not a contract on chain ${chainId} (no code at that address)`);
    } else {
      facts.minDelay = await tryRead(() => clients.public.readContract({ address: authority, abi: timelockAbi, functionName: 'getMinDelay' }));
      if (facts.minDelay === undefined) problems.add(`timelock ${authority} is not a TimelockController (getMinDelay() failed)`);
    }
  }
  if (route.kind === 'governor') {
    const governor = getAddress(route.governor);
    if (!(await hasCode(clients, governor))) {
      problems.add(`governor ${governor} is not a contract on chain ${chainId} (no code at that address)`);
    } else {
      facts.governorTimelock = await tryRead(() => clients.public.readContract({ address: governor, abi: governorAbi, functionName: 'timelock' }));
      if (!facts.governorTimelock) problems.add(`governor ${governor} has no timelock() (GovernorTimelockControl is required)`);
    }
  }

  await Promise.all(upgrades.map((upgrade) => readUpgradeFacts(clients, upgrade, problems, warnings)));
  return facts;
}

async function readUpgradeFacts(clients: ChainClients, upgrade: ResolvedUpgrade, problems: Problems, warnings: string[]): Promise<void> {
  const { proxy, newImplementation } = upgrade;
  const [proxyHasCode, implementationCode] = await Promise.all([hasCode(clients, proxy), clients.public.getCode({ address: newImplementation })]);
  if (!proxyHasCode) {
    problems.add(`proxy ${proxy} is not a contract (no code at that address)`);
    return;
  }
  if (!implementationCode || implementationCode === '0x') {
    problems.add(`new implementation ${newImplementation} is not a contract (no code at that address): deploy it first`);
  } else {
    const onChain = keccak256(implementationCode);
    if (upgrade.runtimeCodeHash && upgrade.runtimeCodeHash.toLowerCase() !== onChain) {
      warnings.push(`the runtime code hash given for ${newImplementation} (${upgrade.runtimeCodeHash}) differs from the code on chain (${onChain}); the chain's is recorded`);
    }
    upgrade.runtimeCodeHash = onChain;
    upgrade.runtimeCodeHashSource = 'chain';
  }
  const slots = await readProxySlots(clients.public, proxy);
  const detected = proxyKindFromSlots(slots);
  if (!upgrade.kind) {
    if (!detected) {
      problems.add(`${proxy} has no EIP-1967 implementation, admin or beacon slot: is it a proxy?`);
      return;
    }
    upgrade.kind = detected;
  } else if (detected && detected !== upgrade.kind) {
    warnings.push(`${proxy} was given as a ${upgrade.kind} proxy but its EIP-1967 slots say ${detected}`);
  }
  if (upgrade.kind === 'transparent') {
    if (!upgrade.proxyAdmin && slots.admin !== ZERO_ADDRESS) upgrade.proxyAdmin = slots.admin;
    if (upgrade.proxyAdmin && slots.admin !== ZERO_ADDRESS && slots.admin !== upgrade.proxyAdmin) {
      problems.add(`the ProxyAdmin of ${proxy} is ${slots.admin}, not ${upgrade.proxyAdmin}`);
    }
  }
  if (upgrade.kind === 'beacon') {
    if (!upgrade.beacon && slots.beacon !== ZERO_ADDRESS) upgrade.beacon = slots.beacon;
    if (upgrade.beacon && !upgrade.oldImplementation) {
      const beacon = upgrade.beacon;
      upgrade.oldImplementation = await tryRead(() => clients.public.readContract({ address: beacon, abi: beaconAbi, functionName: 'implementation' }));
    }
  } else if (!upgrade.oldImplementation && slots.implementation !== ZERO_ADDRESS) {
    upgrade.oldImplementation = slots.implementation;
  }
  if (upgrade.oldImplementation && upgrade.oldImplementation === newImplementation) {
    warnings.push(`${proxy} already runs ${newImplementation}: the upgrade changes no code`);
  }
  if (upgrade.kind === 'uups' && implementationCode && implementationCode !== '0x') await checkProxiable(clients, upgrade, problems);
}

/**
 * An implementation that is one of the proposal's own contracts (the proxy, its ProxyAdmin or
 * beacon, the timelock, the governor) cannot be right: the upgrade would revert, or worse, succeed
 * and point the proxy at a contract that is not an implementation.
 */
function checkRoles(upgrades: ResolvedUpgrade[], route: { timelock?: Address; governor?: Address; governorTimelock?: Address }, problems: Problems): void {
  for (const upgrade of upgrades) {
    const roles: [string, Address | undefined][] = [
      ['the proxy itself', upgrade.proxy],
      ['its ProxyAdmin', upgrade.proxyAdmin],
      ['its beacon', upgrade.beacon],
      ['the timelock', route.timelock],
      ["the governor's timelock", route.governorTimelock],
      ['the governor', route.governor],
    ];
    const role = roles.find(([, address]) => address && address !== ZERO_ADDRESS && address === upgrade.newImplementation);
    if (role) {
      problems.add(
        `new implementation ${upgrade.newImplementation} is ${role[0]}, not an implementation contract: the upgrade of ${upgrade.proxy} would revert or brick it; give the address of the deployed new implementation`,
      );
    }
  }
}

/**
 * A UUPS proxy's upgradeToAndCall (OpenZeppelin 4.5+ and 5) accepts only an implementation whose
 * `proxiableUUID()` returns the ERC-1967 implementation slot; anything else reverts on execution.
 */
async function checkProxiable(clients: ChainClients, upgrade: ResolvedUpgrade, problems: Problems): Promise<void> {
  let uuid: Hex | undefined;
  let failure = '';
  try {
    uuid = await clients.public.readContract({ address: upgrade.newImplementation, abi: uupsAbi, functionName: 'proxiableUUID' });
  } catch (error) {
    failure = error instanceof BaseError ? error.shortMessage.split('\n')[0] : String(error);
    // The call reverted or the function does not exist; a dead RPC is not the implementation's fault.
    if (!/revert|returned no data|execution/i.test(failure)) throw error;
  }
  if (uuid?.toLowerCase() === IMPLEMENTATION_SLOT) return;
  problems.add(
    `new implementation ${upgrade.newImplementation} is not a UUPS implementation: proxiableUUID() ${uuid ? `returns ${uuid}, not the ERC-1967 implementation slot` : `failed (${failure || 'no answer'})`}. ` +
      `The proxy ${upgrade.proxy} would revert the upgrade (ERC1967InvalidImplementation), so the proposal would be doomed; check the address`,
  );
}

/** Who may upgrade each proxy (owner of the proxy, ProxyAdmin or beacon), compared with the route's authority. */
async function checkAuthority(clients: ChainClients, upgrades: ResolvedUpgrade[], authority: Address, warnings: string[]): Promise<void> {
  await Promise.all(
    upgrades.map(async (upgrade) => {
      const owned = upgrade.kind === 'uups' ? upgrade.proxy : upgrade.kind === 'transparent' ? upgrade.proxyAdmin : upgrade.beacon;
      if (!owned) return;
      const abi = upgrade.kind === 'uups' ? uupsAbi : upgrade.kind === 'transparent' ? proxyAdminAbi : beaconAbi;
      const owner = await tryRead(() => clients.public.readContract({ address: owned, abi, functionName: 'owner' }));
      if (owner && owner !== authority) {
        warnings.push(`the upgrade of ${upgrade.proxy} must come from ${owner} (owner of ${owned}), not from the timelock ${authority}: the execution would revert`);
      }
    }),
  );
}

function simulationEvidence(request: ProposalRequest, problems: Problems): ProposalEvidence['simulation'] {
  const sim = request.simulation;
  const passed = sim?.verdict === 'pass' && (sim.reports ?? []).every((r) => r.verdict === 'pass');
  if (sim) problems.bytes32(sim.reportHash, 'simulation report hash');
  for (const r of sim?.reports ?? []) problems.bytes32(r.reportHash, `simulation report hash of ${r.proxy}`);
  if (!passed && !request.confirmedWithoutPassingSimulation) {
    problems.add(
      sim
        ? `the simulation of this patch did not pass (verdict: ${sim.verdict}): confirm to export it anyway`
        : 'this patch was not simulated: simulate it first, or confirm to export it without a simulation',
    );
  }
  return {
    status: !sim ? 'not-run' : passed ? 'passed' : 'failed',
    reportHash: sim?.reportHash ?? null,
    reportPath: sim?.reportPath ?? null,
    verdict: sim?.verdict ?? null,
    exportedWithoutPassingSimulation: !passed,
    reports: !sim
      ? []
      : (sim.reports?.map((r) => ({ proxy: getAddress(r.proxy), reportHash: r.reportHash, reportPath: r.reportPath ?? null, verdict: r.verdict })) ?? [
          { proxy: null, reportHash: sim.reportHash, reportPath: sim.reportPath ?? null, verdict: sim.verdict },
        ]),
  };
}

/**
 * Builds a governance proposal for one upgrade or a batch. Throws `ProposalError` (listing every
 * problem found) when the request is malformed or contradicts the chain; nothing is written.
 */
export async function buildProposal(request: ProposalRequest): Promise<Proposal> {
  const problems = new Problems();
  const warnings: string[] = [];
  const upgrades = checkShape(request, problems);
  const route = request.governance;
  let authority: Address | undefined;
  let delay: bigint | undefined;
  let salt: Hex | undefined;
  let predecessor: Hex = ZERO_BYTES32;
  let governor: Address | undefined;
  let givenGovernorTimelock: Address | undefined;
  if (route.kind === 'timelock') {
    authority = problems.address(route.timelock, 'timelock');
    delay = parseDelay(route.delay, problems);
    salt = problems.bytes32(route.salt, 'salt');
    predecessor = problems.bytes32(route.predecessor, 'predecessor') ?? ZERO_BYTES32;
    if (delay === undefined && !request.rpcUrl && !request.clients) problems.add('the delay is required when no RPC URL is given (the default is the timelock\'s getMinDelay())');
  } else if (route.kind === 'governor') {
    governor = problems.address(route.governor, 'governor');
    givenGovernorTimelock = problems.address(route.timelock, 'governor timelock');
    if (!route.description?.trim()) problems.add('a Governor proposal needs a description');
  } else {
    problems.add(`unknown governance route "${(route as { kind: string }).kind}": use timelock or governor`);
  }
  const safeAddress = problems.address(request.safe?.address, 'Safe');
  const safeOwner = problems.address(request.safe?.owner, 'Safe owner');
  const rpcProblem = request.rpcUrl && !request.clients ? rpcUrlProblem(request.rpcUrl) : undefined;
  if (rpcProblem) problems.add(rpcProblem);
  checkRoles(upgrades, { timelock: authority, governor, governorTimelock: givenGovernorTimelock }, problems);
  const simulation = simulationEvidence(request, problems);
  problems.throwIfAny();

  let clients = request.clients;
  let facts: ChainFacts | undefined;
  const rpcUrl = request.rpcUrl ?? clients?.rpcUrl;
  try {
    if (!clients && request.rpcUrl) clients = await connectChain(request.rpcUrl);
    if (clients) {
      facts = await readChain(clients, request, upgrades, authority, problems, warnings);
      if (facts.minDelay !== undefined) {
        if (delay === undefined) delay = facts.minDelay;
        else if (delay < facts.minDelay) problems.add(`delay ${delay} s is below the timelock's minimum delay, getMinDelay() = ${facts.minDelay} s`);
      }
      if (givenGovernorTimelock && facts.governorTimelock && givenGovernorTimelock !== facts.governorTimelock) {
        problems.add(`the governor's timelock is ${facts.governorTimelock}, not ${givenGovernorTimelock}`);
      }
      checkRoles(upgrades, { governorTimelock: facts.governorTimelock }, problems);
      problems.throwIfAny();
      const upgradeAuthority = authority ?? facts.governorTimelock;
      if (upgradeAuthority) await checkAuthority(clients, upgrades, upgradeAuthority, warnings);
    }
  } catch (error) {
    if (error instanceof ProposalError) throw error;
    // The RPC failed or answered an error: say so, with the upstream's words and the URL's secrets masked.
    const mask = secretMasker([rpcUrl]);
    const reason = error instanceof BaseError ? [error.shortMessage.replace(/\.$/, ''), error.details].filter(Boolean).join(': ') : error instanceof Error ? error.message : String(error);
    throw new ChainReadError(mask(`cannot read the chain at ${rpcUrl ? maskRpcUrl(rpcUrl) : 'the given clients'}: ${reason.split('\n')[0]}`));
  }
  for (const upgrade of upgrades) {
    if (upgrade.kind === 'transparent' && !upgrade.proxyAdmin) problems.add(`the ProxyAdmin of ${upgrade.proxy} is unknown: give it, or an RPC URL to read it`);
    if (upgrade.kind === 'beacon' && !upgrade.beacon) problems.add(`the beacon of ${upgrade.proxy} is unknown: give it, or an RPC URL to read it`);
  }
  problems.throwIfAny();

  const chainId = facts?.chainId ?? request.chainId!;
  const now = request.now ?? new Date();
  const proposalUpgrades: ProposalUpgrade[] = upgrades.map((u) => {
    const call = upgradeCall(u.kind!, u, u.newImplementation, u.initializer?.data ?? '0x');
    return {
      proxy: u.proxy,
      kind: u.kind!,
      target: call.to,
      proxyAdmin: u.kind === 'transparent' ? u.proxyAdmin! : null,
      beacon: u.kind === 'beacon' ? u.beacon! : null,
      oldImplementation: u.oldImplementation ?? null,
      newImplementation: u.newImplementation,
      initializer: u.initializer,
      call,
    };
  });
  const calls = proposalUpgrades.map((u) => u.call);
  const ops = operationCalls(calls);

  let timelock: TimelockPayload | null = null;
  let governorPayload: GovernorPayload | null = null;
  if (route.kind === 'timelock') {
    const finalSalt = salt ?? derivedSalt(ops, predecessor);
    const finalDelay = delay!;
    const basisTimestamp = facts?.blockTimestamp ?? Math.floor(now.getTime() / 1000);
    const earliest = basisTimestamp + Number(finalDelay);
    timelock = {
      address: authority!,
      minDelay: facts?.minDelay?.toString() ?? null,
      delay: finalDelay.toString(),
      predecessor,
      salt: finalSalt,
      saltSource: salt ? 'given' : 'derived',
      operationId: timelockOperationId(ops, predecessor, finalSalt),
      batch: ops.length > 1,
      ...timelockCalls(authority!, ops, predecessor, finalSalt, finalDelay),
      earliestExecution: {
        timestamp: earliest,
        iso: new Date(earliest * 1000).toISOString(),
        basis: facts ? 'latest-block' : 'export-clock',
        basisTimestamp,
      },
    };
  } else {
    const description = (route as { description: string }).description;
    const hash = descriptionHash(description);
    const id = governorProposalId(ops, hash);
    const timelockSalt = governorTimelockSalt(governor!, hash);
    governorPayload = {
      address: governor!,
      timelock: facts?.governorTimelock ?? givenGovernorTimelock ?? null,
      description,
      descriptionHash: hash,
      proposalId: id.toString(),
      proposalIdHex: toHex(id, { size: 32 }),
      timelockSalt,
      timelockOperationId: governorTimelockOperationId(ops, timelockSalt),
      ...governorCalls(governor!, ops, description),
    };
  }

  const idForName = timelock?.operationId ?? governorPayload!.proposalIdHex;
  const name = request.name ?? `upgrade-${idForName.slice(2, 10)}`;
  const evidence: ProposalEvidence = {
    chainId,
    patchlineVersion,
    chainState: facts && clients ? { rpc: maskRpcUrl(clients.rpcUrl), blockNumber: facts.blockNumber.toString(), blockTimestamp: facts.blockTimestamp } : null,
    upgrades: upgrades.map(
      (u): UpgradeEvidence => ({
        proxy: u.proxy,
        kind: u.kind!,
        oldImplementation: u.oldImplementation ?? null,
        newImplementation: u.newImplementation,
        runtimeCodeHash: u.runtimeCodeHash ?? null,
        runtimeCodeHashSource: u.runtimeCodeHashSource ?? null,
        compiler: u.spec.evidence?.compiler ?? null,
        storageLayout: u.spec.evidence?.storageLayout ?? null,
        verification: u.spec.evidence?.verification ?? null,
      }),
    ),
    simulation,
  };
  for (const u of evidence.upgrades) {
    if (u.storageLayout?.verdict === 'incompatible') warnings.push(`the storage layout of ${u.newImplementation} is incompatible with ${u.storageLayout.baseline}`);
  }
  const safe = safeAddress ? { address: safeAddress, owner: safeOwner ?? null } : null;
  // The timelock's Safe files are useful unbound (any Safe can import them); the Governor's only for a given Safe.
  const safeFiles = timelock ? ['safe-schedule.json', 'safe-execute.json'] : safe ? ['safe-propose.json'] : [];

  return {
    format: PROPOSAL_FORMAT,
    name,
    title: request.title ?? defaultTitle(proposalUpgrades),
    createdAt: now.toISOString(),
    chainId,
    route: timelock ? 'timelock' : 'governor',
    upgrades: proposalUpgrades,
    calls,
    timelock,
    governor: governorPayload,
    safe,
    files: ['proposal.json', ...safeFiles, 'README.md'],
    evidence,
    warnings,
  };
}

function defaultTitle(upgrades: ProposalUpgrade[]): string {
  if (upgrades.length === 1) return `Upgrade ${upgrades[0].proxy} to ${upgrades[0].newImplementation}`;
  return `Upgrade ${upgrades.length} proxies (${upgrades.map((u) => u.proxy).join(', ')})`;
}
