// @openzeppelin/upgrades-core, loaded on the compiler tier's first use rather than at start: with
// ethereumjs-util and secp256k1 under it, loading it costs 60-270 ms (idle to loaded machine),
// which the parser tier's first diagnostics and `check --tier parser` need not wait for.
// The bundle keeps each `require` below as a lazy module initialiser.
import type * as Core from '@openzeppelin/upgrades-core';
import type * as Report from '@openzeppelin/upgrades-core/dist/storage/report';
import type * as Query from '@openzeppelin/upgrades-core/dist/validate/query';
import type * as Run from '@openzeppelin/upgrades-core/dist/validate/run';
import type * as Erc7201 from '@openzeppelin/upgrades-core/dist/utils/erc7201';

/** `load()` on the first call, its value afterwards. */
function once<T>(load: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= load());
}

export const upgradesCore = once(() => require('@openzeppelin/upgrades-core') as typeof Core);
export const upgradesCoreReport = once(() => require('@openzeppelin/upgrades-core/dist/storage/report') as typeof Report);
export const upgradesCoreQuery = once(() => require('@openzeppelin/upgrades-core/dist/validate/query') as typeof Query);
export const upgradesCoreRun = once(() => require('@openzeppelin/upgrades-core/dist/validate/run') as typeof Run);
export const upgradesCoreErc7201 = once(() => require('@openzeppelin/upgrades-core/dist/utils/erc7201') as typeof Erc7201);
