/**
 * The Signer over a key in a PKCS#11 token. ECDSA P-256 is CKM_ECDSA over the digest (the token
 * returns r || s, which becomes the low-S DER the signed formats carry); RSA is CKM_RSA_PKCS over
 * the DigestInfo, which the token pads as PKCS#1 v1.5 (00 01 FF..FF 00 || DigestInfo), so SHA-1
 * for the CC3220SF and SHA-256 for certificates come out of one mechanism.
 */
import { p256 } from '@noble/curves/nist.js';
import { DIGEST_LENGTH, digestInfoPrefix } from './digest.js';
import { pkcs11js } from './pkcs11-library.js';
import { parsePkcs11Uri, type Pkcs11Uri } from './pkcs11-uri.js';
import type { Signer } from './signer.js';
import { TokenError } from './token-errors.js';
import { TokenKey, type TokenKeyOptions } from './token-key.js';

export interface TokenSigner extends Signer {
  readonly key: TokenKey;
}

const P256_ORDER = p256.Point.Fn.ORDER;

/** r || s (64 bytes) as DER with s in the lower half of the order, as the engine's signatures are. */
export function rawEcdsaToDer(raw: Uint8Array): Uint8Array {
  if (raw.length !== 64)
    throw new TokenError(
      'TokenFailure',
      `PKCS#11: ECDSA signature expected 64 bytes (r || s), got ${raw.length}`,
    );
  const sig = p256.Signature.fromBytes(raw, 'compact');
  const low = sig.hasHighS() ? new p256.Signature(sig.r, P256_ORDER - sig.s) : sig;
  return low.toBytes('der');
}

/**
 * A Signer for the token key `uri` names. `keyType` is what the caller knows of the key (the
 * store: from the certificate it was imported with); the token's own key type is checked on the
 * first signature, so a key swapped behind a stored URI fails the job instead of signing wrongly.
 */
export function tokenSigner(
  uri: Pkcs11Uri | string,
  keyType: Signer['keyType'],
  opts: TokenKeyOptions = {},
): TokenSigner {
  const key = new TokenKey(typeof uri === 'string' ? parsePkcs11Uri(uri) : uri, opts);
  let checked: Promise<unknown> | undefined;
  return Object.freeze({
    keyType,
    key,
    async signDigest(digest: Uint8Array, hash: 'SHA256' | 'SHA1'): Promise<Uint8Array> {
      if (!(digest instanceof Uint8Array) || digest.length !== DIGEST_LENGTH[hash])
        throw new RangeError(
          `signDigest: "digest" expected ${DIGEST_LENGTH[hash]} bytes for ${hash}, got ${digest?.length}`,
        );
      checked ??= key.keyType().then(
        (actual) => {
          if (actual.type !== keyType)
            throw new TokenError(
              'UnsupportedKey',
              `PKCS#11: ${key.name} is an ${actual.type} key, expected ${keyType}`,
            );
        },
        (err: unknown) => {
          checked = undefined; // not known yet: check again next time
          throw err;
        },
      );
      await checked;
      const p = pkcs11js();
      const input =
        keyType === 'ec-p256'
          ? Buffer.from(digest)
          : Buffer.concat([digestInfoPrefix(hash), digest]);
      const mechanism = keyType === 'ec-p256' ? p.CKM_ECDSA : p.CKM_RSA_PKCS;
      const raw = await key.withKey('signing', async (session, handle, lib) => {
        lib.C_SignInit(session, { mechanism }, handle);
        return lib.C_SignAsync(session, input, Buffer.alloc(512));
      });
      return keyType === 'ec-p256' ? rawEcdsaToDer(raw) : new Uint8Array(raw);
    },
  });
}
