// Solidity compiler versions and `pragma solidity` ranges (npm semver syntax, as solc reads
// them): which versions a file accepts, and the newest of a list that every file accepts.

export type SolcVersion = [number, number, number];

/** `0.8.37+commit.f401782d…`, `v0.6.12`, `0.8.7-fixed` → [0, 8, 37]. */
export function parseVersion(text: string): SolcVersion | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(text.trim());
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

export function formatVersion(v: SolcVersion): string {
  return v.join('.');
}

export function compareVersions(a: SolcVersion, b: SolcVersion): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

type Comparator = { op: '>=' | '<' | '='; version: SolcVersion };

/** A partial version `0.8` / `0.8.x` / `*` → its known parts. */
function partial(text: string): number[] | undefined {
  if (/^[*xX]?$/.test(text)) return [];
  const parts = text.replace(/^v/, '').split('.');
  const numbers: number[] = [];
  for (const part of parts) {
    if (/^[*xX]$/.test(part)) break;
    if (!/^\d+$/.test(part)) return undefined;
    numbers.push(Number(part));
  }
  return numbers.length <= 3 ? numbers : undefined;
}

const fill = (parts: number[]): SolcVersion => [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0];
/** The first version above every version matching the partial `parts` (`0.8` → 0.9.0). */
function nextAfter(parts: number[]): SolcVersion {
  if (parts.length === 0) return [Infinity, 0, 0];
  const bumped = [...parts];
  bumped[bumped.length - 1]++;
  return fill(bumped);
}

function comparators(op: string, text: string): Comparator[] | undefined {
  const parts = partial(text);
  if (!parts) return undefined;
  const low = fill(parts);
  switch (op) {
    case '>=':
      return [{ op: '>=', version: low }];
    case '>':
      return [{ op: '>=', version: parts.length === 3 ? [low[0], low[1], low[2] + 1] : nextAfter(parts) }];
    case '<':
      return [{ op: '<', version: low }];
    case '<=':
      return [{ op: '<', version: parts.length === 3 ? [low[0], low[1], low[2] + 1] : nextAfter(parts) }];
    case '~':
      return [{ op: '>=', version: low }, { op: '<', version: parts.length <= 1 ? nextAfter(parts.slice(0, 1)) : nextAfter(parts.slice(0, 2)) }];
    case '^': {
      // The leftmost non-zero part may not change (`^0.8.2` → <0.9.0, `^0.0.3` → <0.0.4).
      const significant = parts.findIndex((p) => p !== 0);
      const keep = significant < 0 ? parts.length : significant + 1;
      return [{ op: '>=', version: low }, { op: '<', version: nextAfter(parts.slice(0, Math.max(1, keep))) }];
    }
    default:
      return parts.length === 3 ? [{ op: '=', version: low }] : [{ op: '>=', version: low }, { op: '<', version: nextAfter(parts) }];
  }
}

/** Parses a pragma range (`^0.8.0`, `>=0.6.0 <0.8.0`, `0.6.12 || ^0.7.0`, `0.5.0 - 0.6.12`); undefined when it cannot. */
export function parseRange(spec: string): Comparator[][] | undefined {
  const alternatives: Comparator[][] = [];
  for (const alternative of spec.split('||')) {
    const text = alternative.trim().replace(/(>=|<=|>|<|=|\^|~)\s+/g, '$1');
    const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(text);
    if (hyphen) {
      const from = comparators('>=', hyphen[1]);
      const to = comparators('<=', hyphen[2]);
      if (!from || !to) return undefined;
      alternatives.push([...from, ...to]);
      continue;
    }
    const set: Comparator[] = [];
    for (const token of text.split(/\s+/).filter(Boolean)) {
      const match = /^(>=|<=|>|<|=|\^|~)?(.*)$/.exec(token)!;
      const parsed = comparators(match[1] ?? '', match[2]);
      if (!parsed) return undefined;
      set.push(...parsed);
    }
    alternatives.push(set);
  }
  return alternatives;
}

/** Whether `version` satisfies the pragma range `spec`; an unreadable range accepts everything (solc will say). */
export function satisfies(version: SolcVersion, spec: string): boolean {
  const range = parseRange(spec);
  if (!range) return true;
  return range.some((set) =>
    set.every(({ op, version: bound }) => {
      const c = compareVersions(version, bound);
      return op === '>=' ? c >= 0 : op === '<' ? c < 0 : c === 0;
    }),
  );
}

/** The newest of `versions` that satisfies every range in `specs`. */
export function newestSatisfying(versions: Iterable<string>, specs: string[]): string | undefined {
  let best: { text: string; version: SolcVersion } | undefined;
  for (const text of versions) {
    const version = parseVersion(text);
    if (!version || !specs.every((spec) => satisfies(version, spec))) continue;
    if (!best || compareVersions(version, best.version) > 0) best = { text, version };
  }
  return best && formatVersion(best.version);
}

/** The text with comments blanked out (same length), so a pragma inside a comment is not read. */
export function maskComments(text: string): string {
  return text.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (comment) => comment.replace(/[^\n]/g, ' '));
}

const PRAGMA = /\bpragma\s+solidity\s+([^;]*);/g;

/** The `pragma solidity` ranges of a source (comments ignored). */
export function pragmaRanges(text: string): string[] {
  return [...maskComments(text).matchAll(PRAGMA)].map((m) => m[1].trim()).filter(Boolean);
}

/**
 * Every solc release published as solc-js on npm (`npm view solc versions`), for choosing a
 * version offline; the registry's own list is preferred when it can be read.
 */
export const KNOWN_SOLC_VERSIONS: readonly string[] = [
  ...range(4, 0, 26).filter((v) => v !== '0.4.12'),
  ...range(5, 0, 17),
  ...range(6, 0, 12),
  ...range(7, 0, 6),
  ...range(8, 0, 37),
];

function range(minor: number, first: number, last: number): string[] {
  const out: string[] = [];
  for (let patch = first; patch <= last; patch++) out.push(`0.${minor}.${patch}`);
  return out;
}
