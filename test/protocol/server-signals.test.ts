// The server (dist/server.js) ended by a signal while it keeps the local demo chain: SIGTERM ends
// it, and neither SIGTERM nor SIGKILL leaves an anvil behind (checked by pid).
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ProposeRequest, SimulateRequest } from '../../server/src/protocol';
import { anvilChildrenOf, eventually, exampleProjectCopy, processRuns } from '../fixtures/chain/harness';
import { LspTestClient } from './lspClient';

const project = exampleProjectCopy('patchline-server-signals-');
const v2 = `${join(project, 'contracts', 'VaultV2.sol')}:VaultV2`;
after(() => rmSync(project, { recursive: true, force: true }));

const simulate = (client: LspTestClient) =>
  client.connection.sendRequest(SimulateRequest, { fork: { kind: 'local' }, implementation: v2, route: 'auto', call: { signature: 'initializeV2(uint16)', args: ['250'] } });

test('SIGTERM after a simulation: the server ends, and the demo chain with it', async () => {
  const client = new LspTestClient();
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => client.process.once('exit', (code, signal) => resolve(signal ?? code)));
  try {
    await client.initialize({ trusted: true, workspaceFolder: project });
    const result = await simulate(client);
    assert.equal(result.report.verdict, 'pass', result.report.error?.message);
    const anvils = anvilChildrenOf(client.process.pid!);
    assert.ok(anvils.length > 0, 'the demo chain runs after the simulation');
    client.process.kill('SIGTERM');
    assert.equal(await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running after 30 s'), 30_000))]), 'SIGTERM');
    assert.ok(await eventually(() => anvils.every((pid) => !processRuns(pid))), `anvil ${anvils.join(', ')} outlived the server`);
  } finally {
    client.process.kill('SIGKILL');
    client.connection.dispose();
  }
});

test('SIGKILL with the demo chain idle: no anvil outlives the server', async () => {
  const client = new LspTestClient();
  try {
    await client.initialize({ trusted: true, workspaceFolder: project });
    // An export on the local chain starts the demo chain and keeps it; this one is rejected (no contract at the proxy).
    const A1 = '0x1111111111111111111111111111111111111111';
    await assert.rejects(
      client.connection.sendRequest(ProposeRequest, {
        confirmedWithoutPassingSimulation: true,
        fork: { kind: 'local' },
        proxy: A1,
        newImplementation: '0x2222222222222222222222222222222222222222',
        governance: { kind: 'timelock', timelock: '0x3333333333333333333333333333333333333333' },
        name: 'rejected',
        force: false,
      }),
      /not a contract/,
    );
    const anvils = anvilChildrenOf(client.process.pid!);
    assert.ok(anvils.length > 0, `the demo chain runs: ${client.stderr.join('')}`);
    // Idle: anvil writes nothing, so no broken pipe ends it by chance.
    client.process.kill('SIGKILL');
    assert.ok(await eventually(() => anvils.every((pid) => !processRuns(pid))), `anvil ${anvils.join(', ')} outlived the server`);
  } finally {
    client.process.kill('SIGKILL');
    client.connection.dispose();
  }
});
