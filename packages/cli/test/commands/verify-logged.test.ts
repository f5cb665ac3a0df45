import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NOTARY_PAYLOAD_TYPE, pem } from '@fwsign/signing-engine';
import { SignerStore } from '@fwsign/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_ID, auditDataDir } from '../audit-fixture.js';
import { fwsign, tempDir } from '../helpers.js';

const tmp = tempDir();
afterAll(tmp.cleanup);
let jobIds: string[];

beforeAll(async () => {
  let checkpoint: string;
  let dataDir: string;
  ({ jobIds, checkpoint, dataDir } = await auditDataDir(tmp.dir, 2));
  writeFileSync(join(tmp.dir, 'cp.txt'), checkpoint);
  const store = SignerStore.open({ dataDir });
  try {
    for (const [i, id] of jobIds.entries())
      writeFileSync(
        join(tmp.dir, `job${i}.signed.json`),
        store.buckets.getObject(AUDIT_ID.accountId, 'dst', `signed/${id}`).body,
      );
  } finally {
    store.close();
  }
  // Not an image a job signed (signatures are deterministic: the same image would match).
  writeFileSync(join(tmp.dir, 'fw.bin'), new Uint8Array(512).fill(1));
});

const verifyLogged = (signed: string, ...more: string[]) =>
  fwsign(
    tmp.dir,
    'verify',
    '--cert',
    'c.pem',
    '--in',
    signed,
    '--require-logged',
    '--checkpoint',
    'cp.txt',
    '--log',
    'data',
    ...more,
  );

describe('fwsign verify --require-logged', () => {
  it('accepts a signature a logged job made', async () => {
    const r = await verifyLogged('job1.signed.json');
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toContain(
      `  logged: arn:aws:signer:us-east-1:000000000000:/signing-jobs/${jobIds[1]}, entry 5\n`,
    );
  });

  it('refuses an image signed with the same key outside the service, though its signature is valid', async () => {
    const signed = await fwsign(
      tmp.dir,
      'sign',
      '--platform-id',
      'AmazonFreeRTOS-Default',
      '--key',
      'k.pem',
      '--cert',
      'c.pem',
      '--in',
      'fw.bin',
      '--out',
      'stolen.signed.json',
    );
    expect(signed.code, signed.stderr).toBe(0);
    expect(
      (await fwsign(tmp.dir, 'verify', '--cert', 'c.pem', '--in', 'stolen.signed.json')).code,
    ).toBe(0);
    const r = await verifyLogged('stolen.signed.json');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      "invalid: not provably in the transparency log: no signing job in the log's first 7 entries made this signature (signed outside the service?)",
    );
  });

  it('refuses a revoked signature, and any signature when the log does not match the checkpoint', async () => {
    const revoked = await verifyLogged('job0.signed.json');
    expect(revoked.code).toBe(1);
    expect(revoked.stdout).toContain(`was revoked (entry 6: "test")`);
    writeFileSync(
      join(tmp.dir, 'bad-cp.txt'),
      'fwsign.test/audit\n7\nAAAA\n\n— fwsign.test/audit AAAAAAAA\n',
    );
    const bad = await fwsign(
      tmp.dir,
      'verify',
      '--cert',
      'c.pem',
      '--in',
      'job1.signed.json',
      '--require-logged',
      '--checkpoint',
      'bad-cp.txt',
      '--log',
      'data',
    );
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(
      'invalid: not provably in the transparency log: checkpoint bad-cp.txt:',
    );
  });
});

describe('fwsign verify --envelope | --lambda --require-logged', () => {
  const payload = new TextEncoder().encode(
    JSON.stringify({
      targetArtifact: {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: 'sha256:00',
        size: 1,
      },
    }),
  );
  beforeAll(async () => {
    const store = SignerStore.open({ dataDir: join(tmp.dir, 'managed') });
    try {
      store.putSigningProfile(AUDIT_ID, {
        profileName: 'oci',
        platformId: 'Notation-OCI-SHA384-ECDSA',
      });
      store.putSigningProfile(AUDIT_ID, {
        profileName: 'fn',
        platformId: 'AWSLambda-SHA384-ECDSA',
      });
      writeFileSync(join(tmp.dir, 'root.pem'), pem('CERTIFICATE', store.rootCertificate(AUDIT_ID)));
      const sign = async (file: string) =>
        writeFileSync(
          join(tmp.dir, file),
          (
            await store.signPayload(AUDIT_ID, {
              profileName: 'oci',
              payload,
              payloadFormat: NOTARY_PAYLOAD_TYPE,
            })
          ).signature,
        );
      await sign('logged.jws.json');
      for (const b of ['src', 'dst']) {
        store.buckets.createBucket(AUDIT_ID.accountId, b);
        store.buckets.putBucketVersioning(AUDIT_ID.accountId, b, 'Enabled');
      }
      writeFileSync(join(tmp.dir, 'index.py'), 'def handler(e, c):\n    return 1\n');
      execFileSync('zip', ['-q', 'fn.zip', 'index.py'], { cwd: tmp.dir });
      const v = store.buckets.putObject(
        AUDIT_ID.accountId,
        'src',
        'fn.zip',
        readFileSync(join(tmp.dir, 'fn.zip')),
      ).versionId;
      const { jobId } = await store.startSigningJob(AUDIT_ID, {
        source: { s3: { bucketName: 'src', key: 'fn.zip', version: v } },
        destination: { s3: { bucketName: 'dst', prefix: 'signed/' } },
        profileName: 'fn',
        clientRequestToken: 'fn',
      });
      writeFileSync(
        join(tmp.dir, 'fn.signed.zip'),
        store.buckets.getObject(AUDIT_ID.accountId, 'dst', `signed/${jobId}`).body,
      );
      writeFileSync(join(tmp.dir, 'managed-cp.txt'), store.audit.checkpoint().note);
      // Made after the checkpoint: not provably in the log until a later one covers it.
      await sign('later.jws.json');
    } finally {
      store.close();
    }
  });
  const verifyLogged = (flag: string, file: string) =>
    fwsign(tmp.dir, 'verify', flag, file, '--root', 'root.pem', '--require-logged', '--checkpoint', 'managed-cp.txt', '--log', 'managed'); // prettier-ignore

  it('accepts a SignPayload envelope and a Lambda package the log holds; refuses one the checkpoint does not cover', async () => {
    const envelope = await verifyLogged('--envelope', 'logged.jws.json');
    expect([envelope.code, envelope.stderr]).toEqual([0, '']);
    expect(envelope.stdout).toMatch(
      /\n {2}logged: arn:aws:signer:us-east-1:000000000000:\/signing-jobs\/[0-9a-f-]{36}, entry \d+\n$/,
    );
    const lambda = await verifyLogged('--lambda', 'fn.signed.zip');
    expect([lambda.code, lambda.stderr]).toEqual([0, '']);
    expect(lambda.stdout).toContain('  logged: ');
    const later = await verifyLogged('--envelope', 'later.jws.json');
    expect(later.code).toBe(1);
    expect(later.stdout).toMatch(
      /^invalid: not provably in the transparency log: no signing job in the log's first \d+ entries made this signature/,
    );
  });
});
