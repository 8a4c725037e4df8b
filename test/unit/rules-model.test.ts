// The contract model under the rules: linearization, canonical signatures, faults in bases of
// other files placed where the code is (inherited by the checked contract), and rules still running on a broken buffer.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { HierarchyResolver } from '../../server/src/engine/model';
import { functionSignature, selectorOf } from '../../server/src/engine/rules/abi-signature';
import { buffers, check, FIXTURES, linesOf, workspace } from './rules-fixtures';

const memory = (name: string) => path.join(FIXTURES, 'in-memory', name);
const INITIALIZABLE = 'import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";';

describe('contract model', () => {
  test('C3 linearization across files, most derived first (the diamond from the Solidity docs)', () => {
    buffers.set(memory('A.sol'), 'pragma solidity ^0.8.0;\ncontract A {}\ncontract B is A {}\n');
    buffers.set(memory('D.sol'), 'pragma solidity ^0.8.0;\nimport {A, B} from "./A.sol";\ncontract C is A {}\ncontract D is B, C {}\n');
    const resolver = new HierarchyResolver(workspace);
    const d = resolver.modelsOf(memory('D.sol')).find((c) => c.name === 'D')!;
    assert.deepEqual(resolver.hierarchy(d).linearized.map((c) => c.name), ['D', 'C', 'B', 'A']);
  });

  test('canonical ABI signatures: structs as tuples, contracts as address, enums as uint8, UDVTs as their type', () => {
    buffers.set(
      memory('Types.sol'),
      `pragma solidity ^0.8.0;
interface IToken {}
type Price is uint128;
contract Types {
    struct Pair { uint a; address payable b; }
    enum Side { Buy, Sell }
    function f(Pair calldata p, IToken t, Side s, Price x, uint[] calldata xs, Pair[2] memory ps, bytes32 h) external {}
}
`,
    );
    const resolver = new HierarchyResolver(workspace);
    const types = resolver.modelsOf(memory('Types.sol')).find((c) => c.name === 'Types')!;
    const signature = functionSignature(types.functions[0], resolver.hierarchy(types));
    assert.equal(signature, 'f((uint256,address),address,uint8,uint128,uint256[],(uint256,address)[2],bytes32)');
  });

  test('selectors: the well-known burn / collate_propagate_storage clash', () => {
    assert.equal(selectorOf('burn(uint256)'), '0x42966c68');
    assert.equal(selectorOf('collate_propagate_storage(bytes16)'), '0x42966c68');
    assert.equal(selectorOf('transfer(address,uint256)'), '0xa9059cbb');
  });
});

describe('faults in a base contract of another file', () => {
  test('are shown where the code is, in the base\'s file, with "inherited by" pointing at the inheritance specifier', () => {
    buffers.set(
      memory('Base.sol'),
      `pragma solidity ^0.8.0;
abstract contract FeeBase {
    uint256 public fee = 5;
}
`,
    );
    const tokenText = `pragma solidity ^0.8.0;
${INITIALIZABLE}
import {FeeBase} from "./Base.sol";

contract Token is Initializable, FeeBase {
    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    function initialize() public initializer {}
}
`;
    buffers.set(memory('Token.sol'), tokenText);
    const findings = check(memory('Token.sol')).filter((f) => f.rule === 'init-state-assignment');
    assert.equal(findings.length, 1);
    const [finding] = findings;
    assert.equal(finding.file, memory('Base.sol'));
    assert.equal(finding.range.start.line, 2);
    assert.equal('    uint256 public fee = 5;'.slice(finding.range.start.character, finding.range.end.character), 'fee');
    assert.equal(finding.related?.length, 1);
    const [inherited] = finding.related!;
    assert.equal(inherited.message, 'inherited by Token');
    assert.equal(inherited.file, memory('Token.sol'));
    const specifierLine = tokenText.split('\n').findIndex((l) => l.startsWith('contract Token'));
    assert.equal(inherited.range.start.line, specifierLine);
    assert.equal(tokenText.split('\n')[specifierLine].slice(inherited.range.start.character, inherited.range.end.character), 'FeeBase');
  });

  test('reached through two contracts of a file, are one finding inherited by both', () => {
    buffers.set(memory('Base2.sol'), 'pragma solidity ^0.8.0;\nabstract contract FeeBase2 {\n    uint256 public fee = 5;\n}\n');
    const text = `pragma solidity ^0.8.0;
${INITIALIZABLE}
import {FeeBase2} from "./Base2.sol";

contract TokenA is Initializable, FeeBase2 {
    function initialize() public initializer {}
}

contract TokenB is Initializable, FeeBase2 {
    function initialize() public initializer {}
}
`;
    buffers.set(memory('Tokens.sol'), text);
    const findings = check(memory('Tokens.sol')).filter((f) => f.rule === 'init-state-assignment');
    assert.equal(findings.length, 1, JSON.stringify(findings));
    assert.equal(findings[0].file, memory('Base2.sol'));
    assert.deepEqual(
      findings[0].related!.map((r) => [r.message, r.range.start.line]),
      [
        ['inherited by TokenA', 4],
        ['inherited by TokenB', 8],
      ],
    );
  });

  test('are silenced by a disable comment in the base\'s file', () => {
    buffers.set(memory('Base3.sol'), 'pragma solidity ^0.8.0;\nabstract contract FeeBase3 {\n    // patchline-disable-next-line init-state-assignment\n    uint256 public fee = 5;\n}\n');
    buffers.set(memory('Token3.sol'), `pragma solidity ^0.8.0;\n${INITIALIZABLE}\nimport {FeeBase3} from "./Base3.sol";\ncontract Token3 is Initializable, FeeBase3 {\n    function initialize() public initializer {}\n}\n`);
    assert.deepEqual(check(memory('Token3.sol')).filter((f) => f.rule === 'init-state-assignment'), []);
  });
});

describe('the text given by the caller', () => {
  test('is what the rules check, whatever the disk holds', () => {
    const file = path.join(FIXTURES, 'pause-unguarded', 'negative.sol');
    const text = fs.readFileSync(path.join(FIXTURES, 'pause-unguarded', 'positive.sol'), 'utf8');
    assert.equal(linesOf(check(file), 'pause-unguarded').length, 0);
    assert.equal(linesOf(check(file, { text }), 'pause-unguarded').length, 2);
  });
});

describe('a buffer with a syntax error', () => {
  test('the rules still run on what parsed and nothing throws', () => {
    const text = fs.readFileSync(path.join(FIXTURES, 'pause-unguarded', 'positive.sol'), 'utf8');
    const broken = text.replace('    function deposit()', '    uint256 half = ;\n\n    function deposit()');
    const file = memory('BrokenVault.sol');
    buffers.set(file, broken);
    const lines = linesOf(check(file), 'pause-unguarded');
    const expected = broken.split('\n').flatMap((l, i) => (/\/\/ expect pause-unguarded\b/.test(l) ? [i] : []));
    assert.deepEqual(lines, expected);
  });
});
