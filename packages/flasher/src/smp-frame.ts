/**
 * The 8-byte SMP header and the packet it starts. Layout (big-endian), as Zephyr's `struct smp_hdr`:
 *   byte 0: reserved(3) | version(2) | op(3)    byte 1: flags
 *   bytes 2-3: payload length                   bytes 4-5: group
 *   byte 6: sequence                            byte 7: command id
 */
import { SMP_HEADER_SIZE, SmpOp } from '@fwsign/protocol';
import { expectBytes } from '@fwsign/signing-engine';
import { FlasherError } from './errors.js';

export interface SmpHeader {
  readonly op: SmpOp;
  /** 0 = SMP v1 (what MCUboot speaks), 1 = SMP v2. */
  readonly version: number;
  readonly flags: number;
  readonly length: number;
  readonly group: number;
  readonly seq: number;
  readonly id: number;
}

export interface SmpPacket {
  readonly header: SmpHeader;
  /** The CBOR payload, `header.length` bytes. */
  readonly payload: Uint8Array;
}

function checkUint(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`encodeSmpHeader: "${name}" expected an integer 0..${max}, got ${value}`);
  }
}

export function encodeSmpHeader(h: SmpHeader): Uint8Array {
  checkUint('op', h.op, 7);
  checkUint('version', h.version, 3);
  checkUint('flags', h.flags, 0xff);
  checkUint('length', h.length, 0xffff);
  checkUint('group', h.group, 0xffff);
  checkUint('seq', h.seq, 0xff);
  checkUint('id', h.id, 0xff);
  const out = new Uint8Array(SMP_HEADER_SIZE);
  out[0] = (h.version << 3) | h.op;
  out[1] = h.flags;
  out[2] = h.length >>> 8;
  out[3] = h.length & 0xff;
  out[4] = h.group >>> 8;
  out[5] = h.group & 0xff;
  out[6] = h.seq;
  out[7] = h.id;
  return out;
}

export function decodeSmpHeader(bytes: Uint8Array): SmpHeader {
  expectBytes('decodeSmpHeader', 'bytes', bytes);
  if (bytes.length < SMP_HEADER_SIZE) {
    throw new FlasherError(
      'ProtocolError',
      `SMP header: expected ${SMP_HEADER_SIZE} bytes, got ${bytes.length}`,
    );
  }
  return {
    op: (bytes[0]! & 0x07) as SmpOp,
    version: (bytes[0]! >>> 3) & 0x03,
    flags: bytes[1]!,
    length: (bytes[2]! << 8) | bytes[3]!,
    group: (bytes[4]! << 8) | bytes[5]!,
    seq: bytes[6]!,
    id: bytes[7]!,
  };
}

/** Header + payload; the header's length is taken from the payload. */
export function encodeSmpPacket(
  header: Omit<SmpHeader, 'length'>,
  payload: Uint8Array,
): Uint8Array {
  const out = new Uint8Array(SMP_HEADER_SIZE + payload.length);
  out.set(encodeSmpHeader({ ...header, length: payload.length }), 0);
  out.set(payload, SMP_HEADER_SIZE);
  return out;
}

export function decodeSmpPacket(bytes: Uint8Array): SmpPacket {
  const header = decodeSmpHeader(bytes);
  if (bytes.length !== SMP_HEADER_SIZE + header.length) {
    throw new FlasherError(
      'ProtocolError',
      `SMP packet: header says ${header.length} payload bytes, got ${bytes.length - SMP_HEADER_SIZE}`,
    );
  }
  return { header, payload: bytes.subarray(SMP_HEADER_SIZE) };
}
