// Declaration-level incremental parsing on top of parseSolidity.
//
// @solidity-parser/parser costs about 0.4 ms per line, so a keystroke in a 3,000-line file
// must not re-parse the file. A cheap scanner (strings, comments, brackets; no grammar) splits
// the text into top-level declarations and, inside contracts, member declarations. Each piece
// is parsed on its own and cached by its text; an edit re-parses only the pieces whose text
// changed. The pieces' ASTs are assembled into the same SourceUnit a full parse produces (ranges
// included). An unchanged declaration that moved (an edit above it) keeps its nodes: their ranges
// are moved in place through a flat list made once per parsed piece, with no copy and no walk of
// the AST, and not at all while it stays put.
import { parseSolidity, type Comment, type ParseOptions, type ParseResult, type SourceUnit, type SyntaxError } from './solidity';
import { ParseBudgetExceeded, timeLimitHit, type LimitHit } from './limits';
import type { Range } from '../findings';
import { LineIndex, lineCommentEnd } from '../text';
import { append } from '../append';

export interface IncrementalParseResult extends ParseResult {
  /** How many declarations had to be parsed for this text (the rest came from the cache). */
  parsedDeclarations: number;
  /** How many declarations the text was split into. */
  totalDeclarations: number;
}

type ChunkKind = 'top' | 'header' | 'member';

interface Chunk {
  kind: ChunkKind;
  /** [start, end) UTF-16 offsets in the file; includes the whitespace and comments before the declaration. */
  start: number;
  end: number;
  /** Members: the enclosing contract's keyword and name (they change how the parser reads a member). */
  container?: string;
}

interface ContractChunk {
  header: Chunk;
  members: Chunk[];
  /** Offset of the closing brace, or undefined when the file ends inside the contract. */
  close: number | undefined;
  /** [start, end) of the text between the last member and the closing brace (comments only). */
  trailer: [number, number];
}

type TopLevelPiece = { chunk: Chunk } | { contract: ContractChunk };

/** Every `range` in a piece's nodes, collected once so that moving them needs no walk. */
type NodeRanges = [number, number][];

/** A piece's parse result; its nodes hold file positions as of `anchor`. */
interface ChunkParse {
  /** Nodes of the piece: SourceUnit children (top), the contract (header), contract subNodes (member). */
  nodes: AstNode[];
  /** Positions relative to the parsed (wrapped) text. */
  errors: SyntaxError[];
  comments: Comment[];
  /** Length of the wrapper text placed before the piece. */
  prefixLength: number;
  ranges: NodeRanges;
  /** Offset in the file = offset in the parsed text + `delta` (0: the parsed text's own). */
  delta: number;
  /** A function assembled from its head and statements: those parses, at offsets from its start, with their cache keys. */
  parts?: { parse: ChunkParse; offset: number; key: string }[];
  /** A function parsed whole: its text and key (container and head), so that an edit in its body can reuse its statements. */
  text?: string;
  functionKey?: string;
}

/** A piece's comments and errors at a file position, reused while the piece does not move. */
interface PlacedChunk {
  parse: ChunkParse;
  start: number;
  line: number;
  column: number;
  nodes: AstNode[];
  comments: Comment[];
  errors: SyntaxError[];
}

type AstNode = { type: string; range?: [number, number]; [key: string]: unknown };

/**
 * Parses successive versions of one document. Keep one instance per document; `parse(text)`
 * re-parses only the declarations whose text changed since the previous call.
 * Returned ASTs share unchanged subtrees with earlier results: treat them as read-only.
 */
export class IncrementalParser {
  private cache = new ChunkCache();
  /** The generation before `cache`: an undo (or a text typed and deleted) finds its declarations here. */
  private previousCache = new ChunkCache();
  /** Where each piece of the last text was placed (its comments and errors there). */
  private placed = new Map<ChunkParse, PlacedChunk>();
  /** Functions of the last two texts by container and head (the text up to the body's `{`), for their statements. */
  private functions = new Map<string, ChunkParse>();
  private previousFunctions = new Map<string, ChunkParse>();
  /** Heads and statements of edited functions, by function head then text. */
  private statements = new Map<string, ChunkParse>();
  private previousStatements = new Map<string, ChunkParse>();
  private last: { text: string; result: IncrementalParseResult } | undefined;
  /** Total declaration parses since construction (tests and benchmarks read it). */
  parseCalls = 0;

