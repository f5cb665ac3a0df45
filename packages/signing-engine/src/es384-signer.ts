/**
 * ES384 (ECDSA P-384 with SHA-384) for Signer-managed keys, the Lambda and Notation platforms'
 * algorithm: with the key in memory (a KeyObject) or in a PKCS#11 token (CKM_ECDSA over the
 * SHA-384 digest; the token returns r || s, which is what JWS carries). Envelopes sign
 * asynchronously, certificates synchronously: the store issues them inside the transaction that
 * records them.
 */
import { createHash, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { p384 } from '@noble/curves/nist.js';
import { pkcs11js } from './pkcs11-library.js';
import { parsePkcs11Uri, type Pkcs11Uri } from './pkcs11-uri.js';
import { TokenError } from './token-errors.js';
import { TokenKey, type TokenKeyOptions } from './token-key.js';

/** 2 × 48 bytes: r || s of P-384. */
const P1363_BYTES = 96;

export interface Es384Signer {
  /** IEEE P1363 r || s (96 bytes) over SHA-384(message), as a JWS ES384 signature. */
  signEs384(message: Uint8Array): Promise<Uint8Array>;
  /** The same, synchronously. */
  signEs384Sync(message: Uint8Array): Uint8Array;
}

export interface TokenEs384Signer extends Es384Signer {
  readonly key: TokenKey;
}

/** A P1363 signature as the DER SEQUENCE { r, s } X.509 carries. */
export function p1363ToDer384(raw: Uint8Array): Uint8Array {
  if (raw.length !== P1363_BYTES)
    throw new TokenError(
      'TokenFailure',
      `ES384 signature expected ${P1363_BYTES} bytes (r || s), got ${raw.length}`,
    );
  return p384.Signature.fromBytes(raw, 'compact').toBytes('der');
}

export function keyObjectEs384Signer(privateKey: KeyObject): Es384Signer {
  const signSync = (message: Uint8Array) =>
    new Uint8Array(sign('sha384', message, { key: privateKey, dsaEncoding: 'ieee-p1363' }));
  return Object.freeze({
    signEs384: (message: Uint8Array) => Promise.resolve(signSync(message)),
    signEs384Sync: signSync,
  });
}

/**
 * An ES384 signer over the P-384 key `uri` names in a token. The key's type is checked once (a
 * key swapped behind the URI fails the call instead of signing wrongly); token failures are
 * TokenErrors with the token's and object's names, never the PIN.
 */
export function tokenEs384Signer(
  uri: Pkcs11Uri | string,
  opts: TokenKeyOptions = {},
): TokenEs384Signer {
  const key = new TokenKey(typeof uri === 'string' ? parsePkcs11Uri(uri) : uri, opts);
  let checked = false;
  const check = (type: string) => {
    if (type !== 'ec-p384')
      throw new TokenError(
        'UnsupportedKey',
        `PKCS#11: ${key.name} is an ${type} key, expected ec-p384`,
      );
    checked = true;
  };
  const digestOf = (message: Uint8Array) => createHash('sha384').update(message).digest();
  const mechanism = () => ({ mechanism: pkcs11js().CKM_ECDSA });
  return Object.freeze({
    key,
    async signEs384(message: Uint8Array): Promise<Uint8Array> {
      if (!checked) check((await key.keyType()).type);
      const digest = digestOf(message);
      const raw = await key.withKey('signing', async (session, handle, lib) => {
        lib.C_SignInit(session, mechanism(), handle);
        return lib.C_SignAsync(session, digest, Buffer.alloc(P1363_BYTES));
      });
      return new Uint8Array(raw);
    },
    signEs384Sync(message: Uint8Array): Uint8Array {
      if (!checked) check(key.keyTypeSync().type);
      const digest = digestOf(message);
      const raw = key.withKeySync('signing', (session, handle, lib) => {
        lib.C_SignInit(session, mechanism(), handle);
        return lib.C_Sign(session, digest, Buffer.alloc(P1363_BYTES));
      });
      return new Uint8Array(raw);
    },
  });
}
