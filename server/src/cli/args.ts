import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { rpcUrlProblem } from '../engine/chain/clients';
import { parseSolcSettings, type SolcSettings } from '../engine/compile/solc-settings';

// Command-line words read in order: `propose` and `simulate` take repeated pairs and a `--call`
// whose arguments are every following word that is not a flag, which parseArgs cannot express.
export class ArgReader {
  private index = -1;

  constructor(
    private readonly args: readonly string[],
    private readonly usageError: (message: string) => Error,
  ) {}

  /** The next word, or undefined at the end. */
  next(): string | undefined {
    return this.args[++this.index];
  }

  /** The value of `flag`: the next word, which must not be a flag. */
  value(flag: string): string {
    const next = this.args[++this.index];
    if (next === undefined || next.startsWith('--')) throw this.usageError(`${flag} needs a value`);
    return next;
  }

  /** `--call "<signature>" <args...>`: the signature, then every following word up to the next flag. */
  call(flag: string): { signature: string; args: string[] } {
    const signature = this.value(flag);
    const args: string[] = [];
    while (this.index + 1 < this.args.length && !this.args[this.index + 1].startsWith('--')) args.push(this.args[++this.index]);
    return { signature, args };
  }
}

/**
 * What is wrong with an `--rpc` value of a command that needs a real chain (propose, status,
 * verify): `local`, the demo chain that `simulate` starts, is named as such rather than shown as
 * "not a URL: <invalid URL>" (a value that is not a URL is masked whole, as it may be a key).
 */
export function chainRpcProblem(rpc: string): string | undefined {
  if (rpc === 'local') return '"local" (the demo chain) is for simulate only, which starts it: give the chain\'s http(s):// URL (npm run demo shows the whole lifecycle on it)';
  return rpcUrlProblem(rpc);
}

/**
 * `--solc`, `--solc-version` and `--offline` (check, verify) as compiler settings, or what is wrong
 * with them. A `--solc` that is not a file is said up front (it would otherwise fail each compile,
 * or crash verify), and is resolved from the working folder.
 */
export function solcFlags(flags: { solc?: string; solcVersion?: string; offline?: boolean }, cwd: string): { settings: SolcSettings; problem?: string } {
  const solc = parseSolcSettings({ path: flags.solc, version: flags.solcVersion, ...(flags.offline ? { download: false } : {}) }, '--solc');
  if (solc.errors.length > 0) return { settings: solc.settings, problem: solc.errors[0].replace('"--solc.version"', '--solc-version').replace('"--solc.path"', '--solc') };
  if (solc.settings.path === undefined) return { settings: solc.settings };
  const path = resolve(cwd, solc.settings.path);
  let isFile = false;
  try {
    isFile = statSync(path).isFile();
  } catch {
    // missing or unreadable: said below
  }
  if (!isFile) return { settings: solc.settings, problem: `--solc ${flags.solc}: no such file (give a soljson.js or a native solc binary)` };
  return { settings: { ...solc.settings, path } };
}