  /**
   * Nodes of earlier results move with later parses (they share the unchanged declarations):
   * read positions from the latest result only.
   * `options.budgetMs` bounds the declaration parses of this call together; when it runs out the
   * result has no AST and says so in `limit` (the declarations parsed so far stay unused).
   */
  parse(text: string, options: ParseOptions = {}): IncrementalParseResult {
    if (this.last && this.last.text === text) return { ...this.last.result, parsedDeclarations: 0 };
    const deadline = options.budgetMs === undefined ? undefined : performance.now() + options.budgetMs;
    try {
      return this.parseWithin(text, deadline);
    } catch (error) {
      if (!(error instanceof ParseBudgetExceeded)) throw error;
      const budgetMs = options.budgetMs ?? 0;
      return { ast: undefined, errors: [], comments: [], limit: timeLimitHit(budgetMs), parsedDeclarations: 0, totalDeclarations: 0 };
    }
  }

  /**
   * Takes a parse of `text` made elsewhere (the on-disk cache's, of a file just opened) as this
   * parser's state, so the first edit re-parses the edited declaration only, not every one. The
   * AST's nodes become the declarations' (their ranges move with later edits). Does nothing unless
   * the parser has no state yet and the parse has no syntax error.
   */
  seed(text: string, ast: SourceUnit, comments: Comment[]): void {
    if (this.last) return;
    const children = ast.children as unknown as AstNode[];
    const inside = (node: AstNode, chunk: Chunk) => node.range !== undefined && node.range[0] >= chunk.start && node.range[0] < chunk.end;
    const commentsOf = (chunk: Chunk) =>
      comments.filter((c) => c.range[0] >= chunk.start && c.range[1] <= chunk.end).map((c) => ({ ...c, range: [c.range[0] - chunk.start, c.range[1] - chunk.start] as [number, number] }));
    // Positions stay the file's: offset in the piece = file offset - delta, with no wrapper before it.
    const seeded = (chunk: Chunk, nodes: AstNode[]): ChunkParse => {
      const parse: ChunkParse = { nodes, errors: [], comments: commentsOf(chunk), prefixLength: 0, ranges: collectRanges(nodes), delta: chunk.start };
      const chunkText = text.slice(chunk.start, chunk.end);
      const bodyOpen = chunk.kind === 'member' && nodes.length === 1 ? functionBodyOpen(new Scanner(chunkText)) : undefined;
      if (bodyOpen !== undefined) {
        parse.text = chunkText;
        parse.functionKey = `${chunk.container}\u0000${chunkText.slice(0, bodyOpen + 1)}`;
        this.functions.set(parse.functionKey, parse);
      }
      this.cache.set(chunk, chunkText, parse);
      return parse;
    };
    for (const piece of splitDeclarations(text)) {
      if ('chunk' in piece) {
        seeded(piece.chunk, children.filter((n) => inside(n, piece.chunk)));
        continue;
      }
      const { header, members } = piece.contract;
      const contract = children.find((n) => n.type === 'ContractDefinition' && inside(n, header));
      if (!contract) return;
      const subNodes = (contract.subNodes as AstNode[] | undefined) ?? [];
      // The header's node without its members (they are the members' pieces); parse() puts them back.
      seeded(header, [{ ...contract, subNodes: [], range: [...contract.range!] as [number, number] }]);
      for (const member of members) seeded(member, subNodes.filter((n) => inside(n, member)));
    }
  }

  /**
   * Parses through `parseElsewhere` (the parse worker), ahead of `parse(text)`, the declarations
   * of `text` that `offload` picks and the cache lacks; `parse(text)` then finds them cached and
   * parses only the rest in-thread. Resolves to the time limit when a declaration ran out of budget.
   */
  async prepare(
    text: string,
    parseElsewhere: (wrapped: string, options: ParseOptions) => Promise<ParseResult>,
    offload: (declaration: string) => boolean,
    options: ParseOptions = {},
  ): Promise<LimitHit | undefined> {
    if (this.last && this.last.text === text) return undefined;
    const deadline = options.budgetMs === undefined ? undefined : performance.now() + options.budgetMs;
    for (const chunk of chunksOf(splitDeclarations(text))) {
      const chunkText = text.slice(chunk.start, chunk.end);
      if (this.cache.get(chunk, chunkText) || this.previousCache.get(chunk, chunkText) || !offload(chunkText)) continue;
      const wrapped = wrapChunk(chunk, chunkText);
      const result = await parseElsewhere(wrapped.text, remaining(deadline));
      if (result.limit) return result.limit;
      this.cache.set(chunk, chunkText, toChunkParse(chunk, result, wrapped.prefixLength, chunkText));
    }
    return undefined;
  }

