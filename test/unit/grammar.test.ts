// The Solidity TextMate grammar, tokenized the way VS Code does it (vscode-textmate + oniguruma, line by
// line with the rule stack carried over), checked token by token on fixtures and over OpenZeppelin.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { before, describe, test } from 'node:test';
import * as oniguruma from 'vscode-oniguruma';
import { INITIAL, Registry, parseRawGrammar, type IGrammar, type IToken } from 'vscode-textmate';

const root = join(__dirname, '..', '..');
const grammarPath = join(root, 'syntaxes', 'solidity.tmLanguage.json');
const fixtureDir = join(root, 'test', 'fixtures', 'grammar');
const openZeppelinUpgradeable = join(root, 'node_modules', '@openzeppelin', 'contracts-upgradeable');

// A line that takes this long is a runaway rule, not a slow machine: OpenZeppelin lines take microseconds.
const STALL_LIMIT_MS = 2000;

interface TokenizedLine {
  text: string;
  tokens: IToken[];
  stoppedEarly: boolean;
}

interface TokenizedDocument {
  lines: TokenizedLine[];
  /** Rule stack depth after the last line; 1 means every begin/end rule was closed. */
  finalDepth: number;
}

async function loadSolidityGrammar(): Promise<IGrammar> {
  const wasm = readFileSync(join(root, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text: string) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (scopeName: string) =>
      scopeName === 'source.solidity' ? parseRawGrammar(readFileSync(grammarPath, 'utf8'), grammarPath) : null,
  });
  const grammar = await registry.loadGrammar('source.solidity');
  assert.ok(grammar, 'grammar source.solidity did not load');
  return grammar;
}

function tokenizeDocument(grammar: IGrammar, text: string): TokenizedDocument {
  let ruleStack = INITIAL;
  const lines = text.split(/\r?\n/).map((line) => {
    const result = grammar.tokenizeLine(line, ruleStack, STALL_LIMIT_MS);
    ruleStack = result.ruleStack;
    return { text: line, tokens: result.tokens, stoppedEarly: result.stoppedEarly };
  });
  return { lines, finalDepth: ruleStack.depth };
}

const hasScope = (scopes: string[], prefix: string): boolean =>
  scopes.some((scope) => scope === prefix || scope.startsWith(`${prefix}.`));

/**
 * Where `needle` occurs (the nth time, counting across lines) and the tokens overlapping it. A needle that
 * starts or ends with an identifier character only matches whole words, so `at` does not match inside `MathLib`.
 * Context may surround the part under test in double brackets: `is [[Ownable]](` finds the `Ownable` after `is`.
 */
function locate(doc: TokenizedDocument, needle: string, occurrence = 0): { line: TokenizedLine; tokens: IToken[]; column: number; target: string } {
  const marked = /^(.*)\[\[(.+)\]\](.*)$/.exec(needle);
  const [before, target, after] = marked ? [marked[1], marked[2], marked[3]] : ['', needle, ''];
  const text = before + target + after;
  const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`${/^[\w$]/.test(text) ? '(?<![\\w$])' : ''}${escaped}${/[\w$]$/.test(text) ? '(?![\\w$])' : ''}`, 'g');
  let seen = 0;
  for (const line of doc.lines) {
    for (const match of line.text.matchAll(pattern)) {
      if (seen++ === occurrence) {
        const column = match.index + before.length;
        const end = column + target.length;
        const tokens = line.tokens.filter((token) => token.startIndex < end && token.endIndex > column);
        return { line, tokens, column, target };
      }
    }
  }
  throw new Error(`fixture has no occurrence #${occurrence} of ${JSON.stringify(needle)}`);
}

/** `needle` is exactly one token and carries `scope` (or a more specific scope under it). */
function assertToken(doc: TokenizedDocument, needle: string, scope: string, occurrence = 0): void {
  const { line, tokens, column, target } = locate(doc, needle, occurrence);
  const described = tokens.map((t) => `${JSON.stringify(line.text.slice(t.startIndex, t.endIndex))} [${t.scopes.join(' ')}]`).join(', ');
  assert.equal(tokens.length, 1, `${JSON.stringify(needle)} should be one token, got ${described}`);
  const [token] = tokens;
  assert.ok(token.startIndex === column && token.endIndex === column + target.length, `${JSON.stringify(needle)} token boundaries differ: ${described}`);
  assert.ok(hasScope(token.scopes, scope), `${JSON.stringify(needle)} lacks ${scope}: ${described}`);
}

