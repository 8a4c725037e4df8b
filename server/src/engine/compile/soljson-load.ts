// Loads a solc-js build (soljson.js) as `require` does, faster. An Emscripten build of solc 0.8
// carries its wasm as the base64 of an LZ4 block inside the script:
// `Module["wasmBinary"] = (function (source, uncompressedSize) {…})("<base64>", <size>);`, then the
// Emscripten glue. `require` compiles all 9 MB of that script and decodes the base64 in
// JavaScript, about 40% of loading solc. Here the base64 is decoded natively (Buffer), the
// build's own LZ4 decoder runs on the bytes, and only the glue (70 kB) is compiled, given the
// same `Module`. Any other layout (older builds, a user's own soljson.js) is `require`d as before.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { compileFunction } from 'node:vm';

const HEAD = 'var Module = Module || {};\nModule["wasmBinary"] = (function (source, uncompressedSize) {';
const DECODE = 'return uncompress(base64DecToArr(source), uncompressedSize);';

/** The parts of a soljson.js with an embedded compressed wasm, or undefined for another layout. */
export interface SoljsonParts {
  /** The body of the function that decodes the wasm (the build's base64 and LZ4 decoders). */
  decoder: string;
  base64: string;
  uncompressedSize: number;
  /** The rest of the script: the Emscripten glue, which reads `Module.wasmBinary`. */
  glue: string;
}

export function soljsonParts(text: string): SoljsonParts | undefined {
  if (!text.startsWith(HEAD)) return undefined;
  const call = text.indexOf('\n})("', HEAD.length);
  if (call < 0) return undefined;
  const decoder = text.slice(HEAD.length, call + 1);
  if (decoder.indexOf(DECODE) < 0 || decoder.indexOf(DECODE) !== decoder.lastIndexOf(DECODE)) return undefined;
  const base64End = text.indexOf('", ', call + 5);
  const end = text.indexOf(');\n', base64End);
  if (base64End < 0 || end < 0) return undefined;
  const size = text.slice(base64End + 3, end);
  if (!/^\d+$/.test(size)) return undefined;
  return { decoder, base64: text.slice(call + 5, base64End), uncompressedSize: Number(size), glue: text.slice(end + 3) };
}

/**
 * The wasm binary, byte for byte what the build's own decoder gives, or undefined when the
 * base64 holds anything Buffer would read otherwise than that decoder (which maps every
 * character outside the standard alphabet to 0 and counts it).
 */
export function wasmBinaryOf(parts: SoljsonParts): Uint8Array | undefined {
  const { base64 } = parts;
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  const firstPad = base64.indexOf('=');
  if (base64.includes('-') || base64.includes('_') || (firstPad >= 0 && firstPad < base64.length - padding)) return undefined;
  const decoded = Buffer.from(base64, 'base64');
  // Every character valid: Buffer skips none (whitespace, for one, would make it shorter).
  if (decoded.length !== Math.floor(((base64.length - padding) * 3) / 4)) return undefined;
  // The build's decoder reads each '=' as zero bits: its array ends with that many zero bytes.
  const length = (base64.length * 3 + 1) >> 2;
  const source = length === decoded.length ? decoded : new Uint8Array(length);
  if (source !== decoded) source.set(decoded);
  const uncompress = new Function('source', 'uncompressedSize', parts.decoder.replace(DECODE, 'return uncompress(source, uncompressedSize);')) as (
    source: Uint8Array,
    size: number,
  ) => Uint8Array;
  return uncompress(source, parts.uncompressedSize);
}

/** What `require(file)` gives for a soljson.js (its Emscripten `Module`). */
export function loadSoljson(file: string): unknown {
  const parts = soljsonParts(readFileSync(file, 'utf8'));
  const wasmBinary = parts && wasmBinaryOf(parts);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (!parts || !wasmBinary) return require(file);
  const module = { exports: {} as unknown };
  const glue = compileFunction(parts.glue, ['Module', 'exports', 'require', 'module', '__filename', '__dirname'], { filename: file });
  glue.call(module.exports, { wasmBinary }, module.exports, createRequire(file), module, file, dirname(file));
  return module.exports;
}
