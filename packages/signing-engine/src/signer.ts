/**
 * The Signer interface: the engine asks for a signature over a digest it computed, so a key in
 * memory, the store's encrypted keys and a PKCS#11 token all look the same to it.
 */
import { constants, privateEncrypt } from 'node:crypto';
import { type DigestAlgorithm, DIGEST_LENGTH, digestInfoPrefix } from './digest.js';
import { ecdsaP256SignDigestFast, prepareP256SigningKey } from './ecdsa-p256-fast.js';
import { EngineError, expectBytes } from './errors.js';
import { b64urlToBytes, keyKind, loadPrivateKey } from './keys.js';

export interface Signer {
  readonly keyType: 'ec-p256' | 'rsa';
  /**
   * The most bytes signDigest returns, when known: lets signPayloadToFile write the payload's
   * base64 before the signature exists, leaving room for the header in front of it.
   */
  readonly maxSignatureLength?: number;
  /** ECDSA: DER, low-S, RFC 6979; RSA: raw PKCS#1 v1.5 signature block (modulus length). */
  signDigest(digest: Uint8Array, hash: 'SHA256' | 'SHA1'): Promise<Uint8Array>;
}

export const MIN_RSA_BITS = 2048;

function checkDigest(digest: Uint8Array, hash: DigestAlgorithm): void {
  expectBytes('signDigest', 'digest', digest);
  if (hash !== 'SHA256' && hash !== 'SHA1')
    throw new TypeError(`signDigest: "hash" expected SHA256 or SHA1, got ${String(hash)}`);
  if (digest.length !== DIGEST_LENGTH[hash]) {
    throw new RangeError(
      `signDigest: "digest" expected ${DIGEST_LENGTH[hash]} bytes for ${hash}, got ${digest.length}`,
    );
  }
}

/**
 * A Signer for a private key (PEM or DER): ECDSA P-256 through the prepared fast path, or RSA
 * (at least MIN_RSA_BITS) as RSASSA-PKCS1-v1_5 over the precomputed digest — OpenSSL's
 * RSA_PKCS1_PADDING private-key operation builds 00 01 FF..FF 00 || DigestInfo around the
 * DigestInfo handed to it, since node:crypto.sign cannot take a digest. Any other key type is an
 * EngineError('InvalidKey').
 */
export function signerFromPrivateKey(pemOrDer: string | Uint8Array): Signer {
  const key = loadPrivateKey(pemOrDer);
  const kind = keyKind(key);
  if (kind === 'ec-p256') {
    const prepared = prepareP256SigningKey(b64urlToBytes(key.export({ format: 'jwk' }).d));
    return Object.freeze({
      keyType: 'ec-p256' as const,
      // SEQUENCE { INTEGER r, INTEGER s }, each at most 33 bytes: 2 + 2 × (2 + 33).
      maxSignatureLength: 72,
      async signDigest(digest: Uint8Array, hash: 'SHA256' | 'SHA1'): Promise<Uint8Array> {
        checkDigest(digest, hash);
        return ecdsaP256SignDigestFast(prepared, digest);
      },
    });
  }
  if (kind === 'rsa') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS)
      throw new EngineError(
        'InvalidKey',
        `private key: RSA modulus expected at least ${MIN_RSA_BITS} bits, got ${bits}`,
      );
    return Object.freeze({
      keyType: 'rsa' as const,
      maxSignatureLength: Math.ceil(bits / 8),
      async signDigest(digest: Uint8Array, hash: 'SHA256' | 'SHA1'): Promise<Uint8Array> {
        checkDigest(digest, hash);
        const prefix = digestInfoPrefix(hash);
        const digestInfo = Buffer.concat([prefix, digest]);
        return new Uint8Array(
          privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, digestInfo),
        );
      },
    });
  }
  const detail =
    kind === 'ec-other'
      ? `EC curve ${key.asymmetricKeyDetails?.namedCurve}`
      : String(key.asymmetricKeyType);
  throw new EngineError(
    'InvalidKey',
    `private key: expected a P-256 EC key or an RSA key of at least ${MIN_RSA_BITS} bits, got ${detail}`,
  );
}
