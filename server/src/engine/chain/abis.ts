// The parts of OpenZeppelin 5's upgrade and governance interfaces that Patchline calls or encodes.
// Parameter names follow the contracts' sources: the Safe Transaction Builder shows them.
import { parseAbi } from 'viem';

/** UUPSUpgradeable (and ERC1967 proxies generally). */
export const uupsAbi = parseAbi([
  'function upgradeToAndCall(address newImplementation, bytes data) payable',
  'function proxiableUUID() view returns (bytes32)',
  'function owner() view returns (address)',
]);

/** ProxyAdmin v5: only `upgradeAndCall` exists (v4 also had `upgrade`). */
export const proxyAdminAbi = parseAbi([
  'function upgradeAndCall(address proxy, address implementation, bytes data) payable',
  'function owner() view returns (address)',
  'function UPGRADE_INTERFACE_VERSION() view returns (string)',
]);

export const beaconAbi = parseAbi([
  'function upgradeTo(address newImplementation)',
  'function implementation() view returns (address)',
  'function owner() view returns (address)',
]);

export const upgradedEventAbi = parseAbi(['event Upgraded(address indexed implementation)']);

export const timelockAbi = parseAbi([
  'function schedule(address target, uint256 value, bytes data, bytes32 predecessor, bytes32 salt, uint256 delay)',
  'function scheduleBatch(address[] targets, uint256[] values, bytes[] payloads, bytes32 predecessor, bytes32 salt, uint256 delay)',
  'function execute(address target, uint256 value, bytes payload, bytes32 predecessor, bytes32 salt) payable',
  'function executeBatch(address[] targets, uint256[] values, bytes[] payloads, bytes32 predecessor, bytes32 salt) payable',
  'function hashOperation(address target, uint256 value, bytes data, bytes32 predecessor, bytes32 salt) pure returns (bytes32)',
  'function hashOperationBatch(address[] targets, uint256[] values, bytes[] payloads, bytes32 predecessor, bytes32 salt) pure returns (bytes32)',
  'function getMinDelay() view returns (uint256)',
  'function getTimestamp(bytes32 id) view returns (uint256)',
  'function isOperationPending(bytes32 id) view returns (bool)',
  'function isOperationReady(bytes32 id) view returns (bool)',
  'function isOperationDone(bytes32 id) view returns (bool)',
  'function hasRole(bytes32 role, address account) view returns (bool)',
  'function PROPOSER_ROLE() view returns (bytes32)',
  'function EXECUTOR_ROLE() view returns (bytes32)',
  'function CANCELLER_ROLE() view returns (bytes32)',
  'function DEFAULT_ADMIN_ROLE() view returns (bytes32)',
  'function grantRole(bytes32 role, address account)',
]);

/** Governor with GovernorTimelockControl (and the ERC20Votes token it counts). */
export const governorAbi = parseAbi([
  'function propose(address[] targets, uint256[] values, bytes[] calldatas, string description) returns (uint256)',
  'function queue(address[] targets, uint256[] values, bytes[] calldatas, bytes32 descriptionHash) returns (uint256)',
  'function execute(address[] targets, uint256[] values, bytes[] calldatas, bytes32 descriptionHash) payable returns (uint256)',
  'function hashProposal(address[] targets, uint256[] values, bytes[] calldatas, bytes32 descriptionHash) pure returns (uint256)',
  'function state(uint256 proposalId) view returns (uint8)',
  'function castVote(uint256 proposalId, uint8 support) returns (uint256)',
  'function timelock() view returns (address)',
  'function votingDelay() view returns (uint256)',
  'function votingPeriod() view returns (uint256)',
  'function proposalThreshold() view returns (uint256)',
  'function proposalEta(uint256 proposalId) view returns (uint256)',
  'function name() view returns (string)',
]);

export const votesTokenAbi = parseAbi([
  'function delegate(address delegatee)',
  'function getVotes(address account) view returns (uint256)',
  'function balanceOf(address account) view returns (uint256)',
]);

/** OpenZeppelin's Pausable surface, with the owner that often holds it. */
export const pausableAbi = parseAbi([
  'function paused() view returns (bool)',
  'function pause()',
  'function unpause()',
  'function owner() view returns (address)',
]);
