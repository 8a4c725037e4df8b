// One compiler-tier compilation: resolve sources, relax pins, compile, decode locations.
import type { SolcInput as OzSolcInput, SolcOutput as OzSolcOutput } from '@openzeppelin/upgrades-core';
import type { Range, Severity } from '../findings';
import { blankCustomNatspec, relaxPragmas } from './pragma';
import { SolcCompiler } from './solc';
import type { CompilerChoice, CompilerSet } from './solc-select';
import type { SolcSettings } from './solc-settings';
import { compileErrors, onlyCodegenErrors, outputSelection, type OutputLevel, type SolcInput, type SolcOutput } from './solc-json';
import { collectSources, type ImportResolver, type ResolvedSource, type SourceGraph } from './sources';
import { SrcDecoder } from './src-decoder';
import type { StoredCompile } from './output-cache';
import { upgradesCore } from './upgrades-core';
import { LineIndex } from '../text';
import { compareVersions, maskComments, parseVersion, pragmaRanges } from './versions';

/** No compiler for the version these sources need: not installed, and not downloadable now. */
export class CompilerUnavailableError extends Error {
  constructor(readonly choice: Extract<CompilerChoice, { ok: false }>) {
    super(`solc ${choice.version} (${choice.reason}) is not available: ${choice.problem}`);
  }
}

export interface CompileRequest {
  /** Absolute paths of the files to compile; their imports are added transitively. */
  entries: string[];
  resolver: ImportResolver;
  /** solc remappings; default: the resolver's (solc must derive the same source names as the resolver). */
  remappings?: string[];
  /** Default `storage`: storage layouts and ASTs only. */
  level?: OutputLevel;
  /**
   * Compile a second, namespaced variant (upgrades-core's `makeNamespacedInput`) so ERC-7201
   * namespaces get slots. Default: when a source has a `@custom:storage-location` annotation.
   */
  namespaced?: boolean;
  /** Settings for a CompilerSet's choice (patchline.json's `solc` under the editor's or CLI's). */
  solc?: SolcSettings;
  /** The project root, where a CompilerSet reads foundry.toml / hardhat.config.*; default the working directory. */
  root?: string;
  signal?: AbortSignal;
}

/** A compiler message with an exact location. */
export interface CompilerMessage {
  severity: Severity;
  /** e.g. `TypeError`, `ParserError`, `Warning`. */
  type: string;
  errorCode?: string;
  message: string;
  /** Absolute path; absent for messages without a location. */
  file?: string;
  sourceName?: string;
  range?: Range;
}

/** A `pragma solidity` pin that was relaxed in memory to compile. */
export interface RelaxedPin {
  file: string;
  sourceName: string;
  range: Range;
  original: string;
  replacement: string;
}

export interface Compilation {
  compilerVersion: string;
  level: OutputLevel;
  input: SolcInput;
  output: SolcOutput;
  /** The namespaced variant's output, when one was compiled and it succeeded. */
  namespacedOutput?: SolcOutput;
  /**
   * Why the namespaced variant failed, if it did: layouts then leave out the ERC-7201 namespaces
   * (keep the parser tier's for them).
   */
  namespacedError?: string;
  /** Source units by name, with the text as compiled. */
  sources: Map<string, ResolvedSource>;
  /** Source names of the entry files. */
  entries: string[];
  decoder: SrcDecoder;
  /** solc errors and warnings (errors first), with exact ranges. */
  messages: CompilerMessage[];
  /** True when solc reported no error. */
  ok: boolean;
  relaxedPins: RelaxedPin[];
  unresolved: SourceGraph['unresolved'];
  /** Code generation failed, so link references (upgrades-core's `external-library-linking`) were not checked. */
  linkingUnchecked?: boolean;
  /** How the compiler was chosen, when a CompilerSet chose it. */
  choice?: Extract<CompilerChoice, { ok: true }>;
}

const NAMESPACE_ANNOTATION = /@custom:storage-location/;

/**
 * Whether a source declares a library with a public or external function: only calls to those
 * link a library into a contract's bytecode (internal library functions are inlined).
 */
