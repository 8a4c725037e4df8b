// The CLI face: `patchline check [paths...]`. Exit codes: 0 clean, 1 error findings, 2 usage or internal error.
import { parseArgs } from 'node:util';
import { statSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { GitRefContents } from '../engine/baseline/git';
import { collectSolidityFiles, PathNotFoundError } from '../engine/files';
import { compareFindings, placeFindings, type Finding } from '../engine/findings';
import { CompilerSet } from '../engine/compile/solc-select';
import { CompileOutputCache } from '../engine/compile/output-cache';
import { ParseWorker } from '../engine/parse/pool';
import { DiskParseCache } from '../engine/parse/disk-cache';
import { findProjectRoot, mergeTiers, ProjectAnalyzer, type CompiledAnalysis, type EarlyCompile } from '../engine/project';
import { secretMasker } from '../engine/chain/secrets';
import { loadPatchlineConfig } from '../engine/suppress';
import { patchlineVersion } from '../engine/version';
import { formatJson, formatSarif, formatText, type OutputFormat } from './format';
import { solcFlags } from './args';
import { DEMO_USAGE, runDemo } from './demo';
import { runPropose } from './propose';
import { runSimulate } from './simulate';
import { runVerify } from './verify';
import { runStatus } from './status';
import { append } from '../engine/append';

const USAGE = `Usage: patchline <command> [options]

Commands:
  check [paths...]     Check Solidity files (default: the current folder) for upgrade-safety problems.
  simulate ...         Run the upgrade on a fork and check what changed (simulate --help).
  demo                 Check, simulate and propose the bundled example on a local chain (npm run demo).
  propose ...          Export a TimelockController / Governor / Safe upgrade proposal (propose --help).
  verify ...           Check that the code at an address is this source, built with the project's settings (verify --help).
  status <dir...>      Where exported proposals are on chain: scheduled, ready, executed or cancelled (status --help).

Options for check:
  --format <f>         text (default), json or sarif
  --baseline-ref <ref> Compare with the same contracts at this git ref (e.g. a release tag)
  --tier <t>           parser (as you type, no compiler), compiler (solc-js + upgrades-core) or both (default)
  --solc <path>        The compiler for every file: a soljson.js or a native solc binary
  --solc-version <v>   The solc version for every file (else foundry.toml, the Hardhat config, the pragmas)
  --offline            Never download a compiler from the npm registry
  -h, --help           Show this help
  -v, --version        Show the version

Exit codes: 0 no error findings, 1 error findings, 2 usage or internal error.`;

class UsageError extends Error {}

/** patchline.json is there but wrong: running on defaults would loosen the gate the file sets. */
class ConfigError extends Error {}

/** Refuses a project whose patchline.json cannot be read as written, naming the file, line and column. */
function assertValidConfig(root: string, cwd: string): void {
  const { errors, errorRange, file } = loadPatchlineConfig(root);
  if (errors.length === 0 || !file) return;
  const at = errorRange ? `:${errorRange.start.line + 1}:${errorRange.start.character + 1}` : '';
  throw new ConfigError(`${relative(cwd, file) || file}${at}: ${errors.join('; ')}. Fix patchline.json: Patchline does not check with a configuration it cannot read.`);
}

type CheckTier = 'parser' | 'compiler' | 'both';

async function runCheck(args: string[], cwd: string): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      format: { type: 'string', default: 'text' },
      'baseline-ref': { type: 'string' },
      tier: { type: 'string', default: 'both' },
      solc: { type: 'string' },
      'solc-version': { type: 'string' },
      offline: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const format = values.format as OutputFormat;
  if (!['text', 'json', 'sarif'].includes(format)) throw new UsageError(`Unknown format "${format}": use text, json or sarif`);

  const tier = values.tier as CheckTier;
  if (!['parser', 'compiler', 'both'].includes(tier)) throw new UsageError(`Unknown tier "${tier}": use parser, compiler or both`);
  const baselineRef = values['baseline-ref'];
  if (baselineRef !== undefined) {
    try {
      new GitRefContents(cwd, baselineRef);
    } catch {
      throw new UsageError(`--baseline-ref ${baselineRef}: not a commit of a git repository at ${cwd}`);
    }
  }

  const solc = solcFlags({ solc: values.solc, solcVersion: values['solc-version'], offline: values.offline }, cwd);
  if (solc.problem) throw new UsageError(solc.problem);

  const files = collectSolidityFiles(positionals.length > 0 ? positionals : ['.'], cwd);
  // A CI job pointed at the wrong folder must not pass green on nothing: zero files is not a verdict.
  if (files.length === 0) {
    throw new UsageError(`no Solidity file in ${(positionals.length > 0 ? positionals : ['.']).join(', ')} (node_modules, lib, out, cache, artifacts and hidden folders are skipped): nothing was checked`);
  }
  // Without a marker file, the project root is the folder named on the command line (the deepest
  // that holds the file), else the working directory: `check some/project` from elsewhere and
  // `cd some/project && check` read `path:Contract` annotations alike.
  const folders = (positionals.length > 0 ? positionals : ['.'])
    .map((p) => resolve(cwd, p))
    .filter((p) => {
      try {
        return statSync(p).isDirectory();
      } catch {
        return false;
      }
    })
    .sort((a, b) => b.length - a.length);
  const rootOf = (file: string) => findProjectRoot(file, folders.find((folder) => file === folder || file.startsWith(folder + sep)) ?? cwd);
  const findings: Finding[] = [];
  const upgradeable: string[] = [];
  // Contracts whose storage could not be checked (analysis-incomplete): counted apart, never as checked.
  const incomplete: string[] = [];
  // One analyzer per project root, so files of a project share parses, layouts and baselines.
  const projects = new Map<string, ProjectAnalyzer>();
  // Parses of unchanged files (dependencies above all) come from Patchline's cache folder.
  const diskCache = DiskParseCache.forEnvironment({ write: true });
  // solc's outputs of unchanged sources too: a second check of the same code starts no compiler.
  const compiler = tier === 'parser' ? undefined : new CompilerSet({ onProgress: downloadProgress(process.stderr), outputCache: CompileOutputCache.forEnvironment({ write: true }) });
  // Slow parses (large or deeply nested declarations) run in a worker, so a signal is handled at once.
  const parseWorker = new ParseWorker();
  const interrupted = new AbortController();
  const stopOnSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`patchline: interrupted by ${signal}: the check did not finish, no results were written\n`);
    interrupted.abort();
    void Promise.allSettled([parseWorker.dispose(), compiler?.dispose()]).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  try {
    const settings = { ...(baselineRef ? { baselineGitRef: baselineRef } : {}), solc: solc.settings };
    const analyses: { file: string; project: ProjectAnalyzer; analysis: ReturnType<ProjectAnalyzer['analyze']> }[] = [];
    // Each project's solc run starts before its parses, so the compiler works while this thread
    // parses; one after the other, as a compiler runs one compile at a time.
    const early = new Map<ProjectAnalyzer, EarlyCompile>();
    let lastEarly: Promise<void> | undefined;
    for (const file of files) {
      const root = rootOf(file);
      let project = projects.get(root);
      if (!project) {
        assertValidConfig(root, cwd);
        projects.set(root, (project = new ProjectAnalyzer(root, undefined, undefined, diskCache)));
        const ofProject = files.filter((f) => rootOf(f) === root);
        // The baseline's own dependency versions (lock file at the ref), into the cache before checking.
        if (baselineRef) await fetchBaselineDependencies(project, baselineRef, ofProject);
        const started = compiler && project.startCompileAll(ofProject, compiler, settings, interrupted.signal, lastEarly);
        if (started) {
          early.set(project, started);
          lastEarly = started.settled;
        }
      }
      try {
        await project.prepare(file, parseWorker, interrupted.signal, (slow) => {
          process.stderr.write(`patchline: parsing ${relative(cwd, slow)} in a worker (large or deeply nested declarations)\n`);
        });
      } catch (error) {
        if (interrupted.signal.aborted) return new Promise<number>(() => undefined); // the signal handler exits
        throw error;
      }
      const analysis = project.analyze(file, settings, (what, error) => {
        process.stderr.write(`patchline: ${what} failed on ${relative(cwd, file)}: ${error instanceof Error ? error.message : String(error)}\n`);
      });
      analyses.push({ file, project, analysis });
    }
    // The compiler tier per project: one solc run for all its files where they share a compiler.
    const compiled = new Map<string, CompiledAnalysis>();
    if (compiler) {
      // No compile of one project may cancel another's early run still under way.
      await lastEarly;
      for (const project of projects.values()) {
        const ofProject = analyses.filter((a) => a.project === project).map((a) => a.file);
        try {
          for (const [file, result] of await project.compileAll(ofProject, compiler, settings, interrupted.signal, early.get(project))) compiled.set(file, result);
        } catch (error) {
          if (interrupted.signal.aborted) return new Promise<number>(() => undefined); // the signal handler exits
          throw error;
        }
      }
    }
    for (const { file, project, analysis } of analyses) {
      if (compiler) {
        const result = compiled.get(file)!;
        const text = project.parsed(file)?.text ?? '';
        if (tier === 'both') append(findings, mergeTiers(analysis.findings, result, text));
        else {
          const syntaxErrors = analysis.findings.filter((f) => f.rule === 'syntax-error' || f.rule === 'analysis-limit' || f.rule === 'file-unreadable');
          append(findings, syntaxErrors);
          if (result.ok || syntaxErrors.length === 0) append(findings, result.findings);
        }
      } else {
        append(findings, analysis.findings);
      }
      const incompleteRanges = findings.filter((f) => f.rule === 'analysis-incomplete' && f.file === file).map((f) => JSON.stringify(f.range));
      for (const contract of analysis.contracts) {
        const name = `${contract.name} (${relative(cwd, file)})`;
        if (incompleteRanges.includes(JSON.stringify(contract.nameRange))) incomplete.push(name);
        else if (contract.upgradeable) {
          // Which baseline the verdict is against: a pass against no baseline is not a pass against V1.
          const baseline = analysis.baselines.get(contract.name)?.description;
          upgradeable.push(`${name} ${baseline ? `compared with ${baseline}` : 'with no baseline'}`);
        }
      }
    }
  } finally {
    process.off('SIGINT', stopOnSignal);
    process.off('SIGTERM', stopOnSignal);
    if (!interrupted.signal.aborted) await Promise.all([parseWorker.dispose(), compiler?.dispose()]);
  }
  // A base's fault reached from several checked files is one finding, inherited by each.
  const shown = placeFindings(findings).sort(compareFindings);

  if (format === 'json') process.stdout.write(`${formatJson(shown, cwd)}\n`);
  else if (format === 'sarif') process.stdout.write(`${formatSarif(shown, cwd)}\n`);
  else {
    if (shown.length > 0) process.stdout.write(`${formatText(shown, cwd)}\n`);
    const errors = shown.filter((f) => f.severity === 'error').length;
    const warnings = shown.filter((f) => f.severity === 'warning').length;
    process.stdout.write(
      `Checked ${files.length} file(s): ${errors} error(s), ${warnings} warning(s). ` +
        `Upgradeable contracts: ${upgradeable.length > 0 ? upgradeable.join('; ') : 'none'}.` +
        (incomplete.length > 0 ? ` Not checked, analysis incomplete: ${incomplete.length} contract(s): ${incomplete.join(', ')}.` : '') +
        '\n',
    );
  }
  return shown.some((f) => f.severity === 'error') ? 1 : 0;
}

