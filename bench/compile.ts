// Warm compile time of the example Vault V1/V2 pair (examples/contracts): storage layouts + ASTs
// only vs a full run (bytecode), each with and without the namespaced second compile.
// Run: node --import tsx bench/compile.ts [runs]   (prints numbers, asserts nothing)
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { compileProject } from '../server/src/engine/compile/compilation';
import { collectSources } from '../server/src/engine/compile/sources';
import { findContract, storageUpgradeReport, upgradeSafetyIssues, validateCompilation } from '../server/src/engine/compile/upgrades';
import { SolcCompiler } from '../server/src/engine/compile/solc';
import { FileSystemImportResolver } from '../server/src/engine/compile/sources';
import type { OutputLevel } from '../server/src/engine/compile/solc-json';

const example = join(__dirname, '..', 'examples');
const root = existsSync(join(example, 'contracts', 'VaultV1.sol')) ? example : join(__dirname, '..', 'test', 'fixtures', 'compile');
const entries = ['VaultV1.sol', 'VaultV2.sol'].map((f) => join(root, 'contracts', f));
const runs = Number(process.argv[2] ?? 5);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  const started = performance.now();
  const compiler = new SolcCompiler();
  console.log(`solc ${await compiler.version()} loaded in the worker in ${(performance.now() - started).toFixed(0)} ms`);
  console.log(`compiling ${entries.join(', ')}`);
  const resolver = new FileSystemImportResolver({ root });
  const results: Record<string, number[]> = {};
  for (const level of ['storage', 'full'] as OutputLevel[]) {
    for (const namespaced of [false, true]) {
      const label = `${level}${namespaced ? ' + namespaced' : ''}`;
      await compileProject(compiler, { entries, resolver, level, namespaced }); // warm-up
      results[label] = [];
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        const compilation = await compileProject(compiler, { entries, resolver, level, namespaced });
        results[label].push(performance.now() - t);
        if (!compilation.ok) throw new Error(compilation.messages.map((m) => m.message).join('\n'));
      }
    }
  }
  // The other phases of the tier, on the storage-only compilation (namespaced included).
  const phases: Record<string, number[]> = { 'resolve sources': [], 'upgrades-core validate': [], 'issues + storage report': [] };
  const tierCompilation = await compileProject(compiler, { entries, resolver });
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    collectSources(entries, resolver);
    phases['resolve sources'].push(performance.now() - t);
    t = performance.now();
    const validated = validateCompilation(tierCompilation);
    phases['upgrades-core validate'].push(performance.now() - t);
    t = performance.now();
    const v1 = findContract(validated, 'VaultV1')!;
    const v2 = findContract(validated, 'VaultV2')!;
    upgradeSafetyIssues(validated, v2);
    storageUpgradeReport(v1, v2);
    phases['issues + storage report'].push(performance.now() - t);
  }
  for (const [label, times] of Object.entries(phases)) {
    console.log(`${label.padEnd(22)} median ${median(times).toFixed(1).padStart(7)} ms`);
  }

  // For reference, what a build tool asks for: every output, optimizer on.
  const { input } = await compileProject(compiler, { entries, resolver, namespaced: false });
  const everything = {
    ...input,
    settings: { ...input.settings, optimizer: { enabled: true, runs: 200 }, outputSelection: { '*': { '*': ['*'], '': ['ast'] } } },
  };
  await compiler.compile(everything);
  results['all outputs, optimizer'] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await compiler.compile(everything);
    results['all outputs, optimizer'].push(performance.now() - t);
  }
  for (const [label, times] of Object.entries(results)) {
    console.log(`${label.padEnd(22)} median ${median(times).toFixed(0).padStart(5)} ms  (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)}, ${runs} runs)`);
  }
  const storage = median(results.storage);
  console.log(`full / storage: ${(median(results.full) / storage).toFixed(1)}x; all outputs with optimizer / storage: ${(median(results['all outputs, optimizer']) / storage).toFixed(1)}x`);
  await compiler.dispose();
}

void main();
