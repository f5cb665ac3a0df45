/**
 * The MockDevice's verifier: the same decision the C firmware makes, with node:crypto doing the
 * math. It refuses for real — a wrong key, a flipped bit or a malformed DER signature fails.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { ALGORITHMS, KeyType, RESULT_CODES, ResultCode, type TrustAnchor } from '@fwsign/protocol';

export interface SlotSignature {
  alg: string;
  sig: Uint8Array;
  certfile: string;
}

export interface Verdict {
  fwv: number;
  text: string;
}

export function verdict(fwv: number): Verdict {
  return { fwv, text: RESULT_CODES.find((r) => r.value === fwv)?.text ?? `result ${fwv}` };
}

function b64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

function publicKey(anchor: TrustAnchor): KeyObject | undefined {
  try {
    if (anchor.key.type === 'ec-p256') {
      const p = anchor.key.point;
      return createPublicKey({
        key: {
          kty: 'EC',
          crv: 'P-256',
          x: b64url(p.subarray(1, 33)),
          y: b64url(p.subarray(33, 65)),
        },
        format: 'jwk',
      });
    }
    const e = Buffer.alloc(4);
    e.writeUInt32BE(anchor.key.exponent);
    let i = 0;
    while (i < 3 && e[i] === 0) i++;
    return createPublicKey({
      key: { kty: 'RSA', n: b64url(anchor.key.modulus), e: b64url(e.subarray(i)) },
      format: 'jwk',
    });
  } catch {
    return undefined;
  }
}

/** Strict DER ECDSA-Sig-Value: SEQUENCE { INTEGER r, INTEGER s }, minimal lengths, positive, ≤ 33 bytes each. */
function isStrictDerEcdsa(sig: Uint8Array): boolean {
  if (sig.length < 8 || sig[0] !== 0x30 || sig[1] !== sig.length - 2) return false;
  let at = 2;
  for (let n = 0; n < 2; n++) {
    if (sig[at] !== 0x02) return false;
    const len = sig[at + 1]!;
    if (len === 0 || len > 33 || at + 2 + len > sig.length) return false;
    const v = sig.subarray(at + 2, at + 2 + len);
    if (v[0]! & 0x80) return false;
    if (len > 1 && v[0] === 0 && !(v[1]! & 0x80)) return false;
    at += 2 + len;
  }
  return at === sig.length;
}

/** Verifies `image` with `signature` against the anchor its certfile names. */
export function verifyImage(
  image: Uint8Array,
  signature: SlotSignature,
  anchors: readonly TrustAnchor[],
): Verdict {
  const alg = ALGORITHMS.find((a) => a.jobDocumentKey === signature.alg);
  if (!alg) return verdict(ResultCode.ERR_UNKNOWN_ALG);
  const anchor = anchors.find((a) => a.name === signature.certfile);
  if (!anchor) return verdict(ResultCode.ERR_UNKNOWN_ANCHOR);
  const anchorType = anchor.key.type === 'ec-p256' ? KeyType.EC_P256 : KeyType.RSA_2048;
  if (alg.keyType !== anchorType) return verdict(ResultCode.ERR_ALG_MISMATCH);
  const key = publicKey(anchor);
  if (!key) return verdict(ResultCode.ERR_BAD_KEY);
  if (anchor.key.type === 'ec-p256') {
    if (!isStrictDerEcdsa(signature.sig)) return verdict(ResultCode.ERR_DER);
    const ok = verify('sha256', image, { key, dsaEncoding: 'der' }, signature.sig);
    return verdict(ok ? ResultCode.OK : ResultCode.ERR_SIGNATURE);
  }
  if (signature.sig.length !== 256) return verdict(ResultCode.ERR_BAD_LENGTH);
  const ok = verify('sha1', image, key, signature.sig);
  return verdict(ok ? ResultCode.OK : ResultCode.ERR_SIGNATURE);
}
