// The compiler tier's verdicts, through @openzeppelin/upgrades-core: upgrade-safety errors of
// each contract, its storage layout, and storage upgrade reports between two contracts.
//
// upgrades-core is given a source decoder that returns solc's raw `src`, so every location it
// records can be decoded exactly later (its own decoder yields `file:line` and miscounts bytes).
import { createHash } from 'node:crypto';
import type {
  StorageLayout as OzStorageLayout,
  ValidationOptions,
  ValidationRunData,
  Version,
} from '@openzeppelin/upgrades-core';
import type { SolcInput as OzSolcInput, SolcOutput as OzSolcOutput } from '@openzeppelin/upgrades-core';
import type { LayoutCompatibilityReport } from '@openzeppelin/upgrades-core/dist/storage/report';
import type { ValidationError } from '@openzeppelin/upgrades-core/dist/validate/run';
import { upgradesCore, upgradesCoreQuery, upgradesCoreReport, upgradesCoreRun } from './upgrades-core';
import { inheritedBy, type Range, type RelatedLocation, type Severity } from '../findings';
import type { StorageLayout } from '../layout/types';
import { ruleForOzKind } from '../rules/oz-kinds';
import type { Compilation } from './compilation';
import { toStorageLayout, withSemicolon, type NamespaceStruct } from './layout';
import type { SolcOutput, SolcTypeItem } from './solc-json';
import type { SourceLocation } from './src-decoder';
import { append } from '../append';

let warningsSilenced = false;

/** upgrades-core logs warnings to the console; here every warning becomes a finding instead. */
function silenceUpgradesCoreWarnings(): void {
  if (warningsSilenced) return;
  warningsSilenced = true;
  // Silencing itself logs one warning; swallow that too.
  const original = console.error;
  console.error = () => undefined;
  try {
    upgradesCore().silenceWarnings();
  } finally {
    console.error = original;
  }
}

export type UpgradeSafetyKind = ValidationError['kind'];

/** A problem upgrades-core found in a contract meant to sit behind a proxy. */
export interface UpgradeSafetyIssue {
  kind: UpgradeSafetyKind;
  /** Patchline rule id where one covers the same problem (rules/oz-kinds.ts), else `oz-<kind>`. */
  rule: string;
  severity: Severity;
  /** upgrades-core's explanation, with its hint. */
  message: string;
  /** OpenZeppelin's documentation of the error, when it has one. */
  docs?: string;
  /** Fully qualified name of the contract that was checked. */
  contract: string;
  /** Where to show it: in the checked contract's file (on the inheritance specifier when the fault is in a base elsewhere). */
  file?: string;
  range?: Range;
  /** The fault's own location, when it is not where it is shown. */
  related?: RelatedLocation[];
}

export interface CompiledContract {
  name: string;
  /** `sourceName:Name`, upgrades-core's key. */
  fullyQualifiedName: string;
  sourceName: string;
  file?: string;
  /** Range of the contract's name. */
  nameRange?: Range;
  kind: 'contract' | 'abstract' | 'interface' | 'library';
  /**
   * upgrades-core's bytecode version (undefined for abstract contracts and interfaces). From a
   * storage-only compilation it is a stand-in derived from the source, good for lookups in this
   * run's data but not for matching deployed bytecode (compile with level 'full' for that).
   */
  version?: Version;
  versionIsStandIn: boolean;
  layout: StorageLayout;
  /** upgrades-core's own layout, input of `storageUpgradeReport`. */
  ozLayout: OzStorageLayout;
  /** The compilation the contract came from (its decoder reads this contract's `src` strings). */
  compilation: Compilation;
}

export interface ValidatedCompilation {
  compilation: Compilation;
  runData: ValidationRunData;
  /** By fully qualified name. */
  contracts: Map<string, CompiledContract>;
}

interface AstNode {
  id: number;
  nodeType: string;
  src: string;
  name?: string;
  nameLocation?: string;
  abstract?: boolean;
  contractKind?: 'contract' | 'interface' | 'library';
  linearizedBaseContracts?: number[];
  baseContracts?: { src: string; baseName: { referencedDeclaration: number } }[];
  canonicalName?: string;
  documentation?: { text?: string } | string | null;
  nodes?: AstNode[];
}

/**
 * Runs upgrades-core's `validate` on a compilation. A compilation with errors yields no
 * contracts (keep the last good results meanwhile).
 */
