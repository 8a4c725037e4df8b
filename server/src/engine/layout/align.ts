// The Levenshtein alignment of two entry lists, as upgrades-core's levenshtein.ts: a minimal-cost
// edit script where the cost of changing one entry into another says how bad that change is.
import type { StorageEntry } from './types';

export type AlignedStep<Change> =
  | { kind: 'same'; original: StorageEntry; updated: StorageEntry }
  | { kind: 'insert'; updated: StorageEntry; append: boolean }
  | { kind: 'delete'; original: StorageEntry }
  | { kind: 'change'; original: StorageEntry; updated: StorageEntry; change: Change };

export const INSERTION_COST = 2;
export const DELETION_COST = 2;

/**
 * Minimal-cost edit script turning `a` into `b`. As in upgrades-core, inserts at an index past the
 * length of `a` cost nothing (otherwise deleting the tail and appending it again would be cheapest);
 * only those after the whole of `a` are appends, the others are judged as inserts.
 *
 * `costOf`, when given, must return `changeOf(x, y)?.cost` (undefined: the same entry): the
 * matrix asks it for every cell, and only the cells on the chosen path need the change itself.
 */
export function align<Change extends { cost: number }>(
  a: StorageEntry[],
  b: StorageEntry[],
  changeOf: (x: StorageEntry, y: StorageEntry) => Change | undefined,
  costOf: (x: StorageEntry, y: StorageEntry) => number | undefined = (x, y) => changeOf(x, y)?.cost,
): AlignedStep<Change>[] {
  // Entries equal at the start are kept as they are (a zero-cost match is always part of an
  // optimal script there); only the rest goes through the quadratic matrix.
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && costOf(a[prefix], b[prefix]) === undefined) prefix++;
  const n = a.length - prefix;
  const m = b.length - prefix;
  const cols = m + 1;
  // Flat matrices: the editor runs this on every keystroke.
  const cost = new Float64Array((n + 1) * cols);
  const from = new Uint8Array((n + 1) * cols); // 0 start, 1 nop, 2 change, 3 insert, 4 delete
  for (let i = 0; i <= n; i++) {
    for (let j = 0; j <= m; j++) {
      const at = i * cols + j;
      if (i === 0 && j === 0) continue;
      let best = Infinity;
      let kind = 0;
      if (i > 0 && j > 0) {
        const change = costOf(a[prefix + i - 1], b[prefix + j - 1]);
        best = cost[at - cols - 1] + (change ?? 0);
        kind = change === undefined ? 1 : 2;
      }
      // First minimum wins, as in upgrades-core: a change is preferred to an insert, an insert to a delete.
      if (j > 0) {
        const c = cost[at - 1] + (prefix + j > a.length ? 0 : INSERTION_COST);
        if (c < best) {
          best = c;
          kind = 3;
        }
      }
      if (i > 0) {
        const c = cost[at - cols] + DELETION_COST;
        if (c < best) {
          best = c;
          kind = 4;
        }
      }
      cost[at] = best;
      from[at] = kind;
    }
  }
  const steps: AlignedStep<Change>[] = [];
  let i = n;
  let j = m;
  while (i > 0 || j > 0) {
    const at = i * cols + j;
    const kind = from[at];
    if (kind === 3) {
      steps.push({ kind: 'insert', updated: b[prefix + j - 1], append: i === n });
      j--;
    } else if (kind === 4) {
      steps.push({ kind: 'delete', original: a[prefix + i - 1] });
      i--;
    } else {
      // Recomputed for the few cells on the path rather than kept for every cell.
      const original = a[prefix + i - 1];
      const updated = b[prefix + j - 1];
      const change = kind === 2 ? changeOf(original, updated) : undefined;
      steps.push(change ? { kind: 'change', original, updated, change } : { kind: 'same', original, updated });
      i--;
      j--;
    }
  }
  for (let k = prefix - 1; k >= 0; k--) steps.push({ kind: 'same', original: a[k], updated: b[k] });
  return steps.reverse();
}