/** The values of every `--rpc` in the arguments: their secrets are masked in all output. */
function rpcUrlsIn(args: string[]): string[] {
  return args.flatMap((arg, i) => (arg === '--rpc' && i + 1 < args.length ? [args[i + 1]] : arg.startsWith('--rpc=') ? [arg.slice(6)] : []));
}

/** Download progress of a compiler on stderr: one updating line on a terminal, start and end otherwise. */
function downloadProgress(stream: NodeJS.WriteStream): (p: { version: string; received: number; total?: number }) => void {
  let last = '';
  return ({ version, received, total }) => {
    const done = total !== undefined && received >= total;
    const percent = total ? Math.floor((received / total) * 100) : undefined;
    const line = `patchline: downloading solc ${version} from the npm registry${percent !== undefined ? ` ${percent}%` : ` ${(received / 1e6).toFixed(1)} MB`}`;
    if (stream.isTTY) {
      if (line !== last) stream.write(`\r${line}${done ? '\n' : ''}`);
    } else if (last === '' || done) {
      stream.write(`${line}\n`);
    }
    last = line;
  };
}

async function fetchBaselineDependencies(project: ProjectAnalyzer, ref: string, files: string[]): Promise<void> {
  const { fetched, failed } = await project.fetchBaselineDependencies(ref, files);
  for (const pkg of fetched) process.stderr.write(`patchline: fetched ${pkg} (the version at ${ref}) into the cache\n`);
  for (const { pkg, error } of failed) process.stderr.write(`patchline: cannot fetch ${pkg} (the version at ${ref}): ${error}\n`);
}

