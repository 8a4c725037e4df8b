// The engine's front door: everything the parser tier knows about one file of a project, built
// from the workspace (editor buffers over disk), the layouts, the baselines and the rules.
// The LSP calls it on every edit, the CLI once per file; neither adds analysis of its own.
import { statSync } from 'node:fs';
import * as path from 'node:path';
import type { ContractRef } from './baseline/annotation';
import { gitBaselineSource, type GitBaselineSource } from './baseline/git';
import { LOCK_FILE_NAME, readLockFile, writeLockFile, type LockFile } from './baseline/lock';
import { collectSolidityFiles } from './files';
import { loadManifests, type ManifestFile } from './baseline/manifest';
import { resolveBaseline, type BaselineSources, type ResolvedBaseline } from './baseline/resolve';
import { summarizeContracts, type ContractSummary } from './contracts';
import { placeFindings, type Finding, type Range } from './findings';
import { computeLayout, computeLayouts, layoutInputKey, type LayoutsResult } from './layout/parser-layout';
import type { MissingPiece, StorageLayout } from './layout/types';
import { missingFromLayoutErrors, missingInClosure } from './layout/completeness';
import { analysisLimit } from './rules/analysis-limit';
import { fileUnreadable } from './rules/file-unreadable';
import type { AnalysisLimits } from './parse/limits';
import type { DiskParseCache } from './parse/disk-cache';
import type { ParseWorker } from './parse/pool';
import { runRules, type RuleSetting } from './rules/rule';
import { checkStorage, looksUpgradeable } from './rules/storage-rules';
import { ANALYSIS_INCOMPLETE } from './rules/analysis-incomplete';
import { compileAndValidate, compilerTierResultFor, runCompilerTier, type CompilerTierResult, type SharedCompilation } from './compile/tier';
import { CompilerUnavailableError } from './compile/compilation';
import { abortError, isAbortError } from './abort';
import type { SolcCompiler } from './compile/solc';
import { howToGetCompiler, type CompilerSet } from './compile/solc-select';
import type { SolcSettings } from './compile/solc-settings';
import { WorkspaceImportResolver } from './compile/workspace-resolver';
import type { ImportResolver } from './compile/sources';
import { SymbolTable } from './layout/symbols';
import { checkUpgradeSafety } from './rules/upgrade-rules';
import { applySuppressions, applySuppressionsByFile, loadPatchlineConfig, type PatchlineConfig } from './suppress';
import { LineIndex, rangeMover } from './text';
import { isInside, nearestDirWith, PROJECT_MARKERS, SolidityWorkspace, type ContentProvider, type ParsedFile } from './workspace';

export interface ProjectSettings {
  /** Per-rule severity overrides (`patchline.rules`, patchline.json). */
  rules?: Readonly<Record<string, RuleSetting>>;
  /** Modifiers that make a function admin-only for the pause rules (`patchline.pause.adminModifiers`). */
  pauseAdminModifiers?: readonly string[];
  /** Baseline (c): compare with the same contract at this git ref (`patchline.baseline.gitRef`, `--baseline-ref`). Runs git: trusted workspaces only. */
  baselineGitRef?: string;
  /** The compiler tier's compiler (`patchline.solc`, `--solc` / `--solc-version` / `--offline`); over patchline.json's `solc`. */
  solc?: SolcSettings;
}

/** How many files one `prepare` visits through imports (a bound, not a size any project reaches). */
const MAX_PREPARED_FILES = 2000;

export interface FileAnalysis {
  file: string;
  findings: Finding[];
  contracts: ContractSummary[];
  /** Parser-tier layouts of the contracts declared in the file, by name. */
  layouts: Map<string, StorageLayout>;
  /** The baseline each contract of the file was compared with, by the contract's name. */
  baselines: Map<string, ResolvedBaseline>;
  /** The other files this analysis read (imports, bases): when one changes, this file's findings may too. */
  dependencies: string[];
}

/** A file's layouts as analyze uses them, and what they were computed from (ProjectAnalyzer.layoutRuns). */
interface LayoutRun extends Pick<LayoutsResult, 'layouts' | 'layoutErrors' | 'importErrors'> {
  /** layoutInputKey of the file's parse. */
  key: string;
  /** The file's text the ranges are in. */
  text: string;
  /** The other files' parses the layouts read. */
  files: ParsedFile[];
  /** What the layouts could not see (missingInClosure). */
  closure: MissingPiece[];
}

/** A solc run of compileAll started ahead of the parses (ProjectAnalyzer.startCompileAll). */
export interface EarlyCompile {
  /** The files it compiles, in order, and their texts when it started. */
  readonly entries: string[];
  readonly texts: string[];
  readonly run: Promise<SharedCompilation>;
  /** Resolves (never rejects) once the run is over, whatever its outcome. */
  readonly settled: Promise<void>;
  /** Stops the run (it rejects with an AbortError). */
  cancel(): void;
}