export function validateCompilation(compilation: Compilation): ValidatedCompilation {
  if (!compilation.ok || !compilation.output.sources) return { compilation, runData: {}, contracts: new Map() };
  silenceUpgradesCoreWarnings();
  const { output, decoder } = compilation;
  const solcOutput = withBytecode(compilation);
  const runData = upgradesCore().validate(
    solcOutput as unknown as OzSolcOutput,
    ({ src }) => src,
    compilation.compilerVersion.replace(/\+.*$/, ''),
    compilation.input as unknown as OzSolcInput,
    compilation.namespacedOutput as unknown as OzSolcOutput | undefined,
  );

  const contracts = new Map<string, CompiledContract>();
  const astIndex = indexContracts(output);
  const srcOfAstId = declarationSources(output);
  for (const [sourceName, source] of Object.entries(output.sources ?? {})) {
    for (const def of topLevelContracts(source.ast)) {
      const fullyQualifiedName = `${sourceName}:${def.name}`;
      if (!(fullyQualifiedName in runData)) continue;
      const nameSrc = def.nameLocation ?? nameSrcBefore082(def, compilation.input.sources[sourceName]?.content);
      const nameLocation = nameSrc ? decoder.decode(nameSrc) : undefined;
      const kind = def.contractKind === 'contract' ? (def.abstract ? 'abstract' : 'contract') : def.contractKind!;
      const ozLayout = upgradesCoreQuery().unfoldStorageLayout(runData, fullyQualifiedName);
      const file = compilation.sources.get(sourceName)?.file;
      contracts.set(fullyQualifiedName, {
        name: def.name!,
        fullyQualifiedName,
        sourceName,
        file,
        nameRange: nameLocation?.range,
        kind,
        version: runData[fullyQualifiedName].version ? upgradesCore().getContractVersion(runData, fullyQualifiedName) : undefined,
        versionIsStandIn: compilation.level === 'storage',
        ozLayout,
        layout: toStorageLayout({
          contract: def.name!,
          file,
          oz: ozLayout,
          ...solcTypesOf(compilation, sourceName, def.name!),
          namespaceStructs: namespaceStructs(def, astIndex),
          baseSlot: runData[fullyQualifiedName].layout.baseSlot,
          decoder,
          srcOfAstId,
        }),
        compilation,
      });
      const { layout } = contracts.get(fullyQualifiedName)!;
      if (nameLocation) layout.contractRange = nameLocation.range;
      layout.linearization = (def.linearizedBaseContracts ?? []).map((id) => astIndex.get(id)?.node.name ?? String(id));
    }
  }
  return { compilation, runData, contracts };
}

/**
 * solc before 0.8.2 gives no `nameLocation`: the name is the first word after the
 * `contract` / `library` / `interface` keyword within the definition's `src`.
 */
function nameSrcBefore082(def: AstNode, content: string | undefined): string | undefined {
  const [start, length, file] = def.src.split(':').map(Number);
  if (content === undefined || !def.name || !(length >= 0)) return undefined;
  const bytes = Buffer.from(content, 'utf8').subarray(start, start + length).toString('utf8');
  const match = new RegExp(`\\b(?:contract|library|interface)\\s+(${def.name})\\b`).exec(bytes);
  if (!match) return undefined;
  const offset = start + Buffer.byteLength(bytes.slice(0, match.index + match[0].length - def.name.length), 'utf8');
  return `${offset}:${Buffer.byteLength(def.name, 'utf8')}:${file}`;
}

/** Looks a contract up by fully qualified name, or by simple name when unambiguous. */
export function findContract(validated: ValidatedCompilation, name: string): CompiledContract | undefined {
  const exact = validated.contracts.get(name);
  if (exact) return exact;
  const matches = [...validated.contracts.values()].filter((c) => c.name === name);
  return matches.length === 1 ? matches[0] : undefined;
}

/**
 * Upgrade-safety issues of a deployable contract (itself and its bases), errors and warnings.
 * `options.kind` defaults to `uups` when the contract has `upgradeToAndCall`, else `transparent`.
 */