export async function main(argv: string[], cwd = process.cwd()): Promise<number> {
  const [command, ...rest] = argv;
  const mask = secretMasker(rpcUrlsIn(rest));
  const out = (text: string) => void process.stdout.write(mask(text));
  const err = (text: string) => void process.stderr.write(mask(text));
  try {
    switch (command) {
      case 'check':
        return await runCheck(rest, cwd);
      case 'simulate':
        return await runSimulate(rest, cwd, out, err);
      case 'demo': {
        // The demo takes no options: `demo --help` explains it, anything else is a usage error
        // rather than a demo that starts anvil and writes into examples/.
        const { values, positionals } = parseArgs({ args: rest, options: { help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
        if (positionals.length > 0) throw new UsageError(`demo takes no arguments (got "${positionals[0]}")`);
        if (values.help) {
          process.stdout.write(`${DEMO_USAGE}\n`);
          return 0;
        }
        return await runDemo(runCheck, cwd, (t) => process.stdout.write(t));
      }
      case 'propose':
        return await runPropose(rest, cwd, out, err);
      case 'verify':
        return await runVerify(rest, cwd, out, err);
      case 'status':
        return await runStatus(rest, cwd, out, err);
      case '-v':
      case '--version':
        process.stdout.write(`${patchlineVersion}\n`);
        return 0;
      case undefined:
      case '-h':
      case '--help':
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`Unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof PathNotFoundError || error instanceof ConfigError) {
      process.stderr.write(`patchline: ${error.message}\n`);
      return 2;
    }
    // `code` is a string for Node's errors and a number for JSON-RPC errors.
    const code = (error as { code?: unknown } | undefined)?.code;
    if (error instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) {
      err(`patchline: ${(error as Error).message}\n\n${USAGE}\n`);
      return 2;
    }
    err(`patchline: internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
    return 2;
  }
}

/**
 * A reader that stops early (`patchline check | head -1`) closes the pipe: later writes fail with
 * EPIPE, which is not the run's failure. Drop the output quietly; the exit code still says what
 * the run found.
 */
export function ignoreClosedPipes(...streams: NodeJS.WriteStream[]): void {
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') return;
      process.stderr.write(`patchline: cannot write output: ${error.message}\n`);
      process.exitCode = 2;
    });
  }
}

/** Runs the command line of this process (dist/cli.js calls it; so does a direct run of this file). */
export function runCli(): void {
  ignoreClosedPipes(process.stdout, process.stderr);
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      // main reports its own errors; this is the last line of defence against an unhandled rejection.
      process.stderr.write(`patchline: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 2;
    },
  );
}

if (require.main === module) runCli();
