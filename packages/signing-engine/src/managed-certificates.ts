/**
 * The certificates behind Signer-managed keys (the Lambda and Notation platforms): a root CA, an
 * intermediate CA, and one ECDSA P-384 code-signing certificate per profile version. Built with
 * pkijs and signed with node:crypto synchronously (the store issues them inside a transaction).
 * Chains are checked with node's X509Certificate (OpenSSL), leaf first, ending in a trusted root.
 */
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { parseSubject } from './certificates.js';
import { p1363ToDer384, type Es384Signer } from './es384-signer.js';

/** ecdsa-with-SHA384 (RFC 5758): its AlgorithmIdentifier carries no parameters. */
const ECDSA_SHA384 = '1.2.840.10045.4.3.3';
const CODE_SIGNING_OID = '1.3.6.1.5.5.7.3.3';

export type CertificateRole = 'root' | 'intermediate' | 'code-signing';

/** The key that signs a certificate: in memory, or a token's behind an Es384Signer. */
export type CertificateSigningKey = KeyObject | Es384Signer;

export interface Issuer {
  certificateDer: Uint8Array;
  privateKey: CertificateSigningKey;
}

/** A fresh ECDSA P-384 private key (the only key type Signer manages). */
export function newP384Key(): KeyObject {
  return generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey;
}

function extension(extnID: string, critical: boolean, value: ArrayBuffer): pkijs.Extension {
  return new pkijs.Extension({ extnID, critical, extnValue: value });
}

