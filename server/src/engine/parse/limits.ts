// Bounds on parse work, checked before ANTLR runs. The parser's time grows steeply with bracket
// nesting (200 nested parentheses took 17 s, 500 took 113 s) and linearly with size, so a linear
// scan of size and bracket depth rejects the pathological files up front, and a time budget
// (checked inside the token stream) stops whatever the scan cannot foresee.
import { lineCommentEnd } from '../text';

export interface AnalysisLimits {
  /** Characters (UTF-16 code units) in one file. */
  maxFileChars: number;
  /** Depth of nested `(`, `[` and `{`, outside comments and strings. */
  maxNesting: number;
  /** Wall-clock budget for parsing one file, in milliseconds. */
  parseBudgetMs: number;
}

/**
 * The deepest of 854 OpenZeppelin Contracts files nests 10 brackets; 32 leaves room for real code
 * and still parses in about a second. A 1 MiB file is about 25,000 lines (10 s of parsing).
 */
export const DEFAULT_LIMITS: AnalysisLimits = { maxFileChars: 1_048_576, maxNesting: 32, parseBudgetMs: 20_000 };

export type LimitKind = 'size' | 'binary' | 'nesting' | 'time';

/** Why a file was not parsed (or not in full). */
export interface LimitHit {
  kind: LimitKind;
  message: string;
  /** UTF-16 offset the finding points at. */
  offset: number;
}

export interface PreScan {
  /** Deepest bracket nesting seen (the scan stops at the first depth over the limit). */
  maxDepth: number;
  hit?: LimitHit;
}

/** One linear pass over `text`: size, then bracket depth outside comments and strings. */
export function preScan(text: string, limits: AnalysisLimits = DEFAULT_LIMITS): PreScan {
  if (text.length > limits.maxFileChars) {
    return {
      maxDepth: 0,
      hit: {
        kind: 'size',
        offset: 0,
        message: `The file has ${text.length.toLocaleString('en-US')} characters, over the limit of ${limits.maxFileChars.toLocaleString('en-US')}: it was not parsed, so nothing in it was checked`,
      },
    };
  }
  // A NUL character never occurs in source text (git's test for binary files, too).
  const nul = text.indexOf('\u0000');
  if (nul >= 0) {
    return {
      maxDepth: 0,
      hit: { kind: 'binary', offset: nul, message: 'The file holds a NUL character, so it is binary, not Solidity source: it was not parsed, so nothing in it was checked' },
    };
  }
  let depth = 0;
  let maxDepth = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 47 /* / */ && text.charCodeAt(i + 1) === 47) {
      i = lineCommentEnd(text, i);
      continue;
    }
    if (c === 47 && text.charCodeAt(i + 1) === 42 /* * */) {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
      continue;
    }
    if (c === 34 || c === 39) {
      // A string ends at its quote or at the line end (the lexer's rule for an unterminated one).
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 92) i += 2;
        else if (d === c) break;
        else if (d === 10 || d === 13) break;
        else i++;
      }
      i++;
      continue;
    }
    if (c === 40 || c === 91 || c === 123) {
      depth++;
      if (depth > maxDepth) {
        maxDepth = depth;
        if (depth > limits.maxNesting) {
          return {
            maxDepth,
            hit: {
              kind: 'nesting',
              offset: i,
              message: `Brackets nest more than ${limits.maxNesting} deep here: the file was not parsed (the parser's time grows steeply with nesting), so nothing in it was checked`,
            },
          };
        }
      }
    } else if (c === 41 || c === 93 || c === 125) {
      if (depth > 0) depth--;
    }
    i++;
  }
  return { maxDepth };
}

/** Thrown from inside the parser when its time budget runs out. */
export class ParseBudgetExceeded extends Error {
  constructor(readonly budgetMs: number) {
    super(`Parsing took longer than the time budget of ${budgetMs} ms`);
  }
}

export function timeLimitHit(budgetMs: number): LimitHit {
  return {
    kind: 'time',
    offset: 0,
    message: `Parsing the file took longer than its time budget (${budgetMs} ms) and was stopped, so nothing in it was checked`,
  };
}