/** Every token overlapping `needle` carries `scope`. */
function assertCovered(doc: TokenizedDocument, needle: string, scope: string, occurrence = 0): void {
  const { line, tokens } = locate(doc, needle, occurrence);
  for (const token of tokens) {
    assert.ok(hasScope(token.scopes, scope), `${JSON.stringify(line.text.slice(token.startIndex, token.endIndex))} in ${JSON.stringify(needle)} lacks ${scope}: [${token.scopes.join(' ')}]`);
  }
}

/** No token overlapping `needle` carries `scope`. */
function assertNotScoped(doc: TokenizedDocument, needle: string, scope: string, occurrence = 0): void {
  const { line, tokens } = locate(doc, needle, occurrence);
  for (const token of tokens) {
    assert.ok(!hasScope(token.scopes, scope), `${JSON.stringify(line.text.slice(token.startIndex, token.endIndex))} in ${JSON.stringify(needle)} must not be ${scope}: [${token.scopes.join(' ')}]`);
  }
}

function solidityFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return solidityFilesUnder(path);
    return entry.name.endsWith('.sol') ? [path] : [];
  });
}

let grammar: IGrammar;
const fixtures = new Map<string, TokenizedDocument>();
const fixture = (name: string): TokenizedDocument => {
  let doc = fixtures.get(name);
  if (!doc) {
    doc = tokenizeDocument(grammar, readFileSync(join(fixtureDir, name), 'utf8'));
    fixtures.set(name, doc);
  }
  return doc;
};

before(async () => {
  grammar = await loadSolidityGrammar();
});

describe('grammar file', () => {
  test('the manifest contributes it for the solidity language under source.solidity', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const raw = JSON.parse(readFileSync(grammarPath, 'utf8'));
    const entry = manifest.contributes.grammars.find((g: { language: string }) => g.language === 'solidity');
    assert.ok(entry, 'package.json contributes no grammar for solidity');
    assert.equal(entry.scopeName, raw.scopeName);
    assert.equal(join(root, entry.path), grammarPath);
  });

  test('every #include names a rule in the repository', () => {
    // vscode-textmate silently drops an include it cannot resolve, so a typo would only show as missing colours.
    const raw = JSON.parse(readFileSync(grammarPath, 'utf8'));
    const missing: string[] = [];
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(visit);
      if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === 'include' && typeof value === 'string' && value.startsWith('#') && !(value.slice(1) in raw.repository)) missing.push(value);
          visit(value);
        }
      }
    };
    visit(raw);
    assert.deepEqual(missing, []);
  });
});

describe('literals', () => {
  test('hex, scientific and decimal numbers', () => {
    const doc = fixture('literals.sol');
    assertToken(doc, '0x1f', 'constant.numeric.hex');
    assertToken(doc, '0xAbC0000000000000000000000000000000000001', 'constant.numeric.hex');
    assertToken(doc, '1e18', 'constant.numeric.scientific');
    assertToken(doc, '2.5e-3', 'constant.numeric.scientific');
    assertToken(doc, '1_000_000', 'constant.numeric.decimal');
    assertToken(doc, '3.14', 'constant.numeric.decimal');
  });

  test('ether and time units', () => {
    const doc = fixture('literals.sol');
    assertToken(doc, 'ether', 'keyword.other.unit.denomination');
    for (const unit of ['gwei', 'wei']) assertToken(doc, unit, 'keyword.other.unit.denomination');
    for (const unit of ['days', 'hours', 'weeks', 'minutes', 'seconds']) assertToken(doc, unit, 'keyword.other.unit.time');
  });

  test('keywords and // inside a string stay string', () => {
    const doc = fixture('literals.sol');
    const literal = '"contract if return // not a comment"';
    assertCovered(doc, literal, 'string.quoted.double');
    assertNotScoped(doc, literal, 'keyword');
    assertNotScoped(doc, literal, 'storage');
    assertNotScoped(doc, literal, 'comment');
    assertToken(doc, 'not a comment"[[;]]', 'punctuation.terminator.statement');
  });

  test('escapes, unicode and hex strings', () => {
    const doc = fixture('literals.sol');
    assertCovered(doc, `'single \\'quoted\\' \\x41 \\u00e9'`, 'string.quoted.single');
    assertToken(doc, `\\'`, 'constant.character.escape');
    assertToken(doc, '\\x41', 'constant.character.escape');
    assertToken(doc, '\\u00e9', 'constant.character.escape');
    assertToken(doc, '\\d', 'invalid.illegal.escape');
    assertCovered(doc, 'unicode"héllo ✓"', 'string.quoted.double.unicode');
    assertToken(doc, 'unicode', 'storage.type.string.unicode');
    assertCovered(doc, 'hex"00ff_10"', 'string.quoted.double.hex');
    assertToken(doc, '00ff_10', 'constant.numeric.hex');
    assertCovered(doc, "hex'ab'", 'string.quoted.single.hex');
    assertCovered(doc, 'zz', 'invalid.illegal.hex-string');
  });

  test('reserved words are flagged', () => {
    assertToken(fixture('literals.sol'), 'var', 'invalid.illegal.reserved');
  });
});

