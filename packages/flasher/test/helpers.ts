/** Keys, trust-anchor tables and signed images for the flasher tests, made with node:crypto. */
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { encodeTrustAnchorTable, type TrustAnchor } from '@fwsign/protocol';

export const CERTFILE = '/certs/codesign.crt';

export interface TestKey {
  privateKey: KeyObject;
  anchor: TrustAnchor;
}

export function ecKey(name = CERTFILE): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const jwk = publicKey.export({ format: 'jwk' });
  const point = Buffer.concat([
    Buffer.from([4]),
    Buffer.from(jwk.x!, 'base64url'),
    Buffer.from(jwk.y!, 'base64url'),
  ]);
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return {
    privateKey,
    anchor: {
      name,
      certSha256: createHash('sha256').update(der).digest(),
      key: { type: 'ec-p256', point },
    },
  };
}

export function anchorTable(...keys: TestKey[]): Uint8Array {
  return encodeTrustAnchorTable(keys.map((k) => k.anchor));
}

export function signEc(key: TestKey, image: Uint8Array): Uint8Array {
  return new Uint8Array(sign('sha256', image, { key: key.privateKey, dsaEncoding: 'der' }));
}

/** Deterministic pseudo-random image bytes. */
export function makeImage(size: number, seed = 1): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed * 2654435761;
  for (let i = 0; i < size; i++) {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** Rejects if `promise` has not settled within `ms`: the "no hang" guard. */
export async function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still running after ${ms} ms (hang)`)), ms);
  });
  try {
    return await Promise.race([promise, guard]);
  } finally {
    clearTimeout(timer);
  }
}
