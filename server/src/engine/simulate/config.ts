// `simulate.calls` of patchline.json: smoke calls run on the proxy after the upgrade.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAddress } from 'viem';
import type { SmokeCall } from './types';

/** Validates `simulate` of patchline.json; problems are returned, never thrown. */
export function parseSimulateConfig(raw: unknown): { calls: SmokeCall[]; errors: string[] } {
  const calls: SmokeCall[] = [];
  const errors: string[] = [];
  if (raw === undefined) return { calls, errors };
  const list = typeof raw === 'object' && raw !== null ? (raw as { calls?: unknown }).calls : undefined;
  if (list === undefined) return { calls, errors };
  if (!Array.isArray(list)) return { calls, errors: ['"simulate.calls" must be an array of { signature, args?, expect?, from?, value? }'] };
  list.forEach((item, i) => {
    const where = `"simulate.calls[${i}]"`;
    if (typeof item !== 'object' || item === null) return errors.push(`${where} must be an object`);
    const { signature, args, expect, from, value } = item as Record<string, unknown>;
    if (typeof signature !== 'string' || !signature.trim()) return errors.push(`${where}.signature must be a function signature such as "totalDeposits() returns (uint256)"`);
    if (args !== undefined && !(Array.isArray(args) && args.every((a) => typeof a === 'string' || typeof a === 'number' || typeof a === 'boolean'))) {
      return errors.push(`${where}.args must be an array of strings`);
    }
    if (expect !== undefined && typeof expect !== 'string') return errors.push(`${where}.expect must be a string: "no revert", "revert" or the expected result`);
    if (from !== undefined && !(typeof from === 'string' && isAddress(from, { strict: false }))) return errors.push(`${where}.from must be an address`);
    if (value !== undefined && !((typeof value === 'string' && /^\d+$/.test(value)) || (typeof value === 'number' && Number.isInteger(value) && value >= 0))) {
      return errors.push(`${where}.value must be a decimal amount of wei`);
    }
    calls.push({
      signature,
      ...(args ? { args: (args as unknown[]).map(String) } : {}),
      ...(expect !== undefined ? { expect: expect as string } : {}),
      ...(from !== undefined ? { from: from as `0x${string}` } : {}),
      ...(value !== undefined ? { value: String(value) } : {}),
    });
  });
  return { calls, errors };
}

/** `simulate.calls` of `<root>/patchline.json` (none when the file or the key is missing). */
export function loadSmokeCalls(root: string): { calls: SmokeCall[]; errors: string[] } {
  let text: string;
  try {
    text = readFileSync(join(root, 'patchline.json'), 'utf8');
  } catch {
    return { calls: [], errors: [] };
  }
  try {
    return parseSimulateConfig((JSON.parse(text) as { simulate?: unknown }).simulate);
  } catch (error) {
    return { calls: [], errors: [`patchline.json is not valid JSON: ${(error as Error).message}`] };
  }
}