describe('comments and NatSpec', () => {
  test('standard tags inside /// and /** */', () => {
    const doc = fixture('natspec.sol');
    for (const tag of ['@title', '@author', '@notice', '@dev']) {
      assertToken(doc, tag, 'storage.type.class.natspec');
      assertCovered(doc, tag, 'comment.line.triple-slash.documentation');
    }
    assertToken(doc, '@param', 'storage.type.class.natspec');
    assertCovered(doc, '@param', 'comment.block.documentation');
    assertToken(doc, 'amount', 'variable.parameter.natspec');
    assertToken(doc, '@return', 'storage.type.class.natspec');
    assertToken(doc, '@inheritdoc', 'storage.type.class.natspec');
    assertToken(doc, 'IVault', 'entity.other.inherited-class.natspec');
  });

  test('@custom:oz-* annotations have their own scope, distinct from other custom tags', () => {
    const doc = fixture('natspec.sol');
    assertToken(doc, '@custom:oz-upgrades-from', 'keyword.control.directive.natspec.oz');
    assertCovered(doc, '@custom:oz-upgrades-from', 'comment.line.triple-slash.documentation');
    assertToken(doc, 'VaultV1', 'entity.name.type.contract.natspec');
    assertToken(doc, '@custom:oz-upgrades-unsafe-allow', 'keyword.control.directive.natspec.oz');
    assertToken(doc, 'constructor', 'constant.language.natspec.oz-unsafe-allow');
    assertNotScoped(doc, 'constructor', 'storage.type');
    assertToken(doc, 'delegatecall', 'constant.language.natspec.oz-unsafe-allow');
    assertToken(doc, '@custom:oz-renamed-from', 'keyword.control.directive.natspec.oz');
    assertToken(doc, 'oldTotal', 'variable.other.natspec');
    assertToken(doc, '@custom:oz-retyped-from', 'keyword.control.directive.natspec.oz');
    assertToken(doc, '@custom:oz-upgrades-unsafe-allow-reachable', 'keyword.control.directive.natspec.oz');
    assertCovered(doc, '@custom:oz-upgrades-unsafe-allow-reachable', 'comment.block.documentation');
    assertToken(doc, '@custom:security-contact', 'storage.type.class.natspec.custom');
    assertNotScoped(doc, '@custom:security-contact', 'keyword.control.directive.natspec.oz');
  });

  test('@custom:storage-location has its own scope, with formula and namespace id', () => {
    const doc = fixture('natspec.sol');
    assertToken(doc, '@custom:storage-location', 'keyword.control.directive.natspec.storage-location');
    assertToken(doc, 'erc7201', 'support.constant.natspec.storage-formula');
    assertToken(doc, 'example.main', 'entity.name.namespace.natspec');
    assertToken(fixture('assembly.sol'), '@custom:storage-location', 'keyword.control.directive.natspec.storage-location');
  });

  test('block comments carry across lines and close', () => {
    const doc = fixture('natspec.sol');
    assertCovered(doc, 'a plain block comment with contract and function words', 'comment.block');
    assertNotScoped(doc, 'a plain block comment with contract and function words', 'storage.type');
    assertCovered(doc, 'spanning three lines', 'comment.block');
    assertToken(doc, 'after_block', 'entity.name.function');
    assertNotScoped(doc, 'after_block', 'comment');
    // `/** @inheritdoc IVault */` opens and closes on one line.
    assertToken(doc, 'preview', 'entity.name.function');
  });

  test('/**/ is a plain comment and // comments swallow quotes', () => {
    const doc = fixture('natspec.sol');
    assertCovered(doc, '/**/', 'comment.block');
    assertNotScoped(doc, '/**/', 'comment.block.documentation');
    assertToken(doc, '/**/ [[uint256]] x;', 'storage.type.elementary');
    assertCovered(doc, '// trailing comment with "quotes"', 'comment.line.double-slash');
    // solc ignores NatSpec in `////…` and `/***…` comments, so their tags are plain comment text.
    assertCovered(doc, '@notice banner', 'comment.line.double-slash');
    assertNotScoped(doc, '@notice banner', 'comment.line.triple-slash.documentation');
    assertNotScoped(doc, '@notice banner', 'storage.type.class.natspec');
    assertCovered(doc, '/*** @dev three stars, not documentation */', 'comment.block');
    assertNotScoped(doc, '/*** @dev three stars, not documentation */', 'comment.block.documentation');
    assertToken(doc, 'AfterBanners', 'entity.name.type.contract');
    assertNotScoped(doc, '// trailing comment with "quotes"', 'string');
  });
});

