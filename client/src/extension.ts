// Activation: start the language client, register commands and the Patch view.
import * as vscode from 'vscode';
import { exportProposal } from './commands/exportProposal';
import { simulateProposalExecution } from './commands/simulateProposalExecution';
import { recordBaseline } from './commands/recordBaseline';
import { restartServer } from './commands/restartServer';
import { showStorageLayout } from './commands/showStorageLayout';
import { simulateUpgrade } from './commands/simulateUpgrade';
import { showOutput } from './commands/showOutput';
import { Ctx } from './ctx';
import { PatchViewProvider } from './panel/patchView';

let ctx: Ctx | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  ctx = new Ctx(context);
  const patchView = new PatchViewProvider(ctx);
  context.subscriptions.push(
    ctx,
    patchView,
    vscode.window.registerWebviewViewProvider(PatchViewProvider.viewType, patchView),
    vscode.commands.registerCommand('patchline.showOutput', showOutput(ctx)),
    vscode.commands.registerCommand('patchline.restartServer', restartServer(ctx)),
    vscode.commands.registerCommand('patchline.recordBaseline', recordBaseline(ctx)),
    vscode.commands.registerCommand('patchline.showStorageLayout', showStorageLayout(ctx)),
    vscode.commands.registerCommand('patchline.simulateUpgrade', simulateUpgrade(ctx, patchView)),
    vscode.commands.registerCommand('patchline.exportProposal', exportProposal(patchView)),
    vscode.commands.registerCommand('patchline.simulateProposalExecution', simulateProposalExecution(patchView)),
    // Trust unlocks the compiler tier and processes: the server reads trust at start-up.
    vscode.workspace.onDidGrantWorkspaceTrust(() => void ctx?.restart()),
  );
  try {
    await ctx.start();
  } catch (error) {
    ctx.output.error(`The language server did not start: ${error instanceof Error ? error.message : String(error)}`);
    void vscode.window.showErrorMessage('Patchline: the language server did not start. See the Patchline output.');
  }
}

export async function deactivate(): Promise<void> {
  await ctx?.stop();
  ctx = undefined;
}
