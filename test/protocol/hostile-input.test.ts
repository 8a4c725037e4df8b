// The server (dist/server.js over stdio) against careless and hostile input: a malformed header,
// requests that spawn or write in an untrusted workspace, writes outside the workspace folders,
// and an upstream RPC that echoes its API key.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { URI } from 'vscode-uri';
import { ListContractsRequest, ProposeRequest, RecordBaselineRequest, SimulateRequest, type ProposeParams } from '../../server/src/protocol';
import { exampleProjectCopy } from '../fixtures/chain/harness';
import { LspTestClient } from './lspClient';

const work = mkdtempSync(join(tmpdir(), 'patchline-hostile-lsp-'));
const project = exampleProjectCopy('', join(work, 'project'));
const v2 = `${join(project, 'contracts', 'VaultV2.sol')}:VaultV2`;
const A1 = '0x1111111111111111111111111111111111111111';
const A2 = '0x2222222222222222222222222222222222222222';
const A3 = '0x3333333333333333333333333333333333333333';

after(() => rmSync(work, { recursive: true, force: true }));

function proposeParams(fork: ProposeParams['fork']): ProposeParams {
  return {
    confirmedWithoutPassingSimulation: true,
    fork,
    proxy: A1,
    newImplementation: A2,
    governance: { kind: 'timelock', timelock: A3 },
    name: 'export',
    force: false,
  };
}

function anvilChildren(pid: number): string {
  return spawnSync('pgrep', ['-P', String(pid), 'anvil']).stdout.toString().trim();
}

describe('framing', () => {
  it('a header without Content-Length is dropped, and the next request is answered', async () => {
    const client = new LspTestClient();
    try {
      await client.initialize();
      const bad = '{"jsonrpc":"2.0","id":990,"method":"patchline/listContracts","params":{"upgradeableOnly":false}}';
      client.process.stdin!.write(`Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n${bad}`);
      const answer = await Promise.race([
        client.connection.sendRequest(ListContractsRequest, { upgradeableOnly: false }),
        new Promise((_resolve, reject) => setTimeout(() => reject(new Error(`no answer after a bad header; stderr: ${client.stderr.join('')}`)), 20_000)),
      ]);
      assert.deepEqual(answer, { contracts: [] });
      assert.equal(client.alive, true);
    } finally {
      await client.stop();
    }
  });
});

describe('an untrusted workspace', () => {
  it('refuses every request that spawns, writes or compiles: simulate, propose, record baseline; nothing is written or started', async () => {
    const client = new LspTestClient();
    try {
      await client.initialize({ trusted: false, workspaceFolder: project });
      await assert.rejects(client.connection.sendRequest(SimulateRequest, { fork: { kind: 'local' }, implementation: v2, route: 'auto' }), /trust this workspace/);
      await assert.rejects(client.connection.sendRequest(ProposeRequest, proposeParams({ kind: 'local' })), /trust this workspace/);
      await assert.rejects(client.connection.sendRequest(RecordBaselineRequest, { uri: URI.file(v2.slice(0, v2.lastIndexOf(':'))).toString() }), /trust this workspace/);
      assert.equal(anvilChildren(client.process.pid!), '', 'no anvil started');
      assert.deepEqual(readdirSync(project).sort(), ['contracts', 'node_modules', 'package.json'], 'nothing written');
    } finally {
      await client.stop();
    }
  });
});

describe('a trusted workspace', () => {
  it('does not record a baseline outside the workspace folders', async () => {
    const outside = join(work, 'outside');
    mkdirSync(outside);
    cpSync(join(project, 'contracts', 'VaultV1.sol'), join(outside, 'VaultV1.sol'));
    cpSync(join(project, 'package.json'), join(outside, 'package.json'));
    const client = new LspTestClient();
    try {
      await client.initialize({ trusted: true, workspaceFolder: project });
      await assert.rejects(client.connection.sendRequest(RecordBaselineRequest, { uri: URI.file(join(outside, 'VaultV1.sol')).toString() }), /outside the workspace folders/);
      assert.equal(existsSync(join(outside, 'patchline.lock.json')), false);
    } finally {
      await client.stop();
    }
  });

  it('keeps an API key echoed by the upstream RPC out of simulate and propose answers', async () => {
    const secret = 'SECRETKEY';
    const upstream = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ jsonrpc: '2.0', id: 1, error: { code: -32005, message: `project ${secret} rate limited` } }));
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(upstream.address() as { port: number }).port}/v3/${secret}`;
    const client = new LspTestClient();
    try {
      await client.initialize({ trusted: true, workspaceFolder: project });
      const simulated = await client.connection.sendRequest(SimulateRequest, { fork: { kind: 'rpc', url }, proxy: A1, implementation: A2, route: 'auto' });
      assert.equal(simulated.report.verdict, 'error');
      assert.match(JSON.stringify(simulated), /rate limited/);
      assert.doesNotMatch(JSON.stringify(simulated), new RegExp(secret));
      const saved = readFileSync(URI.parse(simulated.reportUri).fsPath, 'utf8');
      assert.doesNotMatch(saved, new RegExp(secret));
      await assert.rejects(client.connection.sendRequest(ProposeRequest, proposeParams({ kind: 'rpc', url })), (error: Error) => {
        assert.match(error.message, /rate limited/);
        assert.doesNotMatch(error.message, new RegExp(secret));
        return true;
      });
    } finally {
      await client.stop();
      upstream.close();
    }
  });
});
