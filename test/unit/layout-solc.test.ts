// The parser tier's layouts must equal solc's `storageLayout` slot for slot, offset for offset,
// type for type (ids normalised) and label for label: on every fixture in test/fixtures/layout
// and on every contract of @openzeppelin/contracts-upgradeable 4.9.x and 5.x.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import solc from 'solc';
import { computeLayouts } from '../../server/src/engine/layout/parser-layout';
import { normalizeSolcTypeId } from '../../server/src/engine/layout/solc-ids';
import type { StorageLayout } from '../../server/src/engine/layout/types';
import { SolidityWorkspace } from '../../server/src/engine/workspace';

const repo = path.resolve(__dirname, '../..');
const nodeModules = path.join(repo, 'node_modules');
const fixtures = path.join(repo, 'test/fixtures/layout');
const cacheDir = path.join(nodeModules, '.cache/patchline-test');

interface SolcEntry {
  label: string;
  slot: string;
  offset: number;
  type: string;
}
interface SolcType {
  label: string;
  numberOfBytes: string;
  encoding: string;
  key?: string;
  value?: string;
  base?: string;
  members?: SolcEntry[];
}
interface SolcLayout {
  storage: SolcEntry[];
  types: Record<string, SolcType> | null;
}
interface SolcOutput {
  errors?: { severity: string; formattedMessage: string }[];
  contracts: Record<string, Record<string, { storageLayout: SolcLayout }>>;
}

function solFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...solFiles(p));
    else if (e.name.endsWith('.sol')) out.push(p);
  }
  return out.sort();
}

/**
 * Compiles `sources` (source unit name → absolute path) with solc-js, storage layouts only.
 * Imports outside `sources` are read by the callback from `roots` (first hit wins).
 * The output is cached by a hash of the input and the compiler version.
 */
function compile(sources: Record<string, string>, roots: string[], remappings: string[] = []): SolcOutput {
  const input = {
    language: 'Solidity',
    sources: Object.fromEntries(Object.entries(sources).map(([name, file]) => [name, { content: fs.readFileSync(file, 'utf8') }])),
    settings: { remappings, outputSelection: { '*': { '*': ['storageLayout'] } } },
  };
  const json = JSON.stringify(input);
  const key = createHash('sha256').update(solc.version()).update(json).update(roots.join('\n')).digest('hex');
  const cached = path.join(cacheDir, `${key}.json`);
  if (fs.existsSync(cached)) return JSON.parse(fs.readFileSync(cached, 'utf8')) as SolcOutput;
  const findImports = (name: string) => {
    for (const root of roots) {
      const file = path.join(root, name);
      if (fs.existsSync(file)) return { contents: fs.readFileSync(file, 'utf8') };
    }
    return { error: `not found: ${name}` };
  };
  const output = JSON.parse(solc.compile(json, { import: findImports })) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  assert.deepEqual(errors.map((e) => e.formattedMessage), [], 'the reference compile must succeed');
  fs.mkdirSync(cacheDir, { recursive: true });
  fs.writeFileSync(cached, JSON.stringify(output));
  return output;
}

/** The comparable part of solc's layout, ids normalised. */
function solcView(layout: SolcLayout) {
  const entry = (e: SolcEntry) => ({ label: e.label, slot: e.slot, offset: e.offset, type: normalizeSolcTypeId(e.type) });
  const types: Record<string, unknown> = {};
  for (const [id, t] of Object.entries(layout.types ?? {})) {
    types[normalizeSolcTypeId(id)] = {
      label: t.label,
      bytes: Number(t.numberOfBytes),
      encoding: t.encoding,
      key: t.key && normalizeSolcTypeId(t.key),
      value: t.value && normalizeSolcTypeId(t.value),
      base: t.base && normalizeSolcTypeId(t.base),
      members: t.members?.map(entry),
    };
  }
  return { storage: layout.storage.map(entry), types };
}

function parserView(layout: StorageLayout) {
  const entry = (e: { label: string; slot: string; offset: number; type: string }) => ({ label: e.label, slot: e.slot, offset: e.offset, type: e.type });
  // solc lists the types its storage entries reach; ours also holds the namespaces' types.
  const types: Record<string, unknown> = {};
  const visit = (id: string | undefined) => {
    const t = id === undefined || types[id] ? undefined : layout.types[id];
    if (!t || !id) return;
    types[id] = { label: t.label, bytes: t.bytes, encoding: t.encoding, key: t.key, value: t.value, base: t.base, members: t.members?.map(entry) };
    [t.key, t.value, t.base, ...(t.members ?? []).map((m) => m.type)].forEach(visit);
  };
  layout.storage.forEach((e) => visit(e.type));
  return { storage: layout.storage.map(entry), types };
}

/** Compares every contract solc reports for `sourceFiles` (source name → absolute path); returns how many had storage. */
function compareAll(output: SolcOutput, sourceFiles: Record<string, string>, workspace: SolidityWorkspace): number {
  let withStorage = 0;
  for (const [name, file] of Object.entries(sourceFiles)) {
    const solcContracts = output.contracts[name] ?? {};
    const ours = computeLayouts(file, workspace);
    assert.deepEqual(ours.importErrors, [], `${name}: imports resolve`);
    for (const [contract, { storageLayout }] of Object.entries(solcContracts)) {
      const layout = ours.layouts.get(contract);
      if (!layout) {
        // Interfaces and libraries: solc reports an empty layout, the parser tier none.
        assert.equal(storageLayout.storage.length, 0, `${name}:${contract} has storage but no parser-tier layout`);
        continue;
      }
      const errors = ours.errors.filter((e) => e.contract === contract);
      assert.deepEqual(errors, [], `${name}:${contract}: no layout errors`);
      if (storageLayout.storage.length > 0) withStorage++;
      assert.deepEqual(parserView(layout), solcView(storageLayout), `${name}:${contract}`);
    }
  }
  return withStorage;
}

