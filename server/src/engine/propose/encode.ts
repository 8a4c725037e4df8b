// The calldata and ids of each route, computed locally (no chain needed): upgrade calls per proxy
// kind, TimelockController operations, Governor proposals.
import {
  encodeAbiParameters,
  encodeFunctionData,
  keccak256,
  padHex,
  toBytes,
  toHex,
  type Address,
  type Hex,
} from 'viem';
import { beaconAbi, governorAbi, proxyAdminAbi, timelockAbi, uupsAbi } from '../chain/abis';
import type { ProxyKind } from '../chain/eip1967';
import type { ProposalCall } from './types';

export const ZERO_BYTES32: Hex = '0x0000000000000000000000000000000000000000000000000000000000000000';

export interface OperationCall {
  target: Address;
  value: bigint;
  data: Hex;
}

export function upgradeCall(
  kind: ProxyKind,
  addresses: { proxy: Address; proxyAdmin?: Address; beacon?: Address },
  newImplementation: Address,
  initializerData: Hex,
): ProposalCall {
  switch (kind) {
    case 'uups':
      return {
        to: addresses.proxy,
        value: '0',
        data: encodeFunctionData({ abi: uupsAbi, functionName: 'upgradeToAndCall', args: [newImplementation, initializerData] }),
        function: 'upgradeToAndCall(address,bytes)',
      };
    case 'transparent':
      if (!addresses.proxyAdmin) throw new Error(`the ProxyAdmin of ${addresses.proxy} is not known`);
      return {
        to: addresses.proxyAdmin,
        value: '0',
        data: encodeFunctionData({ abi: proxyAdminAbi, functionName: 'upgradeAndCall', args: [addresses.proxy, newImplementation, initializerData] }),
        function: 'upgradeAndCall(address,address,bytes)',
      };
    case 'beacon':
      if (!addresses.beacon) throw new Error(`the beacon of ${addresses.proxy} is not known`);
      return {
        to: addresses.beacon,
        value: '0',
        data: encodeFunctionData({ abi: beaconAbi, functionName: 'upgradeTo', args: [newImplementation] }),
        function: 'upgradeTo(address)',
      };
  }
}

export function operationCalls(calls: readonly ProposalCall[]): OperationCall[] {
  return calls.map((call) => ({ target: call.to, value: BigInt(call.value), data: call.data }));
}

const batchParameters = [{ type: 'address[]' }, { type: 'uint256[]' }, { type: 'bytes[]' }, { type: 'bytes32' }] as const;

function batchColumns(calls: readonly OperationCall[]) {
  return [calls.map((c) => c.target), calls.map((c) => c.value), calls.map((c) => c.data)] as const;
}

/** TimelockController.hashOperationBatch, computed locally. */
export function hashOperationBatch(calls: readonly OperationCall[], predecessor: Hex, salt: Hex): Hex {
  return keccak256(encodeAbiParameters([...batchParameters, { type: 'bytes32' }], [...batchColumns(calls), predecessor, salt]));
}

/** The timelock's id of the operation: `hashOperation` for one call, `hashOperationBatch` for several. */
export function timelockOperationId(calls: readonly OperationCall[], predecessor: Hex, salt: Hex): Hex {
  if (calls.length !== 1) return hashOperationBatch(calls, predecessor, salt);
  const [call] = calls;
  return keccak256(
    encodeAbiParameters(
      [{ type: 'address' }, { type: 'uint256' }, { type: 'bytes' }, { type: 'bytes32' }, { type: 'bytes32' }],
      [call.target, call.value, call.data, predecessor, salt],
    ),
  );
}

/**
 * The default salt: a hash of the operation's content, so exporting the same patch again gives
 * the same salt and the same operation id.
 */
export function derivedSalt(calls: readonly OperationCall[], predecessor: Hex): Hex {
  return keccak256(
    encodeAbiParameters([{ type: 'string' }, ...batchParameters], ['patchline.timelock-salt.v1', ...batchColumns(calls), predecessor]),
  );
}

