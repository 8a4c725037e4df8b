// Test-side only: compiles Solidity fixtures with solc-js and turns solc's storageLayout (plus the
// AST for declaring contracts, positions, NatSpec, enum members, UDVTs and ERC-7201 structs) into
// our StorageLayout. Minimal on purpose; the production converter lives in server/src/engine/compile/.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { keccak256, toBytes } from 'viem';
import type { Range } from '../../server/src/engine/findings';
import type { Namespace, StorageEntry, StorageLayout, TypeInfo } from '../../server/src/engine/layout/types';
import { LineIndex } from '../../server/src/engine/text';
import { markersOf } from './fixture-markers';

const require = createRequire(import.meta.url);
const solc = require('solc') as { compile(input: string, callbacks?: { import(unit: string): { contents: string } | { error: string } }): string };

export const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/storage');

interface SolcStorageItem {
  astId: number;
  contract: string;
  label: string;
  offset: number;
  slot: string;
  type: string;
}
interface SolcType {
  encoding: TypeInfo['encoding'];
  label: string;
  numberOfBytes: string;
  members?: SolcStorageItem[];
  key?: string;
  value?: string;
  base?: string;
}
interface SolcLayout {
  storage: SolcStorageItem[];
  types: Record<string, SolcType> | null;
}
interface AstNode {
  id: number;
  nodeType: string;
  name?: string;
  src: string;
  nameLocation?: string;
  scope?: number;
  documentation?: { text: string } | string | null;
  linearizedBaseContracts?: number[];
  members?: AstNode[];
  underlyingType?: { typeDescriptions: { typeIdentifier: string } };
  nodes?: AstNode[];
  [key: string]: unknown;
}

/** Compiles `files` (absolute paths) together; returns every contract's layout by `file:Contract`. */
export function compileLayouts(files: string[]): Map<string, StorageLayout> {
  const texts = new Map(files.map((f) => [f, fs.readFileSync(f, 'utf8')]));
  const first = compile(texts);
  // Namespaced structs appear in solc's layout only when a variable uses them: compile again with
  // a probe contract using them at the end of each such file, and read everything from that run
  // (AST ids are global across files, so both runs cannot be mixed).
  const probes = new Map<string, string>();
  const probed = new Map<string, string>();
  for (const file of texts.keys()) {
    const structs = namespacedStructs(first.asts.get(file)!);
    if (structs.length === 0) continue;
    const decls = structs.map((s, i) => `${s.qualified} internal __probe${i};`).join(' ');
    const probeName = `PatchlineProbe${probes.size}`;
    probes.set(file, probeName);
    probed.set(file, `${texts.get(file)}\ncontract ${probeName} { ${decls} }\n`);
  }
  const second = probes.size > 0 ? compile(new Map([...texts].map(([f, t]) => [f, probed.get(f) ?? t]))) : first;

  const layouts = new Map<string, StorageLayout>();
  // AST ids are unique across the sources of one compilation: one index for all of them.
  const nodes = new Map<number, AstNode & { sourceFile: string }>();
  for (const [file, ast] of second.asts) for (const [id, node] of indexNodes(ast)) nodes.set(id, Object.assign(node, { sourceFile: file }));
  const lineIndexes = new Map<string, LineIndex>();
  const rangeIn = (file: string, src: string) => {
    let lines = lineIndexes.get(file);
    if (!lines) lineIndexes.set(file, (lines = new LineIndex(second.texts.get(file) ?? '')));
    return srcRange(src, lines);
  };
  const sourcePath = (unit: string) => (texts.has(unit) ? unit : path.join(NODE_MODULES, unit));
  for (const file of texts.keys()) {
    const ast = second.asts.get(file)!;
    const probeTypes = probes.has(file) ? second.layouts.get(`${file}:${probes.get(file)}`)?.types ?? {} : {};
    for (const contract of (ast.nodes ?? []).filter((n) => n.nodeType === 'ContractDefinition')) {
      const solcLayout = second.layouts.get(`${file}:${contract.name}`);
      if (!solcLayout || contract.name === probes.get(file)) continue;
      const allTypes = { ...probeTypes, ...(solcLayout.types ?? {}) };
      const types: Record<string, TypeInfo> = {};
      const entry = (item: SolcStorageItem, owner?: string): StorageEntry => {
        const decl = nodes.get(item.astId);
        const declaring = owner ?? (decl?.scope !== undefined ? nodes.get(decl.scope)?.name : undefined) ?? contract.name!;
        const doc = docText(decl);
        return {
          contract: declaring,
          label: item.label,
          type: item.type,
          slot: item.slot,
          offset: item.offset,
          bytes: Number(allTypes[item.type]?.numberOfBytes ?? 32),
          ...(decl ? { file: sourcePath(decl.sourceFile), range: rangeIn(decl.sourceFile, decl.src) } : { file }),
          ...tag(doc, 'renamedFrom', /@custom:oz-renamed-from\s+(\S+)/),
          ...tag(doc, 'retypedFrom', /@custom:oz-retyped-from\s+([^\n]+)/),
        };
      };
      for (const [id, t] of Object.entries(allTypes)) {
        const info: TypeInfo = { id, label: t.label, bytes: Number(t.numberOfBytes), encoding: t.encoding };
        if (t.key) info.key = t.key;
        if (t.value) info.value = t.value;
        if (t.base) info.base = t.base;
        if (t.members) info.members = t.members.map((m) => entry(m, ''));
        const astId = Number(id.match(/\)(\d+)/)?.[1]);
        const def = nodes.get(astId);
        if (id.startsWith('t_enum') && def?.members) info.enumMembers = def.members.map((m) => m.name!);
        if (id.startsWith('t_userDefinedValueType') && def?.underlyingType) info.underlying = def.underlyingType.typeDescriptions.typeIdentifier;
        types[id] = info;
      }
      const bases = (contract.linearizedBaseContracts ?? []).map((id) => nodes.get(id)!);
      const linearization = bases.map((b) => b.name!);
      const namespaces: Namespace[] = [];
      for (const base of bases.slice().reverse()) {
        for (const s of namespacedStructs(base, base.name)) {
          // Members are known for the fixtures' own structs (probed); package structs keep none.
          const typeId = Object.keys(allTypes).find((k) => k.startsWith(`t_struct(${s.node.name})${s.node.id}_storage`));
          const members = typeId ? (allTypes[typeId].members ?? []).map((m) => entry(m, base.name)) : [];
          namespaces.push({ id: s.id, slot: erc7201(s.id), struct: s.node.name!, contract: base.name!, members, file: sourcePath(base.sourceFile), range: rangeIn(base.sourceFile, s.node.src) });
        }
      }
      layouts.set(`${file}:${contract.name}`, {
        contract: contract.name!,
        file,
        baseSlot: baseSlotOf(contract),
        storage: solcLayout.storage.map((item) => entry(item)),
        types,
        namespaces,
        source: 'compiler',
        contractRange: rangeIn(file, contract.nameLocation!),
        linearization,
      });
    }
  }
  return layouts;
}

