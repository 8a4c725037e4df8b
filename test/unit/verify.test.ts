// `patchline verify` against the demo chain on a real anvil: the demo's VaultV2 deployment is a
// full match of examples/contracts/VaultV2.sol built as the demo builds it; other builds and other
// code are mismatches that point at the first differing byte.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDemoChain, type DemoChain } from '../../server/src/engine/chain/demo';
import { runVerify } from '../../server/src/cli/verify';
import { runPropose } from '../../server/src/cli/propose';
import { hexBytes, instructionAt, sourceMapEntry, trailingAuxdata } from '../../server/src/engine/verify/bytecode';
import { readBuildSettings } from '../../server/src/engine/verify/build-settings';
import type { VerifyResult } from '../../server/src/engine/verify';

const ROOT = join(__dirname, '..', '..');

async function verify(args: string[], cwd = ROOT): Promise<{ code: number; out: string; err: string; json?: VerifyResult }> {
  let out = '';
  let err = '';
  const code = await runVerify(args, cwd, (t) => void (out += t), (t) => void (err += t));
  const json = args.includes('--json') && code !== 2 ? (JSON.parse(out) as VerifyResult) : undefined;
  return { code, out, err, ...(json ? { json } : {}) };
}

describe('bytecode pieces', () => {
  it('decodes the trailing CBOR metadata solc writes', () => {
    // a2 64 'ipfs' 58 22 <34 bytes> 64 'solc' 43 00 08 25, then the length 0x0033
    const ipfs = '1220' + 'ab'.repeat(32);
    const cbor = `a264697066735822${ipfs}64736f6c6343000819`;
    const code = hexBytes(`0x6080604052${cbor}${(cbor.length / 2).toString(16).padStart(4, '0')}`);
    const aux = trailingAuxdata(code);
    assert.ok(aux);
    assert.equal(aux.start, 5);
    assert.equal(aux.metadata.ipfs, `0x${ipfs}`);
    assert.equal(aux.metadata.solc, '0.8.25');
    assert.equal(trailingAuxdata(hexBytes('0x6080604052')), undefined);
  });

  it('finds the instruction holding a byte, PUSH data included', () => {
    const code = hexBytes('0x6080604052348015600e575f80fd5b');
    assert.deepEqual(instructionAt(code, 0), { index: 0, start: 0, opcode: 0x60 });
    assert.deepEqual(instructionAt(code, 1), { index: 0, start: 0, opcode: 0x60 });
    assert.deepEqual(instructionAt(code, 4), { index: 2, start: 4, opcode: 0x52 });
    assert.deepEqual(instructionAt(code, 9), { index: 6, start: 8, opcode: 0x60 });
  });

  it('reads compressed source maps, empty fields repeating the previous entry', () => {
    const map = '10:20:0:-;;30::1:i;:5';
    assert.deepEqual(sourceMapEntry(map, 1), { start: 10, length: 20, file: 0, jump: '-' });
    assert.deepEqual(sourceMapEntry(map, 2), { start: 30, length: 20, file: 1, jump: 'i' });
    assert.deepEqual(sourceMapEntry(map, 3), { start: 30, length: 5, file: 1, jump: 'i' });
    assert.equal(sourceMapEntry(map, 4), undefined);
  });
});

