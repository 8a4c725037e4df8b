// The workspace (buffers over disk, import resolution, parse cache) and what the parser-tier
// layout carries besides slots: files, ranges, annotations, namespaces, errors.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { computeLayout, computeLayouts } from '../../server/src/engine/layout/parser-layout';
import { SolidityWorkspace } from '../../server/src/engine/workspace';
import type { Range } from '../../server/src/engine/findings';

const repo = path.resolve(__dirname, '../..');
const fixtures = path.join(repo, 'test/fixtures/layout');

/** A workspace whose buffers are the given map (absolute path → text), over the disk. */
function withBuffers(buffers: Map<string, string>): SolidityWorkspace {
  return new SolidityWorkspace({ contents: { readFile: (file) => buffers.get(file) } });
}

/** The text a Range covers (0-based lines, UTF-16 columns). */
function textAt(text: string, range: Range): string {
  const lines = text.split('\n');
  if (range.start.line === range.end.line) return lines[range.start.line].slice(range.start.character, range.end.character);
  return [lines[range.start.line].slice(range.start.character), ...lines.slice(range.start.line + 1, range.end.line), lines[range.end.line].slice(0, range.end.character)].join('\n');
}

describe('SolidityWorkspace', () => {
  it('resolves relative, remapped (remappings.txt and foundry.toml) and node_modules imports', () => {
    const ws = new SolidityWorkspace();
    const remapped = path.join(fixtures, 'foundry/src/Remapped.sol');
    const dep = path.join(fixtures, 'foundry/lib/dep/src/Dep.sol');
    assert.deepEqual(ws.resolveImport(remapped, 'dep/Dep.sol'), { file: dep });
    assert.deepEqual(ws.resolveImport(remapped, 'other/Dep.sol'), { file: dep });
    assert.deepEqual(ws.resolveImport(path.join(fixtures, 'inheritance.sol'), './lib/bases.sol'), { file: path.join(fixtures, 'lib/bases.sol') });
    const oz = '@openzeppelin/contracts-upgradeable-v4/access/OwnableUpgradeable.sol';
    assert.deepEqual(ws.resolveImport(path.join(fixtures, 'oz-token.sol'), oz), { file: path.join(repo, 'node_modules', oz) });
    const missing = ws.resolveImport(path.join(fixtures, 'oz-token.sol'), '@nowhere/x.sol');
    assert.ok('error' in missing && missing.error.includes('@nowhere/x.sol'));
  });

  it('resolves project-root imports in a Hardhat layout and node_modules above the importing file', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'patchline-hardhat-'));
    try {
      fs.writeFileSync(path.join(root, 'hardhat.config.js'), 'module.exports = {};\n');
      fs.mkdirSync(path.join(root, 'contracts/tokens'), { recursive: true });
      fs.mkdirSync(path.join(root, 'node_modules/pkg'), { recursive: true });
      fs.writeFileSync(path.join(root, 'contracts/Base.sol'), 'pragma solidity ^0.8.0;\nabstract contract Base { uint8 b; }\n');
      fs.writeFileSync(path.join(root, 'node_modules/pkg/Lib.sol'), 'pragma solidity ^0.8.0;\nabstract contract Lib { uint16 l; }\n');
      const token = path.join(root, 'contracts/tokens/Token.sol');
      fs.writeFileSync(token, 'pragma solidity ^0.8.0;\nimport "contracts/Base.sol";\nimport "pkg/Lib.sol";\ncontract Token is Base, Lib { uint8 t; }\n');
      const { layouts, errors, importErrors } = computeLayouts(token, new SolidityWorkspace());
      assert.deepEqual([errors, importErrors], [[], []]);
      assert.deepEqual(
        layouts.get('Token')!.storage.map((e) => [e.contract, e.label, e.slot, e.offset]),
        [
          ['Base', 'b', '0', 0],
          ['Lib', 'l', '0', 1],
          ['Token', 't', '0', 3],
        ],
      );
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('reads editor buffers before the disk and caches parses by content', () => {
    const file = path.join(fixtures, 'gaps.sol');
    const buffers = new Map<string, string>();
    const ws = withBuffers(buffers);
    const onDisk = ws.parse(file)!;
    assert.equal(ws.parse(file), onDisk, 'same content, same ParsedFile');
    buffers.set(file, onDisk.text.replace('    address owner;', '    uint256 inserted;\n    address owner;'));
    const edited = ws.parse(file)!;
    assert.notEqual(edited, onDisk);
    assert.notEqual(edited.hash, onDisk.hash);
    const child = computeLayouts(file, ws).layouts.get('GapChild')!;
    assert.deepEqual(
      child.storage.map((e) => [e.label, e.slot]),
      [
        ['value', '0'],
        ['__gap', '1'],
        ['inserted', '50'],
        ['owner', '51'],
        ['paused', '51'],
        ['__gap_child', '52'],
      ],
    );
    buffers.delete(file);
    assert.equal(ws.parse(file)!.hash, onDisk.hash, 'closing the buffer goes back to the disk');
  });

  it('reports an unresolved import as a record with its range, without throwing', () => {
    const file = path.join(fixtures, 'virtual/Broken.sol');
    const text = 'pragma solidity ^0.8.0;\nimport {Missing} from "./missing/Thing.sol";\ncontract Broken is Missing { uint8 a; }\n';
    const result = computeLayouts(file, withBuffers(new Map([[file, text]])));
    assert.equal(result.importErrors.length, 1);
    const error = result.importErrors[0];
    assert.equal(error.file, file);
    assert.equal(error.importPath, './missing/Thing.sol');
    assert.equal(textAt(text, error.range), '"./missing/Thing.sol"');
    assert.match(error.message, /missing\/Thing\.sol/);
    // The base cannot be resolved: said once, against the contract; its own variable still laid out.
    assert.deepEqual(
      result.errors.map((e) => [e.contract, e.message]),
      [['Broken', 'Cannot resolve base contract Missing']],
    );
    assert.equal(textAt(text, result.errors[0].range!), 'Missing');
    assert.deepEqual(result.layoutErrors.get('Broken'), result.errors, 'the layout is marked as incomplete');
    assert.deepEqual(result.layouts.get('Broken')!.storage.map((e) => e.label), ['a']);
  });
});