describe('directives and declarations', () => {
  test('pragma and import', () => {
    const doc = fixture('declarations.sol');
    assertToken(doc, 'pragma', 'keyword.control.directive.pragma');
    assertToken(doc, 'solidity', 'entity.name.tag.pragma');
    assertToken(doc, '^', 'keyword.operator.version');
    assertToken(doc, '0.8.20', 'constant.numeric.version');
    assertToken(doc, 'abicoder', 'entity.name.tag.pragma');
    assertToken(doc, 'v2', 'constant.other.pragma');
    assertToken(doc, 'import', 'keyword.control.import');
    assertToken(doc, 'from', 'keyword.control.from');
    assertToken(doc, 'as', 'keyword.control.as');
    assertToken(doc, 'Token', 'variable.other.readwrite.alias');
    assertToken(doc, '{[[Ownable]],', 'variable.other.readwrite.alias');
    assertCovered(doc, '"@openzeppelin/contracts/access/Ownable.sol"', 'string.quoted.double');
    assertToken(doc, '*', 'constant.language.import-export-all');
  });

  test('contracts, interfaces, libraries, inheritance and layout at', () => {
    const doc = fixture('declarations.sol');
    assertToken(doc, 'interface', 'storage.type.interface');
    assertToken(doc, 'IVault', 'entity.name.type.interface');
    assertToken(doc, 'library', 'storage.type.library');
    assertToken(doc, 'MathLib', 'entity.name.type.library');
    assertToken(doc, 'abstract', 'storage.modifier.abstract');
    assertToken(doc, 'contract', 'storage.type.contract');
    assertToken(doc, 'Vault', 'entity.name.type.contract');
    assertToken(doc, 'Vault [[is]] Ownable', 'storage.modifier.is');
    assertToken(doc, 'is [[Ownable]](', 'entity.other.inherited-class');
    assertToken(doc, ', [[IVault]] layout', 'entity.other.inherited-class');
    assertToken(doc, 'layout', 'storage.modifier.layout');
    assertToken(doc, 'at', 'storage.modifier.layout');
    assertToken(doc, '0x1234', 'constant.numeric.hex');
  });

  test('functions, modifiers, events, errors, structs, enums and value types', () => {
    const doc = fixture('declarations.sol');
    assertToken(doc, 'function', 'storage.type.function');
    assertToken(doc, 'deposit', 'entity.name.function');
    assertToken(doc, 'amount', 'variable.parameter');
    assertToken(doc, 'returns', 'keyword.other.returns');
    assertToken(doc, 'shares', 'variable.parameter');
    assertToken(doc, 'modifier', 'storage.type.modifier');
    assertToken(doc, 'onlyKeeper', 'entity.name.function.modifier');
    assertToken(doc, 'override [[onlyKeeper]](', 'entity.name.function.modifier.invocation');
    assertToken(doc, 'nonReentrant', 'entity.name.function.modifier.invocation');
    assertToken(doc, 'override', 'storage.modifier.override');
    assertToken(doc, 'constructor', 'storage.type.constructor');
    assertToken(doc, 'receive', 'storage.type.function.receive');
    assertToken(doc, 'fallback', 'storage.type.function.fallback');
    assertToken(doc, 'event', 'storage.type.event');
    assertToken(doc, 'Deposited', 'entity.name.type.event');
    assertToken(doc, 'indexed', 'storage.modifier.indexed');
    assertToken(doc, 'error', 'storage.type.error');
    assertToken(doc, 'Unauthorized', 'entity.name.type.error');
    assertToken(doc, 'struct', 'storage.type.struct');
    assertToken(doc, 'Position', 'entity.name.type.struct');
    assertToken(doc, 'enum', 'storage.type.enum');
    assertToken(doc, 'Status', 'entity.name.type.enum');
    assertToken(doc, 'type', 'storage.type.type');
    assertToken(doc, 'Price', 'entity.name.type.user-defined');
    assertToken(doc, 'using', 'keyword.other.using');
    assertToken(doc, 'global', 'storage.modifier.global');
    assertToken(doc, '_', 'keyword.other.placeholder');
  });

  test('elementary types, visibility, mutability and data locations', () => {
    const doc = fixture('declarations.sol');
    for (const type of ['uint8', 'int256', 'bytes32', 'bytes', 'string', 'bool', 'fixed128x18', 'uint128']) {
      assertToken(doc, type, 'storage.type.elementary');
    }
    assertToken(doc, '[[address]] payable', 'storage.type.elementary.address');
    assertToken(doc, 'payable', 'storage.modifier.payable');
    assertToken(doc, 'mapping', 'storage.type.mapping');
    assertToken(doc, '=>', 'keyword.operator.mapping');
    assertToken(doc, '[[IERC20]] public immutable', 'entity.name.type');
    for (const visibility of ['external', 'internal', 'private', 'public']) assertToken(doc, visibility, 'storage.modifier.visibility');
    for (const mutability of ['pure', 'constant', 'immutable']) assertToken(doc, mutability, 'storage.modifier.mutability');
    for (const location of ['transient', 'calldata', 'memory']) assertToken(doc, location, 'storage.modifier.location');
  });

  test('statements, built-ins and language variables', () => {
    const doc = fixture('declarations.sol');
    assertToken(doc, 'unchecked', 'keyword.control.unchecked');
    assertToken(doc, 'emit', 'keyword.control.emit');
    assertToken(doc, 'emit [[Deposited]](', 'entity.name.type.event');
    assertToken(doc, 'revert', 'keyword.control.revert');
    assertToken(doc, 'revert [[Unauthorized]](', 'entity.name.type.error');
    assertToken(doc, 'try', 'keyword.control.trycatch');
    assertToken(doc, 'catch', 'keyword.control.trycatch');
    assertToken(doc, 'Error', 'support.type.error');
    assertToken(doc, 'if', 'keyword.control.conditional');
    assertToken(doc, '[[for]] (uint256 i', 'keyword.control.loop');
    assertToken(doc, 'return', 'keyword.control.flow.return');
    assertToken(doc, 'continue', 'keyword.control.flow');
    assertToken(doc, 'delete', 'keyword.operator.delete');
    assertToken(doc, 'new', 'keyword.operator.new');
    assertToken(doc, 'msg', 'support.variable.msg');
    assertToken(doc, 'sender', 'support.variable.property');
    assertToken(doc, 'block', 'support.variable.block');
    assertToken(doc, 'tx', 'support.variable.tx');
    assertToken(doc, 'this', 'variable.language.this');
    assertToken(doc, 'super', 'variable.language.super');
    assertToken(doc, 'require', 'support.function.builtin');
    assertToken(doc, 'keccak256', 'support.function.builtin');
    assertToken(doc, 'abi', 'support.variable.abi');
    assertToken(doc, 'encodePacked', 'support.function.abi');
    assertToken(doc, '[[type]](uint256).max', 'support.function.type');
    assertToken(doc, 'probe', 'entity.name.function.call');
    assertToken(doc, '+=', 'keyword.operator.assignment.compound');
  });

  test('call options and named arguments are keys, the ternary colon is an operator', () => {
    const doc = fixture('declarations.sol');
    assertToken(doc, '{[[value]]: 1', 'variable.parameter.named-argument');
    assertToken(doc, 'value[[:]] 1', 'punctuation.separator.key-value');
    assertToken(doc, '[[gas]]: 50_000', 'variable.parameter.named-argument');
    assertToken(doc, '{[[x]]: amount}', 'variable.parameter.named-argument');
    assertToken(doc, '[[?]] MathLib', 'keyword.operator.ternary');
    assertToken(doc, ') [[:]] 0', 'keyword.operator.ternary');
  });
});