describe('build settings', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'patchline-settings-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads foundry.toml, a named profile over the default one', () => {
    writeFileSync(
      join(dir, 'foundry.toml'),
      '[profile.default]\noptimizer = true\noptimizer_runs = 10_000\nevm_version = "paris"\n\n[profile.ci]\nvia_ir = true\noptimizer_runs = 1\n\n[fmt]\nline_length = 120\n',
    );
    assert.deepEqual(readBuildSettings(dir), { optimizer: { enabled: true, runs: 10000 }, evmVersion: 'paris', viaIR: false, from: 'foundry.toml' });
    process.env.FOUNDRY_PROFILE = 'ci';
    try {
      assert.deepEqual(readBuildSettings(dir), { optimizer: { enabled: true, runs: 1 }, evmVersion: 'paris', viaIR: true, from: 'foundry.toml' });
    } finally {
      delete process.env.FOUNDRY_PROFILE;
    }
    rmSync(join(dir, 'foundry.toml'));
  });

  it('reads the Hardhat config, not its overrides', () => {
    writeFileSync(
      join(dir, 'hardhat.config.ts'),
      `export default { solidity: { version: "0.8.24", settings: { optimizer: { enabled: true, runs: 999 }, evmVersion: "shanghai", viaIR: true },\n overrides: { "contracts/A.sol": { version: "0.8.20", settings: { optimizer: { enabled: false } } } } } };`,
    );
    assert.deepEqual(readBuildSettings(dir), { optimizer: { enabled: true, runs: 999 }, evmVersion: 'shanghai', viaIR: true, from: 'hardhat.config.ts' });
    assert.deepEqual(readBuildSettings(dir, { runs: 5 }), { optimizer: { enabled: true, runs: 5 }, evmVersion: 'shanghai', viaIR: true, from: 'hardhat.config.ts, command line' });
    rmSync(join(dir, 'hardhat.config.ts'));
    assert.deepEqual(readBuildSettings(dir), { optimizer: { enabled: false, runs: 200 }, viaIR: false, from: 'defaults' });
  });
});