export function upgradeSafetyIssues(
  validated: ValidatedCompilation,
  contract: CompiledContract,
  options: ValidationOptions = {},
): UpgradeSafetyIssue[] {
  if (!contract.version) return []; // abstract contracts and interfaces are checked through the contracts that use them
  const { runData } = validated;
  const fqn = contract.fullyQualifiedName;
  const kind = options.kind ?? (hasUpgradeFunction(runData, fqn) ? 'uups' : 'transparent');
  const opts = { ...options, kind };
  const errors = upgradesCore().getErrors([runData], contract.version, opts);
  // getErrors drops warnings (it only logs them): read them from the run data.
  const unsafeAllow = upgradesCore().withValidationDefaults(opts).unsafeAllow;
  const warnings = collectErrors(runData, fqn).filter(
    (e) => upgradesCoreRun().convertToWarnings.includes(e.kind) && !unsafeAllow.includes(e.kind),
  );
  return [...errors, ...warnings].map((error) => toIssue(validated, contract, error));
}

function hasUpgradeFunction(runData: ValidationRunData, fqn: string): boolean {
  const c = runData[fqn];
  const methods = c.methods.concat(...c.inherit.map((name) => runData[name]?.methods ?? []));
  return methods.includes('upgradeTo(address)') || methods.includes('upgradeToAndCall(address,bytes)');
}

/** The contract's own opcode errors (they already include reachable code in bases) and every other error of it and its bases. */
function collectErrors(runData: ValidationRunData, fqn: string): ValidationError[] {
  const own = runData[fqn].errors.filter((e) => upgradesCoreRun().isOpcodeError(e));
  const others = [fqn, ...runData[fqn].inherit].flatMap((name) => runData[name]?.errors ?? []).filter((e) => !upgradesCoreRun().isOpcodeError(e));
  return [...own, ...others];
}

function toIssue(validated: ValidatedCompilation, contract: CompiledContract, error: ValidationError): UpgradeSafetyIssue {
  const { rule, severity, docs: ruleDocs } = ruleForOzKind(error.kind);
  const explained = new (upgradesCore().UpgradeableContractErrorReport)([error]).explain(false);
  const text = stripSrcPrefix(explained, error.src);
  const docs = /https:\/\/zpl\.in\/upgrades\/\S+/.exec(text)?.[0] ?? ruleDocs;
  const message = text
    .replace(/\s*https:\/\/zpl\.in\/upgrades\/\S+/, '')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join('\n');
  const location = validated.compilation.decoder.decode(error.src);
  const issue: UpgradeSafetyIssue = {
    kind: error.kind,
    rule,
    severity,
    message,
    ...(docs ? { docs } : {}),
    contract: contract.fullyQualifiedName,
  };
  if (!location?.file) return { ...issue, file: contract.file, range: contract.nameRange };
  if (location.file === contract.file || !contract.file) return { ...issue, file: location.file, range: location.range };
  // The fault is in a base contract in another file (an OpenZeppelin base, say): it is shown where
  // the code is, inherited by the checked contract through its inheritance specifier.
  const inherited = inheritanceSpecifierFor(validated, contract, location);
  if (inherited) return { ...issue, file: location.file, range: location.range, related: [inheritedBy(contract.name, contract.file, inherited.specifier.range)] };
  // Not a base (a library reached through a call): on the checked contract, pointing at the code.
  return { ...issue, file: contract.file, range: contract.nameRange, related: [{ file: location.file, range: location.range, message: firstLine(message) }] };
}

function firstLine(text: string): string {
  return text.split('\n')[0];
}

function stripSrcPrefix(text: string, src: string): string {
  return text.startsWith(`${src}: `) ? text.slice(src.length + 2) : text;
}

function inheritanceSpecifierFor(
  validated: ValidatedCompilation,
  contract: CompiledContract,
  fault: SourceLocation,
): { specifier: SourceLocation } | undefined {
  const { output, decoder } = validated.compilation;
  const index = indexContracts(output);
  const checked = [...index.values()].find(
    (c) => c.node.name === contract.name && c.sourceName === contract.sourceName,
  )?.node;
  if (!checked) return undefined;
  // The contract (in the fault's unit) whose definition encloses the fault.
  const owner = [...index.values()].find((c) => {
    if (c.sourceName !== fault.sourceName) return false;
    const where = decoder.decode(c.node.src);
    return !!where && where.start <= fault.start && fault.end <= where.end;
  })?.node;
  if (!owner) return undefined;
  for (const base of checked.baseContracts ?? []) {
    const baseNode = index.get(base.baseName.referencedDeclaration)?.node;
    const specifier = baseNode?.linearizedBaseContracts?.includes(owner.id) ? decoder.decode(base.src) : undefined;
    if (specifier) return { specifier };
  }
  return undefined;
}

