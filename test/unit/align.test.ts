// The storage alignment prices most pairs of entries without comparing their types (compare.ts
// entryAlignment's costOf): it must choose exactly the edit script the full change of every pair
// chooses. Checked on the storage fixtures' solc layouts and on seeded mutations of them
// (inserts, deletions, swaps, renames, retypes, appends, gaps).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { align } from '../../server/src/engine/layout/align';
import { entryAlignment, TypeComparator } from '../../server/src/engine/layout/compare';
import type { StorageEntry, StorageLayout } from '../../server/src/engine/layout/types';
import { compileLayouts, FIXTURES } from './compare-fixtures';
import { seededRandom } from './seeded-random';

const cases = fs.readdirSync(FIXTURES).filter((d) => fs.existsSync(path.join(FIXTURES, d, 'V2.sol')));
const layouts = compileLayouts(cases.flatMap((c) => ['V1.sol', 'V2.sol'].map((f) => path.join(FIXTURES, c, f)).filter((f) => fs.existsSync(f))));


function mutations(entries: StorageEntry[], pool: StorageEntry[], next: () => number): StorageEntry[][] {
  const pick = <T>(list: T[]) => list[Math.floor(next() * list.length)];
  const at = (list: unknown[]) => Math.floor(next() * (list.length + 1));
  const out: StorageEntry[][] = [];
  for (let k = 0; k < 12; k++) {
    const copy = [...entries];
    const kind = k % 6;
    if (kind === 0) copy.splice(at(copy), 0, pick(pool));
    else if (kind === 1 && copy.length > 0) copy.splice(Math.floor(next() * copy.length), 1);
    else if (kind === 2 && copy.length > 1) {
      const i = Math.floor(next() * copy.length);
      const j = Math.floor(next() * copy.length);
      [copy[i], copy[j]] = [copy[j], copy[i]];
    } else if (kind === 3 && copy.length > 0) {
      const i = Math.floor(next() * copy.length);
      copy[i] = { ...copy[i], label: `${copy[i].label}Renamed` };
    } else if (kind === 4 && copy.length > 0) {
      const i = Math.floor(next() * copy.length);
      copy[i] = { ...copy[i], type: pick(pool).type };
    } else copy.push(pick(pool), pick(pool));
    out.push(copy);
  }
  return out;
}

function script(original: StorageEntry[], updated: StorageEntry[], baseline: StorageLayout, current: StorageLayout, fast: boolean) {
  const { changeOf, costOf } = entryAlignment(original, updated, new TypeComparator(baseline.types, current.types, () => []));
  return align(original, updated, changeOf, fast ? costOf : undefined).map((step) => ({
    kind: step.kind,
    original: 'original' in step ? original.indexOf(step.original) : -1,
    updated: 'updated' in step ? updated.indexOf(step.updated) : -1,
    change: step.kind === 'change' ? `${step.change.kind}/${step.change.cost}` : '',
  }));
}

test('pricing entries by name gives the same alignment as their full change, on fixtures and mutations', () => {
  const all = [...layouts.values()];
  const pool = all.flatMap((l) => l.storage);
  assert.ok(all.length > 20 && pool.length > 100, `${all.length} layouts, ${pool.length} entries`);
  const next = seededRandom(12);
  let compared = 0;
  let withChanges = 0;
  for (const caseName of cases) {
    const of = (version: string) => [...layouts].filter(([key]) => key.startsWith(`${path.join(FIXTURES, caseName, version)}:`)).map(([, l]) => l);
    for (const baseline of of('V1.sol')) {
      for (const current of of('V2.sol').filter((l) => l.contract === baseline.contract)) {
        for (const updated of [current.storage, ...mutations(current.storage, pool, next)]) {
          const full = script(baseline.storage, updated, baseline, current, false);
          assert.deepEqual(script(baseline.storage, updated, baseline, current, true), full, `${caseName} ${baseline.contract}`);
          compared++;
          if (full.some((s) => s.kind !== 'same')) withChanges++;
        }
      }
    }
  }
  assert.ok(compared > 200 && withChanges > 150, `${compared} alignments, ${withChanges} with changes`);
});
