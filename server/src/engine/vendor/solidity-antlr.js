// Entry into the TypeScript sources of @solidity-parser/parser (bundled by esbuild, not type-checked).
// See parse/solidity.ts for why we go below the package's `parse()`.
export { CharStream, CommonTokenStream, PredictionMode } from 'antlr4';
export { default as SolidityLexer } from '@solidity-parser/parser/src/antlr/SolidityLexer';
export { default as SolidityParser } from '@solidity-parser/parser/src/antlr/SolidityParser';
export { ASTBuilder } from '@solidity-parser/parser/src/ASTBuilder';
export { default as ErrorListener } from '@solidity-parser/parser/src/ErrorListener';
export { buildCommentList } from '@solidity-parser/parser/src/tokens';