describe('patchline verify on the demo chain', () => {
  let demo: DemoChain;
  let project: string;
  // The demo's build: the Patchline checkout as the root, optimizer 200 runs, EVM cancun.
  const demoBuild = ['--root', ROOT, '--optimizer-runs', '200', '--evm-version', 'cancun'];

  before(async () => {
    demo = await startDemoChain();
    // The same contract in another project: same code, other source paths (so other metadata).
    project = mkdtempSync(join(tmpdir(), 'patchline-verify-'));
    mkdirSync(join(project, 'src'));
    cpSync(join(ROOT, 'examples', 'contracts', 'VaultV2.sol'), join(project, 'src', 'VaultV2.sol'));
    symlinkSync(join(ROOT, 'node_modules'), join(project, 'node_modules'));
    writeFileSync(join(project, 'foundry.toml'), '[profile.default]\nsrc = "src"\noptimizer = true\noptimizer_runs = 200\nevm_version = "cancun"\n');
  });
  after(async () => {
    await demo?.stop();
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it('gives a full match on the deployed VaultV2, metadata included', async () => {
    const r = await verify(['--rpc', demo.anvil.rpcUrl, '--address', demo.vault.implementationV2!, '--implementation', 'examples/contracts/VaultV2.sol:VaultV2', ...demoBuild, '--json']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.json!.verdict, 'full');
    assert.equal(r.json!.deployed.metadata?.ipfs, r.json!.local.metadata?.ipfs);
    assert.ok(r.json!.masked.immutables > 0, 'UUPSUpgradeable keeps its own address as an immutable');
    const text = await verify(['--rpc', demo.anvil.rpcUrl, '--address', demo.vault.implementationV2!, '--implementation', 'examples/contracts/VaultV2.sol:VaultV2', ...demoBuild]);
    assert.equal(text.code, 0);
    assert.match(text.out, /^✔ Full match/);
  });

  it('gives a partial match for the same code from other source paths, with settings from foundry.toml', async () => {
    const r = await verify(['--rpc', demo.anvil.rpcUrl, '--address', demo.vault.implementationV2!, '--implementation', 'src/VaultV2.sol:VaultV2', '--json'], project);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.json!.verdict, 'partial');
    assert.equal(r.json!.compiler.settings.from, 'foundry.toml');
    assert.notEqual(r.json!.deployed.metadata?.ipfs, r.json!.local.metadata?.ipfs);
  });

  it('reports a mismatch, with the first differing byte and its source line, for a different build', async () => {
    const r = await verify(['--rpc', demo.anvil.rpcUrl, '--address', demo.vault.implementationV2!, '--implementation', 'examples/contracts/VaultV2.sol:VaultV2', '--root', ROOT, '--no-optimizer', '--evm-version', 'cancun', '--json']);
    assert.equal(r.code, 1, r.err);
    assert.equal(r.json!.verdict, 'mismatch');
    const d = r.json!.difference!;
    assert.ok(d.offset >= 0 && d.offset < r.json!.deployed.length);
    assert.notEqual(d.deployedInstruction, d.localInstruction);
  });

  it('reports a mismatch for other code (VaultV1 deployed, VaultV2 given), naming the source line', async () => {
    const r = await verify(['--rpc', demo.anvil.rpcUrl, '--address', demo.vault.implementation, '--implementation', 'examples/contracts/VaultV2.sol:VaultV2', ...demoBuild]);
    assert.equal(r.code, 1, r.err);
    assert.match(r.out, /^✖ Mismatch/);
    assert.match(r.out, /first difference at byte \d+/);
    assert.match(r.out, /source {3}examples\/contracts\/VaultV2\.sol:\d+:\d+/);
  });

  it('says there is no code at an address without a contract (exit 1)', async () => {
    const r = await verify(['--rpc', demo.anvil.rpcUrl, '--address', '0x000000000000000000000000000000000000dEaD', '--implementation', 'examples/contracts/VaultV2.sol:VaultV2', ...demoBuild]);
    assert.equal(r.code, 1);
    assert.match(r.out, /has no code at block \d+/);
  });

  it('propose --rpc --source verifies the implementation, records the match in the evidence and says how to repeat it', async () => {
    let out = '';
    let err = '';
    const args = (implementation: string, name: string) => [
      '--proxy', demo.vault.proxy, '--implementation', implementation, '--source', 'src/VaultV2.sol:VaultV2',
      '--timelock', demo.vault.timelock, '--rpc', demo.anvil.rpcUrl, '--out', 'proposals', '--name', name, '--no-simulation',
    ];
    const code = await runPropose(args(demo.vault.implementationV2!, 'verified'), project, (t) => void (out += t), (t) => void (err += t));
    assert.equal(code, 0, err);
    assert.match(out, /Verified: 0x[0-9a-fA-F]{40}: partial match of src\/VaultV2\.sol:VaultV2/);
    const dir = join(project, 'proposals', 'verified');
    const proposal = JSON.parse(readFileSync(join(dir, 'proposal.json'), 'utf8'));
    const verification = proposal.evidence.upgrades[0].verification;
    assert.equal(verification.verdict, 'partial');
    assert.equal(verification.source, 'src/VaultV2.sol:VaultV2');
    assert.match(verification.build, /^solc 0\.8\.\d+, optimizer on, 200 runs, EVM cancun, from foundry\.toml$/);
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    assert.match(readme, /Source verification: \*\*partial match/);
    assert.ok(readme.includes(`patchline verify --rpc $RPC_URL --address ${demo.vault.implementationV2} --implementation src/VaultV2.sol:VaultV2`));

    // The old implementation is not VaultV2: nothing is written, exit 1.
    err = '';
    const wrong = await runPropose(args(demo.vault.implementation, 'wrong'), project, () => undefined, (t) => void (err += t));
    assert.equal(wrong, 1);
    assert.match(err, /the proposal was not written: mismatch/);
    assert.equal(existsSync(join(project, 'proposals', 'wrong')), false);
  });

  it('exits 2 on bad input and on an RPC that does not answer, never a crash', async () => {
    const bad = await verify(['--rpc', demo.anvil.rpcUrl, '--address', demo.vault.implementationV2!, '--implementation', 'examples/contracts/VaultV2.sol']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /path\/to\/File\.sol:Contract/);
    const missing = await verify(['--rpc', demo.anvil.rpcUrl, '--address', demo.vault.implementationV2!, '--implementation', 'examples/contracts/VaultV2.sol:NoSuch', ...demoBuild]);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /does not declare a contract NoSuch/);
    const down = await verify(['--rpc', 'http://127.0.0.1:9', '--address', demo.vault.implementationV2!, '--implementation', 'examples/contracts/VaultV2.sol:VaultV2', ...demoBuild]);
    assert.equal(down.code, 2);
    assert.match(down.err, /cannot read the code at/);
    const usage = await verify(['--address', demo.vault.implementationV2!]);
    assert.equal(usage.code, 2);
    assert.match(usage.err, /--rpc is required/);
  });
});