  private parseWithin(text: string, deadline: number | undefined): IncrementalParseResult {
    const lines = LineIndex.of(text);
    const pieces = splitDeclarations(text);
    const nextCache = new ChunkCache();
    const nextPlaced = new Map<ChunkParse, PlacedChunk>();
    const nextFunctions = new Map<string, ChunkParse>();
    const nextStatements = new Map<string, ChunkParse>();
    let parsed = 0;
    let total = 0;

    // A piece's nodes have one anchor, so one parse can sit at one place: a second copy of the
    // same text in this file (a pasted duplicate) is parsed on its own.
    const placedParses = new Set<ChunkParse>();
    const place = (chunk: Chunk): PlacedChunk => {
      total++;
      const chunkText = text.slice(chunk.start, chunk.end);
      let parse = nextCache.get(chunk, chunkText) ?? this.cache.get(chunk, chunkText) ?? this.previousCache.get(chunk, chunkText);
      if (parse && (placedParses.has(parse) || parse.parts?.some((part) => placedParses.has(part.parse)))) {
        parse = parseChunk(chunk, chunkText, deadline);
        parsed++;
        this.parseCalls++;
      } else {
        const statementsParsed = this.parseCalls;
        if (!parse && chunk.kind === 'member') parse = this.parseByStatements(chunk, chunkText, deadline, nextStatements, placedParses);
        if (!parse) {
          parse = parseChunk(chunk, chunkText, deadline);
          parsed++;
          this.parseCalls++;
        } else if (parse.parts && statementsParsed !== this.parseCalls) parsed++;
        nextCache.set(chunk, chunkText, parse);
      }
      // Remembered for the next edit of this function: the whole parse, or the parts of an assembly.
      if (parse.functionKey !== undefined) nextFunctions.set(parse.functionKey, parse);
      for (const part of parse.parts ?? []) {
        nextStatements.set(part.key, part.parse);
        placedParses.add(part.parse);
      }
      placedParses.add(parse);
      const { line, column } = position(lines, chunk.start);
      moveTo(parse, chunk.start);
      const previous = this.placed.get(parse);
      const result =
        previous && previous.start === chunk.start && previous.line === line && previous.column === column
          ? previous
          : placeChunk(parse, chunk.start, line, column, position(lines, chunk.end));
      nextPlaced.set(parse, result);
      return result;
    };

    const children: AstNode[] = [];
    const comments: Comment[] = [];
    const errors: SyntaxError[] = [];
    let lastEnd = 0;
    for (const piece of pieces) {
      if ('chunk' in piece) {
        const placed = place(piece.chunk);
        append(children, placed.nodes);
        append(comments, placed.comments);
        append(errors, placed.errors);
        lastEnd = piece.chunk.end;
        continue;
      }
      const { header, members, close, trailer } = piece.contract;
      const head = place(header);
      const errorsBefore = errors.length;
      append(comments, head.comments);
      append(errors, head.errors);
      const subNodes: AstNode[] = [];
      for (const member of members) {
        const placed = place(member);
        append(subNodes, placed.nodes);
        append(comments, placed.comments);
        append(errors, placed.errors);
      }
      append(comments, scanComments(text, trailer[0], trailer[1]));
      lastEnd = close === undefined ? text.length : close + 1;
      const contract = head.nodes[0];
      if (!contract) continue;
      // The header was parsed as `header }`: the real contract ends at the real closing brace.
      const endOffset = close ?? Math.max(trailer[0] - 1, header.end - 1);
      children.push({ ...contract, subNodes, range: [contract.range![0], endOffset] });
      // An unclosed contract usually already has an error in its last member; say it once.
      if (close === undefined && errors.length === errorsBefore) {
        const eof = position(lines, text.length);
        const at: Range = { start: { line: eof.line, character: eof.column }, end: { line: eof.line, character: eof.column } };
        errors.push({ message: `Syntax error: missing '}' at the end of contract ${String(contract.name)}`, range: at });
      }
    }
    append(comments, scanComments(text, lastEnd, text.length));

    let ast: SourceUnit | undefined;
    if (children.length > 0) {
      const first = children[0];
      const last = children[children.length - 1];
      ast = { type: 'SourceUnit', children, range: [first.range![0], last.range![1]] } as unknown as SourceUnit;
    } else {
      // Nothing but comments (or nothing): a full parse is as cheap as it gets.
      const full = parseSolidity(text, remaining(deadline));
      if (full.limit) throw new ParseBudgetExceeded(0);
      ast = full.ast;
      append(errors, full.errors);
    }

    // Two generations: what this text uses, and what the text before it used but this one does not.
    this.cache.deleteAll(nextCache);
    this.previousCache = this.cache;
    this.cache = nextCache;
    for (const key of nextFunctions.keys()) this.functions.delete(key);
    this.previousFunctions = this.functions;
    this.functions = nextFunctions;
    for (const key of nextStatements.keys()) this.statements.delete(key);
    this.previousStatements = this.statements;
    this.statements = nextStatements;
    this.placed = nextPlaced;
    const result: IncrementalParseResult = { ast, errors, comments, parsedDeclarations: parsed, totalDeclarations: total };
    this.last = { text, result };
    return result;
  }

