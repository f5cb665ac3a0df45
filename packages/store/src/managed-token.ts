/**
 * Signer-managed keys (Lambda, Notation) kept in a PKCS#11 token instead of sealed in the
 * database: the operator names a token (`fwsign serve --managed-keys-pkcs11-uri`, or
 * FWSIGN_MANAGED_KEYS_PKCS11_URI) and every CA and profile-version key made from then on is a P-384
 * key pair generated inside it, sensitive and never extractable. The database keeps the key's
 * URI path (token, object, id) where a sealed key would be; the module and the PIN stay the
 * server's configuration (the URI's module-path and pin-source, or FWSIGN_PKCS11_MODULE and
 * FWSIGN_PKCS11_PIN), read when the token is opened and never stored or logged.
 */
import { createPublicKey, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import {
  generateTokenKeyPairSync,
  parsePkcs11Uri,
  TokenError,
  tokenEs384Signer,
  type Pkcs11Uri,
  type TokenEs384Signer,
} from '@fwsign/signing-engine';

/** The token Signer-managed keys are made in, as the operator named it. */
export interface ManagedToken {
  readonly uri: Pkcs11Uri;
}

/**
 * Parses the operator's URI. It names a token (the path's token, serial …) and may say how to
 * reach it (module-path, pin-source); the objects are named by the store, one per key.
 */
export function parseManagedTokenUri(text: string): ManagedToken {
  const uri = parsePkcs11Uri(text);
  const invalid = (m: string) => new TokenError('InvalidUri', `managed keys' PKCS#11 URI: ${m}`);
  if (uri.object !== undefined || uri.id !== undefined || uri.type !== undefined)
    throw invalid(
      'name the token only (e.g. pkcs11:token=fwsign-managed): fwsign names each key it makes there',
    );
  if (uri.pinValue !== undefined)
    throw invalid(
      'pin-value would show the PIN in the process list: give it in FWSIGN_PKCS11_PIN or a pin-source file',
    );
  return { uri };
}

/**
 * The database's key column holds either a sealed key or a token key's URI path. Sealed keys
 * start with their format byte (1), a URI with "pkcs11:", so the two never collide and the
 * schema needs no migration.
 */
const REF_PREFIX = 'pkcs11:';

export function tokenRefOf(stored: Uint8Array): string | undefined {
  const b = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
  return b.subarray(0, REF_PREFIX.length).toString('latin1') === REF_PREFIX
    ? b.toString('utf8')
    : undefined;
}

/** A key made in the token: what the database keeps, its public half, and a signer over it. */
export interface NewTokenKey {
  ref: Buffer;
  publicKey: KeyObject;
  signer: TokenEs384Signer;
}

/**
 * Generates a P-384 key pair in the token, labelled `label` plus a random suffix (a transaction
 * that rolls back leaves its key behind unreferenced; the next try must not clash with it).
 */
export function newTokenKey(token: ManagedToken, label: string): NewTokenKey {
  const made = generateTokenKeyPairSync(
    { ...token.uri, object: `${label}-${randomBytes(4).toString('hex')}` },
    'ecdsa-p384',
  );
  return {
    ref: Buffer.from(made.uri, 'utf8'),
    publicKey: createPublicKey({ key: Buffer.from(made.spkiDer), format: 'der', type: 'spki' }),
    signer: openTokenKey(token, made.uri),
  };
}

/**
 * A signer over a stored key. The module and PIN come from the configured token URI when the
 * server has one, else from FWSIGN_PKCS11_MODULE / FWSIGN_PKCS11_PIN.
 */
export function openTokenKey(token: ManagedToken | undefined, ref: string): TokenEs384Signer {
  const path = parsePkcs11Uri(ref);
  return tokenEs384Signer({
    ...path,
    ...(token?.uri.modulePath !== undefined ? { modulePath: token.uri.modulePath } : {}),
    ...(token?.uri.pinSource !== undefined ? { pinSource: token.uri.pinSource } : {}),
  });
}