/** The compiler tier's results for one text of a file. */
export interface CompiledAnalysis {
  file: string;
  /** The text that was compiled: results apply to it only. */
  text: string;
  /** solc compiled it (no error): the layouts and storage findings are authoritative. */
  ok: boolean;
  findings: Finding[];
  layouts: Map<string, StorageLayout>;
}

/**
 * The diagnostics of a file from both tiers. A compile of the current text replaces the parser
 * tier's storage findings (solc's layouts are authoritative) and wins where both tiers report the
 * same rule on the same line; a compile of an older text keeps only what the parser tier cannot
 * see (`oz-*`) until the next compile; a failed compile adds solc's errors to the parser tier's.
 */
export function mergeTiers(parser: Finding[], compiled: CompiledAnalysis | undefined, currentText: string): Finding[] {
  if (!compiled) return parser;
  if (compiled.text !== currentText) {
    return compiled.ok ? [...parser, ...compiled.findings.filter((f) => f.rule.startsWith('oz-'))] : parser;
  }
  // A syntax error is reported once, by the parser tier; solc would only repeat it.
  if (!compiled.ok) return parser.some((f) => f.rule === 'syntax-error') ? parser : [...parser, ...compiled.findings];
  const reported = new Set(compiled.findings.map((f) => `${f.rule}\0${f.file}\0${f.range.start.line}`));
  // solc saw every import of the current text: its storage verdicts replace the parser tier's, incompleteness included.
  const kept = parser.filter((f) => !f.rule.startsWith('storage-') && f.rule !== 'analysis-incomplete' && !reported.has(`${f.rule}\0${f.file}\0${f.range.start.line}`));
  return [...kept, ...compiled.findings];
}

export class ProjectAnalyzer {
  readonly workspace: SolidityWorkspace;
  private readonly lastGood = new Map<string, { contracts: ContractSummary[]; layouts: Map<string, StorageLayout> }>();
  private contractIndex: Map<string, string[]> | undefined;
  private manifests: { root: string; files: ManifestFile[] } | undefined | null = null;
  private lock: { file: string; data: LockFile; mtimeMs: number } | undefined | null = null;

  constructor(
    /** The project root: where `.openzeppelin/`, `patchline.lock.json` and baseline contracts are looked up. */
    readonly root: string,
    contents?: ContentProvider,
    limits?: AnalysisLimits,
    /** Parses kept on disk between runs (DiskParseCache.forEnvironment); none by default. */
    diskCache?: DiskParseCache,
  ) {
    this.workspace = new SolidityWorkspace({ root, ...(contents ? { contents } : {}), ...(limits ? { limits } : {}), ...(diskCache ? { diskCache } : {}) });
  }

  /**
   * Parses in `worker` what would be slow to parse in-thread (large or deeply nested
   * declarations) in `file` and the files it imports, so that `analyze(file)` stays short on the
   * caller's thread. Rejects with an AbortError when `signal` aborts (the worker is terminated).
   * `onOffload` is told each file that needs the worker (it is the slow kind).
   */
  async prepare(file: string, worker: ParseWorker, signal?: AbortSignal, onOffload?: (file: string) => void): Promise<void> {
    const seen = new Set<string>();
    const visit = async (next: string): Promise<void> => {
      if (seen.has(next) || seen.size >= MAX_PREPARED_FILES) return;
      seen.add(next);
      // A turn of the event loop per file: in-thread parses resolve at once, and a cancel (the
      // CLI's SIGINT, a newer edit) must be able to run between them.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (signal?.aborted) throw abortError();
      await this.workspace.prepare(next, worker, signal, onOffload);
      const parsed = this.workspace.parse(next);
      if (!parsed?.ast) return;
      for (const { resolution } of this.workspace.imports(parsed)) if ('file' in resolution) await visit(resolution.file);
    };
    await visit(path.resolve(file));
  }

