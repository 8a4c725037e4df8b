// Safe Transaction Builder batch files (importable in the Safe app's Transaction Builder), with
// the checksum the Transaction Builder checks on import (safe-global/safe-react-apps,
// apps/tx-builder/src/lib/checksum.ts): keccak256 of its own serialisation of the batch with
// `meta.checksum` absent and `meta.name` set to null.
import { keccak256, toBytes, type AbiFunction, type Hex } from 'viem';
import { governorAbi, timelockAbi } from '../chain/abis';
import type { Proposal, ProposalCall } from './types';

/** The Transaction Builder version whose file format this follows. */
export const TX_BUILDER_VERSION = '1.18.0';

export interface SafeContractInput {
  internalType: string;
  name: string;
  type: string;
}

export interface SafeBatchTransaction {
  to: string;
  value: string;
  data: string;
  contractMethod: { inputs: SafeContractInput[]; name: string; payable: boolean };
  contractInputsValues: Record<string, string>;
}

export interface SafeBatchFile {
  version: '1.0';
  chainId: string;
  createdAt: number;
  meta: {
    name: string;
    description: string;
    txBuilderVersion: string;
    createdFromSafeAddress: string;
    createdFromOwnerAddress: string;
    checksum?: string;
  };
  transactions: SafeBatchTransaction[];
}

/**
 * The Transaction Builder's serialisation: keys sorted at every level; an object is written as
 * `{` + JSON of its sorted keys + each value followed by `,` + `}`; an array as `[a,b]`;
 * undefined as null; anything else as JSON.
 */
export function serializeForSafeChecksum(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(serializeForSafeChecksum).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    return `{${JSON.stringify(keys)}${keys.map((key) => `${serializeForSafeChecksum(record[key])},`).join('')}}`;
  }
  return value === undefined ? 'null' : JSON.stringify(value);
}

/** The checksum the Transaction Builder expects in `meta.checksum`. */
export function safeBatchChecksum(batch: SafeBatchFile): Hex {
  const { checksum: _ignored, ...meta } = batch.meta;
  void _ignored;
  return keccak256(toBytes(serializeForSafeChecksum({ ...batch, meta: { ...meta, name: null } })));
}

function methodOf(fn: AbiFunction): SafeBatchTransaction['contractMethod'] {
  return {
    inputs: fn.inputs.map((input) => ({ internalType: input.type, name: input.name ?? '', type: input.type })),
    name: fn.name,
    payable: fn.stateMutability === 'payable',
  };
}

/** How the Transaction Builder's form shows a value: arrays as JSON, numbers in decimal. */
function inputValue(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (typeof v === 'bigint' ? v.toString() : JSON.stringify(v))).join(',')}]`;
  return typeof value === 'bigint' ? value.toString() : String(value);
}

/** One transaction of a batch: the call and its decoded form for the Transaction Builder's display. */
export function safeTransaction(call: ProposalCall, fn: AbiFunction, args: readonly unknown[]): SafeBatchTransaction {
  const method = methodOf(fn);
  const contractInputsValues: Record<string, string> = {};
  method.inputs.forEach((input, i) => (contractInputsValues[input.name] = inputValue(args[i])));
  return { to: call.to, value: call.value, data: call.data, contractMethod: method, contractInputsValues };
}

export function safeBatchFile(
  proposal: Proposal,
  label: string,
  description: string,
  transactions: SafeBatchTransaction[],
): SafeBatchFile {
  const batch: SafeBatchFile = {
    version: '1.0',
    chainId: String(proposal.chainId),
    createdAt: Date.parse(proposal.createdAt),
    meta: {
      name: `${proposal.name}: ${label}`,
      description,
      txBuilderVersion: TX_BUILDER_VERSION,
      createdFromSafeAddress: proposal.safe?.address ?? '',
      createdFromOwnerAddress: proposal.safe?.owner ?? '',
    },
    transactions,
  };
  batch.meta.checksum = safeBatchChecksum(batch);
  return batch;
}

/** The function `name` of `abi`. */
export function abiFunction(abi: readonly unknown[], name: string): AbiFunction {
  return abi.find((item) => (item as AbiFunction).type === 'function' && (item as AbiFunction).name === name) as AbiFunction;
}

/** The Safe files of a proposal, by file name: schedule and execute (timelock), or propose (Governor). */
export function safeBatchFiles(proposal: Proposal): Record<string, SafeBatchFile> {
  const targets = proposal.calls.map((c) => c.to);
  const values = proposal.calls.map((c) => BigInt(c.value));
  const datas = proposal.calls.map((c) => c.data);
  const files: Record<string, SafeBatchFile> = {};
  const timelock = proposal.timelock;
  if (timelock) {
    const delay = BigInt(timelock.delay);
    const [scheduleFn, executeFn] = timelock.batch ? ['scheduleBatch', 'executeBatch'] : ['schedule', 'execute'];
    const opArgs = timelock.batch ? [targets, values, datas] : [targets[0], values[0], datas[0]];
    files['safe-schedule.json'] = safeBatchFile(
      proposal,
      'schedule',
      `Schedule timelock operation ${timelock.operationId} (delay ${timelock.delay} s): ${proposal.title}`,
      [safeTransaction(timelock.schedule, abiFunction(timelockAbi, scheduleFn), [...opArgs, timelock.predecessor, timelock.salt, delay])],
    );
    files['safe-execute.json'] = safeBatchFile(
      proposal,
      'execute',
      `Execute timelock operation ${timelock.operationId} (not before ${timelock.earliestExecution.iso} if scheduled at export time): ${proposal.title}`,
      [safeTransaction(timelock.execute, abiFunction(timelockAbi, executeFn), [...opArgs, timelock.predecessor, timelock.salt])],
    );
  }
  const governor = proposal.governor;
  if (governor && proposal.files.includes('safe-propose.json')) {
    files['safe-propose.json'] = safeBatchFile(proposal, 'propose', `Propose ${governor.proposalId}: ${proposal.title}`, [
      safeTransaction(governor.propose, abiFunction(governorAbi, 'propose'), [targets, values, datas, governor.description]),
    ]);
  }
  return files;
}