describe('inline assembly', () => {
  test('Yul keywords, builtins, := and .slot / .offset', () => {
    const doc = fixture('assembly.sol');
    assertToken(doc, 'assembly', 'keyword.control.assembly');
    assertToken(doc, '@solidity', 'storage.type.class.natspec');
    assertCovered(doc, '"memory-safe"', 'string.quoted.double');
    assertToken(doc, ':=', 'keyword.operator.assignment.yul');
    assertToken(doc, 'let', 'storage.type.let.yul');
    assertNotScoped(doc, 'let', 'invalid');
    for (const builtin of ['mload', 'mstore', 'sload', 'sstore', 'delegatecall', 'call', 'iszero', 'returndatasize']) {
      assertToken(doc, builtin, 'support.function.builtin.yul');
    }
    assertToken(doc, 'slot', 'support.variable.property.yul');
    assertToken(doc, 'offset', 'support.variable.property.yul');
    for (const keyword of ['switch', 'case', 'default']) {
      assertToken(doc, keyword, 'keyword.control.conditional.yul');
      assertNotScoped(doc, keyword, 'invalid');
    }
    assertToken(doc, 'double', 'entity.name.function.yul');
    assertToken(doc, '->', 'keyword.operator.arrow.yul');
  });

  test('the assembly block ends at its closing brace', () => {
    const doc = fixture('assembly.sol');
    assertNotScoped(doc, 'uint256 after', 'meta.assembly');
    assertToken(doc, 'after', 'invalid.illegal.reserved');
    assert.equal(doc.finalDepth, 1);
  });
});

