/**
 * Verification returns a verdict, never throws for a bad image (imgtool's VerifyResult habit):
 * a caller prints `reason` and exits 1. It throws only for misuse (no key, wrong argument types).
 */
import { constants, createHash, publicDecrypt, timingSafeEqual, type KeyObject } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import {
  claimsSelfSigned,
  isIntactSelfSigned,
  parseCertificate,
  type ParsedCertificate,
} from './certificates.js';
import { createDigest, type DigestAlgorithm, digestInfoPrefix, hex } from './digest.js';
import { EngineError, expectBytes } from './errors.js';
import { ecPublicPoint, keyKind, loadPublicKey } from './keys.js';
import { parseSignedObject, type SignedObject } from './signed-object.js';
import { MIN_RSA_BITS } from './signer.js';

/** Why an image is refused, as imgtool's VerifyResult names it: one word a caller can branch on. */
export type RefusalCause =
  | 'signature-mismatch'
  | 'payload-size-mismatch'
  | 'payload-mismatch'
  | 'missing-payload'
  | 'malformed-signed-object'
  | 'key-algorithm-mismatch'
  | 'weak-key'
  | 'invalid-key'
  | 'invalid-certificate'
  | 'certificate-signature-invalid'
  | 'signature-expired';

/** `valid`, or the cause followed by `: ` and what was expected and what came. */
export type VerdictReason = 'valid' | `${RefusalCause}: ${string}`;

export interface Verdict {
  ok: boolean;
  reason: VerdictReason;
  algorithm: string;
  payloadSize: number;
  /** SHA-256 of the payload, hex ('' when the payload could not be read). */
  sha256: string;
}

export interface VerifyOptions {
  signedObject: Uint8Array;
  /** The payload, needed for JSONDetached (and checked against the object's size). */
  payload?: Uint8Array;
  certificate?: string | Uint8Array;
  publicKey?: string | Uint8Array;
  now?: Date;
  signatureExpiresAt?: Date;
}

/** ECDSA P-256 over a digest; accepts high-S too, as OpenSSL and the FreeRTOS PAL do. */
export function verifyEcdsaP256Digest(
  publicKey: KeyObject,
  digest: Uint8Array,
  derSignature: Uint8Array,
): boolean {
  try {
    return p256.verify(derSignature, digest, ecPublicPoint(publicKey), {
      prehash: false,
      lowS: false,
      format: 'der',
    });
  } catch {
    return false;
  }
}

/**
 * RSASSA-PKCS1-v1_5 over a digest: recover the encoded message and compare it whole with
 * DigestInfo || digest (RFC 8017 §8.2.2 step 4 compares encodings rather than parsing them,
 * which shuts out the lax-ASN.1 forgeries Wycheproof probes).
 */
