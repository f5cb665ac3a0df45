/**
 * ECDSA P-256 over a precomputed digest, byte-identical to @noble/curves'
 * `p256.sign(digest, d, { prehash: false, lowS: true, format: 'der' })`, at several times its speed.
 *
 * The one expensive step, k·G, goes to OpenSSL: `ECDH.setPrivateKey(k)` computes the public point
 * k·G with OpenSSL's constant-time P-256 ladder (ecp_nistz256 on x86-64 and ARM64), which is an
 * order of magnitude faster than pure-JS point multiplication. Everything else follows noble's
 * steps exactly, so the bytes match and the equivalence test in test/ecdsa-p256-fast.test.ts can
 * hold it to that:
 * - k by RFC 6979 §3.2 HMAC-DRBG (HMAC-SHA-256 from node:crypto), seeded with
 *   int2octets(d) || int2octets(bits2int(h) mod n), re-drawn while k ∉ [1, n−1], r = 0 or s = 0;
 * - s = k⁻¹(e + r·d) mod n with the inversion blinded by a random b as noble does
 *   (s = (b·k)⁻¹·(b·e + b·d·r)), so the variable-time extended-Euclid inversion (as noble's
 *   `Fn.inv`) only ever sees a value independent of k; b cancels, so the output is deterministic;
 * - s > n/2 is replaced by n − s (low-S), and (r, s) is DER-encoded with minimal INTEGERs.
 * The scalar arithmetic is a few lines of BigInt rather than noble's field module: loading noble
 * (its curve set-up runs at import) was most of `fwsign sign`'s start-up beyond Node's own.
 */
import { createECDH, createHmac, randomBytes, type ECDH } from 'node:crypto';
import { EngineError } from './errors.js';

/** The order n of the P-256 base point (SEC 2 §2.4.2, FIPS 186-4 D.1.2.3). */
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const HALF_N = N >> 1n;
const BYTES = 32;
/** noble's DRBG gives up after this many candidates; reaching it would need ~2^-32-likely events 1000 times over. */
const MAX_DRBG_ITERATIONS = 1000;
const BYTE0 = Uint8Array.of(0x00);
const BYTE1 = Uint8Array.of(0x01);

export interface P256SigningKey {
  /** The secret scalar d. */
  readonly d: bigint;
  /** int2octets(d): the first half of the RFC 6979 seed, computed once per key. */
  readonly dOctets: Uint8Array;
}

function toBig(bytes: Uint8Array): bigint {
  return bytes.length === 0
    ? 0n
    : BigInt(`0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`);
}

function int2octets(n: bigint): Buffer {
  return Buffer.from(n.toString(16).padStart(BYTES * 2, '0'), 'hex');
}

/** Checks and converts a 32-byte big-endian secret key once, so each signature skips it. */
export function prepareP256SigningKey(secretKey: Uint8Array): P256SigningKey {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== BYTES) {
    throw new EngineError(
      'InvalidKey',
      `P-256 secret key: expected ${BYTES} bytes, got ${secretKey instanceof Uint8Array ? secretKey.length : typeof secretKey}`,
    );
  }
  const d = toBig(secretKey);
  if (d <= 0n || d >= N)
    throw new EngineError(
      'InvalidKey',
      'P-256 secret key: expected a scalar in [1, n-1], got one outside it',
    );
  return Object.freeze({ d, dOctets: int2octets(d) });
}

/** a mod n in [0, n−1]. */
const mod = (a: bigint): bigint => {
  const r = a % N;
  return r < 0n ? r + N : r;
};

/** a⁻¹ mod n by the extended Euclidean algorithm; a is in [1, n−1] and n is prime. */
function invert(a: bigint): bigint {
  let [r0, r1] = [N, a];
  let [t0, t1] = [0n, 1n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [t0, t1] = [t1, t0 - q * t1];
  }
  return mod(t0);
}

function hmac(key: Uint8Array, ...parts: Uint8Array[]): Buffer {
  const h = createHmac('sha256', key);
  for (const p of parts) h.update(p);
  return h.digest();
}

