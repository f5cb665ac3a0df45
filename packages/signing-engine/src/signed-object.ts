/**
 * The signed object AWS Signer writes for the FreeRTOS / IoT platforms: compact JSON with the keys
 * in a fixed order, so its bytes (and size) follow from the payload size and the signature.
 *   JSONEmbedded: {"rawPayloadSize":N,"signature":"<b64>","signatureAlgorithm":"…","payload":"<b64>"}
 *   JSONDetached: {"rawPayloadSize":N,"signature":"<b64>","signatureAlgorithm":"…","payloadLocation":{"s3":{"bucketName":"…","key":"…","version":"…"}}}
 */
import { base64Length, decodeBase64Strict } from './base64.js';
import { EngineError, expectBytes } from './errors.js';
import type { SignatureAlgorithm } from './signing-configuration.js';
import { firstDuplicateKey } from './json-keys.js';

export interface PayloadLocation {
  bucketName: string;
  key: string;
  version: string;
}

export interface SignedObject {
  format: 'JSONEmbedded' | 'JSONDetached';
  rawPayloadSize: number;
  signature: Uint8Array;
  signatureAlgorithm: SignatureAlgorithm;
  /** JSONEmbedded only. */
  payload?: Uint8Array;
  /** JSONDetached only. */
  payloadLocation?: PayloadLocation;
}

const b64 = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

/** Everything before the payload's base64 text: `{"rawPayloadSize":N,…,"payload":"`. */
export function embeddedHeader(
  rawPayloadSize: number,
  signature: Uint8Array,
  signatureAlgorithm: SignatureAlgorithm,
): string {
  return `{"rawPayloadSize":${rawPayloadSize},"signature":"${b64(signature)}","signatureAlgorithm":"${signatureAlgorithm}","payload":"`;
}

export const EMBEDDED_TRAILER = '"}';

/** The exact byte length of a JSONEmbedded object for an N-byte payload and a signature of that length. */
export function embeddedSignedObjectSize(
  rawPayloadSize: number,
  signatureLength: number,
  signatureAlgorithm: SignatureAlgorithm,
): number {
  const fixed = '{"rawPayloadSize":,"signature":"","signatureAlgorithm":"","payload":""}'.length;
  return (
    fixed +
    String(rawPayloadSize).length +
    base64Length(signatureLength) +
    signatureAlgorithm.length +
    base64Length(rawPayloadSize)
  );
}

export function serializeDetached(
  rawPayloadSize: number,
  signature: Uint8Array,
  signatureAlgorithm: SignatureAlgorithm,
  location: PayloadLocation,
): Uint8Array {
  const s3 = `{"bucketName":${JSON.stringify(location.bucketName)},"key":${JSON.stringify(location.key)},"version":${JSON.stringify(location.version)}}`;
  const text = `{"rawPayloadSize":${rawPayloadSize},"signature":"${b64(signature)}","signatureAlgorithm":"${signatureAlgorithm}","payloadLocation":{"s3":${s3}}}`;
  return new TextEncoder().encode(text);
}

function malformed(message: string): never {
  throw new EngineError('MalformedSignedObject', `signed object: ${message}`);
}

const typeName = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;

function exactKeys(where: string, obj: unknown, keys: readonly string[]): Record<string, unknown> {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj))
    malformed(`${where} expected an object, got ${typeName(obj)}`);
  const rec = obj as Record<string, unknown>;
  const present = Object.keys(rec);
  const unknown = present.filter((k) => !keys.includes(k));
  if (unknown.length > 0)
    malformed(
      `${where} has unknown field(s) ${unknown.map((k) => JSON.stringify(k)).join(', ')}; expected exactly ${keys.join(', ')}`,
    );
  const missing = keys.filter((k) => !(k in rec));
  if (missing.length > 0) malformed(`${where} is missing field(s) ${missing.join(', ')}`);
  return rec;
}

function str(where: string, v: unknown): string {
  if (typeof v !== 'string') malformed(`${where} expected a string, got ${typeName(v)}`);
  return v;
}

function bytesField(where: string, v: unknown): Uint8Array {
  const decoded = decodeBase64Strict(str(where, v));
  if (!decoded) malformed(`${where} expected canonical padded base64, got text that is not`);
  return decoded;
}

/** Strict: unknown, missing or repeated fields, wrong types, bad base64 and a size mismatch are errors. */
export function parseSignedObject(bytes: Uint8Array): SignedObject {
  expectBytes('parseSignedObject', 'bytes', bytes);
  let json: unknown;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    json = JSON.parse(text);
  } catch (err) {
    malformed(`expected JSON, got text that does not parse (${(err as Error).message})`);
  }
  const twice = firstDuplicateKey(text);
  if (twice !== undefined)
    malformed(
      `field ${JSON.stringify(twice)} appears twice in one object; expected each field once`,
    );
  const embedded = typeof json === 'object' && json !== null && 'payload' in json;
  const rec = exactKeys('top level', json, [
    'rawPayloadSize',
    'signature',
    'signatureAlgorithm',
    embedded ? 'payload' : 'payloadLocation',
  ]);
  const size = rec.rawPayloadSize;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
    malformed(`rawPayloadSize expected a non-negative integer, got ${JSON.stringify(size)}`);
  const signature = bytesField('signature', rec.signature);
  if (signature.length === 0) malformed('signature expected at least one byte, got none');
  const alg = str('signatureAlgorithm', rec.signatureAlgorithm);
  if (alg !== 'SHA256withECDSA' && alg !== 'SHA1withRSA')
    malformed(
      `signatureAlgorithm expected SHA256withECDSA or SHA1withRSA, got ${JSON.stringify(alg)}`,
    );
  if (embedded) {
    const payload = bytesField('payload', rec.payload);
    if (payload.length !== size)
      malformed(`rawPayloadSize says ${size} bytes but payload decodes to ${payload.length}`);
    return {
      format: 'JSONEmbedded',
      rawPayloadSize: size,
      signature,
      signatureAlgorithm: alg,
      payload,
    };
  }
  const loc = exactKeys('payloadLocation', rec.payloadLocation, ['s3']);
  const s3 = exactKeys('payloadLocation.s3', loc.s3, ['bucketName', 'key', 'version']);
  return {
    format: 'JSONDetached',
    rawPayloadSize: size,
    signature,
    signatureAlgorithm: alg,
    payloadLocation: {
      bucketName: str('payloadLocation.s3.bucketName', s3.bucketName),
      key: str('payloadLocation.s3.key', s3.key),
      version: str('payloadLocation.s3.version', s3.version),
    },
  };
}
