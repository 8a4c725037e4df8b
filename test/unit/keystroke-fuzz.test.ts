// The keystroke path keeps results across edits (declarations' nodes, layouts while only functions
// change, guard facts, call resolutions, signatures): after every one of a few hundred seeded edits
// to an upgradeable contract on OpenZeppelin 5 with a baseline, the analyzer that saw the whole
// history must report exactly what an analyzer that sees only the final text reports. The edits are
// those caches' hard cases: state variables in and out, lines added above declarations, two lines
// joined (offsets kept, lines moved), function bodies, new functions with unsafe opcodes,
// modifiers, garbage, and undo.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { DiskParseCache } from '../../server/src/engine/parse/disk-cache';
import { ProjectAnalyzer } from '../../server/src/engine/project';
import { seededRandom } from './seeded-random';
import { tempProjects } from './temp-projects';

const { project } = tempProjects('patchline-keystroke-fuzz-');
const cacheDir = mkdtempSync(join(tmpdir(), 'patchline-keystroke-fuzz-cache-'));
after(() => rmSync(cacheDir, { recursive: true, force: true }));

const imports = [
  '// SPDX-License-Identifier: MIT',
  'pragma solidity ^0.8.24;',
  'import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";',
  'import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";',
  'import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";',
  '',
];

const v1 = [
  ...imports,
  'struct Limits { uint128 max; uint128 used; }',
  'contract VaultV1 is Initializable, UUPSUpgradeable, OwnableUpgradeable {',
  '    mapping(address => uint256) public balances;',
  '    uint256 public total;',
  '    Limits public limits;',
  '    bool private done;',
  '    /// @custom:oz-upgrades-unsafe-allow constructor',
  '    constructor() { _disableInitializers(); }',
  '    function initialize(address owner) public initializer { __Ownable_init(owner); __UUPSUpgradeable_init(); }',
  '    function _authorizeUpgrade(address) internal override onlyOwner {}',
  '}',
  '',
].join('\n');

const v2 = [
  ...imports,
  'struct Limits { uint128 max; uint128 used; }',
  '',
  '/// @custom:oz-upgrades-from VaultV1',
  'contract VaultV2 is Initializable, UUPSUpgradeable, OwnableUpgradeable {',
  '    mapping(address => uint256) public balances;',
  '    uint256 public total;',
  '    Limits public limits;',
  '',
  '    /// @custom:oz-upgrades-unsafe-allow constructor',
  '    constructor() { _disableInitializers(); }',
  '',
  '    function initialize(address owner) public initializer {',
  '        __Ownable_init(owner);',
  '        __UUPSUpgradeable_init();',
  '    }',
  '',
  '    function deposit() external payable {',
  '        balances[msg.sender] += msg.value;',
  '        total += msg.value;',
  '    }',
  '',
  '    function withdraw(uint256 amount) external {',
  '        balances[msg.sender] -= amount;',
  '        _send(msg.sender, amount);',
  '    }',
  '',
  '    function _send(address to, uint256 amount) internal {',
  '        (bool ok, ) = to.call{value: amount}("");',
  '        require(ok);',
  '    }',
  '',
  '    function _authorizeUpgrade(address) internal override onlyOwner {}',
  '',
  '    bool private done;',
  '    function setup() external { _checkOnce(); total = 1; }',
  '    function _checkOnce() internal { require(!done); done = true; }',
  '}',
  '',
].join('\n');


