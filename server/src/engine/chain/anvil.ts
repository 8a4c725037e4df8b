// A local anvil node: started from the npm package's binary, spawned directly (no shell, no npm
// wrapper) in its own process group so that stopping it by pid stops everything it started.
// Every node started here is registered, and killed when this process exits or is signalled; a
// watchdog kills it when this process dies without a chance to clean up (SIGKILL).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { createServer, type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { maskRpcUrl, secretMasker } from './secrets';
import { append } from '../append';

export { maskRpcUrl } from './secrets';

export interface AnvilOptions {
  /** `patchline.anvilPath`: an anvil binary to use instead of the one from `@foundry-rs/anvil`. */
  anvilPath?: string;
  /** Fork this RPC URL (`--fork-url`); omitted: a fresh local chain. */
  forkUrl?: string;
  /** `--fork-block-number` (with `forkUrl`). */
  forkBlockNumber?: bigint | number;
  chainId?: number;
  /** Seconds between blocks (`--block-time`); omitted: a block per transaction. */
  blockTime?: number;
  /** Allow contracts above 24 KiB (`--disable-code-size-limit`). */
  disableCodeSizeLimit?: boolean;
  /** Further flags, passed as they are. */
  extraArgs?: string[];
  /** `--port`; omitted: a free port chosen at start. */
  port?: number;
  /** How long to wait for anvil to answer on its port; default 8000 ms (a dead fork RPC fails before 10 s). */
  startupTimeoutMs?: number;
  /** Environment of the process; default this process's. */
  env?: NodeJS.ProcessEnv;
}

export interface AnvilNode {
  /** `http://127.0.0.1:<port>` */
  readonly rpcUrl: string;
  readonly port: number;
  readonly pid: number;
  /** The last lines anvil wrote (stdout and stderr), for error messages. */
  recentOutput(): string[];
  /** Kills the process group; resolves once the process is gone. Safe to call twice. */
  stop(): Promise<void>;
}

export class AnvilStartError extends Error {
  constructor(
    message: string,
    /** The last lines anvil wrote. */
    readonly output: string[],
  ) {
    super(message);
    this.name = 'AnvilStartError';
  }
}

const OUTPUT_LINES_KEPT = 40;
const DEFAULT_STARTUP_TIMEOUT_MS = 8000;
const STOP_GRACE_MS = 3000;

/** The anvil binary of `@foundry-rs/anvil` for this platform (its optional dependency). */
export function bundledAnvilPath(): string {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const platformPackage = `@foundry-rs/anvil-${process.platform}-${arch}`;
  const require = createRequire(__filename);
  let packageJson: string;
  try {
    packageJson = require.resolve(`${platformPackage}/package.json`);
  } catch {
    throw new Error(
      `anvil not found: the package ${platformPackage} (an optional dependency of @foundry-rs/anvil) is not installed. ` +
        'Install @foundry-rs/anvil, or set patchline.anvilPath to an anvil binary.',
    );
  }
  return join(dirname(packageJson), 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil');
}

export function anvilArgs(options: AnvilOptions): string[] {
  // --quiet: anvil logs a line per request on stdout; once the pipe is full (its reader busy or
  // blocked) anvil stops answering everyone. Start-up is seen by polling the port instead.
  const args = ['--host', '127.0.0.1', '--port', String(options.port ?? 0), '--quiet'];
  if (options.forkUrl) {
    args.push('--fork-url', options.forkUrl, '--no-storage-caching');
    if (options.forkBlockNumber !== undefined) args.push('--fork-block-number', String(options.forkBlockNumber));
  }
  if (options.chainId !== undefined) args.push('--chain-id', String(options.chainId));
  if (options.blockTime !== undefined) args.push('--block-time', String(options.blockTime));
  if (options.disableCodeSizeLimit) args.push('--disable-code-size-limit');
  append(args, (options.extraArgs ?? []));
  return args;
}

// ---- the process-wide registry: no anvil outlives this process -------------------------------

const running = new Map<number, ChildProcess>();
let exitHooksInstalled = false;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** Per anvil pid: the watchdog that kills its group when this process dies without cleaning up (SIGKILL, a crash). */
const watchdogs = new Map<number, ChildProcess>();
/** The environment variable that marks an anvil with its watchdog's token. */
export const WATCH_ENV = 'PATCHLINE_ANVIL_WATCH';

/**
 * Node cannot ask the kernel to kill a child with its parent (prctl PR_SET_PDEATHSIG), so a tiny
 * shell waits on a pipe from this process: the pipe closes when this process dies, however it
 * dies, and the shell then kills anvil's process group. It is started before anvil and told
 * anvil's pid right after the spawn. A kill in the instant between anvil's spawn and that write
 * leaves the pipe closed with no pid: anvil then carries the watchdog's token in its environment,
 * and the watchdog finds it by that (Linux /proc) once anvil has had a second to start. Stopped
 * with anvil; absent on Windows.
 */
export function startWatchdog(token: string): ChildProcess | undefined {
  if (process.platform === 'win32') return undefined;
  const orphan = `sleep 1; for e in /proc/[0-9]*/environ; do if grep -qzx "${WATCH_ENV}=$1" "$e" 2>/dev/null; then p=\${e#/proc/}; kill -s KILL -- -"\${p%/environ}" 2>/dev/null; fi; done`;
  const script = `read -r pid || { ${orphan}; exit 0; }; read -r line; kill -s KILL -- -"$pid" 2>/dev/null`;
  const watchdog = spawn('sh', ['-c', script, 'patchline-anvil-watchdog', token], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  watchdog.on('error', () => undefined); // no sh: the exit hooks still cover a normal end
  watchdog.stdin?.on('error', () => undefined);
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return watchdog;
}

/** Tells a started watchdog which anvil it guards (or ends it when anvil did not start). */
function armWatchdog(watchdog: ChildProcess | undefined, anvilPid: number | undefined): void {
  if (!watchdog) return;
  if (anvilPid === undefined) {
    if (watchdog.pid !== undefined) killGroup(watchdog.pid, 'SIGKILL');
    return;
  }
  watchdog.stdin?.write(`${anvilPid}\n`);
  watchdogs.set(anvilPid, watchdog);
}

function stopWatchdog(anvilPid: number): void {
  const watchdog = watchdogs.get(anvilPid);
  watchdogs.delete(anvilPid);
  // SIGKILL, not closing its pipe: a closed pipe would make it kill a group id that may be reused.
  if (watchdog?.pid !== undefined) killGroup(watchdog.pid, 'SIGKILL');
}

function killAllNow(): void {
  for (const pid of running.keys()) {
    killGroup(pid, 'SIGKILL');
    stopWatchdog(pid);
  }
  running.clear();
}

const EXIT_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function onSignal(signal: NodeJS.Signals): void {
  killAllNow();
  // Listening replaced Node's default for the signal (exit). Another listener may also wait to be
  // the last one before re-raising (signal-exit, loaded by upgrades-core, does): if both wait, the
  // process never ends. So this listener leaves, and re-raises once the others have run; a
  // Patchline process ends on these signals.
  for (const s of EXIT_SIGNALS) process.removeListener(s, onSignal);
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  else setImmediate(() => process.kill(process.pid, signal));
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on('exit', killAllNow);
  for (const signal of EXIT_SIGNALS) process.on(signal, onSignal);
}

/** Pids of the anvil processes this process started and has not stopped yet. */
export function runningAnvilPids(): number[] {
  return [...running.keys()];
}

/** Stops every anvil this process started. */
export async function stopAllAnvils(): Promise<void> {
  await Promise.all([...running.entries()].map(([pid, child]) => stopChild(pid, child)));
}

function stopChild(pid: number, child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    running.delete(pid);
    return Promise.resolve();
  }
  return new Promise<void>((resolve) => {
    const hardKill = setTimeout(() => killGroup(pid, 'SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(hardKill);
      // Anything left in the group (anvil starts no children today) goes too.
      killGroup(pid, 'SIGKILL');
      running.delete(pid);
      resolve();
    });
    killGroup(pid, 'SIGTERM');
  });
}

// ---- start -----------------------------------------------------------------------------------

/** A port free on 127.0.0.1 at this moment (anvil binds it a moment later; a lost race is retried). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Whether anvil answers JSON-RPC on the port yet. */
async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}',
      signal: AbortSignal.timeout(2000),
    });
    return response.ok;
  } catch {
    return false;
  }
}

