// solc source locations → editor ranges.
//
// solc writes `src` as "start:length:sourceIndex" where start and length count BYTES of the
// UTF-8 encoded source. Editors count UTF-16 code units per line. upgrades-core's own decoder
// treats the bytes as characters and returns only `file:line`, which drifts after any
// non-ASCII comment; this one is exact.
import type { Range } from '../findings';
import { LineIndex } from '../text';

/** A decoded solc location: which file, the exact range, and the UTF-16 offsets behind it. */
export interface SourceLocation {
  /** Source unit name as solc knows it (e.g. `contracts/Vault.sol`, `@openzeppelin/…`). */
  sourceName: string;
  /** Absolute path on disk, when the unit came from a file. */
  file?: string;
  range: Range;
  /** Half-open UTF-16 offsets [start, end) into the source text. */
  start: number;
  end: number;
}

/** Converts UTF-8 byte offsets of one text into UTF-16 offsets. */
export class ByteOffsets {
  /**
   * Pairs (byte offset, UTF-16 offset) recorded right after each non-ASCII code point; between
   * two checkpoints the text is ASCII, where one byte is one code unit. Empty for ASCII files.
   */
  private readonly bytes: number[] = [0];
  private readonly units: number[] = [0];
  readonly byteLength: number;

  constructor(readonly text: string) {
    let byte = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code < 0x80) {
        byte += 1;
        continue;
      }
      if (code < 0x800) byte += 2;
      else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && isLowSurrogate(text.charCodeAt(i + 1))) {
        byte += 4; // a surrogate pair is one code point, four UTF-8 bytes
        i++;
      } else byte += 3; // BMP, and lone surrogates (encoded as U+FFFD, three bytes)
      this.bytes.push(byte);
      this.units.push(i + 1);
    }
    this.byteLength = byte;
  }

  /** UTF-16 offset of a byte offset. A byte inside a multi-byte character maps to that character's end. */
  toUtf16(byteOffset: number): number {
    const target = Math.max(0, Math.min(byteOffset, this.byteLength));
    let low = 0;
    let high = this.bytes.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.bytes[mid] <= target) low = mid;
      else high = mid - 1;
    }
    return this.units[low] + (target - this.bytes[low]);
  }
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** One source unit of a compilation: its name, text and (optionally) file on disk. */
export interface DecodableSource {
  sourceName: string;
  text: string;
  file?: string;
}

/** Decodes `src` strings of one compilation (source indexes are per compilation). */
export class SrcDecoder {
  private readonly nameByIndex = new Map<number, string>();
  private readonly indexes = new Map<string, { bytes: ByteOffsets; lines: LineIndex }>();

  /**
   * @param sources    the units by source name, with their text as compiled (relaxed pragmas keep every offset).
   * @param sourceIds  solc output `sources[name].id` for every unit (absent when parsing failed).
   */
  constructor(
    private readonly sources: Record<string, DecodableSource>,
    sourceIds: Record<string, { id: number }> = {},
  ) {
    for (const [name, { id }] of Object.entries(sourceIds)) this.nameByIndex.set(id, name);
  }

  /** Decodes "start:length:index"; undefined for unknown units or generated code (index -1). */
  decode(src: string): SourceLocation | undefined {
    const parts = src.split(':');
    if (parts.length < 3) return undefined;
    const [startByte, lengthByte, index] = parts.map(Number);
    if (![startByte, lengthByte, index].every(Number.isInteger) || index < 0 || startByte < 0) return undefined;
    const name = this.nameByIndex.get(index);
    return name === undefined ? undefined : this.decodeBytes(name, startByte, startByte + Math.max(0, lengthByte));
  }

  /** Decodes a byte span [startByte, endByte) of a unit given by name (solc's `sourceLocation`). */
  decodeBytes(sourceName: string, startByte: number, endByte: number): SourceLocation | undefined {
    const source = this.sources[sourceName];
    if (!source) return undefined;
    const { bytes, lines } = this.indexOf(source);
    const start = bytes.toUtf16(startByte);
    const end = bytes.toUtf16(Math.max(startByte, endByte));
    return { sourceName, file: source.file, range: lines.rangeOf(start, end), start, end };
  }

  /** The text of a unit, as compiled. */
  text(sourceName: string): string | undefined {
    return this.sources[sourceName]?.text;
  }

  /** Source name of a source index. */
  sourceName(index: number): string | undefined {
    return this.nameByIndex.get(index);
  }

  private indexOf(source: DecodableSource): { bytes: ByteOffsets; lines: LineIndex } {
    let entry = this.indexes.get(source.sourceName);
    if (!entry) {
      entry = { bytes: new ByteOffsets(source.text), lines: new LineIndex(source.text) };
      this.indexes.set(source.sourceName, entry);
    }
    return entry;
  }
}
