// Runtime bytecode as solc writes it: code, then the CBOR-encoded metadata (ipfs hash, solc
// version) and its two-byte length. Comparison masks what legitimately differs between a build and
// the deployed code, as Sourcify does: the immutables (written by the constructor) and library
// addresses (linked at deployment); the metadata decides full versus partial match.

/** Bytes from 0x-hex (or bare hex). */
export function hexBytes(hex: string): Uint8Array {
  const clean = hex.startsWith('0x') ? hex.slice(2) : hex;
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) throw new Error('not hex bytes');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function bytesHex(bytes: Uint8Array): `0x${string}` {
  return `0x${Buffer.from(bytes).toString('hex')}`;
}

/** The metadata solc appends, decoded. */
export interface CborMetadata {
  /** The IPFS multihash of metadata.json (0x-hex), when `bytecodeHash` is ipfs. */
  ipfs?: `0x${string}`;
  /** bzzr0 / bzzr1 Swarm hash (old compilers). */
  bzzr?: `0x${string}`;
  /** e.g. `0.8.37`; absent for prereleases and old compilers. */
  solc?: string;
  experimental?: boolean;
}

/** Where the metadata is in the code: `[start, end)`, with `end` the code's length. */
export interface Auxdata {
  start: number;
  end: number;
  metadata: CborMetadata;
}

/**
 * The trailing CBOR metadata, or undefined when the code does not end with one (built with
 * `appendCBOR: false`, or not solc's).
 */
export function trailingAuxdata(code: Uint8Array): Auxdata | undefined {
  if (code.length < 2) return undefined;
  const length = (code[code.length - 2] << 8) | code[code.length - 1];
  const start = code.length - 2 - length;
  if (length === 0 || start < 0) return undefined;
  const metadata = decodeCborMap(code.subarray(start, code.length - 2));
  return metadata ? { start, end: code.length, metadata } : undefined;
}

/** The few CBOR forms solc writes: a map of text keys to byte strings, text or booleans. */
function decodeCborMap(bytes: Uint8Array): CborMetadata | undefined {
  let at = 0;
  const header = (): { major: number; value: number } | undefined => {
    if (at >= bytes.length) return undefined;
    const first = bytes[at++];
    const major = first >> 5;
    const info = first & 0x1f;
    if (info < 24) return { major, value: info };
    const size = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : 0;
    if (size === 0 || at + size > bytes.length) return major === 7 ? { major, value: info } : undefined;
    let value = 0;
    for (let i = 0; i < size; i++) value = value * 256 + bytes[at++];
    return { major, value };
  };
  const map = header();
  if (!map || map.major !== 5 || map.value === 0 || map.value > 8) return undefined;
  const out: CborMetadata = {};
  for (let i = 0; i < map.value; i++) {
    const key = header();
    if (!key || key.major !== 3 || at + key.value > bytes.length) return undefined;
    const name = Buffer.from(bytes.subarray(at, at + key.value)).toString('utf8');
    at += key.value;
    const value = header();
    if (!value) return undefined;
    if (value.major === 2 || value.major === 3) {
      if (at + value.value > bytes.length) return undefined;
      const raw = bytes.subarray(at, at + value.value);
      at += value.value;
      if (name === 'ipfs') out.ipfs = bytesHex(raw);
      else if (name === 'bzzr0' || name === 'bzzr1') out.bzzr = bytesHex(raw);
      else if (name === 'solc') out.solc = value.major === 3 ? Buffer.from(raw).toString('utf8') : raw.length === 3 ? `${raw[0]}.${raw[1]}.${raw[2]}` : undefined;
    } else if (value.major === 7) {
      if (name === 'experimental') out.experimental = value.value === 21;
    } else return undefined;
  }
  return at === bytes.length ? out : undefined;
}

/** Byte ranges `[start, start + length)` of one kind (immutables, library addresses). */
export interface ByteRange {
  start: number;
  length: number;
}

/** solc's `evm.deployedBytecode.immutableReferences`: AST id → the places the value is written. */
export type ImmutableReferences = Record<string, ByteRange[]>;

/** solc's `linkReferences`: file → library → places of its 20-byte address. */
export type LinkReferences = Record<string, Record<string, ByteRange[]>>;

/**
 * The local build's bytes with the deployed values of immutables and library addresses copied in
 * (the build has zeros or `__$…$__` placeholders there), so the rest can be compared byte for byte.
 */