function topLevelContracts(ast: unknown): AstNode[] {
  const unit = ast as AstNode | undefined;
  return (unit?.nodes ?? []).filter((n) => n.nodeType === 'ContractDefinition');
}

function indexContracts(output: SolcOutput): Map<number, { sourceName: string; node: AstNode }> {
  const index = new Map<number, { sourceName: string; node: AstNode }>();
  for (const [sourceName, source] of Object.entries(output.sources ?? {})) {
    for (const node of topLevelContracts(source.ast)) index.set(node.id, { sourceName, node });
  }
  return index;
}

/** `src` of variable declarations by AST id, indexed on first use (walks every AST once). */
function declarationSources(output: SolcOutput): (id: number) => string | undefined {
  let index: Map<number, string> | undefined;
  return (id) => {
    if (!index) {
      index = new Map();
      const stack: unknown[] = Object.values(output.sources ?? {}).map((s) => s.ast);
      while (stack.length > 0) {
        const node = stack.pop();
        if (Array.isArray(node)) append(stack, node);
        else if (node && typeof node === 'object') {
          const n = node as { nodeType?: string; id?: number; src?: string };
          if (n.nodeType === 'VariableDeclaration' && n.id !== undefined && n.src) index.set(n.id, n.src);
          for (const value of Object.values(node)) if (value && typeof value === 'object') stack.push(value);
        }
      }
    }
    return index.get(id);
  };
}

function namespaceStructs(contract: AstNode, index: Map<number, { sourceName: string; node: AstNode }>): NamespaceStruct[] {
  const structs: NamespaceStruct[] = [];
  for (const id of contract.linearizedBaseContracts ?? [contract.id]) {
    const owner = index.get(id)?.node;
    for (const node of owner?.nodes ?? []) {
      if (node.nodeType !== 'StructDefinition') continue;
      const doc = typeof node.documentation === 'string' ? node.documentation : node.documentation?.text;
      const location = doc ? /@custom:storage-location\s+(\S+)/.exec(doc)?.[1] : undefined;
      if (location) structs.push({ location, struct: node.name ?? '', contract: owner!.name ?? '', src: node.src });
    }
  }
  return structs;
}

function solcTypesOf(
  compilation: Compilation,
  sourceName: string,
  name: string,
): { solcTypes: Record<string, SolcTypeItem>; namespacedTypes: Record<string, SolcTypeItem> } {
  const solcTypes = compilation.output.contracts?.[sourceName]?.[name]?.storageLayout?.types ?? {};
  const namespaced = compilation.namespacedOutput?.contracts?.[sourceName]?.[name]?.storageLayout?.types ?? {};
  const namespacedTypes = Object.fromEntries(Object.entries(namespaced).filter(([id]) => !(id in solcTypes)));
  return { solcTypes, namespacedTypes };
}

/**
 * upgrades-core's `validate` reads `evm.bytecode` of every contract. A storage-only compilation
 * has none, so deployable contracts get a stand-in: a hash of their name and source, ending in
 * `ffff` so it is never mistaken for CBOR metadata; abstract contracts and interfaces get ''
 * as solc would give them.
 */
function withBytecode(compilation: Compilation): SolcOutput {
  const { output } = compilation;
  if (compilation.level === 'full') return output;
  const deployable = new Set<string>();
  for (const [sourceName, source] of Object.entries(output.sources ?? {})) {
    for (const def of topLevelContracts(source.ast)) {
      if (def.contractKind !== 'interface' && !def.abstract) deployable.add(`${sourceName}:${def.name}`);
    }
  }
  const contracts: NonNullable<SolcOutput['contracts']> = {};
  for (const [sourceName, byName] of Object.entries(output.contracts ?? {})) {
    contracts[sourceName] = {};
    const content = compilation.input.sources[sourceName]?.content ?? '';
    for (const [name, contract] of Object.entries(byName)) {
      const fqn = `${sourceName}:${name}`;
      const object = deployable.has(fqn)
        ? createHash('sha256').update(fqn).update('\0').update(content).digest('hex') + 'ffff'
        : '';
      // Link references and method identifiers are real (asked for at every level): only the object stands in.
      const linkReferences = contract.evm?.bytecode?.linkReferences ?? {};
      contracts[sourceName][name] = { ...contract, evm: { bytecode: { object, linkReferences }, methodIdentifiers: contract.evm?.methodIdentifiers ?? {} } };
    }
  }
  return { ...output, contracts };
}