describe('parser-tier layout details', () => {
  it('carries the declaring file, the declaration range (UTF-16 columns) and OpenZeppelin annotations', () => {
    const file = path.join(fixtures, 'virtual/Annotated.sol');
    const text = [
      'pragma solidity ^0.8.0;',
      'import {Root} from "../lib/bases.sol";',
      'contract Annotated is Root {',
      '    /* ü€😀 */ uint256 wide;',
      '    /// @custom:oz-renamed-from before',
      '    uint256 renamed;',
      '    /**',
      '     * @custom:oz-retyped-from uint128',
      '     */',
      '    uint256 retyped;',
      '    // @custom:oz-renamed-from notNatspec',
      '    uint256 plainComment;',
      '}',
      '',
    ].join('\n');
    const { layout } = computeLayout('Annotated', file, withBuffers(new Map([[file, text]])));
    const byLabel = new Map(layout!.storage.map((e) => [e.label, e]));
    const root = byLabel.get('rootValue')!;
    assert.equal(root.file, path.join(fixtures, 'lib/bases.sol'));
    assert.equal(textAt(fs.readFileSync(root.file, 'utf8'), root.range!), 'uint8 rootValue;');
    const wide = byLabel.get('wide')!;
    assert.equal(wide.file, file);
    assert.deepEqual(wide.range!.start, { line: 3, character: '    /* ü€😀 */ '.length });
    assert.equal(textAt(text, wide.range!), 'uint256 wide;');
    assert.equal(byLabel.get('renamed')!.renamedFrom, 'before');
    assert.equal(byLabel.get('retyped')!.retypedFrom, 'uint128');
    assert.equal(byLabel.get('plainComment')!.renamedFrom, undefined);
  });

  it('finds ERC-7201 namespaces with the root slot OpenZeppelin hard-codes', () => {
    const file = path.join(fixtures, 'virtual/Ns.sol');
    const text = [
      'pragma solidity ^0.8.20;',
      'contract Ns {',
      '    /// @custom:storage-location erc7201:openzeppelin.storage.Ownable',
      '    struct OwnableStorage {',
      '        address _owner;',
      '        uint8 flag;',
      '        uint256 next;',
      '    }',
      '}',
      '',
    ].join('\n');
    const { layout } = computeLayout('Ns', file, withBuffers(new Map([[file, text]])));
    assert.deepEqual(layout!.storage, []);
    assert.equal(layout!.namespaces.length, 1);
    const ns = layout!.namespaces[0];
    // OwnableUpgradeable.sol: OwnableStorageLocation.
    const root = BigInt('0x9016d09d72d40fdae2fd8ceac6b6234c7706214fd39c1cd1e609a0528c199300');
    assert.deepEqual([ns.id, ns.struct, ns.contract, ns.slot], ['openzeppelin.storage.Ownable', 'OwnableStorage', 'Ns', root.toString()]);
    assert.deepEqual(
      ns.members.map((m) => [m.label, m.type, m.slot, m.offset, m.bytes]),
      [
        ['_owner', 't_address', root.toString(), 0, 20],
        ['flag', 't_uint8', root.toString(), 20, 1],
        ['next', 't_uint256', (root + 1n).toString(), 0, 32],
      ],
    );
    assert.equal(textAt(text, ns.range!).split('\n')[0], 'struct OwnableStorage {');
  });

  it('follows an unsaved edit of an imported file', () => {
    const bases = path.join(fixtures, 'lib/bases.sol');
    const buffers = new Map<string, string>();
    const ws = withBuffers(buffers);
    const before = computeLayouts(path.join(fixtures, 'inheritance.sol'), ws).layouts.get('Diamond')!;
    buffers.set(bases, fs.readFileSync(bases, 'utf8').replace('    uint8 rootValue;', '    uint256 inserted;\n    uint8 rootValue;'));
    const after = computeLayouts(path.join(fixtures, 'inheritance.sol'), ws).layouts.get('Diamond')!;
    assert.equal(after.storage.length, before.storage.length + 1);
    assert.equal(after.storage[0].label, 'inserted');
    for (const [i, entry] of before.storage.entries()) {
      assert.equal(after.storage[i + 1].label, entry.label);
      assert.equal(BigInt(after.storage[i + 1].slot), BigInt(entry.slot) + 1n);
    }
  });
});
