/**
 * `fwsign ca export` and `fwsign verify --envelope | --lambda`: a Notation envelope from
 * `fwsign sign-payload` and a Lambda ZIP from `fwsign start-signing-job` verify against the
 * exported root; a flipped byte, another root or a revocation (through --endpoint-url) fail them.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateHashes, pemBlocks, verifyLambdaPackage } from '@fwsign/signing-engine';
import { startFixture, type Fixture } from '../aws-fixture.js';
import { fwsign } from '../helpers.js';

let f: Fixture;
beforeAll(async () => (f = await startFixture()), 60_000);
afterAll(async () => f?.close());

const NOTARY = 'application/vnd.cncf.notary.payload.v1+json';

describe('fwsign ca export and verify of Signer-managed signatures', { timeout: 60_000 }, () => {
  it('exports the account root that OpenSSL reads as a self-signed P-384 CA', async () => {
    const out = await fwsign(f.dir, 'ca', 'export', '--data-dir', 'data', '--out', 'root.pem');
    expect(out.code).toBe(0);
    const text = execFileSync(
      'openssl',
      ['x509', '-noout', '-text', '-in', join(f.dir, 'root.pem')],
      {
        encoding: 'utf8',
      },
    );
    expect(text).toContain('CA:TRUE');
    expect(text).toContain('NIST CURVE: P-384');
    const again = await fwsign(f.dir, 'ca', 'export', '--data-dir', 'data');
    expect(again.stdout).toBe(readFileSync(join(f.dir, 'root.pem'), 'utf8'));
    const bad = await fwsign(f.dir, 'ca', 'export', '--data-dir', 'data', '--account', '12');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--account expected 12 digits, got "12"');
  });

  it('verifies a SignPayload envelope; tampering or revocation fails it', async () => {
    await f.json(
      'put-signing-profile',
      '--profile-name',
      'oci',
      '--platform-id',
      'Notation-OCI-SHA384-ECDSA',
    );
    writeFileSync(
      join(f.dir, 'payload.json'),
      JSON.stringify({
        targetArtifact: {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: 'sha256:00',
          size: 1,
        },
      }),
    );
    const r = await f.json(
      'sign-payload',
      '--profile-name',
      'oci',
      '--payload',
      'fileb://payload.json',
      '--payload-format',
      NOTARY,
    );
    writeFileSync(join(f.dir, 'sig.json'), Buffer.from(r.signature as string, 'base64'));
    const ok = await f.run(
      'verify',
      '--envelope',
      'sig.json',
      '--root',
      'root.pem',
      '--endpoint-url',
      f.url,
    );
    expect(ok.stdout).toMatch(
      /^valid: signed \S+, expires \S+, arn:aws:signer:us-east-1:000000000000:\/signing-profiles\/oci\/\w{10}, arn:aws:signer:us-east-1:000000000000:\/signing-jobs\//,
    );
    expect(ok.code).toBe(0);
    const env = JSON.parse(readFileSync(join(f.dir, 'sig.json'), 'utf8'));
    env.payload = Buffer.from('{"targetArtifact":{}}').toString('base64url');
    writeFileSync(join(f.dir, 'bad.json'), JSON.stringify(env));
    const bad = await f.run('verify', '--envelope', 'bad.json', '--root', 'root.pem');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^invalid: signature-mismatch/);
    await f.json('revoke-signature', '--job-id', r.jobId, '--reason', 'leaked');
    const revoked = await f.run(
      'verify',
      '--envelope',
      'sig.json',
      '--root',
      'root.pem',
      '--endpoint-url',
      f.url,
    );
    expect(revoked.code).toBe(1);
    expect(revoked.stdout).toMatch(
      /^invalid: revoked: arn:aws:signer:us-east-1:000000000000:\/signing-jobs\//,
    );
  });

  it('verifies a signed Lambda ZIP; a flipped entry byte, a foreign root or a revocation fails it', async () => {
    await f.json(
      'put-signing-profile',
      '--profile-name',
      'fn',
      '--platform-id',
      'AWSLambda-SHA384-ECDSA',
      '--signature-validity-period',
      'value=30,type=DAYS',
    );
    writeFileSync(join(f.dir, 'index.js'), 'exports.handler = async () => 42;\n');
    execFileSync('zip', ['-q', 'fn.zip', 'index.js'], { cwd: f.dir });
    const version = f.object(
      'src-bucket',
      'fn.zip',
      new Uint8Array(readFileSync(join(f.dir, 'fn.zip'))),
    );
    f.object('dst-bucket', 'x', new Uint8Array(1));
    const job = await f.json(
      'start-signing-job',
      '--profile-name',
      'fn',
      '--client-request-token',
      'fn-1',
      '--source',
      `s3={bucketName=src-bucket,key=fn.zip,version=${version}}`,
      '--destination',
      's3={bucketName=dst-bucket,prefix=signed/}',
    );
    const signed = f.store.buckets.getObject(
      '000000000000',
      'dst-bucket',
      `signed/${job.jobId}`,
    ).body;
    writeFileSync(join(f.dir, 'fn.signed.zip'), signed);
    const verifyOnline = () =>
      f.run('verify', '--lambda', 'fn.signed.zip', '--root', 'root.pem', '--endpoint-url', f.url);
    const ok = await verifyOnline();
    expect(ok.stdout).toMatch(/^valid: /);
    const flipped = Uint8Array.from(signed);
    flipped[40] = flipped[40]! ^ 0x01;
    writeFileSync(join(f.dir, 'flipped.zip'), flipped);
    const bad = await f.run('verify', '--lambda', 'flipped.zip', '--root', 'root.pem');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^invalid: package-mismatch/);
    await fwsign(
      f.dir,
      'ca',
      'export',
      '--data-dir',
      'data',
      '--account',
      '111111111111',
      '--out',
      'other.pem',
    );
    const foreign = await f.run('verify', '--lambda', 'fn.signed.zip', '--root', 'other.pem');
    expect(foreign.stdout, foreign.stderr).toMatch(/^invalid: untrusted-chain/);
    await f.json('revoke-signature', '--job-id', job.jobId, '--reason', 'bad build');
    const revoked = await verifyOnline();
    expect(revoked.code).toBe(1);
    expect(revoked.stdout).toContain(
      `invalid: revoked: arn:aws:signer:us-east-1:000000000000:/signing-jobs/${job.jobId}`,
    );
    // Revoking the profile version revokes its certificate: the verifier sends the whole chain's
    // hashes, and the server names the leaf's.
    const fn = await f.json('get-signing-profile', '--profile-name', 'fn');
    await f.json(
      'revoke-signing-profile',
      '--profile-name',
      'fn',
      '--profile-version',
      fn.profileVersion as string,
      '--reason',
      'key compromise',
      '--effective-time',
      new Date(Date.now() - 3600_000).toISOString(),
    );
    const chain = verifyLambdaPackage({
      pkg: signed,
      trustedRoots: pemBlocks(readFileSync(join(f.dir, 'root.pem'), 'utf8')),
    }).chainDer!;
    const byProfile = await verifyOnline();
    expect(byProfile.stdout).toContain(
      `invalid: revoked: ${fn.profileVersionArn as string}, ${certificateHashes(chain)[0]}, arn:aws:signer:us-east-1:000000000000:/signing-jobs/${job.jobId}`,
    );
    const usage = await f.run(
      'verify',
      '--lambda',
      'fn.signed.zip',
      '--envelope',
      'sig.json',
      '--root',
      'root.pem',
    );
    expect(usage.code).toBe(2);
  });
});
