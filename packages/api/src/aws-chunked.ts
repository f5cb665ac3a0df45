import { createHash, type Hash } from 'node:crypto';
import { ApiError } from './errors.js';

/** What an aws-chunked body holds, in the order it holds it. */
export type ChunkedEvent =
  | { type: 'data'; bytes: Uint8Array }
  /** The end of one chunk's data: its signature (if signed) and, when asked for, its SHA-256. */
  | { type: 'chunk'; index: number; size: number; signature?: string; sha256?: string }
  | { type: 'trailer'; name: string; value: string };

/** Longest header or trailer line taken. */
const MAX_LINE = 4096;
const CHUNK_HEADER = /^([0-9a-fA-F]{1,8})(?:;chunk-signature=([0-9a-f]{64}))?$/;

/**
 * Splits an `aws-chunked` body (`<hex size>[;chunk-signature=<sig>]\r\n<data>\r\n` ... a zero
 * chunk, optional trailer lines, a blank line) as it arrives, piece by piece, holding no more of
 * it than a partial header line: data comes out as views of the pieces pushed in. Signatures are
 * checked by the caller, from each chunk's SHA-256 (computed on the way when `hashChunks`).
 */
export class AwsChunkedDecoder {
  private state: 'header' | 'data' | 'crlf' | 'trailers' | 'done' = 'header';
  /** Bytes taken so far, for messages. */
  private pos = 0;
  private line = '';
  private lineStart = 0;
  private index = 0;
  private size = 0;
  private left = 0;
  private signature: string | undefined;
  private hash: Hash | undefined;
  private crlfSeen = 0;

  constructor(private readonly hashChunks: boolean) {}

  push(bytes: Uint8Array): ChunkedEvent[] {
    const out: ChunkedEvent[] = [];
    let at = 0;
    while (at < bytes.length && this.state !== 'done') {
      if (this.state === 'data') {
        const n = Math.min(this.left, bytes.length - at);
        const piece = bytes.subarray(at, at + n);
        this.hash?.update(piece);
        out.push({ type: 'data', bytes: piece });
        at += n;
        this.left -= n;
        if (this.left === 0) this.endChunk(out);
      } else if (this.state === 'crlf') {
        if (bytes[at] !== (this.crlfSeen === 0 ? 0x0d : 0x0a))
          throw malformed(`expected CRLF after chunk data at byte ${this.pos + at}`);
        at++;
        if (++this.crlfSeen === 2) this.state = 'header';
      } else {
        const nl = bytes.indexOf(0x0a, at);
        const end = nl < 0 ? bytes.length : nl;
        if (this.line === '') this.lineStart = this.pos + at;
        this.line += Buffer.from(bytes.buffer, bytes.byteOffset + at, end - at).toString('latin1');
        if (this.line.length > MAX_LINE + 1 || (nl >= 0 && !this.line.endsWith('\r')))
          throw malformed(`expected a CRLF-terminated line at byte ${this.lineStart}`);
        at = nl < 0 ? bytes.length : nl + 1;
        if (nl >= 0) {
          const line = this.line.slice(0, -1);
          this.line = '';
          if (this.state === 'header') this.startChunk(line, out);
          else this.trailer(line, out);
        }
      }
    }
    this.pos += bytes.length;
    return out;
  }

  /** The body ended: refuses it if it ended inside a chunk or a line. */
  end(): ChunkedEvent[] {
    if (this.state === 'data')
      throw malformed(`chunk of ${this.size} bytes runs past the end of the body`);
    if (this.state === 'crlf')
      throw malformed(`expected CRLF after chunk data at byte ${this.pos}`);
    if (this.state === 'header' || this.line !== '')
      throw malformed(
        `expected a CRLF-terminated line at byte ${this.line === '' ? this.pos : this.lineStart}`,
      );
    return [];
  }

  private startChunk(header: string, out: ChunkedEvent[]): void {
    const m = CHUNK_HEADER.exec(header);
    if (!m)
      throw malformed(
        `expected '<hex size>[;chunk-signature=<sig>]', got '${header.slice(0, 100)}'`,
      );
    this.size = this.left = parseInt(m[1]!, 16);
    this.signature = m[2];
    this.hash = this.hashChunks ? createHash('sha256') : undefined;
    if (this.size === 0) this.endChunk(out);
    else this.state = 'data';
  }

  private endChunk(out: ChunkedEvent[]): void {
    out.push({
      type: 'chunk',
      index: this.index++,
      size: this.size,
      ...(this.signature !== undefined ? { signature: this.signature } : {}),
      ...(this.hash ? { sha256: this.hash.digest('hex') } : {}),
    });
    this.crlfSeen = 0;
    // A chunk-signed body ends "0;chunk-signature=..\r\n\r\n"; an unsigned-trailer one lists trailers first.
    this.state = this.size === 0 ? 'trailers' : 'crlf';
  }

  private trailer(line: string, out: ChunkedEvent[]): void {
    if (line === '') {
      this.state = 'done';
      return;
    }
    const i = line.indexOf(':');
    if (i <= 0) throw malformed(`expected a 'name:value' trailer, got '${line.slice(0, 100)}'`);
    out.push({
      type: 'trailer',
      name: line.slice(0, i).trim().toLowerCase(),
      value: line.slice(i + 1).trim(),
    });
  }
}

interface AwsChunk {
  data: Uint8Array;
  signature?: string;
}

export interface AwsChunkedBody {
  chunks: AwsChunk[];
  trailers: Record<string, string>;
}

/** A whole aws-chunked body, split into its chunks and trailers (by AwsChunkedDecoder). */
export function decodeAwsChunked(body: Uint8Array): AwsChunkedBody {
  const d = new AwsChunkedDecoder(false);
  const chunks: AwsChunk[] = [];
  const trailers: Record<string, string> = {};
  let data: Uint8Array[] = [];
  for (const e of [...d.push(body), ...d.end()]) {
    if (e.type === 'data') data.push(e.bytes);
    else if (e.type === 'trailer') trailers[e.name] = e.value;
    else {
      chunks.push({
        data: new Uint8Array(Buffer.concat(data)),
        ...(e.signature !== undefined ? { signature: e.signature } : {}),
      });
      data = [];
    }
  }
  return { chunks, trailers };
}

function malformed(why: string): ApiError {
  return new ApiError('IncompleteBody', 400, `aws-chunked body: ${why}`);
}
