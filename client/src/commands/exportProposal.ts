// The Export Upgrade Proposal command: focuses the Patch view, whose export form sits under a simulation.
import * as vscode from 'vscode';
import type { PatchViewProvider } from '../panel/patchView';

/** Patchline: Export Upgrade Proposal — the export form of the Patch view, under the last simulation. */
export function exportProposal(view: PatchViewProvider): () => Promise<void> {
  return async () => {
    await vscode.commands.executeCommand('patchline.patch.focus');
    if (!view.hasSimulation) {
      void vscode.window.showInformationMessage(
        'Patchline: simulate the upgrade first (Patch view → Simulate); the export then appears under its result. Without a simulation, use the CLI: patchline propose … --no-simulation.',
      );
    }
  };
}
