// The Patch panel's requests over the wire: simulate on the local demo chain, then export: the
// export simulates the exact operation it writes (as `propose --rpc`), and writes nothing when that fails.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { URI } from 'vscode-uri';
import { CancellationTokenSource, ResponseError } from 'vscode-jsonrpc/node';
import { ProposeRequest, SimulateRequest, SimulationProgressNotification, type ProposeParams, type SimulateResult, type SimulationProgressParams } from '../../server/src/protocol';
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

function exportParams(name: string, call?: ProposeParams['call']): ProposeParams {
  return {
    confirmedWithoutPassingSimulation: false,
    fork: { kind: 'local' },
    proxy: simulated.report.proxy!.address,
    newImplementation: simulated.suggestion.newImplementation!,
    ...(call ? { call } : {}),
    governance: { kind: 'timelock', timelock: simulated.suggestion.timelock! },
    name,
    force: false,
  };
}

const runs = (): string[] => readdirSync(join(project, '.patchline', 'runs'));

test('export simulates the exported timelock operation; its report, with the exported operation id, is the evidence; the second export asks to overwrite', async () => {
  const params = exportParams('vault-v2', { signature: 'initializeV2(uint16)', args: ['250'] });
  const before = runs().length;
  progress.length = 0;
  const result = await client.connection.sendRequest(ProposeRequest, params);
  assert.equal(result.written, true, JSON.stringify(result).slice(0, 2000));
  if (!result.written) return;
  assert.ok(progress.includes('Fork the chain') && progress.includes('Upgrade'), progress.join(', '));
  assert.equal(runs().length, before + 1, 'one new report: the export\'s own simulation');
  const dir = join(project, 'proposals', 'vault-v2');
  for (const file of ['proposal.json', 'safe-schedule.json', 'safe-execute.json', 'README.md']) assert.ok(existsSync(join(dir, file)), file);
  const proposal = JSON.parse(readFileSync(join(dir, 'proposal.json'), 'utf8'));
  const evidence = proposal.evidence.simulation;
  assert.equal(evidence.verdict, 'pass');
  assert.notEqual(evidence.reportHash, simulated.reportHash, 'the panel\'s earlier simulation is not the evidence');
  assert.equal(evidence.reports.length, 1);
  assert.equal(evidence.reports[0].proxy, params.proxy);
  assert.equal(evidence.reports[0].reportHash, result.reports[0].reportHash);
  // The simulated operation is the exported one: same timelock operation id, salt and predecessor.
  const report = JSON.parse(readFileSync(join(project, evidence.reports[0].reportPath), 'utf8'));
  assert.equal(report.timelock.operationId, proposal.timelock.operationId);
  assert.equal(report.timelock.operationId, result.id);
  assert.equal(report.timelock.salt, proposal.timelock.salt);
  assert.equal(report.timelock.predecessor, proposal.timelock.predecessor);
  assert.equal(report.verdict, 'pass');
  // An existing name is asked about before anything runs: no new report.
  const again = await client.connection.sendRequest(ProposeRequest, params);
  assert.deepEqual(again, { written: false, exists: true, directoryUri: URI.file(dir).toString() });
  assert.equal(runs().length, before + 1);
});

test('an export whose operation leaves initializeV2 open writes nothing and reports the failing check', async () => {
  const result = await client.connection.sendRequest(ProposeRequest, exportParams('vault-v2-open'));
  assert.equal(result.written, false);
  if (result.written || result.exists) return assert.fail(JSON.stringify(result).slice(0, 2000));
  const { simulation } = result;
  assert.match(simulation.message, /^The proposal was not written: the simulation of the upgrade of 0x[0-9a-fA-F]{40} failed \(report \.patchline\/runs\/.+\.json\)\.$/);
  assert.equal(simulation.report.verdict, 'fail');
  assert.equal(simulation.report.checks.find((c) => c.id === 'atomic-initialization')?.status, 'fail');
  assert.ok(simulation.failures.some((f) => /left open between the upgrade and your next transaction/.test(f)), simulation.failures.join('\n'));
  // The failing report is the exported operation's, saved where the message says.
  assert.ok(existsSync(URI.parse(simulation.reportUri).fsPath));
  assert.equal(simulation.report.timelock?.calls, 1);
  assert.equal(existsSync(join(project, 'proposals', 'vault-v2-open')), false, 'nothing written');
  // Confirmed, it exports without a simulation, recorded in the evidence.
  const confirmed = await client.connection.sendRequest(ProposeRequest, { ...exportParams('vault-v2-open'), confirmedWithoutPassingSimulation: true });
  assert.equal(confirmed.written, true);
  if (!confirmed.written) return;
  assert.deepEqual(confirmed.reports, []);
  const proposal = JSON.parse(readFileSync(join(project, 'proposals', 'vault-v2-open', 'proposal.json'), 'utf8'));
  assert.equal(proposal.evidence.simulation.status, 'not-run');
  assert.equal(proposal.evidence.simulation.exportedWithoutPassingSimulation, true);
});

test('a cancelled export stops its simulation, writes nothing and leaves no fork running', async () => {
  const source = new CancellationTokenSource();
  const listener = client.connection.onNotification(SimulationProgressNotification.method, (p: SimulationProgressParams) => {
    if (p.title === 'Read the state before') source.cancel();
  });
  try {
    const request = client.connection.sendRequest(ProposeRequest, exportParams('vault-v2-cancelled', { signature: 'initializeV2(uint16)', args: ['250'] }), source.token);
    await assert.rejects(request, (error: unknown) => error instanceof ResponseError && error.code === -32800);
  } finally {
    listener.dispose();
  }
  assert.equal(existsSync(join(project, 'proposals', 'vault-v2-cancelled')), false);
  // Only the demo chain's anvil runs: the export's fork was stopped.
  const anvils = require('node:child_process').spawnSync('pgrep', ['-P', String(client.process.pid), 'anvil']).stdout.toString().trim().split('\n').filter(Boolean);
  assert.equal(anvils.length, 1, anvils.join(' '));
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
