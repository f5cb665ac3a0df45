/**
 * The JWS JSON envelope of the Notary Project's signature specification (`application/jose+json`),
 * signed ES384 with a Signer-managed key. AWS Signer signs with the `notary.x509.signingAuthority`
 * scheme: the protected header carries the authentic signing time, the expiry and AWS's two
 * extended attributes (the profile version ARN and the signing job ARN), all listed in `crit`; the
 * unprotected header carries the certificate chain (`x5c`, leaf first, ending in the root).
 * The Lambda package format (lambda-package.ts) carries the same envelope over its own payload.
 */
import { X509Certificate, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { EngineError } from './errors.js';
import type { Es384Signer } from './es384-signer.js';
import { verifyCertificateChain } from './managed-certificates.js';

export const NOTARY_PAYLOAD_TYPE = 'application/vnd.cncf.notary.payload.v1+json';
export const JWS_MEDIA_TYPE = 'application/jose+json';
export const SIGNING_SCHEME = 'notary.x509.signingAuthority';

const H = {
  scheme: 'io.cncf.notary.signingScheme',
  time: 'io.cncf.notary.authenticSigningTime',
  expiry: 'io.cncf.notary.expiry',
  profileVersion: 'com.amazonaws.signer.signingProfileVersion',
  job: 'com.amazonaws.signer.signingJob',
} as const;
const CRITICAL = [H.scheme, H.time, H.expiry, H.profileVersion, H.job];
const SIGNING_AGENT = 'fwsign';

export interface SignedAttributes {
  /** The content type of the payload (`cty`). */
  contentType: string;
  signingTime: Date;
  expiry: Date;
  profileVersionArn: string;
  jobArn: string;
}

interface JwsJson {
  payload: string;
  protected: string;
  header: { x5c: string[]; 'io.cncf.notary.signingAgent'?: string };
  signature: string;
}

/** RFC 3339 at whole seconds, as Notation writes and parses signing times. */
export function rfc3339Seconds(d: Date): string {
  return new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

const b64u = (b: Uint8Array | string): string => Buffer.from(b).toString('base64url');

/**
 * Signs `payload` and returns the envelope as its JSON text (what SignPayload returns as
 * `signature`). The key is in memory or behind an Es384Signer (a token's).
 */
export async function signJwsEnvelope(opts: {
  payload: Uint8Array;
  attributes: SignedAttributes;
  privateKey: KeyObject | Es384Signer;
  chainDer: readonly Uint8Array[];
}): Promise<string> {
  const a = opts.attributes;
  const header = {
    alg: 'ES384',
    crit: CRITICAL,
    cty: a.contentType,
    [H.scheme]: SIGNING_SCHEME,
    [H.time]: rfc3339Seconds(a.signingTime),
    [H.expiry]: rfc3339Seconds(a.expiry),
    [H.profileVersion]: a.profileVersionArn,
    [H.job]: a.jobArn,
  };
  const protectedB64 = b64u(JSON.stringify(header));
  const payloadB64 = b64u(opts.payload);
  const input = Buffer.from(`${protectedB64}.${payloadB64}`, 'ascii');
  const signature =
    'signEs384' in opts.privateKey
      ? await opts.privateKey.signEs384(input)
      : sign('sha384', input, { key: opts.privateKey, dsaEncoding: 'ieee-p1363' });
  const envelope: JwsJson = {
    payload: payloadB64,
    protected: protectedB64,
    header: {
      x5c: opts.chainDer.map((d) => Buffer.from(d).toString('base64')),
      [`io.cncf.notary.signingAgent`]: SIGNING_AGENT,
    },
    signature: b64u(signature),
  };
  return JSON.stringify(envelope);
}

export interface EnvelopeVerdict {
  ok: boolean;
  /** `valid`, or one of `malformed-envelope`, `unsupported`, `signature-mismatch`, `untrusted-chain`, `signature-expired`, then `: detail`. */
  reason: string;
  payload?: Uint8Array;
  attributes?: SignedAttributes;
  chainDer?: Uint8Array[];
}

const B64URL = /^[A-Za-z0-9_-]*$/;
const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

function fail(reason: string): EnvelopeVerdict {
  return { ok: false, reason };
}

function decodeB64url(field: string, s: unknown): Uint8Array {
  if (typeof s !== 'string' || !B64URL.test(s))
    throw new EngineError('MalformedSignedObject', `${field}: expected base64url`);
  const bytes = Buffer.from(s, 'base64url');
  if (bytes.toString('base64url') !== s)
    throw new EngineError('MalformedSignedObject', `${field}: base64url is not canonical`);
  return new Uint8Array(bytes);
}

function parseTime(field: string, v: unknown): Date {
  const t = typeof v === 'string' ? Date.parse(v) : NaN;
  if (Number.isNaN(t))
    throw new EngineError('MalformedSignedObject', `${field}: expected an RFC 3339 time`);
  return new Date(t);
}

function parseEnvelope(text: string, contentType: string) {
  let env: JwsJson;
  try {
    env = JSON.parse(text) as JwsJson;
  } catch (err) {
    throw new EngineError('MalformedSignedObject', `not JSON (${(err as Error).message})`);
  }
  if (!env || typeof env !== 'object' || Array.isArray(env))
    throw new EngineError('MalformedSignedObject', 'expected a JWS JSON object');
  const keys = Object.keys(env).sort().join(',');
  if (keys !== 'header,payload,protected,signature')
    throw new EngineError(
      'MalformedSignedObject',
      `expected exactly header, payload, protected, signature; got ${keys}`,
    );
  const protectedBytes = decodeB64url('protected', env.protected);
  const header = JSON.parse(Buffer.from(protectedBytes).toString('utf8')) as Record<
    string,
    unknown
  >;
  const payload = decodeB64url('payload', env.payload);
  const signature = decodeB64url('signature', env.signature);
  const x5c = env.header?.x5c;
  if (
    !Array.isArray(x5c) ||
    x5c.length === 0 ||
    !x5c.every((c) => typeof c === 'string' && B64.test(c))
  )
    throw new EngineError(
      'MalformedSignedObject',
      'header.x5c: expected a non-empty list of base64 DER certificates',
    );
  if (header.alg !== 'ES384')
    throw new EngineError(
      'MalformedSignedObject',
      `alg: expected ES384, got ${String(header.alg)}`,
    );
  if (header.cty !== contentType)
    throw new EngineError(
      'MalformedSignedObject',
      `cty: expected ${contentType}, got ${String(header.cty)}`,
    );
  if (header[H.scheme] !== SIGNING_SCHEME)
    throw new EngineError(
      'MalformedSignedObject',
      `${H.scheme}: expected ${SIGNING_SCHEME}, got ${String(header[H.scheme])}`,
    );
  const crit = header.crit;
  // RFC 7515 §4.1.11: every name in crit must be present and understood; Notary requires these in it.
  if (
    !Array.isArray(crit) ||
    crit.some((c) => typeof c !== 'string' || !(c in header) || !CRITICAL.includes(c as never)) ||
    !CRITICAL.every((c) => crit.includes(c))
  )
    throw new EngineError('MalformedSignedObject', `crit: expected exactly ${CRITICAL.join(', ')}`);
  const attributes: SignedAttributes = {
    contentType,
    signingTime: parseTime(H.time, header[H.time]),
    expiry: parseTime(H.expiry, header[H.expiry]),
    profileVersionArn: String(header[H.profileVersion]),
    jobArn: String(header[H.job]),
  };
  return {
    signingInput: Buffer.from(`${env.protected}.${env.payload}`, 'ascii'),
    payload,
    signature,
    chainDer: x5c.map((c: string) => new Uint8Array(Buffer.from(c, 'base64'))),
    attributes,
  };
}

/**
 * Verifies an envelope: its form, the ES384 signature under the leaf's key, the chain to one of
 * `trustedRoots` at the signing time, and the expiry against `now`. Never throws for a bad envelope.
 */
export function verifyJwsEnvelope(opts: {
  envelope: string | Uint8Array;
  contentType: string;
  trustedRoots: readonly Uint8Array[];
  now?: Date;
}): EnvelopeVerdict {
  const text =
    typeof opts.envelope === 'string' ? opts.envelope : Buffer.from(opts.envelope).toString('utf8');
  let parsed: ReturnType<typeof parseEnvelope>;
  try {
    parsed = parseEnvelope(text, opts.contentType);
  } catch (err) {
    return fail(`malformed-envelope: ${(err as Error).message}`);
  }
  const { attributes, chainDer, payload } = parsed;
  let leafKey: KeyObject;
  try {
    leafKey = new X509Certificate(Buffer.from(chainDer[0]!)).publicKey;
  } catch (err) {
    return fail(
      `untrusted-chain: the signing certificate does not parse (${(err as Error).message})`,
    );
  }
  if (leafKey.asymmetricKeyDetails?.namedCurve !== 'secp384r1')
    return fail('signature-mismatch: the signing certificate does not hold a P-384 key');
  const good =
    parsed.signature.length === 96 &&
    verify(
      'sha384',
      parsed.signingInput,
      { key: leafKey, dsaEncoding: 'ieee-p1363' },
      parsed.signature,
    );
  if (!good)
    return fail(
      'signature-mismatch: the ES384 signature does not verify under the signing certificate',
    );
  const chain = verifyCertificateChain(chainDer, opts.trustedRoots, attributes.signingTime);
  if (!chain.ok) return fail(`untrusted-chain: ${chain.reason}`);
  const now = opts.now ?? new Date();
  const base = { payload, attributes, chainDer };
  if (now.getTime() > attributes.expiry.getTime())
    return {
      ok: false,
      reason: `signature-expired: expired at ${attributes.expiry.toISOString()}, now ${now.toISOString()}`,
      ...base,
    };
  return { ok: true, reason: 'valid', ...base };
}