  /**
   * An edited function, parsed statement by statement: its head (up to the body's `{`) and each
   * statement are parsed on their own and cached by the function's head and their text, and the
   * statements of its last whole parse are reused; `@solidity-parser/parser` then reads a typed
   * line, not the function. Undefined (parse the member whole) when it is not a function with a
   * body or any piece has a syntax error, so errors are always a whole member's.
   */
  private parseByStatements(chunk: Chunk, chunkText: string, deadline: number | undefined, nextStatements: Map<string, ChunkParse>, placed: Set<ChunkParse>): ChunkParse | undefined {
    const split = splitFunction(chunkText);
    if (!split) return undefined;
    const headText = chunkText.slice(0, split.bodyOpen + 1);
    const functionKey = `${chunk.container}\u0000${headText}`;
    // The same function before this edit: parsed whole, its statements as they were; assembled,
    // its parts are cached already. A function not seen before (a first parse) is parsed whole.
    const before = this.functions.get(functionKey) ?? this.previousFunctions.get(functionKey);
    if (!before) return undefined;
    const known = explode(before, functionKey);
    const used = new Set<ChunkParse>();
    const take = (key: string, parseText: () => ChunkParse | undefined): ChunkParse | undefined => {
      let parse = nextStatements.get(key) ?? this.statements.get(key) ?? this.previousStatements.get(key) ?? known.get(key);
      // One parse sits at one place: a statement written twice gets its own.
      if (parse && (used.has(parse) || placed.has(parse))) parse = undefined;
      if (!parse) {
        this.parseCalls++;
        parse = parseText();
        if (!parse) return undefined;
      }
      used.add(parse);
      return parse;
    };
    const headKey = `${functionKey}\u0000`;
    const head = take(headKey, () => parsePiece(`${chunk.container}{`, `${headText}}\n}`, (member) => [member], deadline));
    const fn = head?.nodes[0];
    if (!head || !fn || (fn.type !== 'FunctionDefinition' && fn.type !== 'ModifierDefinition') || !fn.body) return undefined;
    const wrapper = `${chunk.container}{${fn.type === 'ModifierDefinition' ? 'modifier' : 'function'} __patchline() {`;
    const parts: { parse: ChunkParse; offset: number; key: string }[] = [{ parse: head, offset: 0, key: headKey }];
    const statements: AstNode[] = [];
    for (const [start, end] of split.statements) {
      const key = `${functionKey}\u0000${chunkText.slice(start, end)}`;
      const statement = take(key, () => parsePiece(wrapper, `${chunkText.slice(start, end)}\n}}`, (member) => ((member.body as AstNode | undefined)?.statements as AstNode[] | undefined) ?? [], deadline));
      if (!statement || statement.nodes.length !== 1) return undefined;
      parts.push({ parse: statement, offset: start, key });
      statements.push(statement.nodes[0]);
    }
    // Every part at its offset in the function; the assembly's moveTo then moves them with it.
    for (const part of parts) moveTo(part.parse, part.offset);
    // The function node and its body are the assembly's own; their other children are the parts'.
    const range: [number, number] = [(fn.range as [number, number])[0], split.close];
    const bodyRange: [number, number] = [split.bodyOpen, split.close];
    const node: AstNode = { ...fn, body: { ...(fn.body as AstNode), statements, range: bodyRange }, range };
    const comments: Comment[] = [];
    for (const { parse, offset } of parts) {
      const shift = offset - parse.prefixLength;
      for (const c of parse.comments) if (c.range[0] >= parse.prefixLength && c.range[1] + shift <= (parse === head ? split.bodyOpen : chunkText.length)) comments.push({ ...c, range: [c.range[0] + shift, c.range[1] + shift] });
    }
    append(comments, scanComments(chunkText, split.statements.at(-1)?.[1] ?? split.bodyOpen + 1, split.close));
    return { nodes: [node], errors: [], comments, prefixLength: 0, ranges: [range, bodyRange], delta: 0, parts, functionKey };
  }
}

