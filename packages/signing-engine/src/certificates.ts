/**
 * X.509 with pkijs: parse certificates, match them with private keys, name subjects. Making
 * code-signing certificates is code-signing-certificates.ts.
 */
import { createHash, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { TrustAnchor } from '@fwsign/protocol';
import { EngineError } from './errors.js';
import { b64urlToBytes, ecPublicPoint, isPemText, keyKind, loadPrivateKey } from './keys.js';

export interface PublicKeyInfo {
  type: 'ec-p256' | 'ec-other' | 'rsa';
  bits: number;
  spkiDer: Uint8Array;
}

export interface ParsedCertificate {
  der: Uint8Array;
  sha256: Uint8Array;
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  publicKey: PublicKeyInfo;
  extendedKeyUsage: string[];
  /** Hex key identifiers, when the extensions are present. */
  subjectKeyIdentifier?: string;
  authorityKeyIdentifier?: string;
}

const NAME_OIDS: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '1.2.840.113549.1.9.1': 'emailAddress',
};
const OID_OF_NAME = Object.fromEntries(Object.entries(NAME_OIDS).map(([oid, n]) => [n, oid]));
const EKU_NAMES: Record<string, string> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
};
const EKU_OID = '2.5.29.37';

function invalid(message: string): never {
  throw new EngineError('InvalidCertificate', `certificate: ${message}`);
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+?)-----END CERTIFICATE-----/g;

/** The DER of every CERTIFICATE block of a PEM text, in order. */
export function pemBlocks(pem: string): Uint8Array[] {
  return [...pem.matchAll(PEM_BLOCK)].map(
    (m) => new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64')),
  );
}

function nameToString(name: pkijs.RelativeDistinguishedNames): string {
  return name.typesAndValues
    .map(
      (tv) =>
        `${NAME_OIDS[tv.type] ?? tv.type}=${String((tv.value as { valueBlock: { value: unknown } }).valueBlock.value)}`,
    )
    .join(', ');
}

function publicKeyInfo(spkiDer: Uint8Array): PublicKeyInfo {
  const key = createPublicKey({ key: Buffer.from(spkiDer), format: 'der', type: 'spki' });
  const kind = keyKind(key);
  if (kind === 'other') invalid(`public key expected EC or RSA, got ${key.asymmetricKeyType}`);
  const bits =
    kind === 'rsa'
      ? (key.asymmetricKeyDetails?.modulusLength ?? 0)
      : kind === 'ec-p256'
        ? 256
        : Number(/\d+/.exec(key.asymmetricKeyDetails?.namedCurve ?? '')?.[0] ?? 0);
  return { type: kind, bits, spkiDer };
}

function parseDer(der: Uint8Array): ParsedCertificate {
  let cert: pkijs.Certificate;
  try {
    cert = pkijs.Certificate.fromBER(der);
  } catch (err) {
    invalid(`expected DER X.509, got bytes that do not parse (${(err as Error).message})`);
  }
  const spkiDer = new Uint8Array(cert.subjectPublicKeyInfo.toSchema().toBER(false));
  const eku = cert.extensions?.find((e) => e.extnID === EKU_OID)?.parsedValue as
    pkijs.ExtKeyUsage | undefined;
  let publicKey: PublicKeyInfo;
  try {
    publicKey = publicKeyInfo(spkiDer);
  } catch (err) {
    if (err instanceof EngineError) throw err;
    invalid(`public key does not parse (${(err as Error).message})`);
  }
  const ski = cert.extensions?.find((e) => e.extnID === '2.5.29.14')?.parsedValue as
    asn1js.OctetString | undefined;
  const aki = cert.extensions?.find((e) => e.extnID === '2.5.29.35')?.parsedValue as
    pkijs.AuthorityKeyIdentifier | undefined;
  const optional: Partial<ParsedCertificate> = {};
  if (ski) optional.subjectKeyIdentifier = Buffer.from(ski.valueBlock.valueHexView).toString('hex');
  if (aki?.keyIdentifier)
    optional.authorityKeyIdentifier = Buffer.from(
      aki.keyIdentifier.valueBlock.valueHexView,
    ).toString('hex');
  return {
    ...optional,
    der,
    sha256: new Uint8Array(createHash('sha256').update(der).digest()),
    subject: nameToString(cert.subject),
    issuer: nameToString(cert.issuer),
    serialNumber: Buffer.from(cert.serialNumber.valueBlock.valueHexView).toString('hex'),
    notBefore: cert.notBefore.value,
    notAfter: cert.notAfter.value,
    publicKey,
    extendedKeyUsage: (eku?.keyPurposes ?? []).map((oid) => EKU_NAMES[oid] ?? oid),
  };
}

/** One certificate, PEM or DER. A PEM with several blocks yields the first (the leaf). */
export function parseCertificate(pemOrDer: string | Uint8Array): ParsedCertificate {
  if (typeof pemOrDer === 'string' || isPemText(pemOrDer)) {
    const text = typeof pemOrDer === 'string' ? pemOrDer : Buffer.from(pemOrDer).toString('utf8');
    const first = pemBlocks(text)[0];
    if (!first) invalid('expected a PEM "CERTIFICATE" block, got none');
    return parseDer(first);
  }
  if (!(pemOrDer instanceof Uint8Array))
    throw new TypeError(
      `parseCertificate: "pemOrDer" expected string or Uint8Array, got ${typeof pemOrDer}`,
    );
  return parseDer(pemOrDer);
}

