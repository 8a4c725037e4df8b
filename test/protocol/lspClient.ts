// A minimal LSP client over stdio for protocol tests: spawns dist/server.js and speaks JSON-RPC to it.
import { spawn, type ChildProcess } from 'node:child_process';
import { URI } from 'vscode-uri';
import { join } from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import {
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  type Diagnostic,
  type PublishDiagnosticsParams,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol';

/** LSP 3.18 allows markup in diagnostic messages; ours are plain strings. */
export function messageText(message: string | { value: string }): string {
  return typeof message === 'string' ? message : message.value;
}

export const serverPath = join(__dirname, '..', '..', 'dist', 'server.js');

export class LspTestClient {
  readonly connection: MessageConnection;
  readonly process: ChildProcess;
  readonly stderr: string[] = [];
  /** Every publishDiagnostics the server sent, in order. */
  readonly published: PublishDiagnosticsParams[] = [];
  private waiters: { predicate: (p: PublishDiagnosticsParams) => boolean; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  private exited: Promise<number | null>;
  /** Answers to `workspace/configuration` (section `patchline`). */
  settings: Record<string, unknown> = {};

  constructor() {
    this.process = spawn(process.execPath, [serverPath, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.process.stderr!.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString()));
    this.exited = new Promise((resolve) => this.process.on('exit', (code) => resolve(code)));
    this.connection = createMessageConnection(new StreamMessageReader(this.process.stdout!), new StreamMessageWriter(this.process.stdin!));
    this.connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
      this.published.push(params);
      this.waiters = this.waiters.filter((w) => {
        if (!w.predicate(params)) return true;
        w.resolve(params);
        return false;
      });
    });
    this.connection.onRequest('workspace/configuration', (params: { items: { section?: string }[] }) =>
      params.items.map((item) => (item.section === 'patchline' ? this.settings : null)),
    );
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.onNotification('window/logMessage', () => undefined);
    this.connection.onNotification('patchline/status', () => undefined);
    this.connection.listen();
  }

  async initialize(options: { configuration?: boolean; trusted?: boolean; workspaceFolder?: string } = {}): Promise<void> {
    const folder = options.workspaceFolder ? URI.file(options.workspaceFolder).toString() : null;
    await this.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: folder,
      workspaceFolders: folder ? [{ uri: folder, name: 'workspace' }] : null,
      capabilities: {
        workspace: { configuration: options.configuration ?? false },
        textDocument: { publishDiagnostics: { relatedInformation: true, versionSupport: true } },
      },
      initializationOptions: { trusted: options.trusted ?? false },
    });
    await this.connection.sendNotification(InitializedNotification.type, {});
  }

  open(uri: string, text: string, version = 1): Promise<void> {
    return this.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: 'solidity', version, text },
    });
  }

  change(uri: string, version: number, contentChanges: TextDocumentContentChangeEvent[]): Promise<void> {
    return this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version },
      contentChanges,
    });
  }

  /** Resolves with the first diagnostics (already received or future) matching `predicate`. The first
   * analysis of a file that imports OpenZeppelin parses all of it: generous by default on a loaded machine. */
  waitForDiagnostics(predicate: (p: PublishDiagnosticsParams) => boolean, timeoutMs = 60_000): Promise<PublishDiagnosticsParams> {
    const seen = this.published.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching diagnostics within ${timeoutMs} ms (published: ${this.published.slice(-5).map((p) => `${p.uri}@${p.version}`).join(', ')}; alive: ${this.alive}); stderr: ${this.stderr.join('')}`)), timeoutMs);
      this.waiters.push({
        predicate,
        resolve: (p) => {
          clearTimeout(timer);
          resolve(p);
        },
      });
    });
  }

  /** Diagnostics for `uri` at exactly `version`. */
  diagnosticsAt(uri: string, version: number, timeoutMs?: number): Promise<Diagnostic[]> {
    return this.waitForDiagnostics((p) => p.uri === uri && p.version === version, timeoutMs).then((p) => p.diagnostics);
  }

  get alive(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  /** shutdown + exit, as a well-behaved client does; resolves with the exit code. */
  async stop(): Promise<number | null> {
    if (this.alive) {
      await this.connection.sendRequest(ShutdownRequest.type);
      await this.connection.sendNotification(ExitNotification.type);
    }
    const code = await Promise.race([this.exited, new Promise<null>((r) => setTimeout(() => r(null), 5000))]);
    if (this.alive) this.process.kill('SIGKILL');
    this.connection.dispose();
    return code;
  }
}
