// The Simulate Upgrade command: opens the Patch view prefilled with the contract to upgrade to.
import * as vscode from 'vscode';
import { ListContractsRequest } from '../../../server/src/protocol';
import type { Ctx } from '../ctx';
import type { PatchViewProvider } from '../panel/patchView';

/**
 * Patchline: Simulate Upgrade — opens the Patch view with the new implementation filled in: the
 * contract the code lens names, else the upgradeable contract of the active editor.
 */
export function simulateUpgrade(ctx: Ctx, view: PatchViewProvider): (implementation?: string) => Promise<void> {
  return async (implementation?: string) => {
    let target = typeof implementation === 'string' ? implementation : undefined;
    const editor = vscode.window.activeTextEditor;
    const started = ctx.started();
    if (!target && editor?.document.languageId === 'solidity' && started) {
      const { contracts } = await started.client.sendRequest(ListContractsRequest, { upgradeableOnly: true });
      const inFile = contracts.filter((c) => c.uri === editor.document.uri.toString());
      const atCursor = [...inFile].reverse().find((c) => c.line <= editor.selection.active.line) ?? inFile[0];
      if (atCursor) target = `${atCursor.file}:${atCursor.name}`;
    }
    await view.prefill(target ?? '');
  };
}
