/**
 * Code-signing certificates and certification requests signed through a Signer: the TBS bytes are
 * hashed here and the Signer signs the digest, so a key in memory and a key in a PKCS#11 token
 * make the same certificate (pkijs builds the ASN.1; no WebCrypto key is needed).
 */
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { parseSubject, pem } from './certificates.js';
import { signerFromPrivateKey, type Signer } from './signer.js';

const CODE_SIGNING_OID = '1.3.6.1.5.5.7.3.3';
/** ecdsa-with-SHA256 (RFC 5758: no parameters) and sha256WithRSAEncryption (RFC 4055: NULL). */
const ECDSA_SHA256 = '1.2.840.10045.4.3.2';
const RSA_SHA256 = '1.2.840.113549.1.1.11';

export interface SignedByOptions {
  /** "CN=Firmware Signing, O=Acme". */
  subject: string;
  /** The public key the certificate or request is for (SPKI DER): the Signer's own. */
  spkiDer: Uint8Array;
  signer: Signer;
}

function algorithmOf(signer: Signer): pkijs.AlgorithmIdentifier {
  return signer.keyType === 'ec-p256'
    ? new pkijs.AlgorithmIdentifier({ algorithmId: ECDSA_SHA256 })
    : new pkijs.AlgorithmIdentifier({
        algorithmId: RSA_SHA256,
        algorithmParams: new asn1js.Null(),
      });
}

async function signatureOver(signer: Signer, tbs: ArrayBuffer): Promise<asn1js.BitString> {
  const digest = new Uint8Array(createHash('sha256').update(new Uint8Array(tbs)).digest());
  const sig = await signer.signDigest(digest, 'SHA256');
  return new asn1js.BitString({ valueHex: new Uint8Array(sig).buffer });
}

function extension(extnID: string, critical: boolean, value: ArrayBuffer): pkijs.Extension {
  return new pkijs.Extension({ extnID, critical, extnValue: value });
}

/**
 * A self-signed code-signing certificate (basicConstraints CA:FALSE, keyUsage digitalSignature,
 * extendedKeyUsage codeSigning, a subject key identifier): what `aws acm import-certificate`
 * expects for a FreeRTOS signing profile.
 */
export async function selfSignedCodeSigningCertificate(
  opts: SignedByOptions & { validityDays?: number },
): Promise<string> {
  const days = opts.validityDays ?? 365;
  if (!Number.isInteger(days) || days < 1 || days > 36500)
    throw new RangeError(`certificate: "validityDays" expected an integer 1..36500, got ${days}`);
  const cert = new pkijs.Certificate();
  cert.version = 2;
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01; // positive and without a leading zero byte
  cert.serialNumber = new asn1js.Integer({ valueHex: new Uint8Array(serial).buffer });
  cert.subject = parseSubject(opts.subject);
  cert.issuer = parseSubject(opts.subject);
  const notBefore = new Date(Math.floor((Date.now() - 60_000) / 1000) * 1000); // a minute of slack for clock skew
  cert.notBefore.value = notBefore;
  cert.notAfter.value = new Date(notBefore.getTime() + days * 86_400_000);
  cert.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(opts.spkiDer);
  const keyId = createHash('sha1')
    .update(Buffer.from(cert.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView))
    .digest();
  cert.extensions = [
    extension('2.5.29.19', true, new pkijs.BasicConstraints({ cA: false }).toSchema().toBER(false)),
    // keyUsage digitalSignature: BIT STRING with bit 0 set (0x80), 7 unused bits.
    extension(
      '2.5.29.15',
      true,
      new asn1js.BitString({ valueHex: Uint8Array.of(0x80).buffer, unusedBits: 7 }).toBER(false),
    ),
    extension(
      '2.5.29.37',
      false,
      new pkijs.ExtKeyUsage({ keyPurposes: [CODE_SIGNING_OID] }).toSchema().toBER(false),
    ),
    extension('2.5.29.14', false, new asn1js.OctetString({ valueHex: keyId }).toBER(false)),
  ];
  cert.signature = algorithmOf(opts.signer);
  cert.signatureAlgorithm = algorithmOf(opts.signer);
  cert.signatureValue = await signatureOver(opts.signer, cert.encodeTBS().toBER(false));
  return pem('CERTIFICATE', cert.toSchema(true).toBER(false));
}

/**
 * A PKCS#10 certification request for the Signer's key, for a company CA to issue the code-signing
 * certificate; it asks for the same extensions the self-signed certificate has.
 */
export async function codeSigningCertificationRequest(opts: SignedByOptions): Promise<string> {
  const csr = new pkijs.CertificationRequest();
  csr.version = 0;
  csr.subject = parseSubject(opts.subject);
  csr.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(opts.spkiDer);
  const extensions = new pkijs.Extensions({
    extensions: [
      extension(
        '2.5.29.19',
        true,
        new pkijs.BasicConstraints({ cA: false }).toSchema().toBER(false),
      ),
      extension(
        '2.5.29.37',
        false,
        new pkijs.ExtKeyUsage({ keyPurposes: [CODE_SIGNING_OID] }).toSchema().toBER(false),
      ),
    ],
  });
  // PKCS#9 extensionRequest.
  csr.attributes = [
    new pkijs.Attribute({ type: '1.2.840.113549.1.9.14', values: [extensions.toSchema()] }),
  ];
  csr.signatureAlgorithm = algorithmOf(opts.signer);
  // pkijs keeps CertificationRequest.encodeTBS protected: the TBS is the first element of the
  // request encoded with a placeholder signature.
  csr.signatureValue = new asn1js.BitString();
  const unsigned = csr.toSchema(true);
  csr.signatureValue = await signatureOver(opts.signer, unsigned.valueBlock.value[0]!.toBER(false));
  return pem('CERTIFICATE REQUEST', csr.toSchema(true).toBER(false));
}

/**
 * A fresh key and a self-signed code-signing certificate for it, for development use (the key
 * comes back as PKCS#8 PEM for the caller to keep in a 0600 file).
 */
export async function createDevelopmentCertificate(opts: {
  algorithm: 'ecdsa-p256' | 'rsa-2048';
  subject: string;
  validityDays?: number;
}): Promise<{ privateKeyPem: string; certificatePem: string }> {
  if (opts.algorithm !== 'ecdsa-p256' && opts.algorithm !== 'rsa-2048') {
    throw new RangeError(
      `createDevelopmentCertificate: "algorithm" expected ecdsa-p256 or rsa-2048, got ${JSON.stringify(opts.algorithm)}`,
    );
  }
  const pair =
    opts.algorithm === 'ecdsa-p256'
      ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      : generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 });
  const pkcs8 = pair.privateKey.export({ format: 'der', type: 'pkcs8' });
  const certificatePem = await selfSignedCodeSigningCertificate({
    subject: opts.subject,
    spkiDer: new Uint8Array(pair.publicKey.export({ format: 'der', type: 'spki' })),
    signer: signerFromPrivateKey(pkcs8),
    ...(opts.validityDays === undefined ? {} : { validityDays: opts.validityDays }),
  });
  return { privateKeyPem: pem('PRIVATE KEY', pkcs8), certificatePem };
}
