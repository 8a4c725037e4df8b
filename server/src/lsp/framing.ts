// A filter in front of the stdio message reader: it passes well-framed LSP messages through and
// drops a message whose header has no valid Content-Length. vscode-jsonrpc's reader stops reading
// for good after such a header (it cannot tell where the body ends), so the server would never
// answer again; here the stream skips to the next "Content-Length:" header and goes on.
import { Transform, type TransformCallback } from 'node:stream';

const HEADER_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /^content-length:\s*(\d+)\s*$/i;
/** A header block longer than this is garbage, not a header. */
const MAX_HEADER_BYTES = 8 * 1024;

export class LspFramingFilter extends Transform {
  private buffer: Buffer = Buffer.alloc(0);
  /** After a bad header: discarding until the next Content-Length header. */
  private resyncing = false;

  constructor(private readonly onDropped: (reason: string) => void) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    this.drain();
    callback();
  }

  private drain(): void {
    for (;;) {
      if (this.resyncing && !this.skipToNextHeader()) return;
      const end = this.buffer.indexOf(HEADER_END);
      if (end < 0) {
        if (this.buffer.length > MAX_HEADER_BYTES) this.dropHeader(`a header of more than ${MAX_HEADER_BYTES} bytes`);
        else return;
        continue;
      }
      const lines = this.buffer.subarray(0, end).toString('ascii').split('\r\n');
      const length = lines.map((line) => CONTENT_LENGTH.exec(line.trim())?.[1]).find((value) => value !== undefined);
      if (length === undefined) {
        this.dropHeader(`a header without a valid Content-Length (${JSON.stringify(lines.join(' | ').slice(0, 200))})`);
        continue;
      }
      const total = end + HEADER_END.length + Number(length);
      if (this.buffer.length < total) return;
      this.push(this.buffer.subarray(0, total));
      this.buffer = this.buffer.subarray(total);
    }
  }

  private dropHeader(reason: string): void {
    this.onDropped(reason);
    // The header is gone; its body (of unknown length) is skipped up to the next header.
    this.buffer = this.buffer.subarray(1);
    this.resyncing = true;
  }

  /** Discards bytes up to the next "Content-Length:"; false while none has arrived yet. */
  private skipToNextHeader(): boolean {
    const text = this.buffer.toString('latin1');
    const next = text.search(/content-length:/i);
    if (next < 0) {
      // Keep a tail in case the header name is split across chunks.
      this.buffer = this.buffer.subarray(Math.max(0, this.buffer.length - 15));
      return false;
    }
    this.buffer = this.buffer.subarray(next);
    this.resyncing = false;
    return true;
  }
}
