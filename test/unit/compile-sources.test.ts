// Resolving a compilation's sources under the names solc gives them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  applyRemappings,
  collectSources,
  FileSystemImportResolver,
  importedSourceName,
  importPaths,
  parseRemapping,
} from '../../server/src/engine/compile/sources';

const fixtures = join(__dirname, '..', 'fixtures', 'compile');
const remapped = join(fixtures, 'remapped');

describe('importPaths', () => {
  it('finds every import form and nothing in comments or strings', () => {
    const text = [
      'import "a.sol";',
      "import * as B from './b.sol';",
      'import {C, D as E} from "../c.sol";',
      'import "d.sol" as D;',
      '// import "comment.sol";',
      '/* import "block.sol"; */',
      'contract X { string s = "import \\"string.sol\\";"; }',
    ].join('\n');
    assert.deepEqual(importPaths(text), ['a.sol', './b.sol', '../c.sol', 'd.sol']);
  });

  it('reads the imports of a fixture with decoys', () => {
    assert.deepEqual(importPaths(readFileSync(join(remapped, 'src', 'Local.sol'), 'utf8')), []);
    assert.deepEqual(importPaths(readFileSync(join(remapped, 'src', 'Main.sol'), 'utf8')), ['tokens/Token.sol', './Local.sol']);
  });
});

describe('source names', () => {
  it('joins relative imports to the importing unit and normalises', () => {
    assert.equal(importedSourceName('contracts/a/X.sol', './Y.sol'), 'contracts/a/Y.sol');
    assert.equal(importedSourceName('contracts/a/X.sol', '../b/Y.sol'), 'contracts/b/Y.sol');
    assert.equal(importedSourceName('@oz/contracts/access/Ownable.sol', '../utils/Context.sol'), '@oz/contracts/utils/Context.sol');
    assert.equal(importedSourceName('X.sol', './Y.sol'), 'Y.sol');
    assert.equal(importedSourceName('contracts/X.sol', '@oz/contracts/Y.sol'), '@oz/contracts/Y.sol');
  });

  it('applies the remapping with the longest context, then the longest prefix', () => {
    const remappings = ['oz/=lib/oz/', 'oz/token/=lib/oz-token/', 'src/legacy:oz/=lib/oz-legacy/'].map((r) => parseRemapping(r)!);
    assert.equal(applyRemappings('oz/access/A.sol', 'src/X.sol', remappings), 'lib/oz/access/A.sol');
    assert.equal(applyRemappings('oz/token/T.sol', 'src/X.sol', remappings), 'lib/oz-token/T.sol');
    assert.equal(applyRemappings('oz/token/T.sol', 'src/legacy/Old.sol', remappings), 'lib/oz-legacy/token/T.sol');
    assert.equal(applyRemappings('other/Y.sol', 'src/X.sol', remappings), 'other/Y.sol');
  });

  it('parses remapping lines', () => {
    assert.deepEqual(parseRemapping('ctx:@oz/=node_modules/@oz/'), { context: 'ctx', prefix: '@oz/', target: 'node_modules/@oz/' });
    assert.deepEqual(parseRemapping('forge-std/=lib/forge-std/src/'), { context: '', prefix: 'forge-std/', target: 'lib/forge-std/src/' });
    assert.equal(parseRemapping('# comment'), undefined);
  });
});

describe('collectSources', () => {
  it('follows remapped and relative imports from the project root', () => {
    const remappings = readFileSync(join(remapped, 'remappings.txt'), 'utf8').split('\n').filter(Boolean);
    const resolver = new FileSystemImportResolver({ root: remapped, remappings });
    const graph = collectSources([join(remapped, 'src', 'Main.sol')], resolver);
    assert.deepEqual(graph.entries, ['src/Main.sol']);
    assert.deepEqual([...graph.sources.keys()].sort(), [
      'lib/tokens/src/Token.sol',
      'lib/tokens/vendor/Math.sol',
      'src/Local.sol',
      'src/Main.sol',
    ]);
    assert.equal(graph.sources.get('lib/tokens/vendor/Math.sol')!.file, join(remapped, 'lib', 'tokens', 'vendor', 'Math.sol'));
    assert.deepEqual(graph.unresolved, []);
  });

  it('finds package imports in node_modules above the root, under their package names', () => {
    const resolver = new FileSystemImportResolver({ root: fixtures });
    const graph = collectSources([join(fixtures, 'contracts', 'VaultV1.sol')], resolver);
    const names = [...graph.sources.keys()];
    assert.ok(names.includes('contracts/lib/FeeMath.sol'));
    assert.ok(names.includes('@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol'));
    // Reached through a relative import inside the package:
    assert.ok(names.includes('@openzeppelin/contracts-upgradeable/utils/ContextUpgradeable.sol'));
    const ownable = graph.sources.get('@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol')!;
    assert.match(ownable.file, /node_modules\/@openzeppelin\/contracts-upgradeable\/access\/OwnableUpgradeable\.sol$/);
    assert.deepEqual(graph.unresolved, []);
  });

  it('prefers unsaved editor text and reports missing imports', () => {
    const main = join(remapped, 'src', 'Main.sol');
    const edited = 'pragma solidity ^0.8.20;\nimport "./Missing.sol";\ncontract Main {}\n';
    const resolver = new FileSystemImportResolver({ root: remapped, readOverlay: (file) => (file === main ? edited : undefined) });
    const graph = collectSources([main], resolver);
    assert.equal(graph.sources.get('src/Main.sol')!.contents, edited);
    assert.equal(graph.unresolved.length, 1);
    assert.equal(graph.unresolved[0].importPath, './Missing.sol');
  });
});
