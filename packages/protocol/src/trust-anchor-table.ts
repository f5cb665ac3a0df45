/**
 * The trust-anchor table the device reads to decide which keys it trusts: the provisioning step
 * writes it (like MCUboot's `imgtool getpub`), the C verifier parses the same layout.
 */
// zlib's CRC-32 (IEEE, reflected, init and xorout 0xFFFFFFFF) is the one the firmware checks.
import { crc32 } from 'node:zlib';
import { KeyType, TRUST_ANCHOR_TABLE as T } from './generated.js';

export type TrustAnchorKey =
  | { readonly type: 'ec-p256'; readonly point: Uint8Array }
  | { readonly type: 'rsa-2048'; readonly modulus: Uint8Array; readonly exponent: number };

export interface TrustAnchor {
  /** The `certfile` path a job document names, e.g. `/certs/codesign.crt`. */
  readonly name: string;
  /** SHA-256 of the DER certificate the key was taken from. */
  readonly certSha256: Uint8Array;
  readonly key: TrustAnchorKey;
}

export class TrustAnchorTableError extends Error {
  readonly code = 'TrustAnchorTableError';
  constructor(message: string) {
    super(message);
    this.name = 'TrustAnchorTableError';
  }
}

const E = T.entry;
const H = T.header;

export function trustAnchorTableSize(count: number): number {
  return T.headerSize + count * T.entrySize + T.crcSize;
}

export function encodeTrustAnchorTable(anchors: readonly TrustAnchor[]): Uint8Array {
  if (anchors.length === 0 || anchors.length > T.maxEntries) {
    throw new RangeError(
      `encodeTrustAnchorTable: expected 1..${T.maxEntries} anchors, got ${anchors.length}`,
    );
  }
  const names = new Set<string>();
  const total = trustAnchorTableSize(anchors.length);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(H.magic.offset, T.magic, true);
  view.setUint16(H.version.offset, T.version, true);
  view.setUint16(H.count.offset, anchors.length, true);
  view.setUint32(H.totalLength.offset, total, true);
  anchors.forEach((anchor, i) => {
    const base = T.headerSize + i * T.entrySize;
    const name = new TextEncoder().encode(anchor.name);
    if (name.length === 0 || name.length >= T.nameSize) {
      throw new RangeError(
        `encodeTrustAnchorTable: anchor name expected 1..${T.nameSize - 1} bytes, got ${name.length} ("${anchor.name}")`,
      );
    }
    if (names.has(anchor.name))
      throw new RangeError(`encodeTrustAnchorTable: anchor name "${anchor.name}" appears twice`);
    names.add(anchor.name);
    if (anchor.certSha256.length !== E.certSha256.size) {
      throw new RangeError(
        `encodeTrustAnchorTable: certSha256 expected ${E.certSha256.size} bytes, got ${anchor.certSha256.length}`,
      );
    }
    out[base + E.nameLength.offset] = name.length;
    out.set(name, base + E.name.offset);
    out.set(anchor.certSha256, base + E.certSha256.offset);
    const keyAt = base + E.key.offset;
    if (anchor.key.type === 'ec-p256') {
      if (anchor.key.point.length !== 65 || anchor.key.point[0] !== 0x04) {
        throw new RangeError(
          `encodeTrustAnchorTable: P-256 key expected a 65-byte uncompressed point, got ${anchor.key.point.length} bytes`,
        );
      }
      out[base + E.keyType.offset] = KeyType.EC_P256;
      out.set(anchor.key.point, keyAt);
    } else {
      if (anchor.key.modulus.length !== 256) {
        throw new RangeError(
          `encodeTrustAnchorTable: RSA modulus expected 256 bytes, got ${anchor.key.modulus.length}`,
        );
      }
      out[base + E.keyType.offset] = KeyType.RSA_2048;
      out.set(anchor.key.modulus, keyAt);
      view.setUint32(keyAt + 256, anchor.key.exponent, false);
    }
  });
  view.setUint32(total - T.crcSize, crc32(out.subarray(0, total - T.crcSize)), true);
  return out;
}

export function decodeTrustAnchorTable(bytes: Uint8Array): TrustAnchor[] {
  if (bytes.length < T.headerSize + T.crcSize) {
    throw new TrustAnchorTableError(
      `trust-anchor table: expected at least ${T.headerSize + T.crcSize} bytes, got ${bytes.length}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(H.magic.offset, true);
  if (magic !== T.magic)
    throw new TrustAnchorTableError(
      `trust-anchor table: magic expected 0x${T.magic.toString(16)}, got 0x${magic.toString(16)}`,
    );
  const version = view.getUint16(H.version.offset, true);
  if (version !== T.version)
    throw new TrustAnchorTableError(
      `trust-anchor table: version expected ${T.version}, got ${version}`,
    );
  const count = view.getUint16(H.count.offset, true);
  if (count === 0 || count > T.maxEntries)
    throw new TrustAnchorTableError(
      `trust-anchor table: count expected 1..${T.maxEntries}, got ${count}`,
    );
  const total = view.getUint32(H.totalLength.offset, true);
  if (total !== trustAnchorTableSize(count) || total > bytes.length) {
    throw new TrustAnchorTableError(
      `trust-anchor table: length expected ${trustAnchorTableSize(count)} for ${count} entries within ${bytes.length} bytes, got ${total}`,
    );
  }
  const crc = view.getUint32(total - T.crcSize, true);
  const computed = crc32(bytes.subarray(0, total - T.crcSize));
  if (crc !== computed)
    throw new TrustAnchorTableError(
      `trust-anchor table: CRC expected 0x${computed.toString(16)}, got 0x${crc.toString(16)}`,
    );
  const anchors: TrustAnchor[] = [];
  for (let i = 0; i < count; i++) {
    const base = T.headerSize + i * T.entrySize;
    const nameLength = bytes[base + E.nameLength.offset]!;
    if (nameLength === 0 || nameLength >= T.nameSize)
      throw new TrustAnchorTableError(
        `trust-anchor table: entry ${i} name length ${nameLength} out of range`,
      );
    const name = new TextDecoder().decode(
      bytes.subarray(base + E.name.offset, base + E.name.offset + nameLength),
    );
    const certSha256 = bytes.slice(
      base + E.certSha256.offset,
      base + E.certSha256.offset + E.certSha256.size,
    );
    const keyAt = base + E.key.offset;
    const keyType = bytes[base + E.keyType.offset];
    let key: TrustAnchorKey;
    if (keyType === KeyType.EC_P256)
      key = { type: 'ec-p256', point: bytes.slice(keyAt, keyAt + 65) };
    else if (keyType === KeyType.RSA_2048)
      key = {
        type: 'rsa-2048',
        modulus: bytes.slice(keyAt, keyAt + 256),
        exponent: view.getUint32(keyAt + 256, false),
      };
    else
      throw new TrustAnchorTableError(
        `trust-anchor table: entry ${i} key type expected ${KeyType.EC_P256} or ${KeyType.RSA_2048}, got ${keyType}`,
      );
    anchors.push({ name, certSha256, key });
  }
  return anchors;
}