  /** Parser-tier analysis of `file` at its current content (editor buffer or disk). Never throws. */
  analyze(file: string, settings: ProjectSettings = {}, onError?: (what: string, error: unknown) => void): FileAnalysis {
    const parsed = this.workspace.parse(file);
    if (!parsed) {
      // Counted as checked, so it must say why it was not (unknown is never safe).
      const reason = this.workspace.readFailure(file) ?? 'it could not be read';
      const unreadable = runRules([fileUnreadable], { file, reason }, { file, tier: 'parser', settings: { ...this.config(onError).rules, ...settings.rules } });
      return { file, findings: unreadable, contracts: [], layouts: new Map(), baselines: new Map(), dependencies: [] };
    }
    const lines = LineIndex.of(parsed.text);
    const previous = this.lastGood.get(file);
    if (parsed.limit) {
      // Nothing in the file was parsed: the limit is the one thing to say (unknown is never safe).
      const config = this.config(onError);
      const limitFindings = runRules([analysisLimit], parsed, { file, tier: 'parser', settings: { ...config.rules, ...settings.rules } });
      return { file, findings: limitFindings, contracts: previous?.contracts ?? [], layouts: new Map(), baselines: new Map(), dependencies: [] };
    }
    const findings: Finding[] = syntaxErrorFindings(parsed, lines);
    let contracts = previous?.contracts ?? [];
    let layouts = previous?.layouts ?? new Map<string, StorageLayout>();
    const baselines = new Map<string, ResolvedBaseline>();
    const missingByContract = new Map<string, MissingPiece[]>();
    let symbols: SymbolTable | undefined;
    // The incremental parser drops a declaration it cannot parse: while the file has syntax
    // errors, a fresh layout could be missing a variable and look like a deletion. Keep the last
    // layouts of a clean parse then, and check storage only when there is one.
    const checkStorageNow = parsed.errors.length === 0 || previous !== undefined;
    if (parsed.ast) {
      try {
        contracts = summarizeContracts(parsed.ast, parsed.text, parsed.comments);
        const computed = this.layoutsOf(file, parsed);
        const closure = computed.closure;
        // Reused layouts come without a symbol table (theirs held older parses of this file): the rules get one of their own.
        symbols = computed.symbols ?? new SymbolTable(this.workspace);
        if (parsed.errors.length === 0 || !previous) layouts = computed.layouts;
        for (const name of computed.layouts.keys()) {
          const pieces = [...closure, ...missingFromLayoutErrors(computed.layoutErrors.get(name) ?? [])];
          if (pieces.length > 0) missingByContract.set(name, pieces);
        }
        // Findings about a whole contract (a deleted variable) go on its name.
        for (const contract of contracts) {
          const layout = layouts.get(contract.name);
          if (layout && !layout.contractRange) layout.contractRange = contract.nameRange;
        }
        for (const error of computed.importErrors) {
          if (error.file !== file) continue;
          findings.push({ rule: 'import-unresolved', severity: 'warning', message: error.message, file, range: error.range, tier: 'parser' });
        }
        if (parsed.errors.length === 0) this.lastGood.set(file, { contracts, layouts });
      } catch (error) {
        onError?.('layout', error);
      }
    }
    // patchline.json is the project's shared configuration; editor settings override it locally.
    const config = this.config(onError);
    const rules = { ...config.rules, ...settings.rules };
    if (!checkStorageNow) layouts = new Map();
    try {
      const upgradeable = new Set(contracts.filter((c) => c.upgradeable).map((c) => c.name));
      const sources = { ...this.baselineSources(file, settings.baselineGitRef, onError), text: parsed.text };
      for (const layout of layouts.values()) {
        const resolution = resolveBaseline(layout, sources);
        if (resolution.baseline) baselines.set(layout.contract, resolution.baseline);
      }
      findings.push(
        ...checkStorage({
          file,
          text: parsed.text,
          layouts: [...layouts.values()]
            .map((layout) => (missingByContract.has(layout.contract) ? { ...layout, missing: missingByContract.get(layout.contract) } : layout)),
          tier: 'parser',
          baselines: sources,
          isUpgradeable: (layout) => upgradeable.has(layout.contract),
          settings: rules,
          ...(onError ? { onError: (rule: string, error: unknown) => onError(`rule ${rule}`, error) } : {}),
        }),
      );
    } catch (error) {
      onError?.('storage rules', error);
    }
    // checkUpgradeSafety applies the disable comments itself; the others are applied below.
    let upgradeFindings: Finding[] = [];
    try {
      const adminModifiers = settings.pauseAdminModifiers ?? config.pause.adminModifiers;
      upgradeFindings = checkUpgradeSafety({
        file,
        workspace: this.workspace,
        // Only an annotation names a contract the rules can read as source; other baselines are layouts.
        baselineOf: (contract) => {
          const resolved = baselines.get(contract);
          return resolved?.source === 'annotation' && resolved.layout.file ? { file: resolved.layout.file, contract: resolved.layout.contract } : undefined;
        },
        hasBaseline: (contract) => baselines.has(contract),
        settings: rules,
        ...(symbols ? { symbols } : {}),
        ...(adminModifiers ? { adminModifiers } : {}),
        ...(onError ? { onError: (rule: string, error: unknown) => onError(`rule ${rule}`, error) } : {}),
      });
    } catch (error) {
      onError?.('upgrade-safety rules', error);
    }
    // The same fault once (ANTLR can report one token error from two passes), as every face shows it.
    const kept = placeFindings([...applySuppressions(findings, file, parsed.text), ...upgradeFindings]).filter((f) => rules[f.rule] !== 'off' || f.rule === ANALYSIS_INCOMPLETE);
    const read = new Set([...(this.layoutRuns.get(file)?.files ?? []), ...(symbols?.files() ?? [])].map((f) => f.file));
    const dependencies = [...read].filter((f) => f !== file);
    return { file, findings: kept, contracts, layouts, baselines, dependencies };
  }

  /**
   * The last layouts of each analysed file, with what they were computed from: the file's layout
   * input key and the parses of the other files they read. An edit that leaves both as they were
   * (a function body, an event) reuses them: layouts read nothing else.
   */
  private readonly layoutRuns = new Map<string, LayoutRun>();

