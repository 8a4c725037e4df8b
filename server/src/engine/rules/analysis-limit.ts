// analysis-limit: a file too large, too deeply nested or too slow to parse was not analysed.
import type { ParsedFile } from '../parse/parsed-file';
import { LineIndex } from '../text';
import { defineRule } from './rule';

export const analysisLimit = defineRule<ParsedFile>({
  id: 'analysis-limit',
  severity: 'error',
  summary: 'A file went over an analysis limit (size, bracket nesting or parse time) and was not checked.',
  detect(parsed) {
    if (!parsed.limit) return [];
    const lines = new LineIndex(parsed.text);
    const start = lines.positionAt(parsed.limit.offset);
    // One character wide, so the editor shows it; the first line for limits about the whole file.
    const end = lines.positionAt(Math.min(parsed.limit.offset + 1, lines.offsetAt({ line: start.line, character: Number.MAX_SAFE_INTEGER })));
    return [{ message: parsed.limit.message, range: { start, end } }];
  },
});
