// One contract for every rule id, in the spirit of eslint's checkRuleFiles: the ids come from the
// code (the rule registries and every `rule: '<id>'` a finding is built with), so an id added
// anywhere in the engine is held to the same contract without editing this file:
// - docs/rules/<id>.md exists, with a "How to silence" section;
// - a positive fixture marks it (`// expect <id>`, fixture-markers.ts) and states a full range
//   (`[column..endColumn]`) that a test asserts; a negative fixture shows where it must stay quiet;
// - package.json's `patchline.rules` schema lists it.
// Also: the `patchline.*` settings package.json declares are the ones the server and client read.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { normalizeSettings } from '../../server/src/lsp/settings';
import { storageRules } from '../../server/src/engine/rules/storage-rules';
import { upgradeRules } from '../../server/src/engine/rules/upgrade-rules';
import { markersOf } from './fixture-markers';

const ROOT = path.resolve(__dirname, '../..');
const ENGINE = path.join(ROOT, 'server/src/engine');
const FIXTURES = path.join(ROOT, 'test/fixtures');
const RULE_ID = /'([a-z][a-z0-9]*(?:-[a-z0-9]+)+)'/g;

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full, ext) : ext.test(name) ? [full] : [];
  });
}

/**
 * Every rule id the engine can report: the registries' ids, the `id:` of every defineRule, and
 * the ids in `rule: …` / `rule === …` expressions (syntax-error, import-unresolved, solc-*, and
 * whatever is added later). `oz-<kind>` ids link to OpenZeppelin's docs and are left out.
 */