/** Parses `text` after `prefix` (a wrapper) into the nodes `pick` takes from the wrapper's first member; undefined unless clean. */
function parsePiece(prefix: string, text: string, pick: (member: AstNode) => AstNode[], deadline: number | undefined): ChunkParse | undefined {
  const result = parseSolidity(`${prefix}${text}`, remaining(deadline));
  if (result.limit) throw new ParseBudgetExceeded(0);
  const member = ((result.ast?.children[0] as unknown as AstNode | undefined)?.subNodes as AstNode[] | undefined)?.[0];
  if (result.errors.length > 0 || !member) return undefined;
  const nodes = pick(member);
  return { nodes, errors: [], comments: result.comments, prefixLength: prefix.length, ranges: collectRanges(nodes), delta: 0 };
}

function position(lines: LineIndex, offset: number): { line: number; column: number } {
  const p = lines.positionAt(offset);
  return { line: p.line, column: p.character };
}

/** Parse options with what is left of a deadline. */
function remaining(deadline: number | undefined): ParseOptions {
  return deadline === undefined ? {} : { budgetMs: Math.max(0, deadline - performance.now()) };
}

/**
 * Parsed pieces by kind and container, then by text: the text is a slice of the file, hashed
 * where it lies (no key string built from it, which would copy the file on every keystroke).
 */
class ChunkCache {
  private readonly byContext = new Map<string, Map<string, ChunkParse>>();

  get(chunk: Chunk, chunkText: string): ChunkParse | undefined {
    return this.byContext.get(contextOf(chunk))?.get(chunkText);
  }

  set(chunk: Chunk, chunkText: string, parse: ChunkParse): void {
    const context = contextOf(chunk);
    let texts = this.byContext.get(context);
    if (!texts) this.byContext.set(context, (texts = new Map()));
    texts.set(chunkText, parse);
  }

  /** Removes every entry `other` holds. */
  deleteAll(other: ChunkCache): void {
    for (const [context, texts] of other.byContext) {
      const mine = this.byContext.get(context);
      if (mine) for (const text of texts.keys()) mine.delete(text);
    }
  }
}

function contextOf(chunk: Chunk): string {
  return `${chunk.kind}\u0000${chunk.container ?? ''}`;
}

/** The text a piece is parsed as: headers closed with `}`, members wrapped in their contract. */
function wrapChunk(chunk: Chunk, chunkText: string): { text: string; prefixLength: number } {
  if (chunk.kind === 'header') return { text: `${chunkText}}`, prefixLength: 0 };
  if (chunk.kind === 'member') {
    const prefix = `${chunk.container}{`;
    return { text: `${prefix}${chunkText}\n}`, prefixLength: prefix.length };
  }
  return { text: chunkText, prefixLength: 0 };
}

function parseChunk(chunk: Chunk, chunkText: string, deadline: number | undefined): ChunkParse {
  const wrapped = wrapChunk(chunk, chunkText);
  const result = parseSolidity(wrapped.text, remaining(deadline));
  if (result.limit) throw new ParseBudgetExceeded(0);
  return toChunkParse(chunk, result, wrapped.prefixLength, chunkText);
}

function toChunkParse(chunk: Chunk, result: ParseResult, prefixLength: number, chunkText: string): ChunkParse {
  const parse = toNodes(chunk, result, prefixLength);
  if (chunk.kind !== 'member' || parse.errors.length > 0 || parse.nodes.length !== 1) return parse;
  const bodyOpen = functionBodyOpen(new Scanner(chunkText));
  return bodyOpen === undefined ? parse : { ...parse, text: chunkText, functionKey: `${chunk.container}\u0000${chunkText.slice(0, bodyOpen + 1)}` };
}

function toNodes(chunk: Chunk, result: ParseResult, prefixLength: number): ChunkParse {
  const children = (result.ast?.children ?? []) as unknown as AstNode[];
  let nodes: AstNode[] = children;
  if (chunk.kind === 'header') nodes = children.filter((n) => n.type === 'ContractDefinition').slice(0, 1);
  if (chunk.kind === 'member') nodes = (children[0]?.subNodes as AstNode[] | undefined) ?? [];
  return { nodes, errors: result.errors, comments: result.comments, prefixLength, ranges: collectRanges(nodes), delta: 0 };
}

/** The `range` arrays under `nodes`, each once (once per parsed piece). */
function collectRanges(nodes: AstNode[]): NodeRanges {
  const ranges = new Set<[number, number]>();
  const stack: unknown[] = [...nodes];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) {
      for (const item of value) if (item !== null && typeof item === 'object') stack.push(item);
      continue;
    }
    const node = value as Record<string, unknown>;
    for (const key in node) {
      const child = node[key];
      if (child === null || typeof child !== 'object') continue;
      if (key === 'range') {
        if (Array.isArray(child) && child.length === 2) ranges.add(child as [number, number]);
      } else stack.push(child);
    }
  }
  return [...ranges];
}

