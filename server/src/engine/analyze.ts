// The parser-tier analysis of one document: what the LSP runs on every edit and the CLI runs per file.
import { summarizeContracts, type ContractSummary } from './contracts';
import type { Finding } from './findings';
import { parseSolidity, type SourceUnit } from './parse';

export interface DocumentAnalysis {
  file: string;
  findings: Finding[];
  contracts: ContractSummary[];
  /** The AST rules ran on: this text's, or the last good one when this text could not be built into one. */
  ast: SourceUnit | undefined;
  /** True when `ast` belongs to an earlier text (this one is too broken to build an AST). */
  astIsStale: boolean;
}

/**
 * Analyses `text` as the content of `file`. Never throws. When the AST builder gives up on
 * half-typed input, the syntax errors are still reported and `previous` supplies the last good
 * AST, so results that do not depend on the broken part are kept rather than cleared.
 */
export function analyzeText(file: string, text: string, previous?: DocumentAnalysis): DocumentAnalysis {
  const parsed = parseSolidity(text);
  const findings: Finding[] = parsed.errors.map((error) => ({
    rule: 'syntax-error',
    severity: 'error',
    message: error.message,
    file,
    range: error.range,
    tier: 'parser',
  }));
  if (parsed.ast) {
    let contracts: ContractSummary[];
    try {
      contracts = summarizeContracts(parsed.ast, text, parsed.comments);
    } catch {
      // An AST shape error recovery produced that we did not foresee: keep what we had.
      contracts = previous?.contracts ?? [];
    }
    return { file, findings, contracts, ast: parsed.ast, astIsStale: false };
  }
  return {
    file,
    findings,
    contracts: previous?.contracts ?? [],
    ast: previous?.ast,
    astIsStale: previous?.ast !== undefined,
  };
}
