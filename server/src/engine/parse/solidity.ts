// Tolerant Solidity parsing on top of @solidity-parser/parser's ANTLR grammar.
//
// We drive the lexer, parser and AST builder ourselves instead of calling the package's
// `parse()`: on some half-typed input (`x = ;`) its AST builder throws after the parser has
// already recovered and recorded the syntax errors, and `parse()` then loses those errors.
// Here a builder crash still yields the errors, so the editor can show them.
import {
  ASTBuilder,
  buildCommentList,
  CharStream,
  CommonTokenStream,
  ErrorListener,
  PredictionMode,
  SolidityLexer,
  SolidityParser,
  type ParserATNSimulator,
} from '../vendor/solidity-antlr.js';
import type { SourceUnit } from '@solidity-parser/parser/dist/src/ast-types';
import type { Range } from '../findings';
import { LineIndex } from '../text';
import { ParseBudgetExceeded, timeLimitHit, type LimitHit } from './limits';

export type { SourceUnit };

export interface SyntaxError {
  message: string;
  range: Range;
}

export interface Comment {
  type: 'LineComment' | 'BlockComment';
  value: string;
  /** [start, end) UTF-16 offsets: unlike AST node ranges, the lexer's comment end is exclusive. */
  range: [number, number];
}

export interface ParseResult {
  /** The AST, or undefined when the AST builder could not build one from the recovered tree. */
  ast: SourceUnit | undefined;
  errors: SyntaxError[];
  comments: Comment[];
  /** Set when the parse was stopped by its time budget (then `ast` is undefined). */
  limit?: LimitHit;
}

export interface ParseOptions {
  /** Stop (and report a time limit) when parsing takes longer than this many milliseconds. */
  budgetMs?: number;
  /** ANTLR decisions predicted with SLL instead of full LL (default SLL_DECISIONS; empty: full LL everywhere, as the package parses). */
  sllDecisions?: ReadonlySet<number>;
}

interface RawError {
  message: string;
  line: number; // 1-based
  column: number; // 0-based, UTF-16 units
}

/** Parses `text`; never throws. Positions in the AST are UTF-16 offsets (`range`, [start, endInclusive]); nodes carry no `loc`. */
export function parseSolidity(text: string, options: ParseOptions = {}): ParseResult {
  const listener = new ErrorListener();
  const lexer = new SolidityLexer(new CharStream(text));
  lexer.removeErrorListeners();
  lexer.addErrorListener(listener);
  const tokens = new CommonTokenStream(lexer);
  if (options.budgetMs !== undefined) watchBudget(tokens, options.budgetMs);
  const parser = new SolidityParser(tokens);
  parser.removeErrorListeners();
  parser.addErrorListener(listener);
  parser.buildParseTrees = true;
  predictWithSll(parser._interp, options.sllDecisions ?? SLL_DECISIONS);

  let ast: SourceUnit | undefined;
  let comments: Comment[] = [];
  try {
    const tree = parser.sourceUnit();
    // Offsets only: nothing reads `loc`, and line/column objects on every node cost a third of an AST's memory.
    const builder = new ASTBuilder({ loc: false, range: true, tolerant: true });
    builder.visit(tree);
    ast = (builder.result as SourceUnit | null) ?? undefined;
    if (ast) pruneHoles(ast);
    comments = buildCommentList(tokens.tokens, lexer.channelNames.indexOf('HIDDEN'), { range: true }) as Comment[];
  } catch (error) {
    if (error instanceof ParseBudgetExceeded) return { ast: undefined, errors: [], comments: [], limit: timeLimitHit(error.budgetMs) };
    // The AST builder met a node the parser left empty during error recovery. The errors
    // collected so far are still exact; the caller keeps its last good AST.
    ast = undefined;
  }
  const raw: RawError[] = listener.getErrors();
  const lines = new LineIndex(text);
  const antlrLines = raw.length > 0 ? newlineStarts(text) : [0];
  const errors = raw.map((e) => toSyntaxError(e, lines, antlrLines));
  if (ast === undefined && errors.length === 0) {
    errors.push({ message: 'Syntax error: the file could not be parsed', range: zeroRange() });
  }
  return { ast, errors, comments };
}