/** `schedule`/`scheduleBatch` and `execute`/`executeBatch` calls to the timelock. */
export function timelockCalls(
  timelock: Address,
  calls: readonly OperationCall[],
  predecessor: Hex,
  salt: Hex,
  delay: bigint,
): { schedule: ProposalCall; execute: ProposalCall } {
  if (calls.length === 1) {
    const [c] = calls;
    return {
      schedule: {
        to: timelock,
        value: '0',
        data: encodeFunctionData({ abi: timelockAbi, functionName: 'schedule', args: [c.target, c.value, c.data, predecessor, salt, delay] }),
        function: 'schedule(address,uint256,bytes,bytes32,bytes32,uint256)',
      },
      execute: {
        to: timelock,
        value: '0',
        data: encodeFunctionData({ abi: timelockAbi, functionName: 'execute', args: [c.target, c.value, c.data, predecessor, salt] }),
        function: 'execute(address,uint256,bytes,bytes32,bytes32)',
      },
    };
  }
  const targets = calls.map((c) => c.target);
  const values = calls.map((c) => c.value);
  const payloads = calls.map((c) => c.data);
  return {
    schedule: {
      to: timelock,
      value: '0',
      data: encodeFunctionData({ abi: timelockAbi, functionName: 'scheduleBatch', args: [targets, values, payloads, predecessor, salt, delay] }),
      function: 'scheduleBatch(address[],uint256[],bytes[],bytes32,bytes32,uint256)',
    },
    execute: {
      to: timelock,
      value: '0',
      data: encodeFunctionData({ abi: timelockAbi, functionName: 'executeBatch', args: [targets, values, payloads, predecessor, salt] }),
      function: 'executeBatch(address[],uint256[],bytes[],bytes32,bytes32)',
    },
  };
}

export function descriptionHash(description: string): Hex {
  return keccak256(toBytes(description));
}

/** Governor.hashProposal: uint256(keccak256(abi.encode(targets, values, calldatas, descriptionHash))). */
export function governorProposalId(calls: readonly OperationCall[], descriptionHashValue: Hex): bigint {
  return BigInt(keccak256(encodeAbiParameters(batchParameters, [...batchColumns(calls), descriptionHashValue])));
}

/** GovernorTimelockControl's timelock salt: `bytes20(address(governor)) ^ descriptionHash`. */
export function governorTimelockSalt(governor: Address, descriptionHashValue: Hex): Hex {
  const left = BigInt(padHex(governor, { size: 32, dir: 'right' }));
  return toHex(left ^ BigInt(descriptionHashValue), { size: 32 });
}

export function governorCalls(
  governor: Address,
  calls: readonly OperationCall[],
  description: string,
): { propose: ProposalCall; queue: ProposalCall; execute: ProposalCall } {
  const targets = calls.map((c) => c.target);
  const values = calls.map((c) => c.value);
  const calldatas = calls.map((c) => c.data);
  const hash = descriptionHash(description);
  return {
    propose: {
      to: governor,
      value: '0',
      data: encodeFunctionData({ abi: governorAbi, functionName: 'propose', args: [targets, values, calldatas, description] }),
      function: 'propose(address[],uint256[],bytes[],string)',
    },
    queue: {
      to: governor,
      value: '0',
      data: encodeFunctionData({ abi: governorAbi, functionName: 'queue', args: [targets, values, calldatas, hash] }),
      function: 'queue(address[],uint256[],bytes[],bytes32)',
    },
    execute: {
      to: governor,
      value: '0',
      data: encodeFunctionData({ abi: governorAbi, functionName: 'execute', args: [targets, values, calldatas, hash] }),
      function: 'execute(address[],uint256[],bytes[],bytes32)',
    },
  };
}

/** For GovernorTimelockControl the timelock always runs the proposal as a batch, without predecessor. */
export function governorTimelockOperationId(calls: readonly OperationCall[], salt: Hex): Hex {
  return hashOperationBatch(calls, ZERO_BYTES32, salt);
}
