import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeTrustAnchorTable, encodeTrustAnchorTable } from '@fwsign/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import {
  EngineError,
  createDevelopmentCertificate,
  isIntactSelfSigned,
  parseCertificate,
  parseCertificateChain,
  privateKeyMatchesCertificate,
  resolveEffectiveConfiguration,
  signPayload,
  signerFromPrivateKey,
  trustAnchorFromCertificate,
  verifySignedObject,
} from '../src/index.js';
import { ecKeyPair, flipBit, opensslVerify, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(tmp.cleanup);

function openssl(args: string[]): string {
  const r = spawnSync('openssl', args, { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const [ecDev, rsaDev] = await Promise.all([
  createDevelopmentCertificate({
    algorithm: 'ecdsa-p256',
    subject: 'CN=Firmware Signing Dev, O=fwsign, C=SE',
    validityDays: 30,
  }),
  createDevelopmentCertificate({ algorithm: 'rsa-2048', subject: 'CN=CC3220SF Signing' }),
]);

describe('createDevelopmentCertificate', () => {
  it.each([
    ['ecdsa-p256', ecDev, 'ec-p256', 256, 'SHA256withECDSA', 'ecdsa-with-SHA256'],
    ['rsa-2048', rsaDev, 'rsa', 2048, 'SHA1withRSA', 'sha256WithRSAEncryption'],
  ] as const)(
    '%s: a self-signed codeSigning certificate OpenSSL reads and verifies',
    (_alg, dev, type, bits, _sigAlg, certSigAlg) => {
      const certPath = join(tmp.dir, `${type}.crt`);
      writeFileSync(certPath, dev.certificatePem);
      const text = openssl(['x509', '-in', certPath, '-noout', '-text']);
      expect(text).toContain('Code Signing');
      expect(text).toContain('CA:FALSE');
      expect(text).toContain('Digital Signature');
      expect(text).toContain(`Signature Algorithm: ${certSigAlg}`);
      expect(openssl(['verify', '-CAfile', certPath, certPath])).toContain(': OK');
      const cert = parseCertificate(dev.certificatePem);
      expect(cert.publicKey).toMatchObject({ type, bits });
      expect(cert.extendedKeyUsage).toEqual(['codeSigning']);
      expect(cert.subject).toBe(cert.issuer);
      expect(isIntactSelfSigned(cert)).toBe(true);
      expect(privateKeyMatchesCertificate(dev.privateKeyPem, cert)).toBe(true);
      expect(privateKeyMatchesCertificate(ecKeyPair().privateKeyPem, cert)).toBe(false);
      // OpenSSL's own view of the certificate agrees with ours.
      const fingerprint = openssl(['x509', '-in', certPath, '-noout', '-fingerprint', '-sha256'])
        .split('=')[1]!
        .trim()
        .replace(/:/g, '')
        .toLowerCase();
      expect(Buffer.from(cert.sha256).toString('hex')).toBe(fingerprint);
      const serial = openssl(['x509', '-in', certPath, '-noout', '-serial'])
        .split('=')[1]!
        .trim()
        .toLowerCase();
      expect(cert.serialNumber).toBe(serial);
    },
  );

  it('sets the subject, the validity and a private key PEM', () => {
    const cert = parseCertificate(ecDev.certificatePem);
    expect(cert.subject).toBe('CN=Firmware Signing Dev, O=fwsign, C=SE');
    const days = (cert.notAfter.getTime() - cert.notBefore.getTime()) / 86_400_000;
    expect(days).toBe(30);
    expect(Math.abs(cert.notBefore.getTime() - Date.now())).toBeLessThan(5 * 60_000);
    expect(ecDev.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
  });

  it('refuses a bad subject, algorithm or validity', async () => {
    await expect(
      createDevelopmentCertificate({ algorithm: 'ecdsa-p256', subject: 'Firmware' }),
    ).rejects.toThrow(/"subject" part expected KEY=value .* got "Firmware"/);
    await expect(
      createDevelopmentCertificate({ algorithm: 'ed25519' as 'ecdsa-p256', subject: 'CN=x' }),
    ).rejects.toThrow(RangeError);
    await expect(
      createDevelopmentCertificate({ algorithm: 'ecdsa-p256', subject: 'CN=x', validityDays: 0 }),
    ).rejects.toThrow('"validityDays" expected an integer 1..36500, got 0');
  });
});

describe('signing and verifying with certificates', () => {
  it('signs with the development key; OpenSSL verifies with the key taken from the certificate', async () => {
    const certPath = join(tmp.dir, 'ec-sign.crt');
    writeFileSync(certPath, ecDev.certificatePem);
    const pub = openssl(['x509', '-in', certPath, '-noout', '-pubkey']);
    const payload = new Uint8Array(randomBytes(3000));
    const r = await signPayload({
      config: resolveEffectiveConfiguration('AmazonFreeRTOS-Default'),
      signer: signerFromPrivateKey(ecDev.privateKeyPem),
      payload,
    });
    expect(opensslVerify(tmp.dir, 'sha256', pub, payload, r.signature)).toBe(true);
    expect(
      await verifySignedObject({ signedObject: r.signedObject, certificate: ecDev.certificatePem }),
    ).toMatchObject({ ok: true });
    const der = parseCertificate(ecDev.certificatePem).der;
    expect(
      await verifySignedObject({ signedObject: r.signedObject, certificate: der }),
    ).toMatchObject({ ok: true });
  });

  it('rejects the signature under a certificate with any bit flipped, and under a wrong certificate', async () => {
    const r = await signPayload({
      config: resolveEffectiveConfiguration('AmazonFreeRTOS-TI-CC3220SF'),
      signer: signerFromPrivateKey(rsaDev.privateKeyPem),
      payload: new Uint8Array(randomBytes(700)),
    });
    const der = parseCertificate(rsaDev.certificatePem).der;
    expect((await verifySignedObject({ signedObject: r.signedObject, certificate: der })).ok).toBe(
      true,
    );
    // Every 7th byte of the certificate (subject, key, extensions, signature), one bit each.
    for (let i = 0; i < der.length; i += 7) {
      const v = await verifySignedObject({
        signedObject: r.signedObject,
        certificate: flipBit(der, i, i % 8),
      });
      expect(v.ok, `bit flip at byte ${i} accepted`).toBe(false);
    }
    const other = await createDevelopmentCertificate({
      algorithm: 'rsa-2048',
      subject: 'CN=Someone Else',
    });
    const wrong = await verifySignedObject({
      signedObject: r.signedObject,
      certificate: other.certificatePem,
    });
    expect(wrong.ok).toBe(false);
    expect(wrong.reason).toMatch(/^signature-mismatch/);
    const ecWrong = await verifySignedObject({
      signedObject: r.signedObject,
      certificate: ecDev.certificatePem,
    });
    expect(ecWrong.reason).toBe('key-algorithm-mismatch: SHA1withRSA needs a rsa key, got ec-p256');
  });
});

describe('parsing', () => {
  it('parses a chain in order and refuses non-certificates', () => {
    const chain = parseCertificateChain(ecDev.certificatePem + rsaDev.certificatePem);
    expect(chain.map((c) => c.subject)).toEqual([
      'CN=Firmware Signing Dev, O=fwsign, C=SE',
      'CN=CC3220SF Signing',
    ]);
    expect(() => parseCertificate('hello')).toThrow(
      new EngineError(
        'InvalidCertificate',
        'certificate: expected a PEM "CERTIFICATE" block, got none',
      ),
    );
    expect(() => parseCertificate(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01))).toThrow(
      EngineError,
    );
  });

  it('reads the certificate OpenSSL makes (EC P-256, codeSigning)', () => {
    const key = join(tmp.dir, 'ossl.key');
    const crt = join(tmp.dir, 'ossl.crt');
    openssl([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      key,
      '-out',
      crt,
      '-days',
      '2',
      '-subj',
      '/CN=OpenSSL Made/O=Elsewhere',
      '-addext',
      'extendedKeyUsage=codeSigning,timeStamping',
    ]);
    const cert = parseCertificate(readFileSync(crt, 'utf8'));
    expect(cert.subject).toBe('CN=OpenSSL Made, O=Elsewhere');
    expect(cert.extendedKeyUsage).toEqual(['codeSigning', 'timeStamping']);
    expect(cert.publicKey.type).toBe('ec-p256');
    expect(privateKeyMatchesCertificate(readFileSync(key, 'utf8'), cert)).toBe(true);
  });
});

describe('CA-issued certificates', () => {
  it('verify with a leaf issued by a CA (authority key identifier present), and chains parse leaf first', async () => {
    const f = (n: string): string => join(tmp.dir, n);
    openssl([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      f('ca.key'),
      '-out',
      f('ca.crt'),
      '-days',
      '2',
      '-subj',
      '/CN=Test CA',
    ]);
    openssl([
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      f('leaf.key'),
      '-out',
      f('leaf.csr'),
      '-subj',
      '/CN=Leaf Signer',
    ]);
    writeFileSync(
      f('leaf.ext'),
      'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=codeSigning\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n',
    );
    openssl([
      'x509',
      '-req',
      '-in',
      f('leaf.csr'),
      '-CA',
      f('ca.crt'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-out',
      f('leaf.crt'),
      '-days',
      '2',
      '-extfile',
      f('leaf.ext'),
    ]);
    const leafPem = readFileSync(f('leaf.crt'), 'utf8');
    const leaf = parseCertificate(leafPem);
    expect(leaf.issuer).toBe('CN=Test CA');
    expect(leaf.authorityKeyIdentifier).toBeDefined();
    expect(leaf.authorityKeyIdentifier).not.toBe(leaf.subjectKeyIdentifier);
    const r = await signPayload({
      config: resolveEffectiveConfiguration('AmazonFreeRTOS-Default'),
      signer: signerFromPrivateKey(readFileSync(f('leaf.key'))),
      payload: new Uint8Array(100),
    });
    expect(
      await verifySignedObject({ signedObject: r.signedObject, certificate: leafPem }),
    ).toMatchObject({ ok: true, reason: 'valid' });
    const chain = parseCertificateChain(leafPem + readFileSync(f('ca.crt'), 'utf8'));
    expect(chain.map((c) => c.subject)).toEqual(['CN=Leaf Signer', 'CN=Test CA']);
  });
});

describe('trustAnchorFromCertificate', () => {
  it('builds entries the protocol table encodes and decodes, with OpenSSL-matching key bytes', () => {
    const ec = parseCertificate(ecDev.certificatePem);
    const rsa = parseCertificate(rsaDev.certificatePem);
    const anchors = [
      trustAnchorFromCertificate(ec, '/certs/codesign.crt'),
      trustAnchorFromCertificate(rsa, '/certs/cc3220.crt'),
    ];
    const decoded = decodeTrustAnchorTable(encodeTrustAnchorTable(anchors));
    expect(decoded).toEqual(anchors);
    const certPath = join(tmp.dir, 'anchor.crt');
    writeFileSync(certPath, ecDev.certificatePem);
    const pubDer = spawnSync('openssl', ['x509', '-in', certPath, '-noout', '-pubkey'], {
      encoding: 'utf8',
    }).stdout;
    const spki = Buffer.from(pubDer.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    // The uncompressed point is the last 65 bytes of a P-256 SPKI.
    expect(
      Buffer.from((anchors[0]!.key as { point: Uint8Array }).point).equals(
        spki.subarray(spki.length - 65),
      ),
    ).toBe(true);
    expect(anchors[1]!.key).toMatchObject({ type: 'rsa-2048', exponent: 65537 });
    const openSslModulus = openssl([
      'x509',
      '-in',
      (writeFileSync(certPath, rsaDev.certificatePem), certPath),
      '-noout',
      '-modulus',
    ])
      .split('=')[1]!
      .trim()
      .toLowerCase();
    expect(Buffer.from((anchors[1]!.key as { modulus: Uint8Array }).modulus).toString('hex')).toBe(
      openSslModulus,
    );
  });
});