export function verifyRsaPkcs1Digest(
  publicKey: KeyObject,
  hash: DigestAlgorithm,
  digest: Uint8Array,
  signature: Uint8Array,
): boolean {
  const bytes = Math.ceil((publicKey.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
  if (signature.length !== bytes) return false;
  let recovered: Buffer;
  try {
    recovered = publicDecrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, signature);
  } catch {
    return false;
  }
  const expected = Buffer.concat([digestInfoPrefix(hash), digest]);
  return recovered.length === expected.length && timingSafeEqual(recovered, expected);
}

/** A certificate that does not parse, or claims to be self-signed and fails its own signature, is refused. */
function certificateProblem(certificate: string | Uint8Array): VerdictReason | undefined {
  let cert: ParsedCertificate;
  try {
    cert = parseCertificate(certificate);
  } catch (err) {
    return `invalid-certificate: ${(err as Error).message}`;
  }
  if (claimsSelfSigned(cert) && !isIntactSelfSigned(cert))
    return 'certificate-signature-invalid: the self-signed certificate does not verify under its own key (corrupted?)';
  return undefined;
}

const HASH_OF: Record<SignedObject['signatureAlgorithm'], DigestAlgorithm> = {
  SHA256withECDSA: 'SHA256',
  SHA1withRSA: 'SHA1',
};

export async function verifySignedObject(opts: VerifyOptions): Promise<Verdict> {
  expectBytes('verifySignedObject', 'signedObject', opts.signedObject);
  if (opts.payload !== undefined) expectBytes('verifySignedObject', 'payload', opts.payload);
  const keySource = opts.certificate ?? opts.publicKey;
  if (keySource === undefined)
    throw new TypeError('verifySignedObject: expected "certificate" or "publicKey", got neither');
  let key: KeyObject;
  try {
    key = loadPublicKey(keySource);
  } catch (err) {
    if (err instanceof EngineError)
      return {
        ok: false,
        reason: `invalid-key: ${err.message}`,
        algorithm: '',
        payloadSize: 0,
        sha256: '',
      };
    throw err;
  }
  // A self-signed certificate carries its own integrity check; a corrupted one is refused even
  // where the flipped bit is outside the key. CA-issued certificates need their chain (not here).
  const certProblem =
    opts.certificate !== undefined ? certificateProblem(opts.certificate) : undefined;

  let obj: SignedObject;
  try {
    obj = parseSignedObject(opts.signedObject);
  } catch (err) {
    if (err instanceof EngineError)
      return {
        ok: false,
        reason: `malformed-signed-object: ${err.message}`,
        algorithm: '',
        payloadSize: 0,
        sha256: '',
      };
    throw err;
  }
  const base = { algorithm: obj.signatureAlgorithm, payloadSize: obj.rawPayloadSize };
  const payload = obj.payload ?? opts.payload;
  if (!payload)
    return {
      ok: false,
      reason: 'missing-payload: a JSONDetached object needs the payload it names',
      ...base,
      sha256: '',
    };
  const sha256 = hex(new Uint8Array(createHash('sha256').update(payload).digest()));
  const verdict = (ok: boolean, reason: VerdictReason): Verdict => ({
    ok,
    reason,
    ...base,
    sha256,
  });
  if (obj.payload && opts.payload && !Buffer.from(obj.payload).equals(Buffer.from(opts.payload))) {
    return verdict(false, 'payload-mismatch: the payload given differs from the one embedded');
  }
  if (payload.length !== obj.rawPayloadSize)
    return verdict(
      false,
      `payload-size-mismatch: rawPayloadSize says ${obj.rawPayloadSize} bytes, payload has ${payload.length}`,
    );

  if (certProblem) return verdict(false, certProblem);
  const kind = keyKind(key);
  const needed = obj.signatureAlgorithm === 'SHA256withECDSA' ? 'ec-p256' : 'rsa';
  if (kind !== needed)
    return verdict(
      false,
      `key-algorithm-mismatch: ${obj.signatureAlgorithm} needs a ${needed} key, got ${kind}`,
    );
  if (kind === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) {
    return verdict(
      false,
      `weak-key: RSA modulus expected at least ${MIN_RSA_BITS} bits, got ${key.asymmetricKeyDetails?.modulusLength}`,
    );
  }

  const hash = HASH_OF[obj.signatureAlgorithm];
  const digest =
    hash === 'SHA256' ? Buffer.from(sha256, 'hex') : createDigest(hash).update(payload).digest();
  const good =
    hash === 'SHA256'
      ? verifyEcdsaP256Digest(key, digest, obj.signature)
      : verifyRsaPkcs1Digest(key, hash, digest, obj.signature);
  if (!good)
    return verdict(false, 'signature-mismatch: the signature does not match the payload and key');

  if (opts.signatureExpiresAt) {
    const now = opts.now ?? new Date();
    if (now.getTime() > opts.signatureExpiresAt.getTime())
      return verdict(
        false,
        `signature-expired: expired at ${opts.signatureExpiresAt.toISOString()}, now ${now.toISOString()}`,
      );
  }
  return verdict(true, 'valid');
}
