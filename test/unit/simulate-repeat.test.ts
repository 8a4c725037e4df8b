// Simulate again and again: ten `patchline simulate` runs in a row (dist/cli.js, one process each,
// started synchronously as scripts and CI do) against one local anvil upstream that this process
// started. The upstream must answer every fork, however busy the process that owns its output is.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runningAnvilPids } from '../../server/src/engine/chain/anvil';
import { startDemoChain, type DemoChain } from '../../server/src/engine/chain/demo';

const cli = join(__dirname, '..', '..', 'dist', 'cli.js');
const cwd = mkdtempSync(join(tmpdir(), 'patchline-repeat-'));
let demo: DemoChain;

before(async () => {
  demo = await startDemoChain();
});
after(async () => {
  await demo?.stop();
  rmSync(cwd, { recursive: true, force: true });
  assert.deepEqual(runningAnvilPids(), [], 'no anvil left running');
});

test('ten simulations in a row against one upstream all pass', () => {
  const verdicts: string[] = [];
  for (let run = 1; run <= 10; run++) {
    // spawnSync blocks this process's event loop for the whole run, as a script's execFileSync does:
    // nothing reads the upstream's output meanwhile.
    const result = spawnSync(
      process.execPath,
      [cli, 'simulate', '--rpc', demo.anvil.rpcUrl, '--proxy', demo.vault.proxy, '--implementation', demo.vault.implementationV2!, '--call', 'initializeV2(uint16)', '250', '--json'],
      { cwd, encoding: 'utf8', timeout: 120_000 },
    );
    let verdict = `exit ${result.status}: ${result.stderr.slice(0, 300)}`;
    try {
      const report = JSON.parse(result.stdout) as { verdict: string; error?: { message: string } };
      verdict = report.error ? `${report.verdict}: ${report.error.message}` : report.verdict;
    } catch {
      // not JSON: the exit status and stderr say why
    }
    verdicts.push(`${run}: ${verdict}`);
  }
  assert.deepEqual(verdicts, Array.from({ length: 10 }, (_, i) => `${i + 1}: pass`));
});
