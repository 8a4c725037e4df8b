// Loose types for solidity-antlr.js: the generated ANTLR classes are used through a narrow surface.
export const CharStream: new (text: string) => unknown;
export const CommonTokenStream: new (lexer: unknown) => { tokens: unknown[] };
export const SolidityLexer: new (input: unknown) => {
  removeErrorListeners(): void;
  addErrorListener(listener: unknown): void;
  channelNames: string[];
};
export const PredictionMode: { SLL: number; LL: number };
export interface ParserATNSimulator {
  predictionMode: number;
  adaptivePredict(input: unknown, decision: number, outerContext: unknown): number;
}
export const SolidityParser: new (tokens: unknown) => {
  _interp: ParserATNSimulator;
  removeErrorListeners(): void;
  addErrorListener(listener: unknown): void;
  buildParseTrees: boolean;
  sourceUnit(): unknown;
};
export const ASTBuilder: new (options: { loc?: boolean; range?: boolean; tolerant?: boolean }) => {
  visit(tree: unknown): void;
  result: unknown;
};
export const ErrorListener: new () => {
  getErrors(): { message: string; line: number; column: number }[];
};
export function buildCommentList(tokens: unknown[], channel: number, options: { range?: boolean; loc?: boolean }): unknown[];
