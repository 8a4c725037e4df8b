// Per-edit latency of the parser tier on a generated 3,000-line upgradeable contract, warm:
// the engine's front door (ProjectAnalyzer.analyze: incremental parse, layouts, baseline
// comparison, rules) beside a full re-parse of the same text: the peers are @solidity-parser/parser's
// own parse() (what an editor extension on that package runs per keystroke) and Patchline's full
// parse (parseSolidity: the same grammar with SLL prediction of primaryExpression, about twice as
// fast); plus the incremental parser alone so the cost split is visible. Two edit kinds: a statement typed into /
// deleted from a function body, and a state variable added / removed (a collision while present).
// The analysis's CPU time (process.cpuUsage: this process's threads, garbage collection included)
// is printed beside its wall time: on a loaded machine the difference is the wait for a core.
// Run: node --import tsx bench/parser.ts [edits] [fullParseEvery]   (prints numbers, asserts nothing)
import { rmSync } from 'node:fs';
import { parse as packageParse } from '@solidity-parser/parser';
import { IncrementalParser } from '../server/src/engine/parse/incremental';
import { parseSolidity } from '../server/src/engine/parse/solidity';
import { ProjectAnalyzer } from '../server/src/engine/project';
import { createTreasuryProject, editSession, percentile, summary, type EditKind } from './treasury';

const EDITS = Number(process.argv[2] ?? 200);
// A full parse of 3,000 lines takes about a second: sample it on every n-th edit only.
const FULL_PARSE_EVERY = Number(process.argv[3] ?? 10);
const WARM_UP_EDITS = 20;
const TARGET_P95_MS = 25;
const TARGET_RATIO = 80;

function main(): void {
  const { root, file, source } = createTreasuryProject('patchline-bench-parser-');
  try {
    let text = source.lines.join('\n');
    console.log(`generated ${file}: ${source.lines.length} lines, ${source.bodyAnchors.length} functions with bodies, ${source.stateVariableLines.length} state variables in the main contract (+24 in its base)`);

    const analyzer = new ProjectAnalyzer(root, { readFile: (f) => (f === file ? text : undefined) });
    let t = performance.now();
    const cold = analyzer.analyze(file);
    console.log(`cold analyze (parses the file and OpenZeppelin's bases): ${(performance.now() - t).toFixed(0)} ms, ${cold.findings.length} finding(s) [${cold.findings.map((f) => f.rule).join(', ')}], baseline ${cold.baselines.get('TreasuryV2')?.source ?? 'none'}`);

    const results: { kind: EditKind; analyze: number[]; analyzeCpu: number[]; incremental: number[]; full: number[]; packageParse: number[]; parsedDeclarations: number[]; totalDeclarations: number; editsWithStorageFindings: number }[] = [];
    for (const [index, kind] of (['function body', 'state variable'] as EditKind[]).entries()) {
      const texts = editSession(source, kind, WARM_UP_EDITS + EDITS, 1000 + index);
      const result = { kind, analyze: [] as number[], analyzeCpu: [] as number[], incremental: [] as number[], full: [] as number[], packageParse: [] as number[], parsedDeclarations: [] as number[], totalDeclarations: 0, editsWithStorageFindings: 0 };
      // Three passes over the same texts, so that no timing pays for another's garbage (a full
      // parse leaves hundreds of MB for the next collection): the analysis as the server runs it,
      // the incremental parser alone on its own instance, then the peers on every n-th text.
      for (const [i, next] of texts.entries()) {
        text = next;
        const cpu = process.cpuUsage();
        t = performance.now();
        const analysis = analyzer.analyze(file);
        const analyzeMs = performance.now() - t;
        const cpuUsed = process.cpuUsage(cpu);
        if (i < WARM_UP_EDITS) continue;
        result.analyze.push(analyzeMs);
        result.analyzeCpu.push((cpuUsed.user + cpuUsed.system) / 1000);
        if (analysis.findings.some((f) => f.rule.startsWith('storage-'))) result.editsWithStorageFindings++;
      }
      const incrementalParser = new IncrementalParser();
      incrementalParser.parse(source.lines.join('\n'));
      for (const [i, next] of texts.entries()) {
        t = performance.now();
        const incremental = incrementalParser.parse(next);
        if (i < WARM_UP_EDITS) continue;
        result.incremental.push(performance.now() - t);
        result.parsedDeclarations.push(incremental.parsedDeclarations);
        result.totalDeclarations = incremental.totalDeclarations;
      }
      for (const [i, next] of texts.entries()) {
        if (i < WARM_UP_EDITS || (i - WARM_UP_EDITS) % FULL_PARSE_EVERY !== 0) continue;
        t = performance.now();
        packageParse(next, { range: true, tolerant: true });
        result.packageParse.push(performance.now() - t);
        t = performance.now();
        const full = parseSolidity(next);
        result.full.push(performance.now() - t);
        if (full.errors.length > 0) throw new Error(`generated text does not parse: ${full.errors[0].message}`);
      }
      results.push(result);
    }

    console.log('');
    for (const result of results) {
      const analyzeP50 = percentile(result.analyze, 50);
      const analyzeP95 = percentile(result.analyze, 95);
      const fullP50 = percentile(result.full, 50);
      const fullP95 = percentile(result.full, 95);
      const packageP50 = percentile(result.packageParse, 50);
      const packageP95 = percentile(result.packageParse, 95);
      console.log(`edit: ${result.kind} (${EDITS} edits after ${WARM_UP_EDITS} warm-up; a storage finding was reported after ${result.editsWithStorageFindings} of them)`);
      console.log(summary('  analyze (parser tier, warm)', result.analyze));
      console.log(summary('  analyze, CPU time of this process', result.analyzeCpu));
      console.log(summary('  of which incremental parse alone', result.incremental));
      console.log(summary('  full re-parse, @solidity-parser/parser parse()', result.packageParse));
      console.log(summary('  full re-parse, Patchline (parseSolidity)', result.full));
      console.log(`  declarations re-parsed per edit: median ${percentile(result.parsedDeclarations, 50)} of ${result.totalDeclarations}`);
      console.log(`  package parse() / analyze: p50 ${(packageP50 / analyzeP50).toFixed(1)}x, p95 ${(packageP95 / analyzeP95).toFixed(1)}x   (target >= ${TARGET_RATIO}x at p95: ${packageP95 / analyzeP95 >= TARGET_RATIO ? 'met' : 'NOT met'})`);
      console.log(`  Patchline full parse / analyze: p50 ${(fullP50 / analyzeP50).toFixed(1)}x, p95 ${(fullP95 / analyzeP95).toFixed(1)}x   (target >= ${TARGET_RATIO}x at p95: ${fullP95 / analyzeP95 >= TARGET_RATIO ? 'met' : 'NOT met'})`);
      console.log(`  target parser tier p95 <= ${TARGET_P95_MS} ms: ${analyzeP95 <= TARGET_P95_MS ? 'met' : 'NOT met'} (${analyzeP95.toFixed(1)} ms)`);
      console.log('');
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

main();
