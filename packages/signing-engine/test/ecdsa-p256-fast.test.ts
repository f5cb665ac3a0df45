/**
 * The Signer's ECDSA P-256 path (OpenSSL for k·G, the rest in BigInt) must produce exactly the
 * bytes @noble/curves produces: same RFC 6979 nonce, same low-S rule, same DER.
 */
import {
  createHash,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  verify as nodeVerify,
} from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { afterAll, describe, expect, it } from 'vitest';
import { ecdsaP256SignDigestFast, prepareP256SigningKey } from '../src/ecdsa-p256-fast.js';
import { EngineError, rawEcdsaToDer, signerFromPrivateKey, TokenError } from '../src/index.js';
import { opensslVerify, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(tmp.cleanup);

const N = p256.Point.Fn.ORDER;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const be32 = (n: bigint): Uint8Array =>
  Uint8Array.from(Buffer.from(n.toString(16).padStart(64, '0'), 'hex'));
/**
 * The reference: ECDSA over a digest computed elsewhere (`prehash: false`: the digest IS the
 * message representative); noble derives k per RFC 6979 and normalises s to the lower half.
 */
const reference = (d: Uint8Array, digest: Uint8Array): string =>
  hex(p256.sign(digest, d, { prehash: false, lowS: true, format: 'der' }));
const fast = (d: Uint8Array, digest: Uint8Array): string =>
  hex(ecdsaP256SignDigestFast(prepareP256SigningKey(d), digest));

/** Splits a DER ECDSA signature into r and s (both short-form lengths for P-256). */
function rs(der: Uint8Array): { r: bigint; s: bigint } {
  const rLen = der[3]!;
  const r = BigInt(`0x${hex(der.subarray(4, 4 + rLen))}`);
  const s = BigInt(`0x${hex(der.subarray(6 + rLen))}`);
  return { r, s };
}

describe('ecdsaP256SignDigestFast', () => {
  it('matches @noble/curves byte for byte for 1000 random keys and digests (SHA-256 and SHA-1 lengths)', () => {
    for (let i = 0; i < 1000; i++) {
      const d = p256.utils.randomSecretKey();
      const digest = new Uint8Array(randomBytes(i % 5 === 0 ? 20 : 32));
      expect(fast(d, digest), `key ${hex(d)} digest ${hex(digest)}`).toBe(reference(d, digest));
    }
  });

  it('matches @noble/curves on edge keys and digests: d = 1, 2, n-1, n-2; digest 0, 1, n-1, n, n+1, 2^256-1 (reduced mod n)', () => {
    const keys = [1n, 2n, N - 1n, N - 2n].map(be32);
    const digests = [0n, 1n, N - 1n, N, N + 1n, 2n ** 256n - 1n].map(be32);
    for (const d of keys)
      for (const digest of digests)
        expect(fast(d, digest), `key ${hex(d)} digest ${hex(digest)}`).toBe(reference(d, digest));
  });

  it('gives the RFC 6979 A.2.5 P-256/SHA-256 signatures (r as published; s as published or n - s, whichever is low)', () => {
    const d = Uint8Array.from(
      Buffer.from('C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721', 'hex'),
    );
    const cases = [
      {
        msg: 'sample',
        r: 0xefd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716n,
        s: 0xf7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8n,
      },
      {
        msg: 'test',
        r: 0xf1abb023518351cd71d881567b1ea663ed3efcf6c5132b354f28d3b0b7d38367n,
        s: 0x019f4113742a2b14bd25926b49c649155f267e60d3814b4c0cc84250e46f0083n,
      },
    ];
    for (const c of cases) {
      const sig = ecdsaP256SignDigestFast(
        prepareP256SigningKey(d),
        new Uint8Array(createHash('sha256').update(c.msg).digest()),
      );
      const low = c.s > N >> 1n ? N - c.s : c.s;
      expect(rs(sig)).toEqual({ r: c.r, s: low });
    }
  });

  it('is deterministic, low-S and minimal DER, and node:crypto and OpenSSL verify it', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const d = Uint8Array.from(Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url'));
    const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const key = prepareP256SigningKey(d);
    for (let i = 0; i < 50; i++) {
      const payload = new Uint8Array(randomBytes(100 + i));
      const digest = new Uint8Array(createHash('sha256').update(payload).digest());
      const sig = ecdsaP256SignDigestFast(key, digest);
      expect(hex(ecdsaP256SignDigestFast(key, digest))).toBe(hex(sig));
      const { r, s } = rs(sig);
      expect(s <= N >> 1n).toBe(true);
      // Minimal INTEGERs: a leading 00 only when the next byte's top bit is set.
      expect(sig[0]).toBe(0x30);
      expect(sig[1]).toBe(sig.length - 2);
      const rLen = sig[3]!;
      const sLen = sig[5 + rLen]!;
      expect([sig[2], sig[4 + rLen], sig.length]).toEqual([0x02, 0x02, 6 + rLen + sLen]);
      for (const [at, len] of [
        [4, rLen],
        [6 + rLen, sLen],
      ] as const) {
        const first = sig[at]!;
        expect(first & 0x80, 'INTEGER must be positive').toBe(0);
        if (len > 1 && first === 0)
          expect(sig[at + 1]! & 0x80, 'a leading 00 only before a high bit').toBe(0x80);
      }
      expect(r > 0n && r < N).toBe(true);
      expect(nodeVerify('sha256', payload, createPublicKey(pem), sig)).toBe(true);
      if (i < 5) expect(opensslVerify(tmp.dir, 'sha256', pem, payload, sig)).toBe(true);
    }
  });

  it('signerFromPrivateKey signs with the fast path and its bytes equal @noble/curves', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const d = Uint8Array.from(Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url'));
    const signer = signerFromPrivateKey(
      privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    );
    for (let i = 0; i < 20; i++) {
      const digest = new Uint8Array(randomBytes(32));
      expect(hex(await signer.signDigest(digest, 'SHA256'))).toBe(reference(d, digest));
    }
  });

  it('refuses a secret key of the wrong length or outside [1, n-1]', () => {
    const refuse = (k: Uint8Array, msg: RegExp) => {
      let err: unknown;
      try {
        prepareP256SigningKey(k);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(EngineError);
      expect((err as EngineError).code).toBe('InvalidKey');
      expect((err as EngineError).message).toMatch(msg);
    };
    refuse(new Uint8Array(31), /expected 32 bytes, got 31/);
    refuse(new Uint8Array(32), /expected a scalar in \[1, n-1\]/);
    refuse(be32(N), /expected a scalar in \[1, n-1\]/);
  });

  it('rawEcdsaToDer (r || s from a token) gives the low-S DER noble gives, and refuses what is not a signature', () => {
    const noble = (raw: Uint8Array): string => {
      const sig = p256.Signature.fromBytes(raw, 'compact');
      return hex((sig.hasHighS() ? new p256.Signature(sig.r, N - sig.s) : sig).toBytes('der'));
    };
    const edges = [1n, 2n, 0x7fn, 0x80n, N / 2n, N / 2n + 1n, N - 1n];
    const raws = edges.flatMap((r) => edges.map((s) => Uint8Array.from([...be32(r), ...be32(s)])));
    for (let i = 0; i < 200; i++) raws.push(new Uint8Array(randomBytes(64)));
    for (const raw of raws) expect(hex(rawEcdsaToDer(raw)), hex(raw)).toBe(noble(raw));
    const refused = (raw: Uint8Array): string => {
      try {
        rawEcdsaToDer(raw);
      } catch (e) {
        expect(e).toBeInstanceOf(TokenError);
        return `${(e as TokenError).code}: ${(e as TokenError).message}`;
      }
      return 'accepted';
    };
    expect(refused(new Uint8Array(63))).toBe(
      'TokenFailure: PKCS#11: ECDSA signature expected 64 bytes (r || s), got 63',
    );
    for (const [r, s] of [
      [0n, 1n],
      [1n, 0n],
      [N, 1n],
      [1n, N],
    ] as const)
      expect(refused(Uint8Array.from([...be32(r), ...be32(s)]))).toMatch(
        /^TokenFailure: .*expected r and s in \[1, n-1\], got a value outside it$/,
      );
  });
});