/** Every certificate of a PEM bundle, leaf first as ACM's certificate chain lists them. */
export function parseCertificateChain(pem: string): ParsedCertificate[] {
  const blocks = pemBlocks(pem);
  if (blocks.length === 0) invalid('expected at least one PEM "CERTIFICATE" block, got none');
  return blocks.map(parseDer);
}

/** Compares key parameters (EC point / RSA n,e), not encodings, so compressed-point SPKIs still match. */
export function privateKeyMatchesCertificate(
  privateKeyPemOrDer: string | Uint8Array,
  cert: ParsedCertificate,
): boolean {
  return sameKey(createPublicKey(loadPrivateKey(privateKeyPemOrDer)), cert);
}

/** The same comparison for a public key (SPKI DER), e.g. one a PKCS#11 token reports. */
export function publicKeyMatchesCertificate(spkiDer: Uint8Array, cert: ParsedCertificate): boolean {
  return sameKey(createPublicKey({ key: Buffer.from(spkiDer), format: 'der', type: 'spki' }), cert);
}

function sameKey(key: KeyObject, cert: ParsedCertificate): boolean {
  const mine = key.export({ format: 'jwk' });
  const fromCert = createPublicKey({
    key: Buffer.from(cert.publicKey.spkiDer),
    format: 'der',
    type: 'spki',
  }).export({ format: 'jwk' });
  return (
    mine.kty === fromCert.kty &&
    mine.crv === fromCert.crv &&
    mine.x === fromCert.x &&
    mine.y === fromCert.y &&
    mine.n === fromCert.n &&
    mine.e === fromCert.e
  );
}

/**
 * Whether the certificate presents itself as self-signed: issuer = subject, or no authority key
 * identifier (RFC 5280 §4.2.1.1 requires one from every conforming CA except on self-signed
 * certificates), or one equal to its own subject key identifier. A corrupted name cannot hide a
 * self-signed certificate from the signature check this way.
 */
export function claimsSelfSigned(cert: ParsedCertificate): boolean {
  return (
    cert.subject === cert.issuer ||
    cert.authorityKeyIdentifier === undefined ||
    cert.authorityKeyIdentifier === cert.subjectKeyIdentifier
  );
}

/** True when the certificate's signature verifies under its own public key. */
export function isIntactSelfSigned(cert: ParsedCertificate): boolean {
  try {
    const x = new X509Certificate(Buffer.from(cert.der));
    // x.verify, not checkIssued: X509_check_issued also wants keyCertSign, which a code-signing leaf lacks.
    return x.verify(x.publicKey);
  } catch {
    return false;
  }
}

/** "CN=Name, O=Org" as an X.501 name (internal: also used by managed-certificates.ts). */
export function parseSubject(subject: string): pkijs.RelativeDistinguishedNames {
  const parts = subject
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  if (parts.length === 0)
    throw new RangeError(
      `createDevelopmentCertificate: "subject" expected e.g. "CN=Firmware Signing, O=Acme", got ${JSON.stringify(subject)}`,
    );
  const rdn = new pkijs.RelativeDistinguishedNames();
  for (const part of parts) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    const oid = OID_OF_NAME[key];
    if (eq <= 0 || !oid || value.length === 0) {
      throw new RangeError(
        `createDevelopmentCertificate: "subject" part expected KEY=value with KEY one of ${Object.keys(OID_OF_NAME).join(', ')}, got ${JSON.stringify(part)}`,
      );
    }
    const v =
      key === 'C'
        ? new asn1js.PrintableString({ value })
        : key === 'emailAddress'
          ? new asn1js.IA5String({ value })
          : new asn1js.Utf8String({ value });
    rdn.typesAndValues.push(new pkijs.AttributeTypeAndValue({ type: oid, value: v }));
  }
  return rdn;
}

/** DER as a PEM block of 64-character lines (internal: also used by managed-certificates.ts). */
export function pem(label: string, der: ArrayBuffer | Uint8Array): string {
  const b64 = Buffer.from(der instanceof Uint8Array ? der : new Uint8Array(der)).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;
}

/** The device's trust-anchor entry for a certificate: its key, named by the job document's certfile. */
export function trustAnchorFromCertificate(cert: ParsedCertificate, name: string): TrustAnchor {
  const key = createPublicKey({
    key: Buffer.from(cert.publicKey.spkiDer),
    format: 'der',
    type: 'spki',
  });
  if (cert.publicKey.type === 'ec-p256')
    return { name, certSha256: cert.sha256, key: { type: 'ec-p256', point: ecPublicPoint(key) } };
  if (cert.publicKey.type === 'rsa' && cert.publicKey.bits === 2048) {
    const jwk = key.export({ format: 'jwk' });
    const modulus = b64urlToBytes(jwk.n);
    const e = b64urlToBytes(jwk.e);
    if (modulus.length !== 256 || e.length > 4)
      invalid(
        `RSA key expected a 256-byte modulus and an exponent under 2^32, got ${modulus.length} and ${e.length} bytes`,
      );
    const exponent = e.reduce((acc, b) => acc * 256 + b, 0);
    return { name, certSha256: cert.sha256, key: { type: 'rsa-2048', modulus, exponent } };
  }
  invalid(
    `trust anchors hold P-256 or RSA-2048 keys, got ${cert.publicKey.type} (${cert.publicKey.bits} bits) in ${cert.subject}`,
  );
}
