import { describe, expect, it } from 'vitest';
import { TRUST_ANCHOR_TABLE } from '../src/generated.js';
import {
  decodeTrustAnchorTable,
  encodeTrustAnchorTable,
  type TrustAnchor,
} from '../src/trust-anchor-table.js';

const ec: TrustAnchor = {
  name: '/certs/codesign.crt',
  certSha256: new Uint8Array(32).fill(0xab),
  key: { type: 'ec-p256', point: Uint8Array.from([4, ...new Array(64).fill(7)]) },
};
const rsa: TrustAnchor = {
  name: '/certs/cc3220.crt',
  certSha256: new Uint8Array(32).fill(0xcd),
  key: { type: 'rsa-2048', modulus: new Uint8Array(256).fill(0x99), exponent: 65537 },
};

describe('trust-anchor table', () => {
  it('round-trips EC and RSA anchors with the documented layout', () => {
    const bytes = encodeTrustAnchorTable([ec, rsa]);
    expect(bytes.length).toBe(16 + 2 * 360 + 4);
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('FWTA');
    const entry1 = TRUST_ANCHOR_TABLE.headerSize + TRUST_ANCHOR_TABLE.entrySize;
    expect(bytes[entry1 + TRUST_ANCHOR_TABLE.entry.key.offset + 256 + 1]).toBe(0x01); // 65537 big-endian = 00 01 00 01
    const decoded = decodeTrustAnchorTable(bytes);
    expect(decoded).toEqual([ec, rsa]);
  });

  it('rejects a flipped bit anywhere with a CRC, magic, length or field error', () => {
    const bytes = encodeTrustAnchorTable([ec]);
    for (let i = 0; i < bytes.length; i++) {
      const copy = bytes.slice();
      copy[i]! ^= 0x10;
      expect(() => decodeTrustAnchorTable(copy), `byte ${i}`).toThrow(/trust-anchor table: /);
    }
  });

  it('refuses duplicate names and over-long names when encoding', () => {
    expect(() => encodeTrustAnchorTable([ec, ec])).toThrow(/appears twice/);
    expect(() => encodeTrustAnchorTable([{ ...ec, name: 'x'.repeat(64) }])).toThrow(
      /expected 1\.\.63 bytes, got 64/,
    );
  });
});