export function ruleIdsFromCode(): string[] {
  const ids = new Set([...storageRules, ...upgradeRules].map((r) => r.id));
  for (const file of files(ENGINE, /\.ts$/)) {
    const text = readFileSync(file, 'utf8');
    const definesRules = text.includes('defineRule');
    for (const line of text.split('\n')) {
      // The expression after `rule:` / `rule ===` (up to the end of the property), not the whole line.
      const expressions = [...line.matchAll(/\brule\s*(?::|===|!==)\s*([^,;{}]*)/g)].map((m) => m[1]);
      if (definesRules && /^\s*id:\s*'/.test(line)) expressions.push(line);
      for (const expression of expressions) for (const m of expression.matchAll(RULE_ID)) ids.add(m[1]);
    }
  }
  return [...ids].filter((id) => !id.startsWith('oz-')).sort();
}

const ids = ruleIdsFromCode();

function rulesSchema(): { properties?: Record<string, unknown>; patternProperties?: Record<string, unknown>; additionalProperties?: unknown } {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const configuration = [pkg.contributes.configuration].flat();
  return configuration.find((c: { properties: Record<string, unknown> }) => c.properties['patchline.rules']).properties['patchline.rules'];
}

test('the rule ids come from the code: registries, defineRule and the non-rule findings', () => {
  for (const id of ['storage-inserted', 'init-constructor', 'syntax-error', 'import-unresolved', 'solc-error', 'solc-warning']) {
    assert.ok(ids.includes(id), `${id} found in ${ids.join(', ')}`);
  }
  // Not rule ids: severities, tiers, or the `oz-` family.
  assert.ok(!ids.some((id) => ['parser', 'compiler', 'error'].includes(id) || id.startsWith('oz-')));
});

test('every rule has docs/rules/<id>.md with a "How to silence" section', () => {
  const missing = ids.flatMap((id) => {
    const file = path.join(ROOT, 'docs/rules', `${id}.md`);
    if (!existsSync(file)) return [`${id}: no docs/rules/${id}.md`];
    return /^#{2,3} How to silence\b/im.test(readFileSync(file, 'utf8')) ? [] : [`${id}: docs/rules/${id}.md has no "## How to silence"`];
  });
  assert.deepEqual(missing, []);
});

test("package.json's patchline.rules schema lists exactly the rule ids (and oz-<kind> by pattern)", () => {
  const schema = rulesSchema();
  assert.equal(schema.additionalProperties, false, 'unknown ids are flagged in settings.json');
  assert.deepEqual(Object.keys(schema.properties ?? {}).sort(), ids);
  for (const [id, property] of Object.entries(schema.properties ?? {})) {
    assert.deepEqual((property as { enum?: string[] }).enum, ['off', 'info', 'warning', 'error'], id);
  }
  assert.deepEqual(Object.keys(schema.patternProperties ?? {}), ['^oz-[a-z0-9-]+$']);
});

/** Fixture coverage of each id: positive (a marker), full range (a marker stating its range), negative. */
function fixtureGaps(): Record<string, string[]> {
  const markers = files(FIXTURES, /\.sol$/).flatMap((file) => markersOf(readFileSync(file, 'utf8')).map((m) => ({ ...m, file })));
  // Negative fixtures: `<id>/negative.sol`, and for the storage rules a storage case whose V2 has no
  // marker at all (compare.test.ts asserts exactly the markers, so no finding of any rule there).
  const quietStorageCase = files(path.join(FIXTURES, 'storage'), /^V2\.sol$/).some((f) => markersOf(readFileSync(f, 'utf8')).length === 0);
  const gaps: Record<string, string[]> = {};
  for (const id of ids) {
    const mine = markers.filter((m) => m.rule === id);
    const missing = [
      ...(mine.length === 0 ? ['positive'] : []),
      ...(mine.some((m) => m.range) ? [] : ['full range']),
      ...(files(FIXTURES, /^negative\.sol$/).some((f) => path.basename(path.dirname(f)) === id) || (id.startsWith('storage-') && quietStorageCase) ? [] : ['negative']),
    ];
    if (missing.length > 0) gaps[id] = missing;
  }
  return gaps;
}

/**
 * What is not covered yet, kept visible. The test fails both ways: a new id without fixtures must
 * get them (or be listed here, on purpose), and a gap closed must leave this list.
 */
const KNOWN_FIXTURE_GAPS: Record<string, string[]> = {
  // An unreadable file holds no marker: hostile-input.test.ts and cli-hostile.test.ts make one (a
  // dangling link, a folder named .sol) and assert the finding and its exit code.
  'file-unreadable': ['positive', 'full range', 'negative'],
  // Needs a machine without the compiler a pragma asks for: compile-select.test.ts builds one (an
  // empty compiler cache, downloads off) and asserts one finding per project and exit 0.
  'solc-unavailable': ['positive', 'full range', 'negative'],
};

test('every rule has positive and negative fixtures, and a full range asserted', () => {
  assert.deepEqual(fixtureGaps(), KNOWN_FIXTURE_GAPS);
});

/** The `patchline.*` keys a settings reader touches: run it on a recording proxy. */
function keysRead(read: (raw: unknown) => unknown): string[] {
  const seen = new Set<string>();
  const proxy = (prefix: string): unknown =>
    new Proxy(
      {},
      {
        get(_target, key) {
          // Number(value) and `${value}` read a primitive: an unset one.
          if (key === Symbol.toPrimitive) return () => undefined;
          if (typeof key !== 'string') return undefined;
          const name = prefix ? `${prefix}.${key}` : key;
          seen.add(name);
          return proxy(name);
        },
        ownKeys: () => [],
      },
    );
  read(proxy(''));
  // Leaves only: `solc` is read on the way to `solc.path`.
  return [...seen].filter((key) => ![...seen].some((other) => other.startsWith(`${key}.`))).sort();
}

test("package.json's patchline.* settings are exactly the ones the server and the client read", () => {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const declared = [pkg.contributes.configuration]
    .flat()
    .flatMap((c: { properties: Record<string, unknown> }) => Object.keys(c.properties))
    .map((key: string) => key.replace(/^patchline\./, ''))
    .sort();
  // vscode-languageclient reads `<client id>.trace.server` itself; the client reads nothing else.
  const clientReads = ['trace.server'];
  assert.deepEqual(declared, [...keysRead(normalizeSettings), ...clientReads].sort());
});