export function maskedBuild(buildHex: string, deployed: Uint8Array, immutables: ImmutableReferences, links: LinkReferences): { bytes: Uint8Array; masked: ByteRange[]; libraries: { name: string; address: `0x${string}` }[] } {
  const clean = buildHex.startsWith('0x') ? buildHex.slice(2) : buildHex;
  const masked: ByteRange[] = [];
  const libraries: { name: string; address: `0x${string}` }[] = [];
  // Placeholders are 40 characters of non-hex: zero them first, then copy the deployed address in.
  const linkRanges = Object.entries(links).flatMap(([file, libs]) => Object.entries(libs).flatMap(([lib, ranges]) => ranges.map((r) => ({ ...r, name: `${file}:${lib}` }))));
  let hex = clean;
  for (const r of linkRanges) hex = hex.slice(0, r.start * 2) + '00'.repeat(r.length) + hex.slice((r.start + r.length) * 2);
  const bytes = hexBytes(hex);
  const copy = (r: ByteRange) => {
    if (r.start + r.length > deployed.length || r.start + r.length > bytes.length) return;
    bytes.set(deployed.subarray(r.start, r.start + r.length), r.start);
    masked.push({ start: r.start, length: r.length });
  };
  for (const r of linkRanges) {
    copy(r);
    if (r.start + r.length <= deployed.length && !libraries.some((l) => l.name === r.name)) libraries.push({ name: r.name, address: bytesHex(deployed.subarray(r.start, r.start + r.length)) });
  }
  for (const ranges of Object.values(immutables)) for (const r of ranges) copy(r);
  masked.sort((a, b) => a.start - b.start);
  return { bytes, masked, libraries };
}

/** The first offset where two byte strings differ, or undefined when they are equal. */
export function firstDifference(a: Uint8Array, b: Uint8Array): number | undefined {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? undefined : n;
}

/** The index of the instruction that holds byte `offset` (PUSH data belongs to its PUSH), and where it starts. */
export function instructionAt(code: Uint8Array, offset: number): { index: number; start: number; opcode: number } | undefined {
  let index = 0;
  for (let pc = 0; pc < code.length; index++) {
    const opcode = code[pc];
    const size = opcode >= 0x60 && opcode <= 0x7f ? 1 + (opcode - 0x5f) : 1;
    if (offset < pc + size) return { index, start: pc, opcode };
    pc += size;
  }
  return undefined;
}

/** One entry of a compressed solc source map: `s:l:f:j:m`, fields left empty repeat the previous entry. */
export interface SourceMapEntry {
  start: number;
  length: number;
  /** Source index; -1 for generated code. */
  file: number;
  jump: string;
}

/** The source map entry of instruction `index`, or undefined past the end. */
export function sourceMapEntry(sourceMap: string, index: number): SourceMapEntry | undefined {
  const entries = sourceMap.split(';');
  if (index >= entries.length) return undefined;
  const current: SourceMapEntry = { start: -1, length: 0, file: -1, jump: '-' };
  for (let i = 0; i <= index; i++) {
    const [s, l, f, j] = entries[i].split(':');
    if (s) current.start = Number(s);
    if (l) current.length = Number(l);
    if (f) current.file = Number(f);
    if (j) current.jump = j;
  }
  return current;
}

const OPCODE_NAMES: Record<number, string> = {
  0x00: 'STOP', 0x01: 'ADD', 0x02: 'MUL', 0x03: 'SUB', 0x04: 'DIV', 0x10: 'LT', 0x11: 'GT', 0x14: 'EQ', 0x15: 'ISZERO', 0x16: 'AND', 0x17: 'OR', 0x19: 'NOT', 0x1b: 'SHL', 0x1c: 'SHR',
  0x20: 'KECCAK256', 0x33: 'CALLER', 0x34: 'CALLVALUE', 0x35: 'CALLDATALOAD', 0x36: 'CALLDATASIZE', 0x50: 'POP', 0x51: 'MLOAD', 0x52: 'MSTORE', 0x54: 'SLOAD', 0x55: 'SSTORE',
  0x56: 'JUMP', 0x57: 'JUMPI', 0x5b: 'JUMPDEST', 0x5f: 'PUSH0', 0xf3: 'RETURN', 0xfd: 'REVERT', 0xfe: 'INVALID',
};

/** A readable name for an opcode: `PUSH2`, `DUP1`, `SWAP3`, `LOG2`, common ones by name, else its hex. */
export function opcodeName(opcode: number): string {
  if (opcode >= 0x60 && opcode <= 0x7f) return `PUSH${opcode - 0x5f}`;
  if (opcode >= 0x80 && opcode <= 0x8f) return `DUP${opcode - 0x7f}`;
  if (opcode >= 0x90 && opcode <= 0x9f) return `SWAP${opcode - 0x8f}`;
  if (opcode >= 0xa0 && opcode <= 0xa4) return `LOG${opcode - 0xa0}`;
  return OPCODE_NAMES[opcode] ?? `0x${opcode.toString(16).padStart(2, '0')}`;
}
