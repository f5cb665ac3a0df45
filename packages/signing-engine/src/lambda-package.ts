/**
 * Signed AWS Lambda deployment packages. AWS does not publish the byte layout of its signed Lambda
 * packages; fwsign's is this: the signature lives in the ZIP's archive comment (the End of Central
 * Directory record's comment), so no entry, local header or central directory byte moves and
 * `unzip -t` and Lambda see the same files. The comment is the line `fwsign-lambda-signature/1`
 * followed by a JWS envelope (jws-envelope.ts) whose payload is
 * `{"packageSha384":"<hex>","packageSize":N}`: the SHA-384 and length of every byte of the package
 * up to the comment-length field (that is, the unsigned package without its comment). Its
 * protected header carries the signing time, expiry, profile version ARN and job ARN; its
 * unprotected header the certificate chain. An earlier archive comment is replaced.
 */
import { createHash } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { EngineError } from './errors.js';
import type { Es384Signer } from './es384-signer.js';
import { signJwsEnvelope, verifyJwsEnvelope } from './jws-envelope.js';
import type { EnvelopeVerdict, SignedAttributes } from './jws-envelope.js';

export const LAMBDA_PACKAGE_TYPE = 'application/vnd.fwsign.lambda-package.v1+json';
export const LAMBDA_SIGNATURE_MAGIC = 'fwsign-lambda-signature/1\n';

const EOCD_SIG = 0x06054b50;
const EOCD64_LOCATOR_SIG = 0x07064b50;
const EOCD64_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
const EOCD_LEN = 22;
const MAX_COMMENT = 0xffff;

export interface ZipLayout {
  /** Offset of the End of Central Directory record. */
  eocdOffset: number;
  entries: number;
  comment: Uint8Array;
}

function malformed(detail: string): never {
  throw new EngineError('MalformedPackage', `not a well-formed ZIP file: ${detail}`);
}

/** The EOCD whose comment runs exactly to the end of the file (a comment may itself contain "PK\5\6"). */
function findEocd(b: Buffer): number {
  const lowest = Math.max(0, b.length - EOCD_LEN - MAX_COMMENT);
  for (let i = b.length - EOCD_LEN; i >= lowest; i--) {
    if (b.readUInt32LE(i) === EOCD_SIG && i + EOCD_LEN + b.readUInt16LE(i + 20) === b.length)
      return i;
  }
  return malformed('no End of Central Directory record at its end');
}

/**
 * Checks the structure Lambda relies on: the EOCD, a central directory inside the file whose
 * records are all there, each pointing at a local header with the same name. Entries are not
 * inflated (the signature covers their bytes). Throws MalformedPackage, naming what is wrong.
 */
export function inspectZip(bytes: Uint8Array): ZipLayout {
  if (bytes.length === 0) throw new EngineError('MalformedPackage', 'the file is empty');
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (b.length < EOCD_LEN)
    malformed(`${b.length} bytes is shorter than an End of Central Directory record`);
  const eocd = findEocd(b);
  if (b.readUInt16LE(eocd + 4) !== 0 || b.readUInt16LE(eocd + 6) !== 0)
    malformed('multi-disk archives are not supported');
  let entries = b.readUInt16LE(eocd + 10);
  let cdSize = b.readUInt32LE(eocd + 12);
  let cdOffset = b.readUInt32LE(eocd + 16);
  let cdLimit = eocd;
  if (eocd >= 20 && b.readUInt32LE(eocd - 20) === EOCD64_LOCATOR_SIG) {
    const rec = Number(b.readBigUInt64LE(eocd - 12));
    if (rec + 56 > eocd - 20 || b.readUInt32LE(rec) !== EOCD64_SIG)
      malformed('bad ZIP64 end record');
    entries = Number(b.readBigUInt64LE(rec + 32));
    cdSize = Number(b.readBigUInt64LE(rec + 40));
    cdOffset = Number(b.readBigUInt64LE(rec + 48));
    cdLimit = rec;
  }
  if (entries === 0) malformed('the archive has no entries');
  if (cdOffset + cdSize > cdLimit) malformed('the central directory runs past its end record');
  let p = cdOffset;
  for (let n = 0; n < entries; n++) {
    if (p + 46 > cdOffset + cdSize || b.readUInt32LE(p) !== CENTRAL_SIG)
      malformed(`central directory record ${n + 1} of ${entries} is missing`);
    const nameLen = b.readUInt16LE(p + 28);
    const recLen = 46 + nameLen + b.readUInt16LE(p + 30) + b.readUInt16LE(p + 32);
    const local = b.readUInt32LE(p + 42);
    if (local !== 0xffffffff) {
      if (local + 30 > cdOffset || b.readUInt32LE(local) !== LOCAL_SIG)
        malformed(`entry ${n + 1} points at offset ${local}, where there is no local header`);
      const name = b.subarray(p + 46, p + 46 + nameLen);
      if (
        b.readUInt16LE(local + 26) !== nameLen ||
        !b.subarray(local + 30, local + 30 + nameLen).equals(name)
      )
        malformed(`entry ${n + 1}'s local header names another file`);
    }
    p += recLen;
  }
  if (p !== cdOffset + cdSize) malformed('the central directory size does not match its records');
  return { eocdOffset: eocd, entries, comment: new Uint8Array(b.subarray(eocd + EOCD_LEN)) };
}

