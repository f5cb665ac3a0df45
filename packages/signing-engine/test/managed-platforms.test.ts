import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as jose from 'jose';
import {
  NOTARY_PAYLOAD_TYPE,
  certificateHashes,
  inspectZip,
  issueCertificate,
  newP384Key,
  pem,
  signJwsEnvelope,
  signLambdaPackage,
  verifyJwsEnvelope,
  verifyLambdaPackage,
} from '../src/index.js';

const YEAR = 365 * 86_400_000;
const t0 = new Date('2026-01-01T00:00:00Z');
let dir: string;
const rootKey = newP384Key();
const interKey = newP384Key();
const leafKey = newP384Key();
let root: Uint8Array;
let inter: Uint8Array;
let leaf: Uint8Array;
let chain: Uint8Array[];
const attributes = {
  signingTime: new Date('2026-06-01T12:00:00.123Z'),
  expiry: new Date('2027-06-01T12:00:00Z'),
  profileVersionArn: 'arn:aws:signer:us-east-1:000000000000:/signing-profiles/p1/ABCDEFGHIJ',
  jobArn: 'arn:aws:signer:us-east-1:000000000000:/signing-jobs/0190-job',
};
const pemOf = (der: Uint8Array) => pem('CERTIFICATE', der);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fwsign-managed-'));
  const span = { notBefore: t0, notAfter: new Date(t0.getTime() + 20 * YEAR) };
  root = issueCertificate({
    subject: 'CN=fwsign root',
    subjectKey: rootKey,
    role: 'root',
    ...span,
  });
  inter = issueCertificate({
    subject: 'CN=fwsign intermediate',
    subjectKey: interKey,
    role: 'intermediate',
    issuer: { certificateDer: root, privateKey: rootKey },
    ...span,
  });
  leaf = issueCertificate({
    subject: 'CN=p1 ABCDEFGHIJ',
    subjectKey: leafKey,
    role: 'code-signing',
    issuer: { certificateDer: inter, privateKey: interKey },
    notBefore: t0,
    notAfter: new Date(t0.getTime() + 12 * YEAR),
  });
  chain = [leaf, inter, root];
  writeFileSync(join(dir, 'root.pem'), pemOf(root));
  writeFileSync(join(dir, 'inter.pem'), pemOf(inter));
  writeFileSync(join(dir, 'leaf.pem'), pemOf(leaf));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Signer-managed certificates', () => {
  it('form a chain OpenSSL verifies against the root alone (P-384, SHA-384, codeSigning leaf)', () => {
    const out = execFileSync(
      'openssl',
      [
        'verify',
        '-attime',
        String((attributes.signingTime.getTime() / 1000) | 0),
        '-CAfile',
        join(dir, 'root.pem'),
        '-untrusted',
        join(dir, 'inter.pem'),
        join(dir, 'leaf.pem'),
      ],
      { encoding: 'utf8' },
    );
    expect(out).toContain('leaf.pem: OK');
    const text = execFileSync(
      'openssl',
      ['x509', '-noout', '-text', '-in', join(dir, 'leaf.pem')],
      {
        encoding: 'utf8',
      },
    );
    expect(text).toContain('ecdsa-with-SHA384');
    expect(text).toContain('NIST CURVE: P-384');
    expect(text).toContain('Code Signing');
  });

  it('hash as the GetRevocationStatus reference computes them (SHA-384 of TBS, then the issuer’s)', () => {
    const tbsHash = (name: string) => {
      const tbs = join(dir, `${name}.tbs`);
      execFileSync('openssl', [
        'asn1parse',
        '-in',
        join(dir, `${name}.pem`),
        '-strparse',
        '4',
        '-out',
        tbs,
        '-noout',
      ]);
      return execFileSync('openssl', ['dgst', '-sha384', '-r', tbs], { encoding: 'utf8' }).slice(
        0,
        96,
      );
    };
    const [l, i, r] = [tbsHash('leaf'), tbsHash('inter'), tbsHash('root')];
    expect(certificateHashes(chain)).toEqual([l + i, i + r, r + r]);
  });
});