export function hasLinkableLibrary(text: string): boolean {
  if (!/\blibrary\b/.test(text)) return false;
  const code = maskComments(text);
  for (const match of code.matchAll(/\blibrary\s+\w+\s*\{/g)) {
    let depth = 0;
    let end = match.index + match[0].length - 1;
    for (; end < code.length; end++) {
      if (code[end] === '{') depth++;
      else if (code[end] === '}' && --depth === 0) break;
    }
    if (/\bfunction\b[^{;]*\b(?:public|external)\b/.test(code.slice(match.index, end))) return true;
  }
  return false;
}

/** `@custom:` NatSpec tags arrived in solc 0.8.2; older compilers reject them. */
const CUSTOM_NATSPEC_SINCE = parseVersion('0.8.2')!;

/**
 * Compiles the entries and their imports with `compiler`, or with the compiler a CompilerSet
 * selects for their pragmas and the project's configuration (`root`); throws a
 * CompilerUnavailableError when that compiler cannot be had.
 */
export async function compileProject(compiler: SolcCompiler | CompilerSet, request: CompileRequest): Promise<Compilation> {
  const level = request.level ?? 'storage';
  const graph = collectSources(request.entries, request.resolver);
  const remappings = request.remappings ?? request.resolver.remappings ?? [];
  let solc: SolcCompiler | undefined;
  let choice: Compilation['choice'];
  let stored: StoredCompile | undefined;
  let cacheKey: string | undefined;
  const cache = compiler instanceof SolcCompiler ? undefined : compiler.options.outputCache;
  if (compiler instanceof SolcCompiler) {
    solc = compiler;
  } else {
    const pragmas = [...graph.sources.values()].flatMap((s) => pragmaRanges(s.contents));
    const chosen = await compiler.choose({ root: request.root ?? process.cwd(), pragmas, file: request.entries[0] }, request.signal, request.solc);
    if (!chosen.ok) throw new CompilerUnavailableError(chosen);
    choice = chosen;
    // The same compiler on the same sources gives the same output: an earlier run's, if kept, without starting solc.
    if (request.namespaced === undefined) cacheKey = cache?.keyOf(chosen.compiler, level, remappings, graph.sources);
    stored = cacheKey === undefined ? undefined : cache!.getCompile(cacheKey);
    if (!stored) solc = compiler.instance(chosen.compiler.path);
  }
  const compilerVersion = stored?.compilerVersion ?? (await solc!.version());
  const parsedVersion = parseVersion(compilerVersion);
  const blankCustomTags = parsedVersion !== undefined && compareVersions(parsedVersion, CUSTOM_NATSPEC_SINCE) < 0;

  const sources = new Map<string, ResolvedSource>();
  const relaxedPins: RelaxedPin[] = [];
  for (const [name, source] of graph.sources) {
    const { text: relaxedText, relaxed } = relaxPragmas(source.contents, compilerVersion);
    // Same length, same lines: every offset solc reports is still true for the file on disk.
    const text = blankCustomTags ? blankCustomNatspec(relaxedText) : relaxedText;
    sources.set(name, { ...source, contents: text });
    const lines = relaxed.length > 0 ? new LineIndex(text) : undefined;
    for (const r of relaxed) {
      relaxedPins.push({ file: source.file, sourceName: name, range: lines!.rangeOf(r.start, r.end), original: r.original, replacement: r.replacement });
    }
  }

  const input: SolcInput = {
    language: 'Solidity',
    sources: Object.fromEntries([...sources].map(([name, s]) => [name, { content: s.contents }])),
    settings: {
      // Code generation for link references costs about half a compile: only when a library could be linked.
      outputSelection: outputSelection(level, [...sources.values()].some((source) => hasLinkableLibrary(source.contents)) ? graph.entries : []),
      ...(remappings.length ? { remappings } : {}),
    },
  };
  let output: SolcOutput;
  let linkingUnchecked = stored?.linkingUnchecked ?? false;
  let namespaced: { output?: SolcOutput; error?: string } = {};
  if (stored) {
    output = stored.output;
    if (linkingUnchecked) input.settings.outputSelection = outputSelection(level);
    namespaced = { ...(stored.namespacedOutput ? { output: stored.namespacedOutput } : {}), ...(stored.namespacedError ? { error: stored.namespacedError } : {}) };
  } else {
    output = await solc!.compile(input, request.signal);
    if (level === 'storage' && onlyCodegenErrors(output)) {
      // Link references need code generation, which can fail where the sources are fine (stack too
      // deep without the project's optimizer settings): keep the layouts, say linking went unchecked.
      input.settings.outputSelection = outputSelection(level);
      output = await solc!.compile(input, request.signal);
      linkingUnchecked = true;
    }
    const wantsNamespaces = request.namespaced ?? [...sources.values()].some((s) => NAMESPACE_ANNOTATION.test(s.contents));
    if (compileErrors(output).length === 0 && wantsNamespaces) {
      namespaced = await compileNamespaced(solc!, input, output, request.signal);
    }
    // Only the default namespacing is keyed: an explicit request is neither read nor stored.
    if (cacheKey !== undefined) {
      cache!.putCompile(cacheKey, {
        compilerVersion,
        output,
        ...(namespaced.output ? { namespacedOutput: namespaced.output } : {}),
        ...(namespaced.error ? { namespacedError: namespaced.error } : {}),
        ...(linkingUnchecked ? { linkingUnchecked } : {}),
      });
    }
  }
  const decoder = new SrcDecoder(
    Object.fromEntries([...sources].map(([name, s]) => [name, { sourceName: name, text: s.contents, file: s.file }])),
    output.sources ?? {},
  );

  const ok = compileErrors(output).length === 0;

  return {
    compilerVersion,
    level,
    input,
    output,
    ...(namespaced.output ? { namespacedOutput: namespaced.output } : {}),
    ...(namespaced.error ? { namespacedError: namespaced.error } : {}),
    sources,
    entries: graph.entries,
    decoder,
    messages: compilerMessages(output, decoder),
    ok,
    relaxedPins,
    unresolved: graph.unresolved,
    ...(choice ? { choice } : {}),
    ...(linkingUnchecked ? { linkingUnchecked } : {}),
  };
}

/**
 * The same sources with a state variable per namespaced struct (upgrades-core rewrites them),
 * so solc lays the namespaces out; as hardhat-upgrades does, storage layout and AST only.
 */
async function compileNamespaced(
  compiler: SolcCompiler,
  input: SolcInput,
  output: SolcOutput,
  signal: AbortSignal | undefined,
): Promise<{ output?: SolcOutput; error?: string }> {
  let namespacedInput: SolcInput;
  try {
    namespacedInput = upgradesCore().makeNamespacedInput(input as unknown as OzSolcInput, output as unknown as OzSolcOutput) as unknown as SolcInput;
  } catch (error) {
    return { error: `upgrades-core could not prepare the namespaced compilation: ${(error as Error).message}` };
  }
  namespacedInput.settings = { ...input.settings, outputSelection: outputSelection('storage') };
  const namespaced = await compiler.compile(namespacedInput, signal);
  // A failing namespaced variant only loses namespace slots; the main results stand.
  const errors = compileErrors(namespaced);
  return errors.length === 0 ? { output: namespaced } : { error: `The namespaced compilation failed: ${errors[0].message}` };
}

function compilerMessages(output: SolcOutput, decoder: SrcDecoder): CompilerMessage[] {
  const messages: CompilerMessage[] = [];
  for (const error of output.errors ?? []) {
    const where = error.sourceLocation;
    const location = where && where.start >= 0 ? decoder.decodeBytes(where.file, where.start, where.end) : undefined;
    messages.push({
      severity: error.severity === 'error' ? 'error' : error.severity === 'warning' ? 'warning' : 'info',
      type: error.type,
      errorCode: error.errorCode,
      message: error.message,
      file: location?.file,
      sourceName: location?.sourceName ?? where?.file,
      range: location?.range,
    });
  }
  const order: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
  return messages.sort((a, b) => order[a.severity] - order[b.severity]);
}