/** A storage finding from upgrades-core's layout comparison. */
export interface StorageUpgradeIssue {
  /** storage-inserted, storage-deleted, storage-retyped, storage-renamed, storage-gap, storage-namespace, storage-reordered. */
  rule: string;
  severity: Severity;
  message: string;
  /** In the updated contract's file. */
  file?: string;
  range?: Range;
  /** The original (baseline) declaration. */
  related?: RelatedLocation[];
}

/**
 * A baseline for `storageUpgradeReport`: a contract from another (or the same) compilation, or
 * just an upgrades-core layout, e.g. from an `.openzeppelin` manifest (its `src` strings are then
 * not solc's and are not decoded).
 */
export type StorageBaseline = Pick<CompiledContract, 'ozLayout'> & { compilation?: Compilation };

/**
 * Compares the storage of `original` (the baseline) with `updated` via upgrades-core's
 * `getStorageUpgradeReport`, and locates every failing operation exactly. As OpenZeppelin's
 * own report does, the cascade of "layout changed" entries after the first is left out.
 */
export function storageUpgradeReport(
  original: StorageBaseline,
  updated: CompiledContract,
  options: ValidationOptions = {},
): { report: LayoutCompatibilityReport; issues: StorageUpgradeIssue[] } {
  const report = upgradesCore().getStorageUpgradeReport(original.ozLayout, updated.ozLayout, upgradesCore().withValidationDefaults(options));
  const issues: StorageUpgradeIssue[] = [];
  for (const [i, op] of report.ops.entries()) {
    if (op.kind === 'layoutchange' && i !== 0) continue;
    const text = new (upgradesCoreReport().LayoutCompatibilityReport)([op]).explain(false);
    const prefix = 'updated' in op ? op.updated.src : op.original.contract;
    const message = dedent(text.startsWith(`${prefix}:`) ? text.slice(prefix.length + 1) : text);
    const at = 'updated' in op ? declaration(updated, op.updated) : undefined;
    const was = 'original' in op && 'src' in op.original && original.compilation ? declaration(original, op.original) : undefined;
    const { rule, severity } = storageRule(op);
    issues.push({
      rule,
      severity,
      message,
      file: at?.file ?? updated.file,
      range: at?.range ?? updated.nameRange,
      ...(was?.file ? { related: [{ file: was.file, range: was.range, message: 'in the baseline' }] } : {}),
    });
  }
  return { report, issues };
}

type ReportOp = LayoutCompatibilityReport['ops'][number];

/** Where a compared item is declared; state variables with their `;`, like the layout's entries. */
function declaration(contract: StorageBaseline, item: { src: string; label: string; contract: string }): SourceLocation | undefined {
  const decoder = contract.compilation?.decoder;
  const location = decoder?.decode(item.src);
  if (!decoder || !location) return undefined;
  const stateVariable = contract.ozLayout.storage.some((s) => s.src === item.src);
  return stateVariable ? withSemicolon(location, decoder) : location;
}

function storageRule(op: ReportOp): { rule: string; severity: Severity } {
  const isGap = (label: string) => label === '__gap' || label.startsWith('__gap_');
  switch (op.kind) {
    case 'insert':
      return { rule: 'storage-inserted', severity: 'error' };
    case 'delete':
      return { rule: 'storage-deleted', severity: 'error' };
    case 'delete-namespace':
      return { rule: 'storage-namespace', severity: 'error' };
    case 'rename':
      return { rule: 'storage-renamed', severity: 'warning' };
    case 'shrinkgap':
    case 'finishgap':
      return { rule: 'storage-gap', severity: 'error' };
    case 'typechange':
      return { rule: isGap(op.original.label) ? 'storage-gap' : 'storage-retyped', severity: 'error' };
    case 'replace':
      return { rule: 'storage-retyped', severity: 'error' };
    case 'layoutchange':
      return { rule: isGap(op.original.label) ? 'storage-gap' : 'storage-reordered', severity: 'error' };
    default:
      return { rule: 'storage-inserted', severity: 'error' };
  }
}

function dedent(text: string): string {
  const lines = text.replace(/^\n+/, '').split('\n');
  const indents = lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length);
  const cut = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(cut)).join('\n').trim();
}
