// What a source file declares, at the level every face needs: contracts, their bases, and
// whether they are meant to sit behind a proxy.
import type { ContractDefinition, FunctionDefinition, SourceUnit } from '@solidity-parser/parser/dist/src/ast-types';
import type { Range } from './findings';
import type { Comment } from './parse/solidity';
import { LineIndex } from './text';

export type ProxyKind = 'uups' | 'transparent-or-beacon';

export interface ContractSummary {
  name: string;
  kind: 'contract' | 'abstract' | 'interface' | 'library';
  /** Range of the contract's name. */
  nameRange: Range;
  /** Range of the whole definition. */
  range: Range;
  /** Direct bases, as written (`A`, `Lib.B`). */
  bases: string[];
  /** True when the contract is meant to run behind a proxy (see `isUpgradeable`). */
  upgradeable: boolean;
  /** UUPS when it inherits UUPSUpgradeable; otherwise the proxy holds the upgrade logic. */
  proxyKind?: ProxyKind;
  /** `@custom:oz-upgrades-from <ref>` from its NatSpec, if any. */
  upgradesFrom?: string;
  /** Every `@custom:*` NatSpec tag above the contract, e.g. `oz-upgrades-unsafe-allow` → "constructor". */
  customTags: Record<string, string>;
}

const UPGRADEABLE_BASE = /(^|\.)(Initializable|UUPSUpgradeable|\w+Upgradeable)$/;

/**
 * A contract is upgradeable when it inherits Initializable / UUPSUpgradeable / any `*Upgradeable`
 * base (OpenZeppelin's naming), carries an `@custom:oz-upgrades*` annotation, or declares a
 * function with the `initializer` / `reinitializer` modifier. The parser tier sees only names,
 * so this follows conventions; the compiler tier confirms through upgrades-core.
 */
export function summarizeContracts(ast: SourceUnit, text: string, comments: Comment[]): ContractSummary[] {
  const lines = LineIndex.of(text);
  const out: ContractSummary[] = [];
  for (const node of ast.children) {
    if (node.type !== 'ContractDefinition') continue;
    const contract = node as ContractDefinition;
    const [start, endInclusive] = contract.range ?? [0, 0];
    const bases = contract.baseContracts.map((b) => b.baseName.namePath);
    const customTags = natspecCustomTags(docCommentBefore(start, text, comments));
    const hasInitializer = contract.subNodes.some(
      (sub) =>
        sub.type === 'FunctionDefinition' &&
        (sub as FunctionDefinition).modifiers.some((m) => m.name === 'initializer' || m.name === 'reinitializer'),
    );
    const annotated = Object.keys(customTags).some((tag) => tag.startsWith('oz-upgrades'));
    const upgradeable =
      contract.kind !== 'interface' &&
      contract.kind !== 'library' &&
      (bases.some((b) => UPGRADEABLE_BASE.test(b)) || annotated || hasInitializer);
    const nameOffset = findName(text, start, endInclusive, contract.name);
    out.push({
      name: contract.name,
      kind: contract.kind as ContractSummary['kind'],
      nameRange: lines.rangeOf(nameOffset, nameOffset + contract.name.length),
      range: lines.rangeOf(start, endInclusive + 1),
      bases,
      upgradeable,
      proxyKind: upgradeable ? (bases.some((b) => /(^|\.)UUPSUpgradeable$/.test(b)) ? 'uups' : 'transparent-or-beacon') : undefined,
      upgradesFrom: customTags['oz-upgrades-from'],
      customTags,
    });
  }
  return out;
}

/** The name follows the `contract`/`interface`/`library` keyword; comments cannot sit between them in practice. */
function findName(text: string, start: number, endInclusive: number, name: string): number {
  const head = text.slice(start, Math.min(endInclusive + 1, start + 400));
  const match = new RegExp(`\\b(?:contract|interface|library)\\s+(${name})\\b`).exec(head);
  return match ? start + match.index + match[0].length - name.length : start;
}

/** The NatSpec comment(s) immediately above `offset` (only whitespace between). */
export function docCommentBefore(offset: number, text: string, comments: Comment[]): string {
  const parts: string[] = [];
  let cursor = offset;
  // Comments are in file order: start at the last one ending by `offset` (asked for every
  // declaration of a file on every keystroke, a scan from the end would be quadratic).
  let low = 0;
  let high = comments.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (comments[mid].range[1] <= offset) low = mid + 1;
    else high = mid;
  }
  for (let i = low - 1; i >= 0; i--) {
    const comment = comments[i];
    if (comment.range[1] > cursor) continue;
    if (text.slice(comment.range[1], cursor).trim() !== '') break;
    const raw = text.slice(comment.range[0], comment.range[1]);
    if (!raw.startsWith('///') && !raw.startsWith('/**')) break;
    parts.unshift(raw);
    cursor = comment.range[0];
  }
  return parts.join('\n');
}

/** `@custom:<name> <value>` tags of a NatSpec block; the value runs to the end of its line. */
export function natspecCustomTags(doc: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const match of doc.matchAll(/@custom:([\w-]+)[ \t]*([^\n\r]*)/g)) {
    const value = match[2].replace(/\*\/\s*$/, '').trim();
    tags[match[1]] = tags[match[1]] ? `${tags[match[1]]} ${value}` : value;
  }
  return tags;
}