function packageSources(pkg: string): Record<string, string> {
  const root = path.join(nodeModules, pkg);
  return Object.fromEntries(solFiles(root).map((f) => [`${pkg}/${path.relative(root, f).split(path.sep).join('/')}`, f]));
}

// Parsing all of OpenZeppelin takes most of this file's time: the 5.x tests share one workspace.
const oz5Workspace = new SolidityWorkspace();

describe('parser-tier layout equals solc storageLayout', () => {
  it('on every fixture in test/fixtures/layout', () => {
    const files = solFiles(fixtures);
    const sources = Object.fromEntries(files.map((f) => [path.relative(fixtures, f).split(path.sep).join('/'), f]));
    // The Foundry fixture's remappings, as solc needs them spelled (source unit names).
    const remappings = ['dep/=foundry/lib/dep/src/', 'other/=foundry/lib/dep/src/'];
    const output = compile(sources, [fixtures, nodeModules], remappings);
    const withStorage = compareAll(output, sources, new SolidityWorkspace());
    assert.ok(withStorage >= 20, `compared ${withStorage} contracts with storage`);
  });

  it('on every contract of @openzeppelin/contracts-upgradeable 4.9', () => {
    const sources = packageSources('@openzeppelin/contracts-upgradeable-v4');
    const output = compile(sources, [nodeModules]);
    const withStorage = compareAll(output, sources, new SolidityWorkspace());
    assert.ok(withStorage >= 80, `compared ${withStorage} contracts with storage`);
  });

  it('on every contract of @openzeppelin/contracts-upgradeable 5.x, namespaces included', () => {
    const sources = packageSources('@openzeppelin/contracts-upgradeable');
    const output = compile(sources, [nodeModules]);
    const workspace = oz5Workspace;
    compareAll(output, sources, workspace);

    // Namespace roots: every `XStorageLocation` constant OpenZeppelin wrote by hand is the root
    // of a namespace the parser tier finds in the same file, and the other way round.
    let namespaces = 0;
    for (const file of Object.values(sources)) {
      const text = fs.readFileSync(file, 'utf8');
      const constants = [...text.matchAll(/bytes32 private constant \w+StorageLocation\s*=\s*(0x[0-9a-fA-F]{64})/g)].map((m) => BigInt(m[1]).toString());
      const found = new Set<string>();
      for (const layout of computeLayouts(file, workspace).layouts.values()) {
        for (const ns of layout.namespaces) if (ns.file === file) found.add(ns.slot);
      }
      assert.deepEqual([...found].sort(), [...new Set(constants)].sort(), file);
      namespaces += found.size;
    }
    assert.ok(namespaces >= 40, `checked ${namespaces} namespaces`);
  });

  it('lays out OpenZeppelin 5.x namespace structs as solc lays out the same structs', () => {
    // solc reports a namespaced struct's member layout once a variable has its type: a probe
    // contract declares one variable per namespaced struct, and each member's slot relative
    // to the namespace root must match.
    const sources = packageSources('@openzeppelin/contracts-upgradeable');
    const workspace = oz5Workspace;
    const probes: { member: string; file: string; contract: string; struct: string }[] = [];
    const imports: string[] = [];
    for (const [name, file] of Object.entries(sources)) {
      for (const layout of computeLayouts(file, workspace).layouts.values()) {
        for (const ns of layout.namespaces) {
          if (ns.file !== file || probes.some((p) => p.file === file && p.struct === ns.struct)) continue;
          const unit = `U${imports.length}`;
          imports.push(`import * as ${unit} from "${name}";`);
          probes.push({ member: `${unit}.${ns.contract}.${ns.struct}`, file, contract: ns.contract, struct: ns.struct });
        }
      }
    }
    const probeFile = path.join(cacheDir, 'namespace-probe.sol');
    fs.mkdirSync(cacheDir, { recursive: true });
    const probeSource = [
      '// SPDX-License-Identifier: MIT',
      'pragma solidity ^0.8.27;',
      ...imports,
      'contract NamespaceProbe {',
      ...probes.map((p, i) => `    ${p.member} s${i};`),
      '}',
    ].join('\n');
    fs.writeFileSync(probeFile, probeSource);
    const output = compile({ 'probe.sol': probeFile }, [nodeModules]);
    const solcLayout = output.contracts['probe.sol'].NamespaceProbe.storageLayout;
    assert.equal(solcLayout.storage.length, probes.length);
    for (const [i, probe] of probes.entries()) {
      const typeId = solcLayout.storage[i].type;
      const members = solcLayout.types![typeId].members!.map((m) => ({ label: m.label, slot: m.slot, offset: m.offset, type: normalizeSolcTypeId(m.type) }));
      const layout = [...computeLayouts(probe.file, workspace).layouts.values()].find((l) => l.namespaces.some((n) => n.struct === probe.struct && n.contract === probe.contract))!;
      const ns = layout.namespaces.find((n) => n.struct === probe.struct && n.contract === probe.contract)!;
      const root = BigInt(ns.slot);
      const ours = ns.members.map((m) => ({ label: m.label, slot: (BigInt(m.slot) - root).toString(), offset: m.offset, type: m.type }));
      assert.deepEqual(ours, members, `${probe.contract}.${probe.struct}`);
    }
  });
});