  /**
   * computeLayouts of `file` with what the layouts could not see (an unresolved import or base, a
   * file that does not parse: such a contract is not compared, its verdict is analysis-incomplete),
   * or the last of them (see layoutRuns), which comes without its run's symbol table.
   */
  private layoutsOf(file: string, parsed: ParsedFile): LayoutRun & { symbols?: SymbolTable } {
    const key = layoutInputKey(parsed);
    const last = this.layoutRuns.get(file);
    if (key !== undefined && last?.key === key && last.files.every((f) => this.workspace.parse(f.file) === f)) {
      const moved = last.text === parsed.text ? last : movedLayoutRun(last, parsed.file, parsed.text);
      if (moved) {
        this.layoutRuns.set(file, moved);
        return moved;
      }
    }
    const { layouts, layoutErrors, importErrors, symbols } = computeLayouts(file, this.workspace);
    const run: LayoutRun = { key: key ?? '', text: parsed.text, files: symbols.files().filter((f) => f.file !== parsed.file), layouts, layoutErrors, importErrors, closure: missingInClosure(file, symbols) };
    if (key === undefined) this.layoutRuns.delete(file);
    else this.layoutRuns.set(file, run);
    return { ...run, symbols };
  }

  /**
   * The compiler tier for `file` (solc-js through `compiler`, then upgrades-core): solc's
   * messages, upgrades-core's findings, and the storage rules run again on solc's layouts.
   * Rejects with an AbortError when a newer compile supersedes it.
   */
  compile(file: string, compiler: SolcCompiler | CompilerSet, settings: ProjectSettings = {}, signal?: AbortSignal): Promise<CompiledAnalysis> {
    return this.compileFile(file, compiler, settings, signal);
  }

  /** `compile`, taking solc's run of `file` alone from `started` when it was started early (startCompileAll). */
  private async compileFile(file: string, compiler: SolcCompiler | CompilerSet, settings: ProjectSettings, signal: AbortSignal | undefined, started?: Promise<SharedCompilation>): Promise<CompiledAnalysis> {
    const parsed = this.workspace.parse(file);
    const text = parsed?.text ?? '';
    // Over an analysis limit, the parser tier already fails the file; solc would only take minutes and may crash.
    if (!parsed || parsed.limit) return { file, text, ok: false, findings: [], layouts: new Map() };
    const rules = { ...this.config().rules, ...settings.rules };
    let result: CompilerTierResult;
    try {
      result = started ? compilerTierResultFor(await started, file) : await runCompilerTier(compiler, { file, ...this.compileRequest(settings, signal) });
    } catch (error) {
      if (isAbortError(error)) throw error;
      if (error instanceof CompilerUnavailableError) {
        // The parser tier's verdicts stand; the missing compiler is said once per project and version.
        const findings = this.compilerUnavailableFinding(file, text, error).filter((f) => rules[f.rule] !== 'off');
        return { file, text, ok: false, findings: applySuppressions(findings, file, text), layouts: new Map() };
      }
      // solc-js can die on huge input ("memory access out of bounds"): the parser tier's results
      // stand, and the compiler tier's failure is a finding, not a lost run.
      return { file, text, ok: false, findings: [compilerFailure(file, error)].filter((f) => rules[f.rule] !== 'off'), layouts: new Map() };
    }
    return this.compiledAnalysis(file, text, result, settings);
  }

  /**
   * The compiler tier for many files of this project, as `compile` gives it per file: one solc
   * run for them all (they share their imports, OpenZeppelin's above all), read per file. When
   * that run cannot be had or fails (files that need different compilers, an error in one file),
   * each file is compiled on its own, so every file gets the verdict `compile` would give it.
   * `early`: this call's solc run as startCompileAll started it, used when the parses leave the
   * same files at the same texts to compile (else solc runs again here).
   */
  async compileAll(files: string[], compiler: CompilerSet | SolcCompiler, settings: ProjectSettings = {}, signal?: AbortSignal, early?: EarlyCompile): Promise<Map<string, CompiledAnalysis>> {
    const results = new Map<string, CompiledAnalysis>();
    // The text of each file that can join the shared run (parsed, within the limits).
    const texts = new Map<string, string>();
    for (const file of files) {
      const parsed = this.workspace.parse(file);
      if (parsed !== undefined && !parsed.limit) texts.set(file, parsed.text);
    }
    const together = [...texts.keys()];
    // The early run stands for this one when it compiled the same files at the same texts.
    const started = early && early.entries.length === together.length && early.entries.every((file, i) => file === together[i] && early.texts[i] === texts.get(file)) ? early.run : undefined;
    if (early && !started) {
      // Not the run wanted: stopped first, so it cannot cancel this call's own on the same compiler.
      early.cancel();
      await early.settled;
    }
    let shared: SharedCompilation | undefined;
    if (together.length > 1) {
      try {
        shared = await (started ?? compileAndValidate(compiler, { entries: together, ...this.compileRequest(settings, signal) }));
      } catch (error) {
        if (isAbortError(error)) throw error;
        shared = undefined;
      }
    }
    for (const file of files) {
      const text = texts.get(file);
      if (shared?.compilation.ok && text !== undefined) {
        results.set(file, this.compiledAnalysis(file, text, compilerTierResultFor(shared, file), settings));
      } else {
        results.set(file, await this.compileFile(file, compiler, settings, signal, together.length === 1 && file === together[0] ? started : undefined));
      }
    }
    return results;
  }

