// The compiler tier for one saved file, in one call: compile it (with what it imports), validate
// with upgrades-core, and hand back the layouts of its contracts and its findings.
import type { ValidationOptions } from '@openzeppelin/upgrades-core';
import { upgradesCore } from './upgrades-core';
import type { Finding } from '../findings';
import type { StorageLayout } from '../layout/types';
import { compileProject, type Compilation, type CompilerMessage } from './compilation';
import type { SolcCompiler } from './solc';
import type { CompilerSet } from './solc-select';
import type { SolcSettings } from './solc-settings';
import type { OutputLevel } from './solc-json';
import type { ImportResolver } from './sources';
import { compilerFindings } from './to-findings';
import { upgradeSafetyIssues, validateCompilation, type CompiledContract, type ValidatedCompilation } from './upgrades';
import { append } from '../append';

export interface CompilerTierRequest {
  /** The file to check (absolute path). */
  file: string;
  resolver: ImportResolver;
  /** More files to compile along, e.g. the file of a baseline named by `@custom:oz-upgrades-from`. */
  alsoCompile?: string[];
  /** Default `storage`. */
  level?: OutputLevel;
  /** The project root (a CompilerSet reads the project's compiler configuration there). */
  root?: string;
  /** The compiler settings a CompilerSet chooses with. */
  solc?: SolcSettings;
  /** upgrades-core options: `unsafeAllow`, `kind`, … */
  validation?: ValidationOptions;
  signal?: AbortSignal;
}

export interface CompilerTierResult {
  compilation: Compilation;
  /** Empty when the compilation failed (keep the last good results meanwhile). */
  validated: ValidatedCompilation;
  /** Compiler-tier layouts of the contracts and abstract contracts declared in `file`, by name. */
  layouts: Map<string, StorageLayout>;
  /** The contracts declared in `file`, by name (versions, upgrades-core layouts, for storage reports). */
  contracts: Map<string, CompiledContract>;
  /** solc's errors and warnings located in `file`, and the upgrade-safety issues of its upgradeable contracts. */
  findings: Finding[];
}

/** One solc run (and its upgrades-core validation) that the results of several files can be read from. */
export interface SharedCompilation {
  compilation: Compilation;
  validated: ValidatedCompilation;
}

/**
 * Compiles and validates `file`. Rejects with an AbortError when cancelled (a newer compile on
 * the same SolcCompiler, or `signal`); compile errors are findings, not rejections. With a
 * CompilerSet, rejects with a CompilerUnavailableError when the version the sources need cannot be had.
 */
export async function runCompilerTier(compiler: SolcCompiler | CompilerSet, request: CompilerTierRequest): Promise<CompilerTierResult> {
  const shared = await compileAndValidate(compiler, { ...request, entries: [request.file, ...(request.alsoCompile ?? [])] });
  return compilerTierResultFor(shared, request.file, request.validation);
}

/** Compiles `entries` (with their imports) in one solc run and validates the output with upgrades-core. */
export async function compileAndValidate(
  compiler: SolcCompiler | CompilerSet,
  request: Omit<CompilerTierRequest, 'file' | 'alsoCompile' | 'validation'> & { entries: string[] },
): Promise<SharedCompilation> {
  const compilation = await compileProject(compiler, {
    entries: request.entries,
    resolver: request.resolver,
    level: request.level,
    ...(request.root ? { root: request.root } : {}),
    ...(request.solc ? { solc: request.solc } : {}),
    signal: request.signal,
  });
  return { compilation, validated: validateCompilation(compilation) };
}

/** The compiler tier's results for `file`, one of the entries of `shared`. */
export function compilerTierResultFor({ compilation, validated }: SharedCompilation, file: string, validation?: ValidationOptions): CompilerTierResult {
  const findings = compilerMessageFindings(compilation.messages, file);
  if (!compilation.ok && !findings.some((f) => f.severity === 'error')) findings.push(failedElsewhereFinding(compilation, file));
  if (compilation.linkingUnchecked) findings.push(...linkingUncheckedFindings(validated, file));
  const layouts = new Map<string, StorageLayout>();
  const contracts = new Map<string, CompiledContract>();
  for (const contract of validated.contracts.values()) {
    if (contract.file !== file) continue;
    contracts.set(contract.name, contract);
    if (contract.kind === 'contract' || contract.kind === 'abstract') layouts.set(contract.name, contract.layout);
    if (isMeantForProxy(validated, contract)) {
      append(findings, compilerFindings(upgradeSafetyIssues(validated, contract, validation)));
    }
  }
  return { compilation, validated, layouts, contracts, findings };
}

