/**
 * MCUboot's image format as imgtool writes it (little-endian): a 32-byte header (magic
 * 0x96f3b83d, load address, header size, protected TLV size, payload size, flags, version
 * major.minor.revision+build), the payload, then the TLV area: an optional protected block and
 * the unprotected one, each led by {magic, total length}, each TLV {type u16, length u16, value}.
 * `packMcubootImage` carries fwsign's AWS Signer signature, certfile and algorithm in TLVs of its
 * own (protocol.json mcubootImage) beside the SHA-256 TLV, which covers header and payload.
 */
import { MCUBOOT_IMAGE, McubootTlv } from '@fwsign/protocol';
import { sha256 } from './digest.js';
import { FlasherError } from './errors.js';

export interface ImageVersion {
  major: number;
  minor: number;
  revision: number;
  build: number;
}

export interface McubootImage {
  loadAddr: number;
  headerSize: number;
  payloadSize: number;
  flags: number;
  version: ImageVersion;
  payload: Uint8Array;
  /** The SHA-256 TLV: the image's name in image list / test / confirm. */
  hash: Uint8Array;
  /** Every TLV, protected ones included, in order. */
  tlvs: { type: number; value: Uint8Array }[];
  /** fwsign's TLVs when all three are present. */
  fwsign?: { signature: Uint8Array; certfile: string; alg: string };
}

const invalid = (msg: string): FlasherError =>
  new FlasherError('InvalidInput', `MCUboot image: ${msg}`);

/** "1.2.3" or "1.2.3.4" (build number when nonzero), as Zephyr's img_mgmt prints versions. */
export function formatVersion(v: ImageVersion): string {
  return `${v.major}.${v.minor}.${v.revision}${v.build ? `.${v.build}` : ''}`;
}

/** Parses "major.minor.revision[+build]" or "major.minor.revision.build" (imgtool's --version). */
export function parseVersion(text: string): ImageVersion {
  const m = /^(\d+)\.(\d+)\.(\d+)(?:[.+](\d+))?$/.exec(text);
  const v = m && {
    major: Number(m[1]),
    minor: Number(m[2]),
    revision: Number(m[3]),
    build: Number(m[4] ?? 0),
  };
  if (!v || v.major > 255 || v.minor > 255 || v.revision > 0xffff || v.build > 0xffffffff)
    throw new RangeError(
      `version: expected major.minor.revision[+build] within 255.255.65535+4294967295, got "${text}"`,
    );
  return v;
}

/** <0, 0, >0 as a is lower than, equal to or higher than b. */
export function compareVersions(a: ImageVersion, b: ImageVersion): number {
  return a.major - b.major || a.minor - b.minor || a.revision - b.revision || a.build - b.build;
}

export function isMcubootImage(bytes: Uint8Array): boolean {
  return (
    bytes.length >= MCUBOOT_IMAGE.headerSize &&
    new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true) === MCUBOOT_IMAGE.magic
  );
}

export interface PackOptions {
  payload: Uint8Array;
  signature: Uint8Array;
  /** Job document key: sig-sha256-ecdsa, sig-sha1-rsa. */
  alg: string;
  certfile: string;
  version: ImageVersion;
  loadAddr?: number;
}

function tlv(type: number, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + value.length);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, type, true);
  dv.setUint16(2, value.length, true);
  out.set(value, 4);
  return out;
}

export function packMcubootImage(o: PackOptions): Uint8Array {
  if (o.payload.length === 0)
    throw new RangeError('pack: "payload" expected at least one byte, got 0');
  const text = new TextEncoder();
  const header = new Uint8Array(MCUBOOT_IMAGE.headerSize);
  const dv = new DataView(header.buffer);
  dv.setUint32(0, MCUBOOT_IMAGE.magic, true);
  dv.setUint32(4, o.loadAddr ?? 0, true);
  dv.setUint16(8, MCUBOOT_IMAGE.headerSize, true);
  dv.setUint16(10, 0, true); // no protected TLVs
  dv.setUint32(12, o.payload.length, true);
  dv.setUint32(16, 0, true); // flags
  dv.setUint8(20, o.version.major);
  dv.setUint8(21, o.version.minor);
  dv.setUint16(22, o.version.revision, true);
  dv.setUint32(24, o.version.build, true);
  const body = Buffer.concat([header, o.payload]);
  const tlvs = Buffer.concat([
    tlv(McubootTlv.SHA256, sha256(body)),
    tlv(McubootTlv.FWSIGN_SIG, o.signature),
    tlv(McubootTlv.FWSIGN_CERTFILE, text.encode(o.certfile)),
    tlv(McubootTlv.FWSIGN_ALG, text.encode(o.alg)),
  ]);
  const info = new Uint8Array(4);
  new DataView(info.buffer).setUint16(0, MCUBOOT_IMAGE.tlvInfoMagic, true);
  new DataView(info.buffer).setUint16(2, 4 + tlvs.length, true);
  if (4 + tlvs.length > 0xffff) throw new RangeError('pack: TLV area over 65535 bytes');
  return new Uint8Array(Buffer.concat([body, info, tlvs]));
}