/** Moves a piece's nodes to `start` in the file: in place, and only when the place changed. */
function moveTo(parse: ChunkParse, start: number): void {
  // An assembly's parts may have sat elsewhere since (in another version of the function).
  for (const part of parse.parts ?? []) moveTo(part.parse, start + part.offset);
  const delta = start - parse.prefixLength - parse.delta;
  if (delta === 0) return;
  for (const range of parse.ranges) {
    range[0] += delta;
    range[1] += delta;
  }
  parse.delta += delta;
}

/** Every piece of a split file, contract headers and members included, in file order. */
function chunksOf(pieces: TopLevelPiece[]): Chunk[] {
  const chunks: Chunk[] = [];
  for (const piece of pieces) {
    if ('chunk' in piece) chunks.push(piece.chunk);
    else {
      chunks.push(piece.contract.header);
      append(chunks, piece.contract.members);
    }
  }
  return chunks;
}

/** A piece's comments and errors at its file position (its nodes follow its anchor). */
function placeChunk(
  parse: ChunkParse,
  start: number,
  line: number,
  column: number,
  end: { line: number; column: number },
): PlacedChunk {
  const delta = start - parse.prefixLength;
  const columnDelta = column - parse.prefixLength;
  // Errors inside the wrapper text (e.g. at the `}` we appended) are pinned to the piece's end.
  const shiftPos = (p: { line: number; character: number }) => {
    const at = p.line === 0 ? { line, character: Math.max(column, p.character + columnDelta) } : { line: p.line + line, character: p.character };
    if (at.line > end.line || (at.line === end.line && at.character > end.column)) return { line: end.line, character: end.column };
    return at;
  };
  return {
    parse,
    start,
    line,
    column,
    nodes: parse.nodes,
    comments: parse.comments
      .filter((c) => c.range[0] >= parse.prefixLength)
      .map((c) => ({ ...c, range: [c.range[0] + delta, c.range[1] + delta] as [number, number] })),
    errors: parse.errors.map((e) => ({ message: e.message, range: { start: shiftPos(e.range.start), end: shiftPos(e.range.end) } })),
  };
}

// ---- The scanner: tokens just precise enough to find where declarations end. ----

interface Token {
  kind: 'word' | 'punct' | 'string' | 'eof';
  text: string;
  start: number;
  end: number;
}

const contractKeywords = new Set(['contract', 'interface', 'library', 'abstract']);

/** Splits a Solidity file into top-level declarations and contract members. Never throws. */
export function splitDeclarations(text: string): TopLevelPiece[] {
  const scanner = new Scanner(text);
  const pieces: TopLevelPiece[] = [];
  let pos = 0;
  for (;;) {
    const first = scanner.peek(pos);
    if (first.kind === 'eof') break;
    if (first.kind === 'word' && contractKeywords.has(first.text)) {
      const contract = scanContract(scanner, pos, first);
      if (contract) {
        pieces.push({ contract });
        pos = contract.close === undefined ? text.length : contract.close + 1;
        continue;
      }
    }
    const end = scanDeclarationEnd(scanner, first, 0);
    pieces.push({ chunk: { kind: 'top', start: pos, end } });
    pos = end;
  }
  return pieces;
}

function scanContract(scanner: Scanner, start: number, first: Token): ContractChunk | undefined {
  // Header: up to the first `{` outside parentheses (`is A(1)`, `layout at f(2)`); a `;` first means it is no contract.
  const words: string[] = [];
  let depth = 0;
  let pos = first.start;
  let open: Token | undefined;
  for (;;) {
    const t = scanner.next(pos);
    pos = t.end;
    if (t.kind === 'eof') return undefined;
    if (t.kind === 'word' && words.length < 3) words.push(t.text);
    if (t.text === '(' || t.text === '[') depth++;
    else if (t.text === ')' || t.text === ']') depth--;
    else if (t.text === ';' && depth <= 0) return undefined;
    else if (t.text === '{' && depth <= 0) {
      open = t;
      break;
    }
  }
  const keyword = words[0] === 'abstract' ? 'contract' : words[0];
  const name = words[0] === 'abstract' ? words[2] : words[1];
  const container = `${keyword} ${name ?? ''}`;
  const header: Chunk = { kind: 'header', start, end: open.end };
  const members: Chunk[] = [];
  let memberStart = open.end;
  for (;;) {
    const t = scanner.peek(memberStart);
    if (t.kind === 'eof') return { header, members, close: undefined, trailer: [memberStart, scanner.text.length] };
    if (t.text === '}') return { header, members, close: t.start, trailer: [memberStart, t.start] };
    const end = scanDeclarationEnd(scanner, t, 1);
    members.push({ kind: 'member', start: memberStart, end, container });
    memberStart = end;
  }
}