/** keyUsage as a DER BIT STRING: digitalSignature is bit 0, keyCertSign bit 5, cRLSign bit 6. */
function keyUsage(role: CertificateRole): ArrayBuffer {
  return role === 'code-signing'
    ? new asn1js.BitString({ valueHex: Uint8Array.of(0x80).buffer, unusedBits: 7 }).toBER(false)
    : new asn1js.BitString({ valueHex: Uint8Array.of(0x06).buffer, unusedBits: 1 }).toBER(false);
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050 (a 30-year root needs it). */
function timeOf(d: Date): pkijs.Time {
  // Whole seconds: RFC 5280 forbids fractional seconds in GeneralizedTime.
  const value = new Date(Math.floor(d.getTime() / 1000) * 1000);
  return new pkijs.Time({ type: value.getUTCFullYear() < 2050 ? 0 : 1, value });
}

function keyIdOf(spki: pkijs.PublicKeyInfo): Uint8Array {
  return new Uint8Array(
    createHash('sha1').update(Buffer.from(spki.subjectPublicKey.valueBlock.valueHexView)).digest(),
  );
}

/**
 * A certificate for `subjectKey` (a private key, or only the public half when the private one is
 * in a token), issued by `issuer`, or self-signed when there is none (by `selfSigner` when
 * `subjectKey` is a public key). Roots and intermediates are CAs (the intermediate with pathLen
 * 0); a code-signing certificate has keyUsage digitalSignature and extendedKeyUsage codeSigning,
 * as the Notary Project requires.
 */
export function issueCertificate(opts: {
  subject: string;
  subjectKey: KeyObject;
  role: CertificateRole;
  notBefore: Date;
  notAfter: Date;
  issuer?: Issuer;
  selfSigner?: CertificateSigningKey;
}): Uint8Array {
  const cert = new pkijs.Certificate();
  cert.version = 2;
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01; // positive, no leading zero byte
  cert.serialNumber = new asn1js.Integer({ valueHex: new Uint8Array(serial).buffer });
  cert.subject = parseSubject(opts.subject);
  const issuerCert = opts.issuer && pkijs.Certificate.fromBER(opts.issuer.certificateDer);
  cert.issuer = issuerCert ? issuerCert.subject : parseSubject(opts.subject);
  cert.notBefore = timeOf(opts.notBefore);
  cert.notAfter = timeOf(opts.notAfter);
  const publicKey =
    opts.subjectKey.type === 'public' ? opts.subjectKey : createPublicKey(opts.subjectKey);
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  cert.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(spki);
  const ski = keyIdOf(cert.subjectPublicKeyInfo);
  const aki = issuerCert ? keyIdOf(issuerCert.subjectPublicKeyInfo) : ski;
  const ca = opts.role !== 'code-signing';
  cert.extensions = [
    extension(
      '2.5.29.19',
      true,
      new pkijs.BasicConstraints(
        opts.role === 'intermediate' ? { cA: true, pathLenConstraint: 0 } : { cA: ca },
      )
        .toSchema()
        .toBER(false),
    ),
    extension('2.5.29.15', true, keyUsage(opts.role)),
    extension('2.5.29.14', false, new asn1js.OctetString({ valueHex: ski }).toBER(false)),
    extension(
      '2.5.29.35',
      false,
      new pkijs.AuthorityKeyIdentifier({ keyIdentifier: new asn1js.OctetString({ valueHex: aki }) })
        .toSchema()
        .toBER(false),
    ),
  ];
  if (!ca)
    cert.extensions.push(
      extension(
        '2.5.29.37',
        false,
        new pkijs.ExtKeyUsage({ keyPurposes: [CODE_SIGNING_OID] }).toSchema().toBER(false),
      ),
    );
  cert.signature = new pkijs.AlgorithmIdentifier({ algorithmId: ECDSA_SHA384 });
  cert.signatureAlgorithm = new pkijs.AlgorithmIdentifier({ algorithmId: ECDSA_SHA384 });
  const tbs = Buffer.from(cert.encodeTBS().toBER(false));
  const signer = opts.issuer?.privateKey ?? opts.selfSigner ?? opts.subjectKey;
  const signature =
    'signEs384Sync' in signer
      ? p1363ToDer384(signer.signEs384Sync(tbs))
      : sign('sha384', tbs, { key: signer, dsaEncoding: 'der' });
  cert.signatureValue = new asn1js.BitString({ valueHex: new Uint8Array(signature).buffer });
  return new Uint8Array(cert.toSchema(true).toBER(false));
}

function tbsSha384(der: Uint8Array): string {
  const cert = pkijs.Certificate.fromBER(der);
  return createHash('sha384').update(Buffer.from(cert.tbsView)).digest('hex');
}

/**
 * GetRevocationStatus's certificate hashes for a chain (leaf first): each certificate's SHA-384
 * TBS hash followed by its issuer's; a root is its own issuer (the API reference's OpenSSL recipe,
 * and what AWS's Notation plugin sends).
 */
export function certificateHashes(chainDer: readonly Uint8Array[]): string[] {
  const own = chainDer.map(tbsSha384);
  return own.map((h, i) => h + (own[i + 1] ?? h));
}

export type ChainVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Leaf first; every certificate issued and signed by the next and valid at `at`, every issuer a
 * CA, the last one self-signed and byte-identical to one of `trustedRoots`.
 */
export function verifyCertificateChain(
  chainDer: readonly Uint8Array[],
  trustedRoots: readonly Uint8Array[],
  at: Date,
): ChainVerdict {
  if (chainDer.length === 0) return { ok: false, reason: 'the certificate chain is empty' };
  let certs: X509Certificate[];
  try {
    certs = chainDer.map((d) => new X509Certificate(Buffer.from(d)));
  } catch (err) {
    return { ok: false, reason: `a certificate does not parse (${(err as Error).message})` };
  }
  for (let i = 0; i < certs.length; i++) {
    const c = certs[i]!;
    const issuer = certs[i + 1] ?? c;
    const what = i === 0 ? 'the signing certificate' : `certificate ${i} (${c.subject})`;
    if (at.getTime() < Date.parse(c.validFrom) || at.getTime() > Date.parse(c.validTo))
      return {
        ok: false,
        reason: `${what} is not valid at ${at.toISOString()} (valid ${new Date(c.validFrom).toISOString()} to ${new Date(c.validTo).toISOString()})`,
      };
    if (i > 0 && !c.ca) return { ok: false, reason: `${what} is not a CA` };
    if (!c.checkIssued(issuer) || !c.verify(issuer.publicKey))
      return { ok: false, reason: `${what} is not signed by ${issuer.subject}` };
  }
  const last = chainDer[chainDer.length - 1]!;
  if (!trustedRoots.some((r) => Buffer.from(r).equals(Buffer.from(last))))
    return { ok: false, reason: `the chain ends in ${certs.at(-1)!.subject}, not a trusted root` };
  return { ok: true };
}
