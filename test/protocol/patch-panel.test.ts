// The Patch panel's requests over the wire: simulate on the local demo chain, then export.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { URI } from 'vscode-uri';
import { ProposeRequest, SimulateRequest, SimulationProgressNotification, type SimulateResult, type SimulationProgressParams } from '../../server/src/protocol';
import { LspTestClient } from './lspClient';

const repo = join(__dirname, '..', '..');
const project = mkdtempSync(join(tmpdir(), 'patchline-panel-'));
cpSync(join(repo, 'examples', 'contracts'), join(project, 'contracts'), { recursive: true });
cpSync(join(repo, 'examples', 'package.json'), join(project, 'package.json'));
symlinkSync(join(repo, 'node_modules'), join(project, 'node_modules'));
const v2 = `${join(project, 'contracts', 'VaultV2.sol')}:VaultV2`;

let client: LspTestClient;
let simulated: SimulateResult;
const progress: string[] = [];

before(async () => {
  client = new LspTestClient();
  client.connection.onNotification(SimulationProgressNotification.method, (p: SimulationProgressParams) => {
    progress.push(p.title);
  });
  await client.initialize({ trusted: true, workspaceFolder: project });
});
after(async () => {
  await client.stop();
  rmSync(project, { recursive: true, force: true });
  // The server stops the demo chain and its forks on shutdown.
  const anvils = require('node:child_process').spawnSync('pgrep', ['-P', String(client.process.pid), 'anvil']).stdout.toString().trim();
  assert.equal(anvils, '', 'no anvil left');
});

test('simulate VaultV2 through the timelock on the local demo chain: verdict pass, report saved, progress sent', async () => {
  simulated = await client.connection.sendRequest(SimulateRequest, {
    fork: { kind: 'local' },
    implementation: v2,
    route: 'auto',
    call: { signature: 'initializeV2(uint16)', args: ['250'] },
  });
  assert.equal(simulated.report.verdict, 'pass', JSON.stringify(simulated.report.checks, null, 1));
  assert.equal(simulated.report.route?.used, 'timelock');
  assert.ok(existsSync(URI.parse(simulated.reportUri).fsPath));
  assert.match(simulated.reportHash, /^0x[0-9a-f]{64}$/);
  assert.ok(simulated.suggestion.newImplementation, 'the demo chain has VaultV2 deployed');
  assert.ok(progress.includes('Upgrade'), progress.join(', '));
});

test('export the simulated upgrade as a timelock proposal; the second export asks to overwrite', async () => {
  const params = {
    simulation: { reportUri: simulated.reportUri, reportHash: simulated.reportHash, verdict: simulated.report.verdict },
    confirmedWithoutPassingSimulation: false,
    fork: { kind: 'local' as const },
    proxy: simulated.report.proxy!.address,
    newImplementation: simulated.suggestion.newImplementation!,
    call: { signature: 'initializeV2(uint16)', args: ['250'] },
    governance: { kind: 'timelock' as const, timelock: simulated.suggestion.timelock! },
    name: 'vault-v2',
    force: false,
  };
  const result = await client.connection.sendRequest(ProposeRequest, params);
  assert.equal(result.written, true);
  const dir = join(project, 'proposals', 'vault-v2');
  for (const file of ['proposal.json', 'safe-schedule.json', 'safe-execute.json', 'README.md']) assert.ok(existsSync(join(dir, file)), file);
  const proposal = JSON.parse(readFileSync(join(dir, 'proposal.json'), 'utf8'));
  assert.equal(proposal.evidence.simulation.verdict, 'pass');
  assert.equal(proposal.evidence.simulation.reportHash, simulated.reportHash);
  const again = await client.connection.sendRequest(ProposeRequest, params);
  assert.deepEqual(again.written, false);
});

test('an untrusted server refuses to simulate, with the reason', async () => {
  const untrusted = new LspTestClient();
  try {
    await untrusted.initialize({ trusted: false, workspaceFolder: project });
    await assert.rejects(
      untrusted.connection.sendRequest(SimulateRequest, { fork: { kind: 'local' }, implementation: v2, route: 'auto' }),
      /trust this workspace/,
    );
  } finally {
    await untrusted.stop();
  }
});