function isSignedComment(comment: Uint8Array): boolean {
  return Buffer.from(comment).toString('latin1').startsWith(LAMBDA_SIGNATURE_MAGIC);
}

function signedRegion(bytes: Uint8Array, layout: ZipLayout): Uint8Array {
  return bytes.subarray(0, layout.eocdOffset + 20);
}

function packageDigest(region: Uint8Array): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify({
      packageSha384: createHash('sha384').update(region).digest('hex'),
      packageSize: region.length,
    }),
  );
}

/**
 * Signs a Lambda ZIP. Throws MalformedPackage for an empty file, one that is not a well-formed
 * ZIP, or one that already carries an fwsign signature (its message says which).
 */
export async function signLambdaPackage(opts: {
  pkg: Uint8Array;
  attributes: Omit<SignedAttributes, 'contentType'>;
  privateKey: KeyObject | Es384Signer;
  chainDer: readonly Uint8Array[];
}): Promise<Uint8Array> {
  const layout = inspectZip(opts.pkg);
  if (isSignedComment(layout.comment))
    throw new EngineError(
      'MalformedPackage',
      'the package is already signed (its ZIP comment holds an fwsign signature)',
    );
  const region = signedRegion(opts.pkg, layout);
  const envelope = await signJwsEnvelope({
    payload: packageDigest(region),
    attributes: { ...opts.attributes, contentType: LAMBDA_PACKAGE_TYPE },
    privateKey: opts.privateKey,
    chainDer: opts.chainDer,
  });
  const comment = Buffer.from(LAMBDA_SIGNATURE_MAGIC + envelope, 'latin1');
  if (comment.length > MAX_COMMENT)
    throw new RangeError(`signature of ${comment.length} bytes does not fit a ZIP comment`);
  const out = new Uint8Array(region.length + 2 + comment.length);
  out.set(region);
  out[region.length] = comment.length & 0xff;
  out[region.length + 1] = comment.length >> 8;
  out.set(comment, region.length + 2);
  return out;
}

/** Verifies a signed package: the ZIP, the envelope in its comment, and that it signs these bytes. */
export function verifyLambdaPackage(opts: {
  pkg: Uint8Array;
  trustedRoots: readonly Uint8Array[];
  now?: Date;
}): EnvelopeVerdict {
  let layout: ZipLayout;
  try {
    layout = inspectZip(opts.pkg);
  } catch (err) {
    if (err instanceof EngineError)
      return { ok: false, reason: `malformed-package: ${err.message}` };
    throw err;
  }
  if (!isSignedComment(layout.comment))
    return { ok: false, reason: 'not-signed: the ZIP comment holds no fwsign signature' };
  const envelope = Buffer.from(layout.comment)
    .toString('latin1')
    .slice(LAMBDA_SIGNATURE_MAGIC.length);
  const v = verifyJwsEnvelope({
    envelope,
    contentType: LAMBDA_PACKAGE_TYPE,
    trustedRoots: opts.trustedRoots,
    ...(opts.now ? { now: opts.now } : {}),
  });
  if (
    v.reason.startsWith('malformed-envelope') ||
    v.reason.startsWith('signature-mismatch') ||
    !v.payload
  )
    return v;
  const want = packageDigest(signedRegion(opts.pkg, layout));
  if (!Buffer.from(want).equals(Buffer.from(v.payload)))
    return {
      ...v,
      ok: false,
      reason: 'package-mismatch: the package bytes are not the ones signed',
    };
  return v;
}