  /**
   * Starts compileAll's solc run for `files` now, before their parses: it needs their texts only
   * (imports are found textually), so it can overlap the parser tier on the caller's thread.
   * Pass the result to compileAll with the same files and settings. The files that join are the
   * readable ones within the pre-scan limits, at their texts of now (their imports are read when
   * the run starts); when a parse then runs out of time or a text has changed since, compileAll
   * runs solc again on what it finds, so its results are its own either way.
   * `after`: wait for this first (a compiler runs one compile at a time, a newer one cancels the older).
   */
  startCompileAll(files: string[], compiler: CompilerSet | SolcCompiler, settings: ProjectSettings = {}, signal?: AbortSignal, after?: Promise<unknown>): EarlyCompile | undefined {
    const entries: string[] = [];
    const texts: string[] = [];
    for (const file of files) {
      const text = this.workspace.textWithinScanLimits(file);
      if (text === undefined) continue;
      entries.push(file);
      texts.push(text);
    }
    if (entries.length === 0) return undefined;
    // Stopped by `signal`, or by compileAll when the parses leave other files or texts to compile.
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    if (signal?.aborted) stop.abort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    const run = Promise.resolve(after)
      .catch(() => undefined)
      .then(() => {
        const request = this.compileRequest(settings, stop.signal);
        const { resolver } = request;
        // The entries at the texts read now, which compileAll compares with its parses' texts.
        const pinned: ImportResolver = {
          remappings: resolver.remappings,
          resolveEntry: (file) => {
            const resolution = resolver.resolveEntry(file);
            const text = texts[entries.indexOf(file)];
            return 'error' in resolution || text === undefined ? resolution : { ...resolution, contents: text };
          },
          resolveImport: (from, importPath) => resolver.resolveImport(from, importPath),
        };
        return compileAndValidate(compiler, { entries, ...request, resolver: pinned });
      });
    // compileAll reads the outcome; until then a failure must not count as unhandled.
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    void settled.then(() => signal?.removeEventListener('abort', onAbort));
    return { entries, texts, run, settled, cancel: () => stop.abort() };
  }

  /** What every compile of this project asks for: its root, compiler settings and import resolution. */
  private compileRequest(settings: ProjectSettings, signal?: AbortSignal) {
    return {
      root: this.root,
      solc: { ...this.config().solc, ...settings.solc },
      resolver: new WorkspaceImportResolver(this.workspace, this.root),
      ...(signal ? { signal } : {}),
    };
  }

  /** The compiler tier's result for `file` as the engine reports it: storage rules rerun on solc's layouts, suppressions applied. */
  private compiledAnalysis(file: string, text: string, result: CompilerTierResult, settings: ProjectSettings): CompiledAnalysis {
    const parser = this.lastGood.get(file);
    const rules = { ...this.config().rules, ...settings.rules };
    const findings = [...result.findings];
    if (result.compilation.ok) {
      const upgradeable = new Set((parser?.contracts ?? []).filter((c) => c.upgradeable).map((c) => c.name));
      const baselines = { ...this.baselineSources(file, settings.baselineGitRef), text };
      const layouts = [...result.layouts.values()].map((layout) => {
        // Contract-wide findings go on the name, as the parser tier found it.
        const nameRange = parser?.contracts.find((c) => c.name === layout.contract)?.nameRange;
        return layout.contractRange || !nameRange ? layout : { ...layout, contractRange: nameRange };
      });
      findings.push(
        ...checkStorage({
          file,
          text,
          layouts,
          tier: 'compiler',
          baselines,
          isUpgradeable: (layout) => upgradeable.has(layout.contract) || looksUpgradeable(layout),
          settings: rules,
        }),
      );
    }
    return {
      file,
      text,
      ok: result.compilation.ok,
      // upgrades-core's faults in bases of other files are placed there: their own disable comments apply.
      findings: applySuppressionsByFile(placeFindings(findings), (f) => (f === file ? text : this.workspace.readText(f))).filter((f) => rules[f.rule] !== 'off' || f.rule === ANALYSIS_INCOMPLETE),
      layouts: result.layouts,
    };
  }

  /** The one `solc-unavailable` finding of this project: the file that carries it, and every version found missing. */
  private unavailable: { file: string; missing: Map<string, CompilerUnavailableError['choice']> } | undefined;