const NODE_MODULES = path.resolve(import.meta.dirname, '../../node_modules');

interface Compiled {
  asts: Map<string, AstNode>;
  layouts: Map<string, SolcLayout>;
  /** Every source's text, the fixtures' and the imported packages'. */
  texts: Map<string, string>;
}

function compile(texts: Map<string, string>): Compiled {
  const imported = new Map<string, string>();
  // Package imports (`@openzeppelin/...`) come from the repository's node_modules.
  const findImports = (unit: string) => {
    const file = path.join(NODE_MODULES, unit);
    if (!fs.existsSync(file)) return { error: `not found: ${unit}` };
    const contents = fs.readFileSync(file, 'utf8');
    imported.set(unit, contents);
    return { contents };
  };
  const input = {
    language: 'Solidity',
    sources: Object.fromEntries([...texts].map(([f, content]) => [f, { content }])),
    settings: { outputSelection: { '*': { '*': ['storageLayout'], '': ['ast'] } } },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports })) as {
    errors?: { severity: string; formattedMessage: string }[];
    sources: Record<string, { ast: AstNode }>;
    contracts: Record<string, Record<string, { storageLayout: SolcLayout }>>;
  };
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) throw new Error(errors.map((e) => e.formattedMessage).join('\n'));
  const asts = new Map(Object.entries(output.sources).map(([f, s]) => [f, s.ast]));
  const layouts = new Map<string, SolcLayout>();
  for (const [file, contracts] of Object.entries(output.contracts)) {
    for (const [name, c] of Object.entries(contracts)) layouts.set(`${file}:${name}`, c.storageLayout);
  }
  return { asts, layouts, texts: new Map([...imported, ...texts]) };
}

function indexNodes(root: AstNode): Map<number, AstNode> {
  const out = new Map<number, AstNode>();
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      const node = value as AstNode;
      if (typeof node.id === 'number' && typeof node.nodeType === 'string') out.set(node.id, node);
      Object.values(node).forEach(visit);
    }
  };
  visit(root);
  return out;
}

function namespacedStructs(scope: AstNode, contractName?: string): { id: string; node: AstNode; qualified: string }[] {
  const out: { id: string; node: AstNode; qualified: string }[] = [];
  const visit = (node: AstNode, owner?: string) => {
    for (const child of node.nodes ?? []) {
      if (child.nodeType === 'ContractDefinition') visit(child, child.name);
      if (child.nodeType !== 'StructDefinition') continue;
      const id = docText(child).match(/@custom:storage-location\s+erc7201:(\S+)/)?.[1];
      if (id) out.push({ id, node: child, qualified: owner ? `${owner}.${child.name}` : child.name! });
    }
  };
  visit(scope, contractName);
  return out;
}

/** `layout at <expr>`: solc types a constant expression as t_rational_<value>_by_1. */
function baseSlotOf(contract: AstNode): string {
  const layout = contract.storageLayout as { baseSlotExpression?: { typeDescriptions?: { typeIdentifier?: string } } } | undefined;
  return layout?.baseSlotExpression?.typeDescriptions?.typeIdentifier?.match(/^t_rational_(\d+)_by_1$/)?.[1] ?? '0';
}

function docText(node: AstNode | undefined): string {
  const doc = node?.documentation;
  return typeof doc === 'string' ? doc : (doc?.text ?? '');
}

function tag<K extends 'renamedFrom' | 'retypedFrom'>(doc: string, key: K, re: RegExp): Partial<Record<K, string>> {
  const m = re.exec(doc);
  return m ? ({ [key]: m[1].trim() } as Record<K, string>) : {};
}

/** solc `start:length:file` (bytes; the fixtures are ASCII, so bytes are UTF-16 units). */
function srcRange(src: string, lines: LineIndex): Range {
  const [start, length] = src.split(':').map(Number);
  return lines.rangeOf(start, start + length);
}

function erc7201(id: string): string {
  const inner = BigInt(keccak256(toBytes(id))) - 1n;
  return (BigInt(keccak256(toBytes(inner, { size: 32 }))) & ~0xffn).toString();
}

/** The `// expect <rule-id>` markers of a fixture (fixture-markers.ts): the findings the test expects there. */
export function expectedMarkers(text: string): { rule: string; line: number }[] {
  return markersOf(text).map(({ rule, line }) => ({ rule, line }));
}
