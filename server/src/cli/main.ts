// The CLI face: `patchline check [paths...]`. Exit codes: 0 clean, 1 error findings, 2 usage or internal error.
import { parseArgs } from 'node:util';
import { relative } from 'node:path';
import { GitRefContents } from '../engine/baseline/git';
import { collectSolidityFiles, PathNotFoundError } from '../engine/files';
import { compareFindings, type Finding } from '../engine/findings';
import { SolcCompiler } from '../engine/compile/solc';
import { ParseWorker } from '../engine/parse/pool';
import { findProjectRoot, mergeTiers, ProjectAnalyzer } from '../engine/project';
import { patchlineVersion } from '../engine/version';
import { formatJson, formatSarif, formatText, type OutputFormat } from './format';
import { runDemo } from './demo';
import { runPropose } from './propose';
import { runSimulate } from './simulate';
import { append } from '../engine/append';

const USAGE = `Usage: patchline <command> [options]

Commands:
  check [paths...]     Check Solidity files (default: the current folder) for upgrade-safety problems.
  simulate ...         Run the upgrade on a fork and check what changed (simulate --help).
  demo                 Check, simulate and propose the bundled example on a local chain (npm run demo).
  propose ...          Export a TimelockController / Governor / Safe upgrade proposal (propose --help).

Options for check:
  --format <f>         text (default), json or sarif
  --baseline-ref <ref> Compare with the same contracts at this git ref (e.g. a release tag)
  --tier <t>           parser (as you type, no compiler), compiler (solc-js + upgrades-core) or both (default)
  -h, --help           Show this help
  -v, --version        Show the version

Exit codes: 0 no error findings, 1 error findings, 2 usage or internal error.`;

class UsageError extends Error {}

type CheckTier = 'parser' | 'compiler' | 'both';

async function runCheck(args: string[], cwd: string): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      format: { type: 'string', default: 'text' },
      'baseline-ref': { type: 'string' },
      tier: { type: 'string', default: 'both' },
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

  const files = collectSolidityFiles(positionals.length > 0 ? positionals : ['.'], cwd);
  const findings: Finding[] = [];
  const upgradeable: string[] = [];
  // One analyzer per project root, so files of a project share parses, layouts and baselines.
  const projects = new Map<string, ProjectAnalyzer>();
  const compiler = tier === 'parser' ? undefined : new SolcCompiler(process.env.PATCHLINE_SOLC_PATH ? { solcPath: process.env.PATCHLINE_SOLC_PATH } : {});
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
    for (const file of files) {
      const root = findProjectRoot(file);
      let project = projects.get(root);
      if (!project) projects.set(root, (project = new ProjectAnalyzer(root)));
      const settings = baselineRef ? { baselineGitRef: baselineRef } : {};
      try {
        await project.prepare(file, parseWorker, interrupted.signal, (slow) => {
          process.stderr.write(`patchline: parsing ${relative(cwd, slow)} in a worker (large or deeply nested declarations)\n`);
        });
        const analysis = project.analyze(file, settings, (what, error) => {
          process.stderr.write(`patchline: ${what} failed on ${relative(cwd, file)}: ${error instanceof Error ? error.message : String(error)}\n`);
        });
        if (compiler) {
          const compiled = await project.compile(file, compiler, settings, interrupted.signal);
          const text = project.parsed(file)?.text ?? '';
          if (tier === 'both') append(findings, mergeTiers(analysis.findings, compiled, text));
          else {
            const syntaxErrors = analysis.findings.filter((f) => f.rule === 'syntax-error' || f.rule === 'analysis-limit' || f.rule === 'file-unreadable');
            append(findings, syntaxErrors);
            if (compiled.ok || syntaxErrors.length === 0) append(findings, compiled.findings);
          }
        } else {
          append(findings, analysis.findings);
        }
        for (const contract of analysis.contracts) {
          if (contract.upgradeable) upgradeable.push(`${contract.name} (${relative(cwd, file)})`);
        }
      } catch (error) {
        if (interrupted.signal.aborted) return new Promise<number>(() => undefined); // the signal handler exits
        throw error;
      }
    }
  } finally {
    process.off('SIGINT', stopOnSignal);
    process.off('SIGTERM', stopOnSignal);
    if (!interrupted.signal.aborted) await Promise.all([parseWorker.dispose(), compiler?.dispose()]);
  }
  findings.sort(compareFindings);

  if (format === 'json') process.stdout.write(`${formatJson(findings, cwd)}\n`);
  else if (format === 'sarif') process.stdout.write(`${formatSarif(findings, cwd)}\n`);
  else {
    if (findings.length > 0) process.stdout.write(`${formatText(findings, cwd)}\n`);
    const errors = findings.filter((f) => f.severity === 'error').length;
    const warnings = findings.filter((f) => f.severity === 'warning').length;
    process.stdout.write(
      `Checked ${files.length} file(s): ${errors} error(s), ${warnings} warning(s). ` +
        `Upgradeable contracts: ${upgradeable.length > 0 ? upgradeable.join(', ') : 'none'}.\n`,
    );
  }
  return findings.some((f) => f.severity === 'error') ? 1 : 0;
}

export async function main(argv: string[], cwd = process.cwd()): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'check':
        return await runCheck(rest, cwd);
      case 'simulate':
        return await runSimulate(rest, cwd, (t) => process.stdout.write(t), (t) => process.stderr.write(t));
      case 'demo':
        return await runDemo(runCheck, cwd, (t) => process.stdout.write(t));
      case 'propose':
        return await runPropose(rest, cwd, (t) => process.stdout.write(t), (t) => process.stderr.write(t));
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
    if (error instanceof PathNotFoundError) {
      process.stderr.write(`patchline: ${error.message}\n`);
      return 2;
    }
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`patchline: ${(error as Error).message}\n\n${USAGE}\n`);
      return 2;
    }
    process.stderr.write(`patchline: internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
    return 2;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
