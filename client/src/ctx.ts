// Owns the language client's lifetime: start, restart on trust change, stop on deactivate.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, State, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { StatusNotification, type InitializationOptions, type StatusParams } from '../../server/src/protocol';
import { StatusBar } from './statusBar';

/**
 * A context whose language client is running (rust-analyzer's `CtxInit`): what commands and views
 * that ask the server work with, so none has to check `isRunning()` itself.
 */
export type CtxInit = Ctx & { readonly client: LanguageClient };

export class Ctx implements vscode.Disposable {
  private current: LanguageClient | undefined;
  readonly output: vscode.LogOutputChannel;
  readonly statusBar: StatusBar;
  private readonly statusListeners = new Set<(status: StatusParams) => void>();
  private readonly disposables: vscode.Disposable[] = [];
  /** patchline.json is read by the server from disk: its changes re-analyse and re-check it. One watcher across restarts. */
  private readonly configWatcher = vscode.workspace.createFileSystemWatcher('**/patchline.json');

  constructor(readonly extension: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel('Patchline', { log: true });
    this.statusBar = new StatusBar();
    this.disposables.push(this.output, this.statusBar, this.configWatcher);
  }

  /** This context with its client, while the client is running; undefined while it starts, after it stopped or crashed. */
  started(): CtxInit | undefined {
    const client = this.current;
    return client?.isRunning() ? Object.assign(Object.create(this) as Ctx, { client }) : undefined;
  }

  onStatus(listener: (status: StatusParams) => void): vscode.Disposable {
    this.statusListeners.add(listener);
    return new vscode.Disposable(() => this.statusListeners.delete(listener));
  }

  async start(): Promise<void> {
    const serverModule = this.extension.asAbsolutePath(path.join('dist', 'server.js'));
    const serverOptions: ServerOptions = {
      run: { module: serverModule, transport: TransportKind.ipc },
      debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6011'] } },
    };
    const initializationOptions: InitializationOptions = { trusted: vscode.workspace.isTrusted };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: 'file', language: 'solidity' },
        { scheme: 'untitled', language: 'solidity' },
      ],
      outputChannel: this.output,
      initializationOptions,
      // patchline.json is read by the server from disk; its changes re-analyse and re-check it.
      synchronize: { configurationSection: 'patchline', fileEvents: this.configWatcher },
    };
    const client = new LanguageClient('patchline', 'Patchline', serverOptions, clientOptions);
    client.onDidChangeState((event) => {
      if (event.newState === State.Stopped) this.statusBar.showStopped();
    });
    this.current = client;
    this.statusBar.showStarting();
    await client.start();
    client.onNotification(StatusNotification, (status) => {
      this.statusBar.show(status);
      for (const listener of this.statusListeners) listener(status);
    });
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async stop(): Promise<void> {
    const client = this.current;
    this.current = undefined;
    if (client && client.state !== State.Stopped) await client.stop();
  }

  dispose(): void {
    void this.stop();
    for (const d of this.disposables) d.dispose();
  }
}
