// Exact `pragma solidity` pins (`0.8.20`, `=0.8.20`) that the compiler at hand does not
// satisfy are relaxed in memory so the file still compiles. The replacement has exactly the
// length of the original version text, so every byte offset solc reports stays true for the
// file on disk.

export interface RelaxedPragma {
  /** UTF-16 offsets [start, end) of the version text that was replaced. */
  start: number;
  end: number;
  original: string;
  replacement: string;
}

/** `0.8.37+commit.f401782d…` → [0, 8, 37]. */
export function parseCompilerVersion(version: string): [number, number, number] | undefined {
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

const PRAGMA = /\bpragma\s+solidity\s+([^;]*);/g;
const EXACT_PIN = /^=?\s*(\d+)\.(\d+)\.(\d+)$/;

/**
 * Relaxes exact pins of the compiler's major.minor line that name another patch version
 * (e.g. `0.8.20` under 0.8.37). Other unsatisfied ranges are left for solc to report: across
 * a breaking line the code is unlikely to compile anyway.
 */
export function relaxPragmas(text: string, compilerVersion: string): { text: string; relaxed: RelaxedPragma[] } {
  const compiler = parseCompilerVersion(compilerVersion);
  if (!compiler) return { text, relaxed: [] };
  const relaxed: RelaxedPragma[] = [];
  const masked = maskComments(text);
  for (const match of masked.matchAll(PRAGMA)) {
    const spec = match[1].trimEnd();
    const pin = EXACT_PIN.exec(spec);
    if (!pin) continue;
    const [major, minor, patch] = [Number(pin[1]), Number(pin[2]), Number(pin[3])];
    if (major !== compiler[0] || minor !== compiler[1] || patch === compiler[2]) continue;
    const start = match.index + match[0].indexOf(match[1], 'pragma solidity'.length);
    const original = text.slice(start, start + spec.length);
    relaxed.push({ start, end: start + spec.length, original, replacement: sameLengthRange(major, minor, original.length) });
  }
  let out = text;
  for (const r of relaxed) out = out.slice(0, r.start) + r.replacement + out.slice(r.end);
  return { text: out, relaxed };
}

/** `^0.8` padded with spaces to `length` (the pin is at least `0.8.0`, five characters; `*` otherwise). */
function sameLengthRange(major: number, minor: number, length: number): string {
  const range = `^${major}.${minor}`;
  return (range.length <= length ? range : '*').padEnd(length, ' ');
}

/** The text with comments blanked out (same length), so a pragma inside a comment is not touched. */
function maskComments(text: string): string {
  return text.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (comment) => comment.replace(/[^\n]/g, ' '));
}
