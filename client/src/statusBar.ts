// The status bar item: analysis state at a glance; a click opens the output channel.
import * as vscode from 'vscode';
import type { StatusParams } from '../../server/src/protocol';

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('patchline.status', vscode.StatusBarAlignment.Left, 10);

  constructor() {
    this.item.name = 'Patchline';
    this.item.command = 'patchline.showOutput';
    this.item.show();
  }

  showStarting(): void {
    this.item.text = '$(loading~spin) Patchline';
    this.item.tooltip = 'Patchline: starting the language server…';
    this.item.backgroundColor = undefined;
  }

  showStopped(): void {
    this.item.text = '$(circle-slash) Patchline';
    this.item.tooltip = 'Patchline: the language server is stopped. Run "Patchline: Restart Language Server".';
    this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
  }

  show(status: StatusParams): void {
    const icon = status.state === 'analyzing' ? '$(loading~spin)' : status.state === 'error' ? '$(error)' : '$(shield)';
    this.item.text = `${icon} Patchline`;
    const tiers = status.tiers === 'parser' ? 'Untrusted workspace: parser tier only' : 'Parser and compiler tiers';
    this.item.tooltip = `Patchline: ${status.message}\n${tiers}`;
    this.item.backgroundColor = status.state === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  }

  dispose(): void {
    this.item.dispose();
  }
}
