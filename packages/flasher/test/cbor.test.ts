import { describe, expect, it } from 'vitest';
import { decodeCborMap, encodeCbor, uploadBody, FlasherError } from '../src/index.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('CBOR bodies as zcbor decoders accept them', () => {
  it('encodes an upload chunk as a definite-length map with text keys, integer values and an untagged byte string', () => {
    const body = uploadBody(
      { image: 0, len: 100000, off: 0, sha: Uint8Array.from([0xaa, 0xbb]), upgrade: false },
      Uint8Array.from([1, 2, 3]),
    );
    // a6 = map of 6; 65 "image" 00; 63 "len" 1a 000186a0; 63 "off" 00; 63 "sha" 42 aabb; 67 "upgrade" f4; 64 "data" 43 010203
    expect(hex(encodeCbor(body))).toBe(
      'a6' +
        '65696d616765' +
        '00' +
        '636c656e' +
        '1a000186a0' +
        '636f6666' +
        '00' +
        '63736861' +
        '42aabb' +
        '6775706772616465' +
        'f4' +
        '6464617461' +
        '43010203',
    );
  });

  it('encodes a continuation chunk with only off and data', () => {
    expect(hex(encodeCbor(uploadBody({ off: 1024 }, new Uint8Array(0))))).toBe(
      'a2636f666619040064646174614' + '0',
    );
  });

  it('writes integers above 32 bits as CBOR integers, never floats', () => {
    expect(hex(encodeCbor({ n: 2 ** 33 }))).toBe('a1616e1b0000000200000000');
    expect(() => encodeCbor({ n: 1.5 })).toThrow(/integers only, got 1.5/);
  });

  it('uses the one-byte map header for small maps (cbor-x defaults to a 16-bit one)', () => {
    expect(hex(encodeCbor({}))).toBe('a0');
    expect(hex(encodeCbor({ d: 'hello' }))).toBe('a161646568656c6c6f');
  });

  it('decodes answers with indefinite-length maps and byte strings', () => {
    expect(decodeCborMap(Buffer.from('bf627263006373686142abcdff', 'hex'))).toEqual({
      rc: 0,
      sha: Buffer.from([0xab, 0xcd]),
    });
  });

  it('reports a non-map or undecodable body as a protocol error', () => {
    for (const bytes of ['83010203', '1bff']) {
      try {
        decodeCborMap(Buffer.from(bytes, 'hex'));
        expect.unreachable();
      } catch (err) {
        expect((err as FlasherError).code).toBe('ProtocolError');
      }
    }
  });
});
