import { rpcUrlProblem } from '../engine/chain/clients';

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
