// Baseline (a): `/// @custom:oz-upgrades-from <Contract>` or `<path>:<Contract>` in the NatSpec of
// the contract (OpenZeppelin's convention for "this is the next version of that contract").
// A text scan, not a parse: it runs on every edit and only needs the doc comment above one contract.
import type { Range } from '../findings';
import { LineIndex } from '../text';

/** A reference to another contract, as written in an annotation. */
export interface ContractRef {
  contract: string;
  /** The path as written (`contracts/BoxV1.sol`), when the reference is qualified. */
  path?: string;
  /** Absolute path of the file the annotation is in: resolve `path` against it or the project root. */
  fromFile?: string;
}

export interface UpgradesFromAnnotation {
  ref: ContractRef;
  /** Range of the reference text (after the tag) in the file. */
  range: Range;
}

const TAG = '@custom:oz-upgrades-from';

/** Reads `@custom:oz-upgrades-from` from the doc comment right above `contract <name>`. */
export function findUpgradesFrom(text: string, contract: string, fromFile?: string): UpgradesFromAnnotation | undefined {
  const declaration = new RegExp(`(^|[\\s;}])((abstract\\s+)?contract\\s+${escapeRegExp(contract)})\\b`, 'gm');
  for (let m = declaration.exec(text); m; m = declaration.exec(text)) {
    const start = m.index + m[1].length;
    const doc = docCommentBefore(text, start);
    if (doc === undefined) continue;
    const tag = doc.text.indexOf(TAG);
    if (tag < 0) continue;
    const after = doc.text.slice(tag + TAG.length);
    const value = /^[ \t]+([^\s*]+)/.exec(after);
    if (!value) continue;
    const refStart = doc.start + tag + TAG.length + value.index + value[0].length - value[1].length;
    const lines = LineIndex.of(text);
    return { ref: parseContractRef(value[1], fromFile), range: lines.rangeOf(refStart, refStart + value[1].length) };
  }
  return undefined;
}

/** `BoxV1` → {contract: BoxV1}; `contracts/Box.sol:BoxV1` → {path: contracts/Box.sol, contract: BoxV1}. */
export function parseContractRef(value: string, fromFile?: string): ContractRef {
  const colon = value.lastIndexOf(':');
  const base = colon < 0 ? { contract: value } : { contract: value.slice(colon + 1), path: value.slice(0, colon) };
  return fromFile !== undefined ? { ...base, fromFile } : base;
}

/** The `///` lines or the `/** … *\/` block that end right before `offset` (only whitespace between). */
function docCommentBefore(text: string, offset: number): { start: number; text: string } | undefined {
  let end = offset;
  while (end > 0 && /\s/.test(text[end - 1])) end--;
  if (text.slice(Math.max(0, end - 2), end) === '*/') {
    const open = text.lastIndexOf('/**', end - 2);
    return open < 0 ? undefined : { start: open, text: text.slice(open, end) };
  }
  // A run of `///` lines: walk back line by line.
  let start = end;
  let cursor = end;
  for (;;) {
    const lineStart = Math.max(text.lastIndexOf('\n', cursor - 1), text.lastIndexOf('\r', cursor - 1)) + 1;
    const line = text.slice(lineStart, cursor);
    if (!/^\s*\/\/\//.test(line)) break;
    start = lineStart;
    if (lineStart === 0) break;
    cursor = lineStart - 1;
  }
  return start < end ? { start, text: text.slice(start, end) } : undefined;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
