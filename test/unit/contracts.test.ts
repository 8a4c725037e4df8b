import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { docCommentBefore, natspecCustomTags, summarizeContracts } from '../../server/src/engine/contracts';
import { parseSolidity } from '../../server/src/engine/parse/solidity';

function summarize(text: string) {
  const parsed = parseSolidity(text);
  assert.ok(parsed.ast, 'fixture parses');
  return summarizeContracts(parsed.ast, text, parsed.comments);
}

test('the example V2 is upgradeable, UUPS, and names its baseline', () => {
  const text = readFileSync(join(__dirname, '..', '..', 'examples', 'contracts', 'VaultV2.sol'), 'utf8');
  const [vault] = summarize(text);
  assert.equal(vault.name, 'VaultV2');
  assert.equal(vault.upgradeable, true);
  assert.equal(vault.proxyKind, 'uups');
  assert.equal(vault.upgradesFrom, 'VaultV1');
  const line = text.split('\n').findIndex((l) => l.startsWith('contract VaultV2'));
  assert.deepEqual(vault.nameRange, { start: { line, character: 9 }, end: { line, character: 16 } });
  assert.deepEqual(vault.bases, ['Initializable', 'UUPSUpgradeable', 'OwnableUpgradeable', 'PausableUpgradeable']);
});

test('upgradeability follows bases, annotations and initializer modifiers; interfaces and plain contracts are not', () => {
  const contracts = summarize(`
interface IVault { function f() external; }
library L {}
contract Plain { uint x; }
contract ByInitializer { function init() public initializer {} }
/// @custom:oz-upgrades
contract ByAnnotation {}
contract Transparent is ERC20Upgradeable {}
contract Qualified is Oz.UUPSUpgradeable {}
`);
  const byName = Object.fromEntries(contracts.map((c) => [c.name, c]));
  assert.equal(byName.IVault.upgradeable, false);
  assert.equal(byName.L.upgradeable, false);
  assert.equal(byName.Plain.upgradeable, false);
  assert.equal(byName.ByInitializer.upgradeable, true);
  assert.equal(byName.ByAnnotation.upgradeable, true);
  assert.equal(byName.Transparent.proxyKind, 'transparent-or-beacon');
  assert.equal(byName.Qualified.proxyKind, 'uups');
});

test('only the NatSpec block directly above a declaration belongs to it', () => {
  const text = '/// @custom:oz-upgrades-from Old\n\n// plain\ncontract A {}\n/** @custom:oz-upgrades-from B\n * @custom:oz-upgrades-unsafe-allow constructor */\ncontract C {}';
  const parsed = parseSolidity(text);
  assert.equal(docCommentBefore(text.indexOf('contract A'), text, parsed.comments), '');
  const doc = docCommentBefore(text.indexOf('contract C'), text, parsed.comments);
  assert.deepEqual(natspecCustomTags(doc), { 'oz-upgrades-from': 'B', 'oz-upgrades-unsafe-allow': 'constructor' });
});
