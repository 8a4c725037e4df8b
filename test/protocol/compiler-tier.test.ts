// The compiler tier over the wire: solc-js + upgrades-core after 1.5 s idle, trusted workspaces only.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { URI } from 'vscode-uri';
import { LspTestClient } from './lspClient';

const v2File = join(__dirname, '..', '..', 'examples', 'contracts', 'VaultV2.sol');
const uri = URI.file(v2File).toString();
const text = readFileSync(v2File, 'utf8');
const inserted = text.replace('    mapping(address => uint256) public balances;', '    address public guardian;\n    mapping(address => uint256) public balances;');
const typeError = text.replace('    function version() external pure virtual returns (string memory) {\n        return "2";', '    function version() external pure virtual returns (string memory) {\n        return 2;');

const tierOf = (d: Diagnostic): string | undefined => (d.data as { tier?: string } | undefined)?.tier;

test('trusted: the compiler confirms the storage collision, and reports a type error the parser cannot see', async () => {
  const client = new LspTestClient();
  try {
    await client.initialize({ trusted: true });
    await client.open(uri, inserted, 1);
    const parser = await client.diagnosticsAt(uri, 1);
    assert.deepEqual(parser.map((d) => [d.code, tierOf(d)]), [['storage-inserted', 'parser']]);
    // After the idle delay the compiler tier publishes again for the same version.
    const compiled = await client.waitForDiagnostics(
      (p) => p.uri === uri && p.version === 1 && p.diagnostics.some((d) => tierOf(d) === 'compiler'),
      60_000,
    );
    const storage = compiled.diagnostics.filter((d) => d.code === 'storage-inserted');
    assert.deepEqual(storage.map(tierOf), ['compiler'], JSON.stringify(compiled.diagnostics));
    assert.equal(storage[0].range.start.line, parser[0].range.start.line);

    await client.change(uri, 2, [{ text: typeError }]);
    const withTypeError = await client.waitForDiagnostics(
      (p) => p.uri === uri && p.version === 2 && p.diagnostics.some((d) => d.code === 'solc-error'),
      60_000,
    );
    const [solcError] = withTypeError.diagnostics.filter((d) => d.code === 'solc-error');
    const line = typeError.split('\n').findIndex((l) => l.includes('return 2;'));
    assert.equal(solcError.range.start.line, line);
  } finally {
    await client.stop();
  }
});

test('untrusted: nothing is compiled', async () => {
  const client = new LspTestClient();
  try {
    await client.initialize({ trusted: false });
    await client.open(uri, typeError, 1);
    await client.diagnosticsAt(uri, 1);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const all = client.published.filter((p) => p.uri === uri).flatMap((p) => p.diagnostics);
    assert.equal(all.filter((d) => tierOf(d) === 'compiler').length, 0);
  } finally {
    await client.stop();
  }
});
