// The house rules of docs/architecture.md ("Import boundaries"), enforced: what each room may
// import. Relative imports are resolved to files, so `../../lsp/x` is caught however it is spelled.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

const ROOT = path.resolve(__dirname, '../..');
const SERVER = path.join(ROOT, 'server/src');
const ENGINE = path.join(SERVER, 'engine');

export interface Import {
  /** The importing file, absolute. */
  from: string;
  /** As written. */
  specifier: string;
  /** Absolute path (without extension) for a relative import; undefined for a package. */
  resolved: string | undefined;
  typeOnly: boolean;
}

/** Every static import, re-export, require() and import() of a TypeScript source text. */
export function importsOf(file: string, text: string): Import[] {
  const out: Import[] = [];
  const patterns = [
    /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm,
    /\b(require|import)\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const match of text.matchAll(patterns[0])) out.push(make(file, match[3], match[2] !== undefined));
  for (const match of text.matchAll(patterns[1])) out.push(make(file, match[2], false));
  return out;
}

function make(from: string, specifier: string, typeOnly: boolean): Import {
  const resolved = specifier.startsWith('.') ? path.resolve(path.dirname(from), specifier).replace(/\.(ts|js|mjs|cjs)$/, '') : undefined;
  return { from, specifier, resolved, typeOnly };
}

const within = (file: string | undefined, dir: string): boolean => file !== undefined && (file === dir || file.startsWith(dir + path.sep));

/** The rules, as data: a room, and what it must not import. */
export function violations(imports: Import[]): string[] {
  const out: string[] = [];
  const rel = (f: string) => path.relative(ROOT, f);
  const analysisRooms = ['layout', 'rules', 'parse'].map((r) => path.join(ENGINE, r));
  const chainRooms = ['chain', 'simulate', 'propose', 'pause'].map((r) => path.join(ENGINE, r));
  for (const imp of imports) {
    const where = `${rel(imp.from)} imports '${imp.specifier}'`;
    if (within(imp.from, ENGINE)) {
      if (/^vscode($|-|\/)/.test(imp.specifier)) out.push(`${where}: the engine is plain TypeScript, no vscode*`);
      if (within(imp.resolved, path.join(SERVER, 'lsp')) || within(imp.resolved, path.join(SERVER, 'cli'))) out.push(`${where}: the engine does not know its faces (lsp, cli)`);
      if (within(imp.resolved, path.join(ROOT, 'client'))) out.push(`${where}: the engine does not know the client`);
      if (imp.resolved === path.join(SERVER, 'protocol')) out.push(`${where}: the engine does not know the LSP protocol`);
      if (analysisRooms.some((room) => within(imp.from, room)) && chainRooms.some((room) => within(imp.resolved, room))) {
        out.push(`${where}: analysis (layout, rules, parse) never imports chain code (chain, simulate, propose)`);
      }
    }
    if (within(imp.from, path.join(ROOT, 'client/src')) && within(imp.resolved, SERVER) && imp.resolved !== path.join(SERVER, 'protocol')) {
      out.push(`${where}: the client asks the server through server/src/protocol.ts only`);
    }
    if (imp.from === path.join(SERVER, 'protocol.ts') && within(imp.resolved, ENGINE) && !imp.typeOnly) {
      out.push(`${where}: protocol.ts is bundled into the client; it may import engine types only (import type)`);
    }
  }
  return out;
}

function sources(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === 'vendor' || name === 'node_modules' ? [] : sources(full);
    return /\.(ts|mts|cts)$/.test(name) && !name.endsWith('.d.ts') ? [full] : [];
  });
}

test('the import boundaries of docs/architecture.md hold for every file', () => {
  const files = [...sources(SERVER), ...sources(path.join(ROOT, 'client/src'))];
  assert.ok(files.length > 100, `read ${files.length} files`);
  const imports = files.flatMap((file) => importsOf(file, readFileSync(file, 'utf8')));
  assert.deepEqual(violations(imports), []);
});

test('the checker sees through every spelling of a forbidden import', () => {
  const layoutFile = path.join(ENGINE, 'layout/example.ts');
  const rulesFile = path.join(ENGINE, 'rules/deep/example.ts');
  const text = [
    "import * as vscode from 'vscode';",
    "import { createConnection } from 'vscode-languageserver/node';",
    "import type { Diagnostic } from 'vscode-languageserver-types';",
    "export { settings } from '../../lsp/settings';",
    "const cli = require('../../cli/main');",
    "const fork = await import('../chain/anvil.js');",
    "import {\n  simulateUpgrade,\n} from '../simulate';",
    "import { ok } from './grid';",
    "import { x } from 'node:path';",
  ].join('\n');
  const found = violations(importsOf(layoutFile, text));
  assert.equal(found.length, 7, found.join('\n'));
  assert.deepEqual(violations(importsOf(rulesFile, "import { build } from '../../propose/build';")).length, 1);
  assert.deepEqual(violations(importsOf(path.join(ENGINE, 'patch.ts'), "import { fork } from './simulate/fork';")), [], 'the engine outside analysis may use chain code');
  assert.equal(violations(importsOf(path.join(ROOT, 'client/src/commands/x.ts'), "import { a } from '../../../server/src/engine/project';")).length, 1);
  assert.deepEqual(violations(importsOf(path.join(ROOT, 'client/src/commands/x.ts'), "import { a } from '../../../server/src/protocol';")), []);
  assert.equal(violations(importsOf(path.join(SERVER, 'protocol.ts'), "import { grid } from './engine/layout/grid';")).length, 1);
  assert.deepEqual(violations(importsOf(path.join(SERVER, 'protocol.ts'), "import type { SlotRow } from './engine/layout/grid';")), []);
});
