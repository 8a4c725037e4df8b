// The storage rules' words: the right rule for each change, and messages that state facts (no
// variable "moves" from a slot to the same slot), on fixtures compiled by solc and on many
// generated layout pairs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Finding } from '../../server/src/engine/findings';
import { compareLayouts } from '../../server/src/engine/layout/compare';
import type { StorageEntry, StorageLayout, TypeInfo } from '../../server/src/engine/layout/types';
import { runRules } from '../../server/src/engine/rules/rule';
import { checkStorage, storageRules } from '../../server/src/engine/rules/storage-rules';
import { compileLayouts, expectedMarkers, FIXTURES } from './compare-fixtures';
import { seededRandom } from './seeded-random';

/** Every "A → B" or "from A to B" pair of positions in a message where A and B are the same. */
function sameSlotMoves(message: string): string[] {
  const position = String.raw`slot [0-9a-fx]+(?: \+\d+)?`;
  const out: string[] = [];
  for (const m of message.matchAll(new RegExp(`(${position}) → (${position})(?![0-9+])`, 'g'))) if (m[1] === m[2]) out.push(m[0]);
  for (const m of message.matchAll(new RegExp(`from (${position}) to (${position})(?![0-9+])`, 'g'))) if (m[1] === m[2]) out.push(m[0]);
  return out;
}

function checkPair(v1: string, v2: string, baselineContract: string, layouts: Map<string, StorageLayout>): Finding[] {
  return checkStorage({
    file: v2,
    text: fs.readFileSync(v2, 'utf8'),
    layouts: [...layouts].filter(([key]) => key.startsWith(`${v2}:`)).map(([, l]) => l),
    tier: 'compiler',
    baselines: { gitRef: 'v1', gitLayoutOf: () => layouts.get(`${v1}:${baselineContract}`) },
  });
}

test('a type change of a variable the new version inherits from the baseline contract is storage-retyped, not a move to the same slot', () => {
  const dir = path.join(FIXTURES, 'messages', 'retyped-inherited');
  const v1 = path.join(dir, 'V1.sol');
  const v2 = path.join(dir, 'V2.sol');
  const layouts = compileLayouts([v1, v2]);
  const findings = checkPair(v1, v2, 'TokenV1', layouts);
  const expected = expectedMarkers(fs.readFileSync(v2, 'utf8')).map((m) => `${m.rule}@${m.line + 1}`);
  assert.deepEqual(
    findings.map((f) => `${f.rule}@${f.range.start.line + 1}`),
    expected,
    JSON.stringify(findings.map((f) => f.message)),
  );
  assert.match(findings[0].message, /`cap` changed type from uint128 to int128/);
  assert.deepEqual(findings.flatMap((f) => sameSlotMoves(f.message)), []);
});

