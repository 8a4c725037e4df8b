// Results and failures as report text: call results formatted the same way before and after,
// revert data decoded to custom error names, and RPC URLs masked wherever they slip into a message.
import { BaseError, decodeErrorResult, type Abi, type Hex } from 'viem';
import { openZeppelinErrorsAbi } from '../chain/clients';
import { maskDeep, secretMasker } from '../chain/secrets';

/** A decoded value as one line: bigints in decimal, arrays and tuples as JSON. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

function revertData(error: unknown): Hex | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const found = error.walk((e) => typeof (e as { data?: unknown }).data === 'string' && ((e as { data: string }).data.startsWith('0x')));
  const data = (found as { data?: Hex } | null)?.data;
  return data && data.length >= 10 ? data : undefined;
}

/** True when the node ran the call and it reverted (not when the request itself failed). */
export function isRevert(error: unknown): boolean {
  if (!(error instanceof BaseError)) return false;
  if (revertData(error)) return true;
  return error.walk((e) => /revert/i.test((e as Error).name ?? '') || /revert/i.test((e as BaseError).details ?? '')) !== null;
}

/** Why a call or transaction failed: the custom error with its arguments when the data names one. */
export function describeFailure(error: unknown, abi: Abi = []): string {
  const data = revertData(error);
  if (data) {
    try {
      const decoded = decodeErrorResult({ abi: [...abi.filter((item) => item.type === 'error'), ...openZeppelinErrorsAbi], data });
      if (decoded.errorName === 'Error') return `reverted: "${String(decoded.args?.[0])}"`;
      return `reverted: ${decoded.errorName}(${(decoded.args ?? []).map(formatValue).join(', ')})`;
    } catch {
      return `reverted with data ${data.length > 74 ? `${data.slice(0, 74)}…` : data}`;
    }
  }
  if (error instanceof BaseError) {
    const reason = (error.walk((e) => typeof (e as { reason?: unknown }).reason === 'string') as { reason?: string } | null)?.reason;
    if (reason) return `reverted: "${reason}"`;
    if (isRevert(error)) return 'reverted without data (no such function, or a bare revert)';
    const details = error.details && !error.shortMessage.includes(error.details) ? `: ${error.details}` : '';
    return `${error.shortMessage}${details}`.replace(/\s+/g, ' ');
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * Masks the secret URLs in any JSON value: every URL with a secret's origin loses its path and
 * query (anvil and HTTP errors repeat the URL, sometimes reshaped), and the URLs' path segments
 * and query values are masked wherever they appear (an upstream may echo the key alone).
 */
export function maskUrlsDeep<T>(value: T, secrets: readonly string[]): T {
  return maskDeep(value, secretMasker(secrets));
}