/**
 * Where the declaration starting with token `first` ends (exclusive): after its `;` or after the
 * `}` closing its body. `level` 1 means a member, where a stray `}` closes the contract instead.
 */
function scanDeclarationEnd(scanner: Scanner, first: Token, level: 0 | 1): number {
  // `import {A} from "a";` and `using {f} for T;` have braces but end at the `;`.
  const endsAtSemicolon = first.kind === 'word' && (first.text === 'import' || first.text === 'using');
  let braces = 0;
  let parens = 0;
  const text = scanner.text;
  // Only brackets and `;` matter: step from punctuation to punctuation without building tokens.
  for (let at = scanner.nextPunctuation(first.start); at < text.length; at = scanner.nextPunctuation(at + 1)) {
    const c = text.charCodeAt(at);
    if (c === 40 || c === 91) parens++; // ( [
    else if (c === 41 || c === 93) parens = Math.max(0, parens - 1); // ) ]
    else if (c === 123) braces++; // {
    else if (c === 125) {
      // }
      if (braces === 0) {
        // A stray `}`: at member level it closes the contract (leave it); at top level, skip it.
        return level === 1 && at > first.start ? at : at + 1;
      }
      braces--;
      if (braces === 0 && parens === 0 && !endsAtSemicolon) return at + 1;
    } else if (c === 59 && braces === 0 && parens === 0) return at + 1; // ;
  }
  return text.length;
}

const FUNCTION_KEYWORDS = new Set(['function', 'constructor', 'modifier', 'fallback', 'receive']);

/** Offset of the `{` opening a function's body (the first at bracket depth 0), or undefined when the member is not a function with a body. */
function functionBodyOpen(scanner: Scanner): number | undefined {
  const first = scanner.next(0);
  if (first.kind !== 'word' || !FUNCTION_KEYWORDS.has(first.text)) return undefined;
  const text = scanner.text;
  let depth = 0;
  for (let at = scanner.nextPunctuation(first.end); at < text.length; at = scanner.nextPunctuation(at + 1)) {
    const c = text.charCodeAt(at);
    if (c === 40 || c === 91) depth++;
    else if (c === 41 || c === 93) depth--;
    else if (depth === 0 && c === 59) return undefined; // `;`: no body
    else if (depth === 0 && c === 123) return at;
    else if (depth === 0 && c === 125) return undefined;
  }
  return undefined;
}

/**
 * A member that is a function with a body, split into its head (up to and including the body's
 * `{`), its top-level statements ([start, end) with the trivia before each) and the body's `}`,
 * which must end the member. Undefined for anything else.
 */
function splitFunction(text: string): { bodyOpen: number; close: number; statements: [number, number][] } | undefined {
  const scanner = new Scanner(text);
  const bodyOpen = functionBodyOpen(scanner);
  if (bodyOpen === undefined) return undefined;
  const statements: [number, number][] = [];
  let pos = bodyOpen + 1;
  for (;;) {
    const first = scanner.next(pos);
    if (first.kind === 'eof') return undefined;
    if (first.text === '}') {
      if (scanner.next(first.end).kind !== 'eof') return undefined;
      return { bodyOpen, close: first.start, statements };
    }
    const end = statementEnd(scanner, first);
    if (end === undefined) return undefined;
    statements.push([pos, end]);
    pos = end;
  }
}

/**
 * Where the statement starting with `first` ends: after its `;`, or after the `}` of its block,
 * with `else`, `catch` and a `do … while (…);` continuing it. Undefined when the function's `}`
 * comes first (a statement without its end: leave it to a whole parse).
 */
function statementEnd(scanner: Scanner, first: Token): number | undefined {
  const text = scanner.text;
  let braces = 0;
  let parens = 0;
  const isDo = first.kind === 'word' && first.text === 'do';
  for (let at = first.kind === 'punct' ? first.start : scanner.nextPunctuation(first.end); at < text.length; at = scanner.nextPunctuation(at + 1)) {
    const c = text.charCodeAt(at);
    let end: number | undefined;
    if (c === 40 || c === 91) parens++;
    else if (c === 41 || c === 93) parens = Math.max(0, parens - 1);
    else if (c === 123) braces++;
    else if (c === 125) {
      if (braces === 0) return undefined;
      braces--;
      if (braces === 0 && parens === 0 && !isDo) end = at + 1;
    } else if (c === 59 && braces === 0 && parens === 0) end = at + 1;
    if (end === undefined) continue;
    const next = scanner.next(end);
    if (next.kind === 'word' && (next.text === 'else' || next.text === 'catch')) {
      at = next.end - 1;
      continue;
    }
    return end;
  }
  return undefined;
}

