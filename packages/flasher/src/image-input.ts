/**
 * What `fwsign flash` sends: the image bytes and the signature, from a signed object (JSONEmbedded,
 * or JSONDetached with the payload beside it) or from a raw binary with a detached signature.
 */
import { ALGORITHMS } from '@fwsign/protocol';
import { parseSignedObject } from '@fwsign/signing-engine';
import { FlasherError } from './errors.js';

export interface FlashInput {
  image: Uint8Array;
  signature: Uint8Array;
  /** Job-document key: sig-sha256-ecdsa, sig-sha1-rsa. */
  alg: string;
  format: 'JSONEmbedded' | 'JSONDetached' | 'raw';
}

export function algForSignatureAlgorithm(signatureAlgorithm: string): string {
  const a = ALGORITHMS.find(
    (x) => x.signatureAlgorithm === signatureAlgorithm || x.jobDocumentKey === signatureAlgorithm,
  );
  if (!a)
    throw new FlasherError(
      'InvalidInput',
      `signature algorithm: expected one of ${ALGORITHMS.map((x) => x.jobDocumentKey).join(', ')}, got "${signatureAlgorithm}"`,
    );
  return a.jobDocumentKey;
}

/**
 * `file` is the signed object or, with `signature`, the raw image. `payload` is a JSONDetached
 * object's image. A signed object's payload must have the size it states.
 */
export function loadFlashInput(opts: {
  file: Uint8Array;
  payload?: Uint8Array;
  signature?: Uint8Array;
  alg?: string;
}): FlashInput {
  if (opts.signature) {
    if (opts.file.length === 0)
      throw new FlasherError(
        'InvalidInput',
        'raw image: expected at least one byte, got an empty file',
      );
    return {
      image: opts.file,
      signature: opts.signature,
      alg: algForSignatureAlgorithm(opts.alg ?? 'sig-sha256-ecdsa'),
      format: 'raw',
    };
  }
  let signed;
  try {
    signed = parseSignedObject(opts.file);
  } catch (err) {
    throw new FlasherError(
      'InvalidInput',
      `signed image: ${(err as Error).message} (for a raw binary, pass --signature)`,
      { cause: err },
    );
  }
  const alg = algForSignatureAlgorithm(signed.signatureAlgorithm);
  if (signed.format === 'JSONEmbedded')
    return { image: signed.payload!, signature: signed.signature, alg, format: signed.format };
  if (!opts.payload)
    throw new FlasherError(
      'InvalidInput',
      'signed image is JSONDetached: the payload is not inside it, pass --payload <file>',
    );
  if (opts.payload.length !== signed.rawPayloadSize) {
    throw new FlasherError(
      'InvalidInput',
      `payload: the signed object states ${signed.rawPayloadSize} bytes, the file has ${opts.payload.length}`,
    );
  }
  return { image: opts.payload, signature: signed.signature, alg, format: signed.format };
}
