// Findings checked on whole files (syntax-error, import-unresolved, analysis-incomplete, analysis-limit from the parser tier;
// solc-error, solc-warning from the compiler) against their fixtures in test/fixtures/findings/:
// the positive fixture gets exactly its markers, full ranges included; the negative one, none.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { SolcCompiler } from '../../server/src/engine/compile/solc';
import type { Finding } from '../../server/src/engine/findings';
import { ProjectAnalyzer } from '../../server/src/engine/project';
import { markersOf, rangeMarker } from './fixture-markers';

const FINDINGS = path.resolve(__dirname, '../fixtures/findings');
const project = new ProjectAnalyzer(FINDINGS);
let compiler: SolcCompiler | undefined;
after(() => compiler?.dispose());

async function findingsOf(rule: string, file: string): Promise<Finding[]> {
  if (!rule.startsWith('solc-')) return project.analyze(file).findings;
  compiler ??= new SolcCompiler();
  return (await project.compile(file, compiler)).findings;
}

const described = (findings: Finding[], rule: string) =>
  findings
    .filter((f) => f.rule === rule)
    .map((f) => `${f.range.start.line + 1} ${rangeMarker(f.range)}`)
    .sort();

describe('non-rule findings on their fixtures', () => {
  for (const rule of ['syntax-error', 'import-unresolved', 'analysis-incomplete', 'analysis-limit', 'solc-error', 'solc-warning']) {
    test(`${rule}: the positive fixture gets exactly its markers and ranges, the negative none`, async () => {
      const positive = path.join(FINDINGS, rule, 'positive.sol');
      const markers = markersOf(fs.readFileSync(positive, 'utf8')).filter((m) => m.rule === rule);
      assert.ok(markers.length > 0 && markers.every((m) => m.range), 'the fixture states full ranges');
      const expected = markers.map((m) => `${m.line + 1} ${rangeMarker(m.range!)}`).sort();
      const found = await findingsOf(rule, positive);
      assert.deepEqual(described(found, rule), expected, JSON.stringify(found, null, 1));
      assert.deepEqual(described(await findingsOf(rule, path.join(FINDINGS, rule, 'negative.sol')), rule), []);
    });
  }
});
