// Typed view of the `patchline.*` settings the client itself needs (the server reads its own).
import * as vscode from 'vscode';

export type TraceLevel = 'off' | 'messages' | 'verbose';

export interface ClientConfig {
  trace: TraceLevel;
}

export function readConfig(): ClientConfig {
  const config = vscode.workspace.getConfiguration('patchline');
  const trace = config.get<string>('trace.server', 'off');
  return { trace: trace === 'messages' || trace === 'verbose' ? trace : 'off' };
}