/** bits2int (RFC 6979 §2.3.2): the leftmost 256 bits of the digest as an integer. */
function bits2int(bytes: Uint8Array): bigint {
  const num = toBig(bytes);
  const delta = bytes.length * 8 - 256;
  return delta > 0 ? num >> BigInt(delta) : num;
}

function derInteger(n: bigint): Buffer {
  let hex = n.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  if (Number.parseInt(hex[0]!, 16) >= 8) hex = `00${hex}`;
  const body = Buffer.from(hex, 'hex');
  return Buffer.concat([Uint8Array.of(0x02, body.length), body]);
}

/** SEQUENCE { INTEGER r, INTEGER s }; both are under 2^256, so every length fits one byte. */
function derSignature(r: bigint, s: bigint): Uint8Array {
  const ri = derInteger(r);
  const si = derInteger(s);
  return new Uint8Array(Buffer.concat([Uint8Array.of(0x30, ri.length + si.length), ri, si]));
}

/**
 * A raw r || s signature (64 bytes, as PKCS#11's CKM_ECDSA returns it) as low-S DER, the form the
 * engine's own signatures take; undefined when r or s is outside [1, n−1] (not a signature).
 */
export function p256RawToLowSDer(raw: Uint8Array): Uint8Array | undefined {
  if (raw.length !== 2 * BYTES) return undefined;
  const r = toBig(raw.subarray(0, BYTES));
  const s = toBig(raw.subarray(BYTES));
  if (r <= 0n || r >= N || s <= 0n || s >= N) return undefined;
  return derSignature(r, s > HALF_N ? N - s : s);
}

/**
 * One ECDH object is reused: setPrivateKey replaces (and OpenSSL clears) the previous scalar, and
 * signing is synchronous, so no two signatures interleave on it.
 */
let ecdh: ECDH | undefined;

/** x(k·G) by OpenSSL; k must already be in [1, n−1] (setPrivateKey refuses anything else). */
function baseMultiplyX(k32: Uint8Array): bigint {
  ecdh ??= createECDH('prime256v1');
  ecdh.setPrivateKey(k32);
  const pub = ecdh.getPublicKey(); // 04 || X || Y
  return toBig(pub.subarray(1, 1 + BYTES));
}

/** Uniform in [1, n−1] (48 random bytes reduced, as noble's mapHashToField does): the inversion's blinding factor. */
function blindingFactor(): bigint {
  return (toBig(randomBytes(48)) % (N - 1n)) + 1n;
}

/** Deterministic (RFC 6979), low-S, DER-encoded ECDSA P-256 signature over `digest`. */
export function ecdsaP256SignDigestFast(key: P256SigningKey, digest: Uint8Array): Uint8Array {
  const e = mod(bits2int(digest));
  const seed = [key.dOctets, int2octets(e)];
  // RFC 6979 §3.2 steps b–g: V = 0x01…, K = 0x00…, then two HMAC rounds over the seed.
  let v: Buffer = Buffer.alloc(32, 1);
  let k: Buffer = Buffer.alloc(32, 0);
  k = hmac(k, v, BYTE0, ...seed);
  v = hmac(k, v);
  k = hmac(k, v, BYTE1, ...seed);
  v = hmac(k, v);
  for (let i = 0; i < MAX_DRBG_ITERATIONS; i++) {
    v = hmac(k, v); // step h: T = V (one block: hLen = qLen = 256 bits)
    const nonce = bits2int(v);
    if (nonce > 0n && nonce < N) {
      const r = mod(baseMultiplyX(v));
      if (r !== 0n) {
        const b = blindingFactor();
        const ibk = invert(mod(b * nonce));
        let s = mod(ibk * mod(mod(b * e) + mod(b * key.d) * r));
        if (s !== 0n) {
          if (s > HALF_N) s = N - s;
          return derSignature(r, s);
        }
      }
    }
    // Step h.3: K = HMAC(K, V || 0x00), V = HMAC(K, V), then try again.
    k = hmac(k, v, BYTE0);
    v = hmac(k, v);
  }
  throw new Error('ecdsaP256SignDigestFast: RFC 6979 DRBG found no valid nonce in 1000 tries');
}