export async function startAnvil(options: AnvilOptions = {}): Promise<AnvilNode> {
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort());
    try {
      return await launch(options, port);
    } catch (error) {
      // Another process took the free port first: try another one.
      const taken = error instanceof AnvilStartError && error.output.some((line) => /address already in use|os error 98/i.test(line));
      if (!taken || options.port !== undefined || attempt >= 3) throw error;
    }
  }
}

async function launch(options: AnvilOptions, port: number): Promise<AnvilNode> {
  const binary = options.anvilPath ?? bundledAnvilPath();
  const args = anvilArgs({ ...options, port });
  const output: string[] = [];
  const hideSecrets = secretMasker([options.forkUrl]);
  const remember = (line: string) => {
    output.push(hideSecrets(line));
    if (output.length > OUTPUT_LINES_KEPT) output.shift();
  };

  installExitHooks();
  const token = randomBytes(8).toString('hex');
  const watchdog = startWatchdog(token);
  const child = spawn(binary, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...(options.env ?? process.env), [WATCH_ENV]: token },
  });
  armWatchdog(watchdog, child.pid);
  // A node left running must never keep this process alive; the exit hook kills it.
  child.unref();
  if (child.pid !== undefined) {
    const pid = child.pid;
    child.once('exit', () => stopWatchdog(pid));
  }

  const described = options.forkUrl ? `anvil (fork of ${maskRpcUrl(options.forkUrl)})` : 'anvil';
  const rpcUrl = `http://127.0.0.1:${port}`;
  await new Promise<void>((resolve, reject) => {
    let settled = false;
    const fail = (message: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const tail = output.filter((line) => line.trim()).slice(-12);
      const detail = tail.length ? `\n${tail.join('\n')}` : '';
      reject(new AnvilStartError(`${message}${detail}`, [...output]));
    };
    const timeoutMs = options.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS;
    const timer = setTimeout(() => {
      fail(`${described} did not start within ${timeoutMs} ms${options.forkUrl ? ': is the fork RPC reachable?' : ''}`);
      if (child.pid !== undefined) void stopChild(child.pid, child);
    }, timeoutMs);

    child.once('error', (error) => fail(`${described} could not be started (${binary}): ${error.message}`));
    // 'close', not 'exit': by then the output is drained and the error lines are in `output`.
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
      if (child.pid !== undefined) running.delete(child.pid);
      fail(`${described} exited during start-up (${signal ?? `code ${code}`})${options.forkUrl ? ': the fork RPC failed' : ''}`);
    });
    if (child.pid !== undefined) running.set(child.pid, child);

    const drain = (stream: NodeJS.ReadableStream & { unref?: () => void }) => {
      stream.unref?.();
      let partial = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) remember(line);
      });
    };
    drain(child.stdout!);
    drain(child.stderr!);
    void (async () => {
      while (!settled) {
        if (await answers(rpcUrl)) {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve();
          return;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
  });

  const pid = child.pid!;
  return {
    rpcUrl,
    port,
    pid,
    recentOutput: () => [...output],
    stop: () => stopChild(pid, child),
  };
}
