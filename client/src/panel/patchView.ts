// Host side of the "Patch" webview view: the upgradeable contracts the server found, each linking
// to its source. Its front end is media/panel/main.ts, bundled to dist/media/panel.js.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { ListContractsRequest, type AnalysisState } from '../../../server/src/protocol';
import type { Ctx } from '../ctx';
import { parseWebviewMessage, type HostMessage } from './messages';

export class PatchViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewType = 'patchline.patch';
  private view: vscode.WebviewView | undefined;
  private state: AnalysisState = 'idle';
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly ctx: Ctx) {
    this.disposables.push(
      ctx.onStatus((status) => {
        this.state = status.state;
        if (status.state !== 'analyzing') void this.refresh();
      }),
    );
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    const mediaRoot = vscode.Uri.joinPath(this.ctx.extension.extensionUri, 'dist', 'media');
    view.webview.options = { enableScripts: true, localResourceRoots: [mediaRoot] };
    view.webview.html = this.html(view.webview, mediaRoot);
    this.disposables.push(
      view.webview.onDidReceiveMessage((raw: unknown) => void this.onMessage(raw)),
      view.onDidChangeVisibility(() => view.visible && void this.refresh()),
    );
  }

  private async onMessage(raw: unknown): Promise<void> {
    const message = parseWebviewMessage(raw);
    if (!message) {
      this.ctx.output.warn(`Patch view: ignored an invalid message ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    if (message.type === 'open') {
      const position = new vscode.Position(message.line, message.character);
      await vscode.window.showTextDocument(vscode.Uri.parse(message.uri), { selection: new vscode.Range(position, position) });
    } else {
      await this.refresh();
    }
  }

  async refresh(): Promise<void> {
    const client = this.ctx.languageClient;
    if (!this.view || !client?.isRunning()) return;
    try {
      const { contracts } = await client.sendRequest(ListContractsRequest, { upgradeableOnly: true });
      const message: HostMessage = { type: 'contracts', contracts, state: this.state, trusted: vscode.workspace.isTrusted };
      await this.view.webview.postMessage(message);
    } catch (error) {
      this.ctx.output.error(`Patch view: could not list contracts: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private html(webview: vscode.Webview, mediaRoot: vscode.Uri): string {
    const nonce = randomBytes(16).toString('base64');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(mediaRoot, 'panel.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(mediaRoot, 'panel.css'));
    const csp = [
      "default-src 'none'",
      `style-src ${webview.cspSource} 'nonce-${nonce}'`,
      `font-src ${webview.cspSource}`,
      `script-src 'nonce-${nonce}'`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${style}" nonce="${nonce}">
  <title>Patch</title>
</head>
<body>
  <main id="app" aria-live="polite"></main>
  <script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