describe('the Notary JWS envelope', () => {
  const payload = new TextEncoder().encode(
    JSON.stringify({
      targetArtifact: {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: 'sha256:73c803930ea3ba1e54bc25c2bdc53edd0284c62ed651fe7b00369da519a3c333',
        size: 16724,
      },
    }),
  );
  const sign = () =>
    signJwsEnvelope({
      payload,
      attributes: { ...attributes, contentType: NOTARY_PAYLOAD_TYPE },
      privateKey: leafKey,
      chainDer: chain,
    });
  const verify = (envelope: string) =>
    verifyJwsEnvelope({
      envelope,
      contentType: NOTARY_PAYLOAD_TYPE,
      trustedRoots: [root],
      now: new Date('2026-07-01T00:00:00Z'),
    });

  it('verifies with jose (an independent JWS implementation) and carries the Notary headers', async () => {
    const env = JSON.parse(await sign()) as jose.FlattenedJWS & { header: { x5c: string[] } };
    const leafPem = pemOf(Buffer.from(env.header.x5c[0]!, 'base64'));
    const key = await jose.importX509(leafPem, 'ES384');
    const out = await jose.flattenedVerify(env, key, {
      algorithms: ['ES384'],
      crit: Object.fromEntries(
        [
          'io.cncf.notary.signingScheme',
          'io.cncf.notary.authenticSigningTime',
          'io.cncf.notary.expiry',
          'com.amazonaws.signer.signingProfileVersion',
          'com.amazonaws.signer.signingJob',
        ].map((c) => [c, true]),
      ),
    });
    expect(Buffer.from(out.payload).equals(Buffer.from(payload))).toBe(true);
    expect(out.protectedHeader).toMatchObject({
      alg: 'ES384',
      cty: 'application/vnd.cncf.notary.payload.v1+json',
      'io.cncf.notary.signingScheme': 'notary.x509.signingAuthority',
      'io.cncf.notary.authenticSigningTime': '2026-06-01T12:00:00Z',
      'io.cncf.notary.expiry': '2027-06-01T12:00:00Z',
      'com.amazonaws.signer.signingProfileVersion': attributes.profileVersionArn,
      'com.amazonaws.signer.signingJob': attributes.jobArn,
    });
    expect(env.header.x5c).toEqual(chain.map((d) => Buffer.from(d).toString('base64')));
    expect(verify(await sign())).toMatchObject({ ok: true, reason: 'valid' });
  });

  it('fails when the payload, the protected header or the chain is tampered with, or after expiry', async () => {
    const env = JSON.parse(await sign()) as Record<string, unknown> & { header: { x5c: string[] } };
    const flip = (s: string, i = 10) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    expect(verify(JSON.stringify({ ...env, payload: flip(env.payload as string) })).reason).toMatch(
      /^signature-mismatch|^malformed-envelope/,
    );
    expect(
      verify(JSON.stringify({ ...env, protected: flip(env.protected as string, 20) })).ok,
    ).toBe(false);
    const x5c = [...env.header.x5c];
    x5c[1] = flip(x5c[1]!, 200);
    expect(verify(JSON.stringify({ ...env, header: { x5c } })).reason).toMatch(/^untrusted-chain/);
    const otherRoot = issueCertificate({
      subject: 'CN=fwsign root',
      subjectKey: newP384Key(),
      role: 'root',
      notBefore: t0,
      notAfter: new Date(t0.getTime() + YEAR * 20),
    });
    expect(
      verifyJwsEnvelope({
        envelope: await sign(),
        contentType: NOTARY_PAYLOAD_TYPE,
        trustedRoots: [otherRoot],
      }).reason,
    ).toMatch(/^untrusted-chain: the chain ends in CN=fwsign root, not a trusted root/);
    expect(
      verifyJwsEnvelope({
        envelope: await sign(),
        contentType: NOTARY_PAYLOAD_TYPE,
        trustedRoots: [root],
        now: new Date('2027-06-02T00:00:00Z'),
      }).reason,
    ).toMatch(/^signature-expired/);
  });
});

describe('signed Lambda packages', () => {
  let zip: Uint8Array;
  beforeAll(() => {
    writeFileSync(join(dir, 'index.py'), 'def handler(e, c):\n    return 42\n'.repeat(50));
    writeFileSync(join(dir, 'lib.txt'), 'x'.repeat(3000));
    execFileSync('zip', ['-q', '-z', 'fn.zip', 'index.py', 'lib.txt'], {
      cwd: dir,
      input: 'old comment\n',
    });
    zip = new Uint8Array(readFileSync(join(dir, 'fn.zip')));
  });
  const signIt = (pkg = zip) =>
    signLambdaPackage({ pkg, attributes, privateKey: leafKey, chainDer: [leaf, inter, root] });
  const verifyIt = (pkg: Uint8Array, now = new Date('2026-07-01T00:00:00Z')) =>
    verifyLambdaPackage({ pkg, trustedRoots: [root], now });

  it('stays a ZIP unzip accepts, with every entry byte where it was, and verifies', async () => {
    const signed = await signIt();
    writeFileSync(join(dir, 'signed.zip'), signed);
    expect(execFileSync('unzip', ['-t', 'signed.zip'], { cwd: dir, encoding: 'utf8' })).toContain(
      'No errors detected',
    );
    const layout = inspectZip(zip);
    expect(
      Buffer.from(signed.subarray(0, layout.eocdOffset + 20)).equals(
        Buffer.from(zip.subarray(0, layout.eocdOffset + 20)),
      ),
    ).toBe(true);
    expect(verifyIt(signed)).toMatchObject({ ok: true, reason: 'valid' });
  });

  it('fails for one flipped byte in an entry, the signature or the chain; expiry is reported', async () => {
    const signed = await signIt();
    const layout = inspectZip(signed);
    const text = Buffer.from(layout.comment).toString('latin1');
    const at = (needle: string) => layout.eocdOffset + 22 + text.indexOf(needle);
    const flipped = (i: number) => {
      const c = new Uint8Array(signed);
      c[i] = c[i] === 0x41 ? 0x42 : 0x41;
      return c;
    };
    expect(verifyIt(flipped(100)).reason).toMatch(/^package-mismatch/);
    expect(verifyIt(flipped(at('"signature":"') + 20)).ok).toBe(false);
    expect(verifyIt(flipped(at('"x5c":["') + 300)).ok).toBe(false);
    expect(verifyIt(signed, new Date('2028-01-01T00:00:00Z')).reason).toMatch(/^signature-expired/);
  });

  it('refuses an empty file, a non-ZIP and an already signed package', async () => {
    await expect(signIt(new Uint8Array())).rejects.toThrow('the file is empty');
    await expect(signIt(new TextEncoder().encode('not a zip at all, just text'))).rejects.toThrow(
      /not a well-formed ZIP file: no End of Central Directory/,
    );
    await expect(signIt(await signIt())).rejects.toThrow('already signed');
  });
});
