// The line protocol between the mocha run inside the extension host and the node:test file outside:
// the reporter prints one marked JSON line per test to the extension host's console, which the
// workbench forwards to the page (`codeAutomationLog`) under code-server.
export const resultMarker = '[patchline-editor-test]';

export type ResultLine =
  | { kind: 'test'; title: string; state: 'passed' | 'failed' | 'skipped'; error?: string }
  | { kind: 'end'; passed: number; failed: number; skipped: number };

export function formatResultLine(line: ResultLine): string {
  return `${resultMarker} ${JSON.stringify(line)}`;
}

/** The result carried by one console message, or undefined when it is not one. */
export function parseResultLine(text: string): ResultLine | undefined {
  const at = text.indexOf(resultMarker);
  if (at < 0) return undefined;
  try {
    const value = JSON.parse(text.slice(at + resultMarker.length)) as ResultLine;
    return value.kind === 'test' || value.kind === 'end' ? value : undefined;
  } catch {
    return undefined;
  }
}
