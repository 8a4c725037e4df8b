// The Patch panel's Proposals section over the wire: the server lists proposals/<name>/ of the
// workspace with their status read from a real anvil, follows a schedule, re-checks a proposal at
// execution time ("Simulate execution now") with progress and cancel, and refuses untrusted.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startDemoChain, type DemoChain } from '../../server/src/engine/chain/demo';
import { sendAndConfirm } from '../../server/src/engine/chain/clients';
import { exportProposal, type Proposal } from '../../server/src/engine/propose';
import { URI } from 'vscode-uri';
import { CancellationTokenSource, ResponseError } from 'vscode-jsonrpc/node';
import { ProposalStatusRequest, RecheckProposalRequest, SimulationProgressNotification, type SimulationProgressParams } from '../../server/src/protocol';
import { LspTestClient } from './lspClient';

const project = mkdtempSync(join(tmpdir(), 'patchline-proposals-'));
writeFileSync(join(project, 'package.json'), '{}');
let demo: DemoChain;
let client: LspTestClient;
let proposal: Proposal;

before(async () => {
  demo = await startDemoChain();
  ({ proposal } = await exportProposal(
    {
      clients: demo.clients,
      name: 'vault-v2',
      upgrades: [{ proxy: demo.vault.proxy, newImplementation: demo.vault.implementationV2! }],
      governance: { kind: 'timelock', timelock: demo.vault.timelock },
      confirmedWithoutPassingSimulation: true,
    },
    { directory: join(project, 'proposals') },
  ));
  // A folder without proposal.json is not a proposal; one with a broken file is listed with its error.
  mkdirSync(join(project, 'proposals', 'notes'));
  mkdirSync(join(project, 'proposals', 'broken'));
  writeFileSync(join(project, 'proposals', 'broken', 'proposal.json'), '{');
  client = new LspTestClient();
  await client.initialize({ trusted: true, workspaceFolder: project });
});
after(async () => {
  await client?.stop();
  await demo?.stop();
  rmSync(project, { recursive: true, force: true });
});

test('lists the workspace proposals with their timelock state, and follows a schedule on the next refresh', async () => {
  const fork = { kind: 'rpc' as const, url: demo.anvil.rpcUrl };
  let { proposals } = await client.connection.sendRequest(ProposalStatusRequest, { fork });
  assert.deepEqual(proposals.map((p) => p.name), ['broken', 'vault-v2']);
  assert.match(proposals[0].error ?? '', /proposal\.json is not JSON/);
  assert.equal(proposals[1].status?.timelock?.state, 'Unset');
  assert.equal(proposals[1].status?.timelock?.operationId, proposal.timelock!.operationId);

  await sendAndConfirm(demo.clients, { from: demo.proposer, to: proposal.timelock!.schedule.to, data: proposal.timelock!.schedule.data });
  ({ proposals } = await client.connection.sendRequest(ProposalStatusRequest, { fork }));
  const status = proposals[1].status!;
  assert.equal(status.timelock?.state, 'Waiting');
  assert.ok(status.timelock!.secondsUntilReady! > 3500 && status.timelock!.secondsUntilReady! <= 3600);
  assert.equal(status.timeline.find((s) => s.step === 'ready')?.upcoming, true);
});

test('Simulate execution now: the scheduled proposal is executed on a fork of today\'s chain, with progress; the open initializer fails it', async () => {
  const fork = { kind: 'rpc' as const, url: demo.anvil.rpcUrl };
  const titles: string[] = [];
  const listener = client.connection.onNotification(SimulationProgressNotification.method, (p: SimulationProgressParams) => void titles.push(p.title));
  try {
    const directoryUri = URI.file(join(project, 'proposals', 'vault-v2')).toString();
    const result = await client.connection.sendRequest(RecheckProposalRequest, { directoryUri, fork });
    assert.equal(result.name, 'vault-v2');
    const [{ report, reportUri }] = result.reports;
    // Scheduled by the previous test: the fork waits out the delay, then sends the exported execute.
    assert.equal(report.proposal?.stateBefore, 'Waiting');
    assert.match(report.proposal!.steps.join('; '), /^advance \d+ s to the ready time; the exported execute payload from 0x[0-9a-fA-F]{40}$/);
    assert.equal(report.checks.find((c) => c.id === 'upgrade-applied')?.status, 'pass');
    // The proposal was exported without initializeV2: a stranger could call it first.
    assert.equal(result.verdict, 'fail');
    assert.match(report.checks.find((c) => c.id === 'atomic-initialization')?.summary ?? '', /left open between the upgrade and your next transaction/);
    assert.ok(existsSync(URI.parse(reportUri).fsPath) && URI.parse(reportUri).fsPath.startsWith(join(project, '.patchline', 'runs')), reportUri);
    assert.ok(titles.includes('Fork the chain') && titles.includes('Run the checks'), titles.join(', '));
  } finally {
    listener.dispose();
  }
});

test('Simulate execution now refuses a folder that is not a workspace proposal, and a cancel stops it with no anvil left', async () => {
  const fork = { kind: 'rpc' as const, url: demo.anvil.rpcUrl };
  await assert.rejects(client.connection.sendRequest(RecheckProposalRequest, { directoryUri: URI.file(join(project, 'proposals', 'notes')).toString(), fork }), /is not a proposal folder/);
  await assert.rejects(client.connection.sendRequest(RecheckProposalRequest, { directoryUri: URI.file(join(project, 'proposals', 'vault-v2')).toString(), fork: { kind: 'local' } }), /local demo chain is not running/);
  const source = new CancellationTokenSource();
  const listener = client.connection.onNotification(SimulationProgressNotification.method, (p: SimulationProgressParams) => {
    if (p.title === 'Read the state before') source.cancel();
  });
  try {
    const request = client.connection.sendRequest(RecheckProposalRequest, { directoryUri: URI.file(join(project, 'proposals', 'vault-v2')).toString(), fork }, source.token);
    await assert.rejects(request, (error: unknown) => error instanceof ResponseError && error.code === -32800);
  } finally {
    listener.dispose();
  }
  const anvils = spawnSync('pgrep', ['-P', String(client.process.pid), 'anvil']).stdout.toString().trim();
  assert.equal(anvils, '', 'no anvil left');
});

test('the local demo chain is not started by a status read: each proposal says so', async () => {
  const { proposals } = await client.connection.sendRequest(ProposalStatusRequest, { fork: { kind: 'local' } });
  assert.equal(proposals.length, 2);
  for (const p of proposals) assert.match(p.error ?? '', /local demo chain is not running/);
});

test('an untrusted server refuses to read the chain, with the reason', async () => {
  const untrusted = new LspTestClient();
  try {
    await untrusted.initialize({ trusted: false, workspaceFolder: project });
    await assert.rejects(untrusted.connection.sendRequest(ProposalStatusRequest, { fork: { kind: 'rpc', url: demo.anvil.rpcUrl } }), /trust this workspace/);
    await assert.rejects(
      untrusted.connection.sendRequest(RecheckProposalRequest, { directoryUri: URI.file(join(project, 'proposals', 'vault-v2')).toString(), fork: { kind: 'rpc', url: demo.anvil.rpcUrl } }),
      /trust this workspace/,
    );
  } finally {
    await untrusted.stop();
  }
});
