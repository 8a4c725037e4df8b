// Host side of the storage layout grid (an editor-area webview). Front end: media/layout/main.ts.
import * as vscode from 'vscode';
import type { StorageLayoutView } from '../../../server/src/protocol';
import type { Ctx } from '../ctx';
import { webviewHtml } from './html';
import { parseLayoutWebviewMessage, type LayoutHostMessage } from './messages';

export class LayoutPanel {
  private static current: LayoutPanel | undefined;

  static show(ctx: Ctx, view: StorageLayoutView, source: vscode.Uri): void {
    if (LayoutPanel.current) {
      LayoutPanel.current.update(view, source);
      LayoutPanel.current.panel.reveal(vscode.ViewColumn.Beside, true);
      return;
    }
    const mediaRoot = vscode.Uri.joinPath(ctx.extension.extensionUri, 'dist', 'media');
    const panel = vscode.window.createWebviewPanel('patchline.storageLayout', `Storage: ${view.contract}`, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      localResourceRoots: [mediaRoot],
    });
    LayoutPanel.current = new LayoutPanel(ctx, panel, mediaRoot);
    LayoutPanel.current.update(view, source);
  }

  private source: vscode.Uri | undefined;
  private view: StorageLayoutView | undefined;

  private constructor(
    private readonly ctx: Ctx,
    readonly panel: vscode.WebviewPanel,
    mediaRoot: vscode.Uri,
  ) {
    panel.webview.html = webviewHtml(panel.webview, mediaRoot, 'layout', 'Storage layout');
    panel.webview.onDidReceiveMessage(async (raw: unknown) => {
      const message = parseLayoutWebviewMessage(raw);
      if (!message) {
        this.ctx.output.warn(`Storage layout view: ignored an invalid message ${JSON.stringify(raw)?.slice(0, 200)}`);
        return;
      }
      if (message.type === 'ready') this.post();
      else if (message.type === 'reveal' && this.source) {
        const position = new vscode.Position(message.line, 0);
        await vscode.window.showTextDocument(this.source, { selection: new vscode.Range(position, position), viewColumn: vscode.ViewColumn.One });
      }
    });
    panel.onDidDispose(() => {
      if (LayoutPanel.current === this) LayoutPanel.current = undefined;
    });
  }

  update(view: StorageLayoutView, source: vscode.Uri): void {
    this.view = view;
    this.source = source;
    this.panel.title = `Storage: ${view.contract}`;
    this.post();
  }

  private post(): void {
    if (!this.view) return;
    const message: LayoutHostMessage = { type: 'layout', view: this.view };
    void this.panel.webview.postMessage(message);
  }
}