/**
 * ANTLR decision 97 picks `primaryExpression`'s alternative. An identifier fits two of them
 * (`identifier` and `typeName`), so the fast SLL prediction reports a conflict on nearly every
 * identifier in an expression, and full-LL prediction then re-runs with the whole call stack (it
 * is not cached): two thirds of a parse's time. Full LL finds the same ambiguity and takes the
 * lowest alternative, which is what SLL takes on a conflict, so this one decision is predicted
 * with SLL. Every other decision keeps full LL: SLL for the expression loop too (decision 96)
 * changes the parse of `revert Error(...)`. parse-sll.test.ts compares both modes' ASTs, comments
 * and errors on OpenZeppelin 5 and the test fixtures (broken inputs included).
 */
export const SLL_DECISIONS: ReadonlySet<number> = new Set([97]);

function predictWithSll(simulator: ParserATNSimulator, decisions: ReadonlySet<number>): void {
  if (decisions.size === 0) return;
  const predict = simulator.adaptivePredict.bind(simulator);
  simulator.adaptivePredict = (input, decision, outerContext) => {
    if (!decisions.has(decision)) return predict(input, decision, outerContext);
    const mode = simulator.predictionMode;
    simulator.predictionMode = PredictionMode.SLL;
    try {
      return predict(input, decision, outerContext);
    } finally {
      simulator.predictionMode = mode;
    }
  };
}

/**
 * Every parser decision reads tokens through LA(): checking the clock there (every 1,024 reads)
 * bounds the whole parse, including ANTLR's adaptive prediction on deeply nested input, at the
 * cost of one counter increment per read.
 */
function watchBudget(tokens: unknown, budgetMs: number): void {
  const stream = tokens as { LA(i: number): number };
  const la = stream.LA.bind(stream);
  const deadline = performance.now() + budgetMs;
  let reads = 0;
  stream.LA = (i: number) => {
    if ((++reads & 1023) === 0 && performance.now() > deadline) throw new ParseBudgetExceeded(budgetMs);
    return la(i);
  };
}

/**
 * Line starts as ANTLR counts lines (only `\n` ends one). Its error positions are converted to
 * offsets with these, then to LSP positions with a LineIndex (which also counts `\r` and `\r\n`).
 */
function newlineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/**
 * Error recovery can leave null entries in the AST's declaration lists (a half-typed member).
 * Downstream code walks these lists, so drop the holes once here. Lists where null means
 * something (tuple components, `(, uint b) = f()`) are left alone.
 */
const DECLARATION_LISTS = ['children', 'subNodes', 'baseContracts', 'modifiers', 'members', 'statements', 'parameters'];

function pruneHoles(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) pruneHoles(item);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const record = node as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (key === 'loc' || key === 'range') continue;
    if (Array.isArray(value) && DECLARATION_LISTS.includes(key)) {
      record[key] = value.filter((item) => item !== null && item !== undefined);
    }
    pruneHoles(record[key]);
  }
}

function zeroRange(): Range {
  return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
}

/** Longest offending-token text quoted in a message (a binary file's token can be 200 KB long). */
const MAX_QUOTED_CHARS = 80;

/** ANTLR's messages list every expected token; keep the useful head. */
export function shortenParserMessage(message: string): string {
  const quoted = message.match(/^(.*? at: ')([\s\S]*)'$/);
  if (quoted && quoted[2].length > MAX_QUOTED_CHARS) return `${quoted[1]}${quoted[2].slice(0, MAX_QUOTED_CHARS)}…' (${quoted[2].length.toLocaleString('en-US')} characters)`;
  const expecting = message.match(/^(.*?) expecting \{(.*)\}$/s);
  if (expecting) {
    const options = expecting[2].split(', ');
    if (options.length > 4) return `${expecting[1]}`;
    return `${expecting[1]}, expecting ${options.join(' or ')}`;
  }
  return message;
}

function toSyntaxError(e: RawError, lines: LineIndex, antlrLines: number[]): SyntaxError {
  const antlrLine = Math.min(Math.max(0, e.line - 1), antlrLines.length - 1);
  const at = lines.positionAt(antlrLines[antlrLine] + e.column);
  const line = at.line;
  const lineText = lines.lineText(line);
  let start = Math.min(at.character, lineText.length);
  // Underline the offending token: up to the next whitespace, at least one character.
  let end = start;
  while (end < lineText.length && !/\s/.test(lineText[end])) end++;
  if (end === start) {
    // At the end of a line (typically `<EOF>`): underline the last character instead of nothing.
    if (start > 0) start--;
    end = Math.min(start + 1, lineText.length);
  }
  return {
    message: `Syntax error: ${shortenParserMessage(e.message)}`,
    range: { start: { line, character: start }, end: { line, character: end } },
  };
}