function readTlvs(
  bytes: Uint8Array,
  at: number,
  magic: number,
  out: { type: number; value: Uint8Array }[],
): number {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  if (bytes.length - at < 4) throw invalid(`expected a TLV info at offset ${at}, the file ends`);
  if (dv.getUint16(at, true) !== magic)
    throw invalid(
      `expected TLV info magic 0x${magic.toString(16)} at offset ${at}, got 0x${dv.getUint16(at, true).toString(16)}`,
    );
  const total = dv.getUint16(at + 2, true);
  if (total < 4 || at + total > bytes.length)
    throw invalid(
      `TLV area of ${total} bytes at offset ${at} runs past the file (${bytes.length})`,
    );
  for (let p = at + 4; p < at + total;) {
    if (at + total - p < 4) throw invalid(`truncated TLV at offset ${p}`);
    const type = dv.getUint16(p, true);
    const len = dv.getUint16(p + 2, true);
    if (p + 4 + len > at + total)
      throw invalid(`TLV 0x${type.toString(16)} at ${p} runs past its area`);
    out.push({ type, value: bytes.subarray(p + 4, p + 4 + len) });
    p += 4 + len;
  }
  return total;
}

/** Reads and checks an MCUboot image: header bounds, TLV areas, the SHA-256 TLV against the bytes. */
export function parseMcubootImage(bytes: Uint8Array): McubootImage {
  if (!isMcubootImage(bytes))
    throw invalid(
      `expected magic 0x${MCUBOOT_IMAGE.magic.toString(16)} in the first 4 bytes (a raw binary is not an MCUboot image: make one with \`fwsign pack\`)`,
    );
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const headerSize = dv.getUint16(8, true);
  const protSize = dv.getUint16(10, true);
  const payloadSize = dv.getUint32(12, true);
  if (headerSize < MCUBOOT_IMAGE.headerSize || headerSize + payloadSize > bytes.length)
    throw invalid(
      `header size ${headerSize} and payload size ${payloadSize} do not fit a file of ${bytes.length} bytes`,
    );
  const tlvs: { type: number; value: Uint8Array }[] = [];
  const end = headerSize + payloadSize;
  if (protSize) readTlvs(bytes, end, MCUBOOT_IMAGE.protectedTlvInfoMagic, tlvs);
  readTlvs(bytes, end + protSize, MCUBOOT_IMAGE.tlvInfoMagic, tlvs);
  const hashes = tlvs.filter((t) => t.type === McubootTlv.SHA256);
  if (hashes.length !== 1 || hashes[0]!.value.length !== 32)
    throw invalid(`expected one 32-byte SHA-256 TLV, got ${hashes.length}`);
  const hash = hashes[0]!.value;
  if (Buffer.compare(sha256(bytes.subarray(0, end + protSize)), hash) !== 0)
    throw invalid('the SHA-256 TLV does not match the header and payload');
  const find = (type: number): Uint8Array | undefined => tlvs.find((t) => t.type === type)?.value;
  const sig = find(McubootTlv.FWSIGN_SIG);
  const certfile = find(McubootTlv.FWSIGN_CERTFILE);
  const alg = find(McubootTlv.FWSIGN_ALG);
  const text = new TextDecoder();
  return {
    loadAddr: dv.getUint32(4, true),
    headerSize,
    payloadSize,
    flags: dv.getUint32(16, true),
    version: {
      major: dv.getUint8(20),
      minor: dv.getUint8(21),
      revision: dv.getUint16(22, true),
      build: dv.getUint32(24, true),
    },
    payload: bytes.subarray(headerSize, end),
    hash,
    tlvs,
    ...(sig && certfile && alg
      ? { fwsign: { signature: sig, certfile: text.decode(certfile), alg: text.decode(alg) } }
      : {}),
  };
}