/**
 * The statements of a function parsed whole, as statement parses keyed like parseByStatements'
 * (copies: the whole parse keeps its own nodes). Empty when they cannot be matched to its text.
 */
function explode(whole: ChunkParse, functionKey: string): Map<string, ChunkParse> {
  const out = new Map<string, ChunkParse>();
  const text = whole.text;
  const fn = whole.nodes[0];
  const split = text === undefined ? undefined : splitFunction(text);
  const nodes = ((fn?.body as AstNode | undefined)?.statements as AstNode[] | undefined) ?? [];
  if (text === undefined || !split || whole.errors.length > 0 || nodes.length !== split.statements.length) return out;
  for (const [i, [start, end]] of split.statements.entries()) {
    const node = structuredClone(nodes[i]);
    const ranges = collectRanges([node]);
    // The copy's ranges are file offsets (the whole parse's delta applied): make them the statement's own.
    const base = whole.prefixLength + whole.delta + start;
    for (const range of ranges) {
      range[0] -= base;
      range[1] -= base;
    }
    const from = whole.prefixLength + start;
    const comments = whole.comments
      .filter((c) => c.range[0] >= from && c.range[1] <= whole.prefixLength + end)
      .map((c) => ({ ...c, range: [c.range[0] - from, c.range[1] - from] as [number, number] }));
    out.set(`${functionKey}\u0000${text.slice(start, end)}`, { nodes: [node], errors: [], comments, prefixLength: 0, ranges, delta: 0 });
  }
  return out;
}

class Scanner {
  constructor(readonly text: string) {}

  /** Offset of the next punctuation character at or after `pos`, outside comments, strings and words. */
  nextPunctuation(pos: number): number {
    const text = this.text;
    let i = pos;
    for (;;) {
      i = skipTrivia(text, i);
      if (i >= text.length) return text.length;
      const c = text.charCodeAt(i);
      if (c === 34 || c === 39) i = skipString(text, i);
      else if (isWordChar(c)) {
        i++;
        while (i < text.length && isWordChar(text.charCodeAt(i))) i++;
      } else return i;
    }
  }

  /** The next significant token at or after `pos` (whitespace and comments skipped). */
  peek(pos: number): Token {
    return this.next(pos);
  }

  next(pos: number): Token {
    const text = this.text;
    let i = skipTrivia(text, pos);
    if (i >= text.length) return { kind: 'eof', text: '', start: text.length, end: text.length };
    const c = text.charCodeAt(i);
    const start = i;
    if (c === 34 || c === 39) {
      i = skipString(text, i);
      return { kind: 'string', text: text.slice(start, i), start, end: i };
    }
    if (isWordChar(c)) {
      while (i < text.length && isWordChar(text.charCodeAt(i))) i++;
      return { kind: 'word', text: text.slice(start, i), start, end: i };
    }
    return { kind: 'punct', text: text[i], start, end: i + 1 };
  }
}

/** End of the string literal opening at `start` ("…" or '…', backslash escapes); an unterminated one ends at the line end. */
function skipString(text: string, start: number): number {
  const quote = text.charCodeAt(start);
  let i = start + 1;
  while (i < text.length) {
    const d = text.charCodeAt(i);
    if (d === 92) i += 2;
    else if (d === quote) return i + 1;
    else if (d === 10 || d === 13) return i;
    else i++;
  }
  return text.length;
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36;
}

function skipTrivia(text: string, pos: number): number {
  let i = pos;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12) i++;
    else if (c === 47 && text.charCodeAt(i + 1) === 47) {
      i = lineCommentEnd(text, i);
    } else if (c === 47 && text.charCodeAt(i + 1) === 42) {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? text.length : close + 2;
    } else break;
  }
  return i;
}

/** Comments in [from, to), in the shape buildCommentList gives (value without delimiters, range [start, endExclusive]). */
function scanComments(text: string, from: number, to: number): Comment[] {
  const comments: Comment[] = [];
  let i = from;
  while (i < to) {
    const c = text.charCodeAt(i);
    if (c === 47 && text.charCodeAt(i + 1) === 47) {
      // The lexer's line comment stops before \r as well as \n.
      const end = Math.min(lineCommentEnd(text, i), to);
      comments.push({ type: 'LineComment', value: text.slice(i + 2, end), range: [i, end] });
      i = end;
    } else if (c === 47 && text.charCodeAt(i + 1) === 42) {
      const close = text.indexOf('*/', i + 2);
      const end = close < 0 ? to : close + 2;
      comments.push({ type: 'BlockComment', value: text.slice(i + 2, Math.max(i + 2, end - 2)), range: [i, end] });
      i = end;
    } else i++;
  }
  return comments;
}