  private compilerUnavailableFinding(file: string, text: string, error: CompilerUnavailableError): Finding[] {
    this.unavailable ??= { file, missing: new Map() };
    this.unavailable.missing.set(error.choice.version, error.choice);
    if (this.unavailable.file !== file) return [];
    const pragma = /\bpragma\s+solidity\b[^;]*;/.exec(text);
    const lines = new LineIndex(text);
    const range = pragma ? lines.rangeOf(pragma.index, pragma.index + pragma[0].length) : lines.rangeOf(0, 0);
    const { version, reason, problem } = error.choice;
    const wanted = /^\d/.test(version) ? `solc ${version}` : 'a compiler';
    const others = [...this.unavailable.missing.keys()].filter((v) => v !== version && /^\d/.test(v));
    return [
      {
        rule: 'solc-unavailable',
        severity: 'info',
        message:
          `The compiler tier needs ${wanted} (${reason})${others.length ? ` and, for other files of this project, solc ${others.join(', ')}` : ''}, ` +
          `but ${problem}; the parser tier's results stand. ${howToGetCompiler(version)}.`,
        file,
        range,
        tier: 'compiler',
      },
    ];
  }

  private patchlineConfig: PatchlineConfig | undefined;

  /** `<root>/patchline.json`, read once until invalidated; its problems are reported through onError. */
  config(onError?: (what: string, error: unknown) => void): PatchlineConfig {
    if (!this.patchlineConfig) {
      const result = loadPatchlineConfig(this.root);
      for (const problem of result.errors) onError?.('patchline.json', new Error(problem));
      this.patchlineConfig = result.config;
    }
    return this.patchlineConfig;
  }

  /**
   * Writes the current parser-tier layouts of the project's upgradeable contracts to
   * patchline.lock.json at the project root (merged with what it already records).
   */
  recordBaseline(): { lockFile: string; contracts: string[] } {
    const lockFile = path.join(this.root, LOCK_FILE_NAME);
    const layouts: StorageLayout[] = [];
    for (const file of collectSolidityFiles([this.root], this.root)) {
      const analysis = this.analyze(file);
      for (const contract of analysis.contracts) {
        const layout = analysis.layouts.get(contract.name);
        if (contract.upgradeable && contract.kind === 'contract' && layout) layouts.push(layout);
      }
    }
    writeLockFile(lockFile, layouts);
    this.lock = null;
    return { lockFile, contracts: layouts.map((l) => `${path.relative(this.root, l.file ?? '').split(path.sep).join('/')}:${l.contract}`) };
  }

  /** Forget a file's buffers and caches (its editor closed). */
  forget(file: string): void {
    this.workspace.forget(file);
    this.lastGood.delete(file);
    this.layoutRuns.delete(file);
  }

  /** A .sol file was created, deleted or saved: baselines and indexes may have moved. */
  invalidate(): void {
    this.contractIndex = undefined;
    this.refLayouts.clear();
    this.layoutRuns.clear();
    this.workspace.invalidateFiles();
    this.manifests = null;
    this.lock = null;
    this.gitSources.clear();
    this.patchlineConfig = undefined;
  }

  parsed(file: string): ParsedFile | undefined {
    return this.workspace.parse(file);
  }

  /** Baseline sources for one analysis of `file`; annotation lookups are memoised for its duration. */
  private baselineSources(file: string, gitRef?: string, onError?: (what: string, error: unknown) => void): BaselineSources {
    const memo = new Map<string, StorageLayout | undefined>();
    const sources: BaselineSources = {
      layoutOf: (ref) => {
        const key = `${ref.path ?? ''}:${ref.contract}`;
        if (!memo.has(key)) memo.set(key, this.layoutOfRef(ref, file));
        return memo.get(key);
      },
      whyNotFound: (ref) => this.whyNotFound(ref, file),
    };
    const manifests = this.loadManifests();
    if (manifests) sources.manifests = manifests;
    const lock = this.loadLock();
    if (lock) sources.lock = { file: lock.file, data: lock.data };
    if (gitRef) {
      const git = this.gitSource(gitRef, onError);
      if (git) {
        sources.gitLayoutOf = git.layoutOf;
        sources.gitGapsOf = git.gapsOf;
        sources.gitWhyNotFound = git.whyNotFound;
        sources.gitRef = gitRef;
      }
    }
    return sources;
  }

  /**
   * Downloads into Patchline's cache the npm packages the baselines at `gitRef` need at another
   * version than the installed one, as the lock file at the ref names them. With `files`, their
   * baselines are computed first (the CLI, before checking); without, only what earlier analyses
   * asked for (the editor, after an analysis). Network: trusted workspaces only.
   */
  async fetchBaselineDependencies(gitRef: string, files: string[] = [], signal?: AbortSignal): Promise<{ fetched: string[]; failed: { pkg: string; error: string }[] }> {
    const fetched: string[] = [];
    let failed: { pkg: string; error: string }[] = [];
    // An old version may import packages of its own: a few rounds reach them.
    for (let round = 0; round < 5; round++) {
      const source = this.gitSource(gitRef);
      if (!source) break;
      for (const file of files) {
        try {
          for (const layout of computeLayouts(file, this.workspace).layouts.values()) source.layoutOf(layout);
        } catch {
          // A file the parser tier cannot read is reported by analyze().
        }
      }
      if (source.contents.wanted.size === 0) break;
      const result = await source.contents.fetchWanted(signal);
      if (result.fetched.length === 0 && result.failed.length === 0) break;
      fetched.push(...result.fetched);
      failed = result.failed;
      // The fetched versions are read by a fresh source; the old one remembers them as missing.
      this.gitSources.delete(gitRef);
      if (result.fetched.length === 0 || files.length === 0) break;
    }
    return { fetched, failed };
  }