/** One edit of `text`: the kinds of change the keystroke caches must notice (or rightly ignore). */
function edit(text: string, history: string[], next: () => number, n: number): string {
  const lines = text.split('\n');
  const pick = (from: number, to: number) => from + Math.floor(next() * Math.max(1, to - from));
  const body = lines.findIndex((l) => l.startsWith('contract VaultV2'));
  const end = lines.lastIndexOf('}');
  const inside = () => pick(body + 1, end > body ? end : lines.length);
  const functionLines = lines.map((l, i) => (/^\s+function .*\{\s*$/.test(l) ? i : -1)).filter((i) => i >= 0);
  switch (Math.floor(next() * 14)) {
    case 0: // a state variable among the members (storage findings when it lands above others)
      lines.splice(next() < 0.4 ? body + 1 : inside(), 0, `    uint256 public extra${n};`);
      break;
    case 1: // a line removed (a declaration, a brace: syntax errors included)
      if (end > body + 1) lines.splice(inside(), 1);
      break;
    case 2: // a statement typed into a function body
      if (functionLines.length > 0) lines.splice(functionLines[pick(0, functionLines.length)] + 1, 0, `        total += ${n};`);
      break;
    case 3: // a blank line: everything below moves down
      lines.splice(pick(0, lines.length), 0, '');
      break;
    case 4: { // two lines joined: offsets below stay, their line numbers change
      const at = pick(0, lines.length - 1);
      if (!lines[at].includes('//')) lines.splice(at, 2, `${lines[at]} ${lines[at + 1] ?? ''}`);
      break;
    }
    case 5: // a new function with an unsafe opcode, or a helper
      lines.splice(inside(), 0, next() < 0.5 ? `    function kill${n}() external { selfdestruct(payable(msg.sender)); }` : `    function helper${n}(address t, bytes memory d) external onlyOwner { (bool ok, ) = t.delegatecall(d); require(ok); }`);
      break;
    case 6: { // a modifier taken off or put on
      const at = lines.findIndex((l) => l.includes('onlyOwner {}') || l.includes('initializer {'));
      if (at >= 0) lines[at] = lines[at].replace(' onlyOwner {}', ' {}').replace(' initializer {', ' {');
      else if (functionLines.length > 0) lines[functionLines[0]] = lines[functionLines[0]].replace(' {', ' onlyOwner {');
      break;
    }
    case 7: // garbage in the middle of a line
      {
        const at = inside();
        lines[at] = `${lines[at].slice(0, 6)}${['(', '}', 'x = ;', 'uint', '"'][pick(0, 5)]}${lines[at].slice(6)}`;
      }
      break;
    case 8: // the struct the layout reads changes
      lines[lines.findIndex((l) => l.startsWith('struct Limits'))] = next() < 0.5 ? 'struct Limits { uint128 max; uint128 used; uint64 at; }' : 'struct Limits { uint128 max; uint128 used; }';
      break;
    case 9: { // the function a call lands on renamed (the call site is unchanged: its targets are not)
      const at = lines.findIndex((l) => /function _send(Old)?\(/.test(l));
      if (at >= 0) lines[at] = lines[at].includes('_sendOld(') ? lines[at].replace('_sendOld(', '_send(') : lines[at].replace('_send(', '_sendOld(');
      break;
    }
    case 10: // an overload of the called function that delegatecalls: the caller now reaches it
      lines.splice(inside(), 0, '    function _send(address to, uint256 amount, bytes memory d) internal { (bool ok, ) = to.delegatecall(d); require(ok && amount > 0); }', '    function _send(address to) internal { _send(to, 0, ""); }');
      break;
    case 11: { // the helper a hand-rolled guard calls stops (or starts) setting its flag
      const at = lines.findIndex((l) => l.includes('function _checkOnce'));
      if (at >= 0) lines[at] = lines[at].includes('done = true;') ? lines[at].replace('done = true;', 'total = 0;') : lines[at].replace('total = 0;', 'done = true;');
      break;
    }
    case 12: { // a state variable retyped in place (same node count, another node)
      const at = lines.findIndex((l) => /^    uint(256|128) public total;/.test(l));
      if (at >= 0) lines[at] = lines[at].includes('uint256') ? lines[at].replace('uint256', 'uint128') : lines[at].replace('uint128', 'uint256');
      break;
    }
    default: // undo: back to an earlier text
      return history[pick(Math.max(0, history.length - 6), history.length)] ?? text;
  }
  return lines.join('\n');
}

function findingsOf(analyzer: ProjectAnalyzer, file: string) {
  return analyzer.analyze(file).findings.map((f) => JSON.stringify({ rule: f.rule, message: f.message, file: f.file, range: f.range, related: f.related }));
}

test('after every edit of a few hundred, the analyzer that saw them all agrees with one that sees only the final text', () => {
  const seed = Number(process.env.PATCHLINE_FUZZ_SEED ?? Date.now() % 1_000_000);
  const next = seededRandom(seed);
  const root = project('vault', { 'VaultV1.sol': v1 });
  symlinkSync(resolve(__dirname, '..', '..', 'node_modules'), join(root, 'node_modules'), 'dir');
  const file = join(root, 'VaultV2.sol');
  let text = v2;
  const contents = { readFile: (f: string) => (f === file ? text : undefined) };
  const diskCache = new DiskParseCache(cacheDir, { fingerprint: 'keystroke-fuzz', write: true });
  const editing = new ProjectAnalyzer(root, contents, undefined, diskCache);
  const first = findingsOf(editing, file);
  assert.deepEqual(first, findingsOf(new ProjectAnalyzer(root, contents, undefined, diskCache), file));
  // Texts that parse, to undo to: while a text has syntax errors the editing analyzer keeps the
  // last clean layouts (by design, a fresh one has none), so the two are compared on clean texts.
  const clean: string[] = [text];
  const rules = new Set<string>();
  let compared = 0;
  for (let n = 1; n <= 400; n++) {
    const broken = findingsOf(editing, file).some((f) => JSON.parse(f).rule === 'syntax-error');
    text = broken && next() < 0.7 ? clean[Math.floor(next() * clean.length)] : edit(text, clean, next, n);
    const seen = findingsOf(editing, file);
    for (const f of seen) rules.add(JSON.parse(f).rule);
    if (seen.some((f) => JSON.parse(f).rule === 'syntax-error')) continue;
    clean.push(text);
    if (clean.length > 8) clean.shift();
    const fresh = findingsOf(new ProjectAnalyzer(root, contents, undefined, diskCache), file);
    assert.deepEqual(seen, fresh, `seed ${seed}, edit ${n} (PATCHLINE_FUZZ_SEED=${seed} replays it); text:\n${text}`);
    compared++;
  }
  assert.ok(compared > 100, `${compared} clean texts compared (seed ${seed})`);
  // The edits reached the rules the caches feed: storage, opcodes, initializers, syntax.
  for (const rule of ['syntax-error', 'unsafe-selfdestruct', 'unsafe-delegatecall']) assert.ok(rules.has(rule), `${rule} never reported (seed ${seed}): ${[...rules].join(', ')}`);
  assert.ok([...rules].some((r) => r.startsWith('storage-')), `storage rules reported (seed ${seed}): ${[...rules].join(', ')}`);
});
