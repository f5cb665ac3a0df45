/**
 * The Signer over a key in a PKCS#11 token. ECDSA P-256 is CKM_ECDSA over the digest (the token
 * returns r || s, which becomes the low-S DER the signed formats carry); RSA is CKM_RSA_PKCS over
 * the DigestInfo, which the token pads as PKCS#1 v1.5 (00 01 FF..FF 00 || DigestInfo), so SHA-1
 * for the CC3220SF and SHA-256 for certificates come out of one mechanism.
 */
import { DIGEST_LENGTH, digestInfoPrefix } from './digest.js';
import { p256RawToLowSDer } from './ecdsa-p256-fast.js';
import { pkcs11js } from './pkcs11-library.js';
import { parsePkcs11Uri, type Pkcs11Uri } from './pkcs11-uri.js';
import type { Signer } from './signer.js';
import { TokenError } from './token-errors.js';
import { TokenKey, type TokenKeyOptions } from './token-key.js';

export interface TokenSigner extends Signer {
  readonly key: TokenKey;
}

/**
 * r || s (64 bytes) as DER with s in the lower half of the order, as the engine's signatures are.
 * BigInt arithmetic rather than noble's Signature: noble's curve set-up runs at import, and this
 * module is on `fwsign sign`'s start-up path.
 */
export function rawEcdsaToDer(raw: Uint8Array): Uint8Array {
  const der = p256RawToLowSDer(raw);
  if (der === undefined)
    throw new TokenError(
      'TokenFailure',
      raw.length !== 64
        ? `PKCS#11: ECDSA signature expected 64 bytes (r || s), got ${raw.length}`
        : 'PKCS#11: ECDSA signature expected r and s in [1, n-1], got a value outside it',
    );
  return der;
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
