/**
 * Key pairs generated inside a PKCS#11 token: the private half is a token object that is
 * sensitive and not extractable (the token never lets its value out, wrapped or not); the public
 * half is a token object too, so the key can be found and its certificate checked later. The URI
 * names the pair by `object` (CKA_LABEL) and optionally `id` (CKA_ID; random when absent).
 */
import { randomBytes } from 'node:crypto';
import { pkcs11js, type Handle, type Pkcs11 } from './pkcs11-library.js';
import { formatPkcs11UriPath, parsePkcs11Uri, type Pkcs11Uri } from './pkcs11-uri.js';
import { TokenError } from './token-errors.js';
import { P256_EC_PARAMS, P384_EC_PARAMS, TokenKey, type TokenKeyOptions } from './token-key.js';

export type TokenKeyAlgorithm = 'ecdsa-p256' | 'ecdsa-p384' | 'rsa-2048';

export interface GeneratedTokenKey {
  /** The URI of the new private key (path only: token, object, id). */
  uri: string;
  spkiDer: Uint8Array;
}

type Template = Array<{ type: number; value: number | boolean | string | Buffer }>;

/** The URI the pair will have (a random CKA_ID when none is given) and its two templates. */
function plan(
  uriText: string | Pkcs11Uri,
  algorithm: TokenKeyAlgorithm,
): { named: Pkcs11Uri; mechanism: number; publicTemplate: Template; privateTemplate: Template } {
  const uri = typeof uriText === 'string' ? parsePkcs11Uri(uriText) : uriText;
  if (uri.object === undefined)
    throw new TokenError(
      'InvalidUri',
      'PKCS#11 URI: a key to create needs a name: add object=<label> (e.g. pkcs11:token=fwsign;object=release-key)',
    );
  if (algorithm !== 'ecdsa-p256' && algorithm !== 'ecdsa-p384' && algorithm !== 'rsa-2048')
    throw new RangeError(
      `generateTokenKeyPair: "algorithm" expected ecdsa-p256, ecdsa-p384 or rsa-2048, got ${JSON.stringify(algorithm)}`,
    );
  const named: Pkcs11Uri = { ...uri, id: uri.id ?? new Uint8Array(randomBytes(8)) };
  const p = pkcs11js();
  const common = [
    { type: p.CKA_TOKEN, value: true },
    { type: p.CKA_LABEL, value: named.object! },
    { type: p.CKA_ID, value: Buffer.from(named.id!) },
  ];
  const rsa = algorithm === 'rsa-2048';
  const publicTemplate = rsa
    ? [
        ...common,
        { type: p.CKA_VERIFY, value: true },
        { type: p.CKA_MODULUS_BITS, value: 2048 },
        { type: p.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
      ]
    : [
        ...common,
        { type: p.CKA_VERIFY, value: true },
        {
          type: p.CKA_EC_PARAMS,
          value: algorithm === 'ecdsa-p256' ? P256_EC_PARAMS : P384_EC_PARAMS,
        },
      ];
  const privateTemplate = [
    ...common,
    { type: p.CKA_PRIVATE, value: true },
    { type: p.CKA_SIGN, value: true },
    { type: p.CKA_SENSITIVE, value: true },
    { type: p.CKA_EXTRACTABLE, value: false },
  ];
  const mechanism = rsa ? p.CKM_RSA_PKCS_KEY_PAIR_GEN : p.CKM_EC_KEY_PAIR_GEN;
  return { named, mechanism, publicTemplate, privateTemplate };
}

/** Refuses a second key under the same name: every later look-up would then be ambiguous. */
function refuseClash(lib: Pkcs11, session: Handle, label: string): void {
  const p = pkcs11js();
  lib.C_FindObjectsInit(session, [
    { type: p.CKA_CLASS, value: p.CKO_PRIVATE_KEY },
    { type: p.CKA_LABEL, value: label },
  ]);
  const clash = lib.C_FindObjects(session, 1).length > 0;
  lib.C_FindObjectsFinal(session);
  if (clash)
    throw new TokenError(
      'InvalidUri',
      `PKCS#11: the token already holds a private key labelled ${JSON.stringify(label)}; choose another object= or delete that key first`,
    );
}

export async function generateTokenKeyPair(
  uriText: string | Pkcs11Uri,
  algorithm: TokenKeyAlgorithm,
  opts: Omit<TokenKeyOptions, 'readWrite'> = {},
): Promise<GeneratedTokenKey> {
  const { named, mechanism, publicTemplate, privateTemplate } = plan(uriText, algorithm);
  const key = new TokenKey(named, { ...opts, readWrite: true, maxSessions: 1 });
  try {
    await key.withSession('generating a key pair', async (session, lib) => {
      refuseClash(lib, session, named.object!);
      await lib.C_GenerateKeyPairAsync(session, { mechanism }, publicTemplate, privateTemplate);
    });
    return { uri: formatPkcs11UriPath(named), spkiDer: await key.publicKeySpki() };
  } finally {
    key.close();
  }
}

/**
 * generateTokenKeyPair, synchronously: for the store, which makes Signer-managed keys inside the
 * transaction that records them (the event loop waits for the token meanwhile).
 */
export function generateTokenKeyPairSync(
  uriText: string | Pkcs11Uri,
  algorithm: TokenKeyAlgorithm,
  opts: Omit<TokenKeyOptions, 'readWrite'> = {},
): GeneratedTokenKey {
  const { named, mechanism, publicTemplate, privateTemplate } = plan(uriText, algorithm);
  const key = new TokenKey(named, { ...opts, readWrite: true, maxSessions: 1 });
  try {
    key.withSessionSync('generating a key pair', (session, lib) => {
      refuseClash(lib, session, named.object!);
      lib.C_GenerateKeyPair(session, { mechanism }, publicTemplate, privateTemplate);
    });
    return { uri: formatPkcs11UriPath(named), spkiDer: key.publicKeySpkiSync() };
  } finally {
    key.close();
  }
}
