/**
 * SMP over a serial console, as Zephyr's serial transport and MCUboot's serial recovery frame it:
 * BE16 length (body + CRC), body, CRC16/XMODEM over the body; base64; cut into lines of at most
 * 127 bytes, the first starting 06 09, the rest 04 14, each ending in "\n". Receivers decode line
 * by line, so every line but the last carries a multiple of 4 base64 characters.
 */
import { CONSOLE_FRAMING } from '@fwsign/protocol';
import { crc16Xmodem } from './crc16.js';
import { FlasherError } from './errors.js';

const [FIRST_1, FIRST_2] = CONSOLE_FRAMING.firstLineMarker;
const [CONT_1, CONT_2] = CONSOLE_FRAMING.continuationMarker;
const NEWLINE = 0x0a;
/** base64 characters per line: 127 - 2 marker bytes - 1 newline, rounded down to a multiple of 4. */
export const LINE_BASE64_CHARS = Math.floor((CONSOLE_FRAMING.maxLineLength - 3) / 4) * 4;
/** Decoded bytes each full line carries (93). */
export const LINE_PAYLOAD_BYTES = (LINE_BASE64_CHARS / 4) * 3;
/** Length prefix + CRC: what the framing adds to the SMP packet before base64. */
export const FRAME_OVERHEAD_BYTES = 4;
/** A body whose length field would not fit 16 bits cannot be framed. */
const MAX_FRAME_BODY = 0xffff - 2;

export function encodeConsoleFrame(body: Uint8Array): Uint8Array {
  if (body.length === 0 || body.length > MAX_FRAME_BODY) {
    throw new RangeError(
      `encodeConsoleFrame: "body" expected 1..${MAX_FRAME_BODY} bytes, got ${body.length}`,
    );
  }
  const raw = new Uint8Array(body.length + FRAME_OVERHEAD_BYTES);
  const len = body.length + 2;
  raw[0] = len >>> 8;
  raw[1] = len & 0xff;
  raw.set(body, 2);
  const crc = crc16Xmodem(body);
  raw[raw.length - 2] = crc >>> 8;
  raw[raw.length - 1] = crc & 0xff;
  const b64 = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64');
  const lines = Math.ceil(b64.length / LINE_BASE64_CHARS);
  const out = new Uint8Array(b64.length + lines * 3);
  let at = 0;
  for (let i = 0; i < lines; i++) {
    out[at++] = i === 0 ? FIRST_1 : CONT_1;
    out[at++] = i === 0 ? FIRST_2 : CONT_2;
    const piece = b64.slice(i * LINE_BASE64_CHARS, (i + 1) * LINE_BASE64_CHARS);
    for (let j = 0; j < piece.length; j++) out[at++] = piece.charCodeAt(j);
    out[at++] = NEWLINE;
  }
  return out;
}

/** Bytes on the wire for an SMP packet (header + CBOR) of `packetLength` bytes. */
export function consoleFrameWireSize(packetLength: number): number {
  const chars = Math.ceil((packetLength + FRAME_OVERHEAD_BYTES) / 3) * 4;
  return chars + Math.ceil(chars / LINE_BASE64_CHARS) * 3;
}

const BASE64_LINE = /^[A-Za-z0-9+/]*={0,2}$/;

export type DecoderEvent =
  | { kind: 'packet'; body: Uint8Array }
  | { kind: 'text'; line: string }
  | { kind: 'error'; reason: string };

/**
 * Streaming decoder: feed it whatever the port delivers, in any cut, and it returns the complete
 * packets plus the console text and damaged frames it skipped. A new 06 09 always restarts a
 * packet, so a lost or corrupt line costs that packet only.
 */
export class ConsoleFrameDecoder {
  private line: number[] = [];
  private packet: Uint8Array | undefined;
  private packetFill = 0;
  private readonly maxLine: number;

  constructor(opts: { maxLineBytes?: number } = {}) {
    // Console output other than frames (boot logs) can have long lines; anything past this is junk.
    this.maxLine = opts.maxLineBytes ?? 4096;
  }

  push(chunk: Uint8Array): DecoderEvent[] {
    const events: DecoderEvent[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (byte === NEWLINE) {
        this.finishLine(events);
      } else if (this.line.length < this.maxLine) {
        this.line.push(byte);
      } else {
        this.line = [];
        this.dropPacket(events, 'line longer than the console framing allows');
      }
    }
    return events;
  }

  private finishLine(events: DecoderEvent[]): void {
    let line = this.line;
    this.line = [];
    if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.slice(0, -1);
    // Console text printed without a newline before a frame glues onto its first line: find the marker.
    const at = findMarker(line);
    if (at < 0) {
      if (line.length > 0)
        events.push({ kind: 'text', line: Buffer.from(line).toString('latin1') });
      return;
    }
    if (at > 0)
      events.push({ kind: 'text', line: Buffer.from(line.slice(0, at)).toString('latin1') });
    const first = line[at] === FIRST_1;
    const text = Buffer.from(line.slice(at + 2)).toString('latin1');
    if (first) {
      if (this.packet) this.dropPacket(events, 'packet cut short by the start of the next one');
    } else if (!this.packet) {
      events.push({ kind: 'error', reason: 'continuation line without a packet start' });
      return;
    }
    if (text.length % 4 !== 0 || !BASE64_LINE.test(text)) {
      this.dropPacket(events, 'line is not valid base64');
      return;
    }
    const bytes = Buffer.from(text, 'base64');
    if (first) {
      if (bytes.length < 2) {
        events.push({ kind: 'error', reason: 'first line too short to hold the length' });
        return;
      }
      const len = (bytes[0]! << 8) | bytes[1]!;
      if (len < 3) {
        events.push({ kind: 'error', reason: `frame length ${len} cannot hold a body and CRC` });
        return;
      }
      this.packet = new Uint8Array(len);
      this.packetFill = 0;
      this.append(bytes.subarray(2), events);
    } else {
      this.append(bytes, events);
    }
  }

  private append(bytes: Uint8Array, events: DecoderEvent[]): void {
    const packet = this.packet!;
    if (this.packetFill + bytes.length > packet.length) {
      this.dropPacket(events, `frame longer than its length field (${packet.length})`);
      return;
    }
    packet.set(bytes, this.packetFill);
    this.packetFill += bytes.length;
    if (this.packetFill < packet.length) return;
    this.packet = undefined;
    if (crc16Xmodem(packet) !== 0) {
      events.push({ kind: 'error', reason: 'CRC16 mismatch' });
      return;
    }
    events.push({ kind: 'packet', body: packet.subarray(0, packet.length - 2) });
  }

  private dropPacket(events: DecoderEvent[], reason: string): void {
    if (this.packet) events.push({ kind: 'error', reason });
    this.packet = undefined;
  }
}

function findMarker(line: number[]): number {
  for (let i = 0; i + 1 < line.length; i++) {
    if (
      (line[i] === FIRST_1 && line[i + 1] === FIRST_2) ||
      (line[i] === CONT_1 && line[i + 1] === CONT_2)
    )
      return i;
  }
  return -1;
}

/** Decodes one complete frame (all its lines); for tests and tools, not for streams. */
export function decodeConsoleFrame(bytes: Uint8Array): Uint8Array {
  const events = new ConsoleFrameDecoder().push(bytes);
  const packet = events.find((e) => e.kind === 'packet');
  if (!packet || packet.kind !== 'packet') {
    const err = events.find((e) => e.kind === 'error');
    throw new FlasherError(
      'ProtocolError',
      `console frame: expected one complete packet, got ${err && err.kind === 'error' ? err.reason : 'none'}`,
    );
  }
  return packet.body;
}