  private readonly gitSources = new Map<string, GitBaselineSource | undefined>();

  /** Layouts at a git ref; a ref that does not resolve is reported once and then ignored. */
  private gitSource(ref: string, onError?: (what: string, error: unknown) => void): GitBaselineSource | undefined {
    if (!this.gitSources.has(ref)) {
      try {
        this.gitSources.set(ref, gitBaselineSource(this.root, ref, { projectDir: this.root }));
      } catch (error) {
        this.gitSources.set(ref, undefined);
        onError?.(`git baseline ${ref}`, error);
      }
    }
    return this.gitSources.get(ref);
  }

  /**
   * Baseline layouts by candidate file, contract and whether it is the annotated file, with the
   * parsed files they were computed from: reused while every one of them is unchanged (a baseline
   * on disk does not change under an edit of the contract that names it).
   */
  private readonly refLayouts = new Map<string, { layout: StorageLayout | undefined; closure: ParsedFile[] }>();

  /** The parser-tier layout of the contract an `@custom:oz-upgrades-from` names. */
  layoutOfRef(ref: ContractRef, fromFile: string): StorageLayout | undefined {
    for (const candidate of this.refCandidates(ref, fromFile)) {
      const parsed = this.workspace.parse(candidate);
      if (!parsed?.ast) continue;
      const declares = parsed.ast.children.some((n) => n.type === 'ContractDefinition' && (n as { name: string }).name === ref.contract);
      if (!declares) continue;
      const ownSyntaxErrors = candidate !== path.resolve(fromFile);
      const key = `${candidate}\u0000${ref.contract}\u0000${ownSyntaxErrors}`;
      const cached = this.refLayouts.get(key);
      let layout: StorageLayout | undefined;
      if (cached && cached.closure.every((file) => this.workspace.parse(file.file) === file)) layout = cached.layout;
      else {
        const symbols = new SymbolTable(this.workspace);
        const computed = computeLayout(ref.contract, candidate, this.workspace, symbols);
        if (computed.layout) {
          // The baseline's own gaps: a truncated baseline would turn into false insertions and retypes.
          const missing = [...missingInClosure(candidate, symbols, { ownSyntaxErrors }), ...missingFromLayoutErrors(computed.errors)];
          layout = missing.length > 0 ? { ...computed.layout, missing } : computed.layout;
        }
        this.refLayouts.set(key, { layout, closure: [parsed, ...symbols.files()] });
      }
      if (layout) return layout;
    }
    return undefined;
  }

  /** The files an `@custom:oz-upgrades-from` reference may name, in the order they are tried. */
  private refCandidates(ref: ContractRef, fromFile: string): string[] {
    if (ref.path === undefined) return [fromFile, ...(this.index().get(ref.contract) ?? [])];
    // As OpenZeppelin resolves it: from the project root, then from the annotated file's folder;
    // like imports, a baseline path is read only inside the project.
    const candidates: string[] = [];
    for (const base of [this.root, path.dirname(fromFile)]) {
      const candidate = path.resolve(base, ref.path);
      if (isInside(candidate, this.root) && !candidates.includes(candidate)) candidates.push(candidate);
    }
    return candidates;
  }

  /** Why an annotation's contract was not found: no such file (and where it was looked for), or no such contract in it. */
  whyNotFound(ref: ContractRef, fromFile: string): string {
    if (ref.path === undefined) return `no contract ${ref.contract} in the project (${this.root})`;
    const candidates = this.refCandidates(ref, fromFile);
    const existing = candidates.filter((file) => this.workspace.readText(file) !== undefined);
    if (existing.length > 0) return `no contract ${ref.contract} in ${existing.map((f) => path.relative(this.root, f) || f).join(' or ')}`;
    const looked = candidates.length > 0 ? candidates.join(' and ') : 'nowhere inside the project';
    return (
      `${ref.path} does not exist (looked for ${looked}): a path resolves from the project root (${this.root}: the nearest folder with ` +
      'package.json, foundry.toml, remappings.txt, a Hardhat config or .git, else the folder checked), then from the annotated file\'s folder'
    );
  }

  /** Contract name → files declaring it, from a text scan of the project's own sources. */
  private index(): Map<string, string[]> {
    if (this.contractIndex) return this.contractIndex;
    const index = new Map<string, string[]>();
    for (const file of collectSolidityFiles([this.root], this.root, 5000)) {
      const text = this.workspace.readText(file) ?? '';
      for (const match of text.matchAll(/\b(?:abstract\s+)?contract\s+([A-Za-z_$][\w$]*)/g)) {
        const files = index.get(match[1]) ?? [];
        if (!files.includes(file)) files.push(file);
        index.set(match[1], files);
      }
    }
    this.contractIndex = index;
    return index;
  }

  private loadManifests(): { root: string; files: ManifestFile[] } | undefined {
    if (this.manifests === null) {
      try {
        const files = loadManifests(this.root);
        this.manifests = files.length > 0 ? { root: this.root, files } : undefined;
      } catch {
        this.manifests = undefined;
      }
    }
    return this.manifests;
  }