/**
 * A deployable contract meant to sit behind a proxy: it inherits Initializable, has an upgrade
 * function (UUPS), or carries an `@custom:oz-upgrades…` annotation.
 */
export function isMeantForProxy(validated: ValidatedCompilation, contract: CompiledContract): boolean {
  if (contract.kind !== 'contract') return false;
  const validation = validated.runData[contract.fullyQualifiedName];
  if (!validation) return false;
  if (upgradesCore().inferInitializable(validation)) return true;
  const methods = [contract.fullyQualifiedName, ...validation.inherit].flatMap((name) => validated.runData[name]?.methods ?? []);
  if (methods.includes('upgradeToAndCall(address,bytes)') || methods.includes('upgradeTo(address)')) return true;
  const source = validated.compilation.sources.get(contract.sourceName)?.contents ?? '';
  return contract.nameRange !== undefined && annotatedForUpgrades(source, contract.name);
}

/** `@custom:oz-upgrades…` in the NatSpec right above `contract <name>`. */
function annotatedForUpgrades(source: string, name: string): boolean {
  const at = new RegExp(`\\bcontract\\s+${name}\\b`).exec(source)?.index;
  if (at === undefined) return false;
  const before = source.slice(0, at);
  const doc = /((?:[ \t]*\/\/\/[^\n]*\n|[ \t]*\/\*\*[\s\S]*?\*\/\s*)+)\s*$/.exec(before)?.[1] ?? '';
  return /@custom:oz-upgrades/.test(doc);
}

/** Unknown is never safe: say where external library linking could not be checked. */
function linkingUncheckedFindings(validated: ValidatedCompilation, file: string): Finding[] {
  const findings: Finding[] = [];
  for (const contract of validated.contracts.values()) {
    if (contract.file !== file || !contract.nameRange || !isMeantForProxy(validated, contract)) continue;
    findings.push({
      rule: 'solc-warning',
      severity: 'warning',
      message:
        `solc could not generate code for \`${contract.name}\` without the project's optimizer settings, so whether it links external libraries ` +
        '(oz-external-library-linking) was not checked; the storage layouts are unaffected. Check it with your build tool (e.g. `npx hardhat compile`, `forge build`).',
      file,
      range: contract.nameRange,
      tier: 'compiler',
    });
  }
  return findings;
}

/**
 * The compile failed on an error in another file (an import) or with no location: without this,
 * the compiler tier would say nothing about `file`, and `--tier compiler` would pass it.
 */
function failedElsewhereFinding(compilation: Compilation, file: string): Finding {
  const error = compilation.messages.find((m) => m.severity === 'error');
  const where = error?.sourceName ? `${error.sourceName}${error.range ? `:${error.range.start.line + 1}` : ''}` : undefined;
  const what = error ? `${error.type}${where ? ` in ${where}` : ''}: ${error.message.split('\n')[0]}` : 'no output';
  return {
    rule: 'solc-error',
    severity: 'error',
    message:
      `solc ${compilation.compilerVersion.split('+')[0]} could not compile this file with its imports (${what}), so the compiler-tier checks ` +
      "(solc's errors, OpenZeppelin's validation, solc's storage layouts) did not run for it. Fix that error, or choose the compiler the code is written for (`patchline.solc.version`).",
    file,
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    tier: 'compiler',
  };
}

/** solc's errors and warnings located in `file`, as compiler-tier findings (`solc-error`, `solc-warning`). */
export function compilerMessageFindings(messages: CompilerMessage[], file: string): Finding[] {
  const findings: Finding[] = [];
  for (const m of messages) {
    if (m.file !== file || !m.range || m.severity === 'info') continue;
    findings.push({
      rule: m.severity === 'error' ? 'solc-error' : 'solc-warning',
      severity: m.severity,
      message: m.errorCode ? `${m.message} (${m.type} ${m.errorCode})` : m.message,
      file,
      range: m.range,
      tier: 'compiler',
    });
  }
  return findings;
}
