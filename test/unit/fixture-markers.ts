// The one marker syntax of every fixture (rules and storage alike), read by the tests that check
// findings against it and by the rule contract test.
//
//   <code>  // expect <rule-id> [<column>..<endColumn>]
//   <code>  // expect <rule-id> [<column>..+<lines>:<endColumn>], <other-rule-id>
//
// A marker says: a finding of <rule-id> starts on this line. With a range in brackets it also says
// exactly where the finding's range is: it starts at <column> of this line and ends at
// <endColumn>, on this line or <lines> lines below. Columns are 1-based and the end is exclusive,
// as `patchline check --format json` prints `column` and `endColumn`. Several findings on one line
// are listed comma-separated.
import type { Finding, Range } from '../../server/src/engine/findings';

export interface Marker {
  rule: string;
  /** 0-based line of the marker. */
  line: number;
  /** The full range (0-based, LSP style) when the marker states it. */
  range?: Range;
}

const MARKER = /\/\/ expect ((?:[a-z0-9-]+(?: \[\d+\.\.(?:\+\d+:)?\d+\])?(?:, *)?)+)$/;
const ENTRY = /^([a-z0-9-]+)(?: \[(\d+)\.\.(?:\+(\d+):)?(\d+)\])?$/;

/** Every marker of a fixture text, in order. */
export function markersOf(text: string): Marker[] {
  const out: Marker[] = [];
  text.split(/\r\n|\r|\n/).forEach((lineText, line) => {
    const match = MARKER.exec(lineText.trimEnd());
    if (!match) return;
    for (const entry of match[1].split(/, */).filter(Boolean)) {
      const m = ENTRY.exec(entry.trim());
      if (!m) throw new Error(`line ${line + 1}: malformed marker "${entry}"`);
      const [, rule, column, lines, endColumn] = m;
      out.push({
        rule,
        line,
        ...(column !== undefined
          ? { range: { start: { line, character: Number(column) - 1 }, end: { line: line + Number(lines ?? 0), character: Number(endColumn) - 1 } } }
          : {}),
      });
    }
  });
  return out;
}

/** 0-based lines carrying a marker for `rule`. */
export function expectedLines(text: string, rule: string): number[] {
  return markersOf(text)
    .filter((m) => m.rule === rule)
    .map((m) => m.line);
}

/** A finding's range in marker form, `[column..endColumn]` or `[column..+lines:endColumn]`. */
export function rangeMarker(range: Range): string {
  const lines = range.end.line - range.start.line;
  return `[${range.start.character + 1}..${lines > 0 ? `+${lines}:` : ''}${range.end.character + 1}]`;
}

/**
 * The markers' stated ranges against the findings: for each marker with a range, the finding of
 * its rule starting on its line must have exactly that range. Returns the mismatches.
 */
export function rangeMismatches(text: string, findings: Finding[]): string[] {
  const out: string[] = [];
  for (const marker of markersOf(text)) {
    if (!marker.range) continue;
    const candidates = findings.filter((f) => f.rule === marker.rule && f.range.start.line === marker.line);
    if (!candidates.some((f) => rangeMarker(f.range) === rangeMarker(marker.range!))) {
      out.push(`line ${marker.line + 1}: expected ${marker.rule} ${rangeMarker(marker.range)}, found ${candidates.map((f) => rangeMarker(f.range)).join(', ') || 'none'}`);
    }
  }
  return out;
}
