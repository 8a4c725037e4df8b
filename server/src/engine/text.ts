// Offsets ↔ positions. Offsets are UTF-16 code-unit indexes into a JS string, like the
// parser's `range` and like LSP positions, so no re-encoding is needed here. Lines end at `\n`,
// `\r\n` or a lone `\r`, as LSP counts them.
import type { Position, Range } from './findings';

export class LineIndex {
  /** Offset of the first character of each line. */
  private readonly lineStarts: number[];

  /** The last few indexes built through `of`, newest first. */
  private static recent: LineIndex[] = [];

  /**
   * The index of `text`, shared: one analysis asks for the same text's lines from the parser,
   * the models, the layouts and the rules, and a 3,000-line file takes a scan each time.
   */
  static of(text: string): LineIndex {
    const recent = LineIndex.recent;
    for (const index of recent) if (index.text === text) return index;
    const index = new LineIndex(text);
    recent.unshift(index);
    if (recent.length > 4) recent.pop();
    return index;
  }

  constructor(readonly text: string) {
    const starts = [0];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 /* \n */) starts.push(i + 1);
      else if (c === 13 /* \r */ && text.charCodeAt(i + 1) !== 10) starts.push(i + 1);
    }
    this.lineStarts = starts;
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  positionAt(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid] <= clamped) low = mid;
      else high = mid - 1;
    }
    return { line: low, character: clamped - this.lineStarts[low] };
  }

  offsetAt(position: Position): number {
    if (position.line >= this.lineStarts.length) return this.text.length;
    const line = Math.max(0, position.line);
    return Math.min(this.lineStarts[line] + position.character, this.lineEnd(line));
  }

  /** Range from a half-open offset span [start, end). */
  rangeOf(start: number, end: number): Range {
    return { start: this.positionAt(start), end: this.positionAt(end) };
  }

  /** Range of an AST node, whose `range` is [start, endInclusive]. */
  rangeOfNode(node: { range?: [number, number] }): Range {
    const [start, endInclusive] = node.range ?? [0, -1];
    return this.rangeOf(start, endInclusive + 1);
  }

  lineText(line: number): string {
    if (line < 0 || line >= this.lineStarts.length) return '';
    return this.text.slice(this.lineStarts[line], this.lineEnd(line));
  }

  /** Offset of the line break ending `line` (or the text's end), before a `\r\n`'s `\r`. */
  private lineEnd(line: number): number {
    if (line + 1 >= this.lineStarts.length) return this.text.length;
    const next = this.lineStarts[line + 1];
    return this.text.charCodeAt(next - 1) === 10 && this.text.charCodeAt(next - 2) === 13 ? next - 2 : next - 1;
  }
}

/** Where the line comment starting at `from` ends: before the next `\n` or `\r`, as the lexer ends it. */
export function lineCommentEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
  return i;
}

/**
 * Moves ranges of `before` to where the same text is in `after`, for results kept across an edit:
 * the edit is the span between the texts' common start and common end. A range that overlaps it
 * has no place in `after` (undefined); the others move with the text around them.
 */
export function rangeMover(before: string, after: string): (range: Range) => Range | undefined {
  let prefix = 0;
  const shortest = Math.min(before.length, after.length);
  while (prefix < shortest && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix < shortest - prefix && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
  const editEnd = before.length - suffix;
  const delta = after.length - before.length;
  const from = LineIndex.of(before);
  const to = LineIndex.of(after);
  return (range) => {
    const end = from.offsetAt(range.end);
    if (end <= prefix) return range; // the text before the edit is the same
    const start = from.offsetAt(range.start);
    if (start >= editEnd) return to.rangeOf(start + delta, end + delta);
    return undefined;
  };
}
