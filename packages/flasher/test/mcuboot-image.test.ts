import { describe, expect, it } from 'vitest';
import {
  compareVersions,
  formatVersion,
  isMcubootImage,
  packMcubootImage,
  parseMcubootImage,
  parseVersion,
} from '../src/index.js';

const payload = new Uint8Array(1000).map((_, i) => (i * 7) & 0xff);
const packed = packMcubootImage({
  payload,
  signature: new Uint8Array([0x30, 1, 2]),
  alg: 'sig-sha256-ecdsa',
  certfile: '/certs/codesign.crt',
  version: parseVersion('2.1.0+9'),
});

describe('MCUboot image', () => {
  it('round-trips: payload, version, hash and fwsign TLVs', () => {
    expect(isMcubootImage(packed)).toBe(true);
    expect(isMcubootImage(payload)).toBe(false);
    const m = parseMcubootImage(packed);
    expect(Buffer.compare(m.payload, payload)).toBe(0);
    expect(formatVersion(m.version)).toBe('2.1.0.9');
    expect(m.fwsign).toEqual({
      signature: new Uint8Array([0x30, 1, 2]),
      certfile: '/certs/codesign.crt',
      alg: 'sig-sha256-ecdsa',
    });
    expect(m.hash).toHaveLength(32);
  });

  it('refuses a raw binary naming fwsign pack, a changed byte, and a TLV area past the end', () => {
    expect(() => parseMcubootImage(payload)).toThrow(/fwsign pack/);
    const changed = packed.slice();
    changed[100] = changed[100]! ^ 1;
    expect(() => parseMcubootImage(changed)).toThrow('the SHA-256 TLV does not match');
    const cut = packed.subarray(0, packed.length - 3);
    expect(() => parseMcubootImage(cut)).toThrow(/runs past the file/);
  });

  it('compares and parses versions as MCUboot orders them', () => {
    expect(compareVersions(parseVersion('1.2.3'), parseVersion('1.2.3+1'))).toBeLessThan(0);
    expect(compareVersions(parseVersion('1.10.0'), parseVersion('1.9.9'))).toBeGreaterThan(0);
    expect(() => parseVersion('256.0.0')).toThrow(RangeError);
  });
});