  private loadLock(): { file: string; data: LockFile } | undefined {
    const file = path.join(this.root, LOCK_FILE_NAME);
    let mtimeMs: number;
    try {
      mtimeMs = statSync(file).mtimeMs;
    } catch {
      this.lock = undefined;
      return undefined;
    }
    if (this.lock && this.lock.mtimeMs === mtimeMs) return this.lock;
    try {
      this.lock = { file, data: readLockFile(file), mtimeMs };
    } catch {
      this.lock = undefined;
    }
    return this.lock ?? undefined;
  }
}

/** The compiler tier could not run on `file` (solc crashed or could not start). */
function compilerFailure(file: string, error: unknown): Finding {
  const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
  return {
    rule: 'solc-error',
    severity: 'error',
    message: `The compiler failed on this file (${reason}), so the compiler-tier checks (solc's errors, OpenZeppelin's validation, solc's storage layouts) did not run; the parser tier's findings stand`,
    file,
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    tier: 'compiler',
  };
}

/** Syntax errors past this many in one file are summed up in one finding (a binary file has tens of thousands). */
export const MAX_SYNTAX_ERRORS_PER_FILE = 50;

/** The first MAX_SYNTAX_ERRORS_PER_FILE syntax errors of a file, then one finding saying how many more there are. */
function syntaxErrorFindings(parsed: ParsedFile, lines: LineIndex): Finding[] {
  const shown = parsed.errors.slice(0, MAX_SYNTAX_ERRORS_PER_FILE);
  const findings: Finding[] = shown.map((error) => ({
    rule: 'syntax-error',
    severity: 'error',
    message: error.message,
    file: parsed.file,
    range: visibleRange(error.range, lines),
    tier: 'parser',
  }));
  const more = parsed.errors.length - shown.length;
  if (more > 0) {
    findings.push({
      rule: 'syntax-error',
      severity: 'error',
      message: `${more.toLocaleString('en-US')} more syntax errors in this file are not shown (the first ${MAX_SYNTAX_ERRORS_PER_FILE} are); is it a Solidity source?`,
      file: parsed.file,
      range: findings[findings.length - 1].range,
      tier: 'parser',
    });
  }
  return findings;
}

/** A zero-width range is invisible in most editors: widen it to the character at (or before) it. */
export function visibleRange(range: Range, lines: LineIndex): Range {
  if (range.start.line !== range.end.line || range.start.character !== range.end.character) return range;
  const length = lines.lineText(range.start.line).length;
  if (length === 0) return range;
  const start = Math.min(range.start.character, length - 1);
  return { start: { line: range.start.line, character: start }, end: { line: range.start.line, character: start + 1 } };
}

/**
 * The project root of `file`: the nearest folder with a project marker or a `.git`; without one,
 * `fallback` (the CLI's working directory, the editor's workspace folder) when it contains the
 * file, else the file's folder.
 */
export function findProjectRoot(file: string, fallback?: string): string {
  const dir = path.dirname(path.resolve(file));
  const marked = nearestDirWith(dir, [...PROJECT_MARKERS, '.git']);
  if (marked !== undefined) return marked;
  if (fallback !== undefined) {
    const relative = path.relative(path.resolve(fallback), dir);
    if (!relative.startsWith('..') && !path.isAbsolute(relative)) return path.resolve(fallback);
  }
  return dir;
}

/**
 * A file's layouts with every range in the file moved from the run's text to `text` (an edit
 * elsewhere in the file: a function body above a gap declared last), or undefined when a range
 * overlaps the edit (its declaration changed, so its node and the key would have too: kept for safety).
 */
function movedLayoutRun(run: LayoutRun, file: string, text: string): LayoutRun | undefined {
  const moveRange = rangeMover(run.text, text);
  let lost = false;
  const move = <T extends { file?: string; range?: Range }>(item: T): T => {
    if (item.file !== file || !item.range) return item;
    const range = moveRange(item.range);
    if (!range) lost = true;
    return { ...item, range: range ?? item.range };
  };
  const layouts = new Map<string, StorageLayout>();
  for (const [name, layout] of run.layouts) {
    const contractRange = layout.contractRange && layout.file === file ? moveRange(layout.contractRange) : layout.contractRange;
    if (layout.contractRange && !contractRange) lost = true;
    layouts.set(name, {
      ...layout,
      storage: layout.storage.map(move),
      namespaces: layout.namespaces.map((namespace) => ({ ...move(namespace), members: namespace.members.map(move) })),
      ...(contractRange ? { contractRange } : {}),
      ...(layout.missing ? { missing: layout.missing.map(move) } : {}),
    });
  }
  const layoutErrors = new Map([...run.layoutErrors].map(([name, errors]) => [name, errors.map(move)]));
  const moved: LayoutRun = { ...run, text, layouts, layoutErrors, importErrors: run.importErrors.map(move), closure: run.closure.map(move) };
  return lost ? undefined : moved;
}

