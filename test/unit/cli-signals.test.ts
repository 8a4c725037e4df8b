// `patchline simulate --rpc local` (dist/cli.js) ended mid-run by SIGTERM or SIGKILL: the CLI
// ends, and no anvil it started survives it (checked by pid).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { anvilChildrenOf, eventually, exampleProjectCopy, processRuns } from '../fixtures/chain/harness';

const repo = join(__dirname, '..', '..');
const cli = join(repo, 'dist', 'cli.js');
const project = exampleProjectCopy('patchline-cli-signals-');
after(() => rmSync(project, { recursive: true, force: true }));

for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
  test(`${signal} to the CLI mid-simulation: the CLI ends and its anvil with it`, async () => {
    const child = spawn(process.execPath, [cli, 'simulate', '--rpc', 'local', '--implementation', 'contracts/VaultV2.sol:VaultV2', '--call', 'initializeV2(uint16)', '250'], {
      cwd: project,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, sig) => resolve(sig ?? code)));
    try {
      let anvils: number[] = [];
      assert.ok(await eventually(() => (anvils = anvilChildrenOf(child.pid!)).length > 0, 120_000), `the CLI started no anvil: ${stderr}`);
      child.kill(signal);
      assert.equal(await exited, signal, 'the CLI ends by the signal');
      assert.ok(await eventually(() => anvils.every((pid) => !processRuns(pid))), `anvil ${anvils.join(', ')} outlived the CLI`);
    } finally {
      child.kill('SIGKILL');
    }
  });
}
