/** PEM/DER key loading shared by signer, verify and certificates (internal; not exported from index). */
import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { EngineError } from './errors.js';

const PEM_START = '-----BEGIN ';

export function isPemText(input: string | Uint8Array): boolean {
  const head =
    typeof input === 'string'
      ? input.slice(0, 64)
      : Buffer.from(input.subarray(0, 64)).toString('latin1');
  return head.trimStart().startsWith(PEM_START);
}

function asPemString(input: string | Uint8Array): string {
  return typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
}

/** PKCS#8, SEC1 ("EC PRIVATE KEY") or PKCS#1 ("RSA PRIVATE KEY"), PEM or DER. Encrypted keys are refused. */
export function loadPrivateKey(input: string | Uint8Array): KeyObject {
  try {
    if (typeof input === 'string' || isPemText(input))
      return createPrivateKey({ key: asPemString(input), format: 'pem' });
    const der = Buffer.from(input);
    for (const type of ['pkcs8', 'sec1', 'pkcs1'] as const) {
      try {
        return createPrivateKey({ key: der, format: 'der', type });
      } catch {
        // try the next container
      }
    }
    throw new Error('not PKCS#8, SEC1 or PKCS#1 DER');
  } catch (err) {
    // The underlying message never echoes key bytes; keep only its text.
    throw new EngineError(
      'InvalidKey',
      `private key: expected an unencrypted PKCS#8, SEC1 or PKCS#1 key (PEM or DER), got one that does not parse (${(err as Error).message})`,
    );
  }
}

/** A public key from an SPKI PEM/DER, or from an X.509 certificate PEM/DER. */
export function loadPublicKey(input: string | Uint8Array): KeyObject {
  try {
    const text = typeof input === 'string' || isPemText(input) ? asPemString(input) : undefined;
    if (text !== undefined) {
      if (text.includes('-----BEGIN CERTIFICATE-----')) return new X509Certificate(text).publicKey;
      return createPublicKey({ key: text, format: 'pem' });
    }
    const der = Buffer.from(input);
    try {
      return createPublicKey({ key: der, format: 'der', type: 'spki' });
    } catch {
      return new X509Certificate(der).publicKey;
    }
  } catch (err) {
    throw new EngineError(
      'InvalidKey',
      `public key: expected an SPKI public key or X.509 certificate (PEM or DER), got one that does not parse (${(err as Error).message})`,
    );
  }
}

export type KeyKind = 'ec-p256' | 'ec-other' | 'rsa' | 'other';

export function keyKind(key: KeyObject): KeyKind {
  if (key.asymmetricKeyType === 'ec')
    return key.asymmetricKeyDetails?.namedCurve === 'prime256v1' ? 'ec-p256' : 'ec-other';
  if (key.asymmetricKeyType === 'rsa') return 'rsa';
  return 'other';
}

export function b64urlToBytes(s: string | undefined): Uint8Array {
  return new Uint8Array(Buffer.from(s ?? '', 'base64url'));
}

/** 04 || X || Y of a P-256 public key. */
export function ecPublicPoint(key: KeyObject): Uint8Array {
  const jwk = key.export({ format: 'jwk' });
  const point = new Uint8Array(65);
  point[0] = 0x04;
  point.set(b64urlToBytes(jwk.x), 1);
  point.set(b64urlToBytes(jwk.y), 33);
  return point;
}