// One fixture per storage rule, with what its message must say.
const RULE_FIXTURES: { rule: string; fixture: string; says: RegExp }[] = [
  { rule: 'storage-inserted', fixture: 'inserted', says: /inserted|declared before/i },
  { rule: 'storage-deleted', fixture: 'deleted', says: /`\w+`.*(deleted|removed|gone)/i },
  { rule: 'storage-retyped', fixture: 'retyped', says: /changed type from .+ to .+/ },
  { rule: 'storage-renamed', fixture: 'renamed', says: /renamed|was `\w+`/i },
  { rule: 'storage-reordered', fixture: 'reordered', says: /baseline order .* now /i },
  { rule: 'storage-gap', fixture: 'gap-wrong', says: /__gap/ },
  { rule: 'storage-namespace', fixture: 'namespace-deleted', says: /ERC-7201 namespace `[^`]+`/ },
  { rule: 'storage-baseline-missing', fixture: 'baseline-missing', says: /baseline/i },
];

test('every storage rule has a fixture whose message says what happened, and no message moves a variable to where it was', () => {
  const files = RULE_FIXTURES.flatMap((r) => ['V1.sol', 'V2.sol'].map((f) => path.join(FIXTURES, r.fixture, f)).filter((f) => fs.existsSync(f)));
  const layouts = compileLayouts(files);
  // analysis-incomplete's message is checked on projects with missing pieces (analysis-incomplete.test.ts).
  const covered = new Set(storageRules.map((r) => r.id).filter((id) => id !== 'analysis-incomplete'));
  for (const { rule, fixture, says } of RULE_FIXTURES) {
    const v1 = path.join(FIXTURES, fixture, 'V1.sol');
    const v2 = path.join(FIXTURES, fixture, 'V2.sol');
    const findings = checkStorage({
      file: v2,
      text: fs.readFileSync(v2, 'utf8'),
      layouts: [...layouts].filter(([key]) => key.startsWith(`${v2}:`)).map(([, l]) => l),
      tier: 'compiler',
      baselines: { gitRef: 'v1', gitLayoutOf: (c) => layouts.get(`${v1}:${c.contract}`) },
    });
    const mine = findings.filter((f) => f.rule === rule);
    assert.ok(mine.length > 0, `${fixture} gives ${rule}: ${JSON.stringify(findings.map((f) => f.rule))}`);
    for (const finding of mine) {
      assert.match(finding.message, says, `${rule} on ${fixture}`);
      assert.deepEqual(sameSlotMoves(finding.message), [], finding.message);
    }
    covered.delete(rule);
  }
  assert.deepEqual([...covered], [], 'storage rules without a message fixture');
});

// ---------------------------------------------------------------------------------------------
// Generated layout pairs

const TYPES: TypeInfo[] = [
  { id: 't_uint256', label: 'uint256', bytes: 32, encoding: 'inplace' },
  { id: 't_int256', label: 'int256', bytes: 32, encoding: 'inplace' },
  { id: 't_uint128', label: 'uint128', bytes: 16, encoding: 'inplace' },
  { id: 't_int128', label: 'int128', bytes: 16, encoding: 'inplace' },
  { id: 't_address', label: 'address', bytes: 20, encoding: 'inplace' },
  { id: 't_bool', label: 'bool', bytes: 1, encoding: 'inplace' },
  { id: 't_uint8', label: 'uint8', bytes: 1, encoding: 'inplace' },
  { id: 't_array(t_uint256)3_storage', label: 'uint256[3]', bytes: 96, encoding: 'inplace' },
];

interface Declared {
  contract: string;
  label: string;
  type: TypeInfo;
}


/** Slots as solc assigns them: packed right to left, a value that does not fit starts a new slot, multi-slot values start and end a slot. */
function layoutOf(contract: string, declared: Declared[], linearization: string[]): StorageLayout {
  const storage: StorageEntry[] = [];
  let slot = 0;
  let offset = 0;
  for (const d of declared) {
    const bytes = d.type.bytes;
    if (offset + bytes > 32 || bytes >= 32) {
      if (offset > 0) slot++;
      offset = 0;
    }
    storage.push({ contract: d.contract, label: d.label, type: d.type.id, slot: String(slot), offset, bytes });
    if (bytes >= 32) {
      slot += Math.ceil(bytes / 32);
      offset = 0;
    } else {
      offset += bytes;
    }
  }
  return { contract, baseSlot: '0', storage, types: Object.fromEntries(TYPES.map((t) => [t.id, t])), namespaces: [], source: 'lock', linearization };
}

function generatePair(random: () => number): { baseline: StorageLayout; current: StorageLayout } {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const bases = ['A', 'B', 'C'].filter(() => random() < 0.6);
  const contracts = [...bases, 'Token'];
  let declared: Declared[] = [];
  let n = 0;
  for (const contract of contracts) {
    const count = 1 + Math.floor(random() * 3);
    for (let i = 0; i < count; i++) declared.push({ contract, label: `v${n++}`, type: pick(TYPES) });
  }
  const baseline = layoutOf('Token', declared, [...contracts].reverse());

  // The next version: a few edits, then one of three shapes (same name, inherits the old contract, renamed).
  const edits = 1 + Math.floor(random() * 3);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(random() * declared.length);
    const what = random();
    if (what < 0.35) declared = declared.map((d, i) => (i === at ? { ...d, type: pick(TYPES) } : d));
    else if (what < 0.5) declared = declared.map((d, i) => (i === at ? { ...d, label: `${d.label}_renamed` } : d));
    else if (what < 0.65) declared = declared.filter((_, i) => i !== at);
    else if (what < 0.8) declared.splice(at, 0, { contract: declared[at]?.contract ?? 'Token', label: `v${n++}`, type: pick(TYPES) });
    else if (what < 0.9) {
      // Move a variable elsewhere among its contract's variables.
      const moved = declared[at];
      const rest = declared.filter((_, i) => i !== at);
      const places = rest.map((_, i) => i).filter((i) => rest[i].contract === moved.contract || rest[i - 1]?.contract === moved.contract);
      if (places.length > 0) rest.splice(pick(places), 0, moved);
      declared = rest.length === declared.length ? rest : declared;
    }
    else if (bases.length >= 2) {
      // Swap two bases.
      const [x, y] = [bases[0], bases[1]];
      declared = [...declared.filter((d) => d.contract === y), ...declared.filter((d) => d.contract === x), ...declared.filter((d) => d.contract !== x && d.contract !== y)];
    }
  }
  const shape = random();
  let currentName = 'Token';
  if (shape < 0.35) {
    // TokenV2 is Token: the old contract is a base of the new one, with or without storage of its own.
    currentName = 'TokenV2';
    if (random() < 0.5) declared.push({ contract: 'TokenV2', label: `v${n++}`, type: pick(TYPES) });
  } else if (shape < 0.6) {
    // Token renamed to TokenV2 (a copy of the old contract).
    currentName = 'TokenV2';
    declared = declared.map((d) => (d.contract === 'Token' ? { ...d, contract: 'TokenV2' } : d));
  }
  const order = [...new Set(declared.map((d) => d.contract))];
  if (currentName === 'TokenV2' && !order.includes('Token') && shape < 0.35) order.push('Token');
  if (!order.includes(currentName)) order.push(currentName);
  return { baseline, current: layoutOf(currentName, declared, [...order].reverse()) };
}

test('on 3000 generated layout pairs, no storage message says a variable moves from a slot to the same slot', () => {
  const random = seededRandom(20261202);
  const offending: string[] = [];
  for (let i = 0; i < 3000; i++) {
    const { baseline, current } = generatePair(random);
    const comparison = compareLayouts(baseline, current);
    const findings = runRules(
      storageRules,
      { current, baseline: { layout: baseline, source: 'lock', description: 'patchline.lock.json' }, comparison, upgradeable: true },
      { file: '/tmp/Token.sol', tier: 'parser', onError: (id, error) => offending.push(`${id} threw: ${String(error)}`) },
    );
    for (const finding of findings) {
      const bad = sameSlotMoves(finding.message);
      if (bad.length > 0) offending.push(`${finding.rule}: ${finding.message}`);
    }
    // A retype where nothing moved is storage-retyped, whichever contract declares the variable.
    for (const op of comparison.problems) {
      if (op.kind === 'bases-reordered') {
        for (const s of op.shifted) assert.notEqual(`${s.original.slot}+${s.original.offset}`, `${s.updated.slot}+${s.updated.offset}`, 'a shifted entry moved');
      }
    }
  }
  assert.deepEqual(offending.slice(0, 5), []);
});

test('variables declared in reverse order are moves (storage-reordered), not renames, deletions or insertions', () => {
  const declare = (contract: string, labels: string[]) => labels.map((label) => ({ contract, label, type: TYPES[0] }));
  const baseline = layoutOf('V1', declare('V1', ['a', 'b', 'c', 'd']), ['V1']);
  const current = layoutOf('V2', declare('V2', ['d', 'c', 'b', 'a']), ['V2']);
  const comparison = compareLayouts(baseline, current);
  const findings = runRules(
    storageRules,
    { current, baseline: { layout: baseline, source: 'lock', description: 'patchline.lock.json' }, comparison, upgradeable: true },
    { file: '/tmp/V2.sol', tier: 'parser' },
  );
  assert.deepEqual([...new Set(findings.map((f) => f.rule))], ['storage-reordered'], JSON.stringify(findings.map((f) => f.message)));
  assert.match(findings.map((f) => f.message).join('\n'), /`a` moved from slot 0 to slot 3 \(V1 declares it before `b`, `c` and `d`\)/);
  assert.deepEqual(findings.flatMap((f) => sameSlotMoves(f.message)), []);
});
