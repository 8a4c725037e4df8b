// In-memory rewrites that let the compiler at hand take a source as written, each keeping every
// byte offset solc reports true for the file on disk: exact `pragma solidity` pins
// (`0.8.20`, `=0.8.20`) of another patch version are relaxed, and `@custom:` NatSpec tags are
// blanked for compilers older than 0.8.2 (which reject them).
import { maskComments, parseVersion } from './versions';

export interface RelaxedPragma {
  /** UTF-16 offsets [start, end) of the version text that was replaced. */
  start: number;
  end: number;
  original: string;
  replacement: string;
}

/** `0.8.37+commit.f401782d…` → [0, 8, 37]. */
export const parseCompilerVersion = parseVersion;

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

// A NatSpec comment: a run of `///` lines, or a `/** … */` block.
const NATSPEC = /\/\/\/[^\n]*(?:\n[ \t]*\/\/\/[^\n]*)*|\/\*\*[\s\S]*?\*\//g;
/** A tag starts a NatSpec line (after `///`, `/**` or a leading `*`). */
const TAG_START = /(^|\n)([ \t]*(?:\/\/\/|\/\*\*|\*)?[ \t]*)@/g;

/**
 * The text with every `@custom:` NatSpec tag and its text replaced by spaces of the same UTF-8
 * byte length; line breaks and the comment markers of following lines stay, so the comment and
 * every offset after it are unchanged.
 */
export function blankCustomNatspec(text: string): string {
  if (!text.includes('@custom:')) return text;
  return text.replace(NATSPEC, (comment) => {
    if (!comment.includes('@custom:')) return comment;
    const block = comment.startsWith('/**');
    const body = block ? comment.slice(0, -2) : comment;
    // Tag boundaries: where each tag starts, so a tag's text ends where the next tag begins.
    const starts: number[] = [];
    for (const m of body.matchAll(TAG_START)) starts.push(m.index + m[1].length + m[2].length);
    if (block) {
      // `/** @custom:x */` on one line: the tag follows the opening marker directly.
      const first = /^\/\*\*[ \t]*@/.exec(body);
      if (first && !starts.includes(first[0].length - 1)) starts.unshift(first[0].length - 1);
    }
    let out = '';
    let at = 0;
    for (let i = 0; i < starts.length; i++) {
      const start = starts[i];
      if (!body.startsWith('@custom:', start)) continue;
      const end = i + 1 < starts.length ? lineStartBefore(body, starts[i + 1]) : body.length;
      out += body.slice(at, start) + blankKeepingMarkers(body.slice(start, end));
      at = end;
    }
    return out + body.slice(at) + (block ? '*/' : '');
  });
}

/** The start of the line holding `offset` (a tag's text ends before the next tag's line). */
function lineStartBefore(text: string, offset: number): number {
  const newline = text.lastIndexOf('\n', offset - 1);
  return newline < 0 ? offset : newline;
}

/** Spaces for every byte, but line breaks and each following line's `///` or `*` marker kept. */
function blankKeepingMarkers(span: string): string {
  return span
    .split('\n')
    .map((line, i) => {
      const marker = i === 0 ? '' : (/^[ \t]*(?:\/\/\/|\*(?!\/))?/.exec(line)?.[0] ?? '');
      return marker + ' '.repeat(Buffer.byteLength(line.slice(marker.length), 'utf8'));
    })
    .join('\n');
}