describe('unfinished code', () => {
  test('an unclosed string, parameter list or import does not colour the rest of the file', () => {
    const doc = fixture('unfinished.sol');
    assertToken(doc, 'uint256', 'storage.type.elementary');
    assertNotScoped(doc, 'uint256 afterString', 'string');
    assertToken(doc, 'g', 'entity.name.function');
    assertNotScoped(doc, 'function g', 'meta.parameters');
    assertToken(doc, 'Next', 'entity.name.type.contract');
    assert.equal(doc.finalDepth, 1);
  });

  test('every fixture ends with all rules closed', () => {
    for (const name of readdirSync(fixtureDir).filter((n) => n.endsWith('.sol'))) {
      assert.equal(fixture(name).finalDepth, 1, `${name} leaves rules open`);
    }
  });
});

describe('OpenZeppelin contracts-upgradeable', () => {
  test('every line tokenizes without invalid scopes, stalls or rules left open', () => {
    const files = solidityFilesUnder(openZeppelinUpgradeable);
    assert.ok(files.length > 50, `expected the OpenZeppelin sources under ${openZeppelinUpgradeable}`);
    const problems: string[] = [];
    for (const file of files) {
      const name = relative(openZeppelinUpgradeable, file);
      const doc = tokenizeDocument(grammar, readFileSync(file, 'utf8'));
      doc.lines.forEach((line, index) => {
        if (line.stoppedEarly) problems.push(`${name}:${index + 1} tokenizer stopped early`);
        for (const token of line.tokens) {
          const invalid = token.scopes.find((scope) => scope.startsWith('invalid'));
          if (invalid) problems.push(`${name}:${index + 1} ${JSON.stringify(line.text.slice(token.startIndex, token.endIndex))} is ${invalid}`);
        }
      });
      if (doc.finalDepth !== 1) problems.push(`${name}: ${doc.finalDepth - 1} rule(s) still open at end of file`);
    }
    assert.deepEqual(problems.slice(0, 20), [], `${problems.length} problem(s)`);
  });
});
