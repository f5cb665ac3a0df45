import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SignerStore } from '@fwsign/store';
import { afterAll, describe, expect, it } from 'vitest';
import { fwsign, tempDir } from '../helpers.js';

const tmp = tempDir();
afterAll(tmp.cleanup);

describe('fwsign master-key rotate', () => {
  it('re-seals the data dir under a new 0600 master.key without printing it; the keys still open', async () => {
    const dataDir = join(tmp.dir, 'data');
    const made = await fwsign(
      tmp.dir,
      'keys',
      'create',
      '--algorithm',
      'ecdsa-p256',
      '--subject',
      'CN=rotate',
      '--key-out',
      'k.pem',
      '--cert-out',
      'c.pem',
    );
    expect(made.code, made.stderr).toBe(0);
    const id = { accountId: '000000000000', principalArn: 'arn:aws:iam::000000000000:root' };
    const store = SignerStore.open({ dataDir });
    const { certificateArn } = store.importCertificate(id, {
      certificate: readFileSync(join(tmp.dir, 'c.pem'), 'utf8'),
      privateKey: readFileSync(join(tmp.dir, 'k.pem'), 'utf8'),
    });
    store.close();
    const before = readFileSync(join(dataDir, 'master.key'), 'utf8');

    const r = await fwsign(tmp.dir, 'master-key', 'rotate', '--data-dir', 'data');
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toContain(
      `re-sealed 1 private key under a new master key, written to ${join(dataDir, 'master.key')}`,
    );
    const after = readFileSync(join(dataDir, 'master.key'), 'utf8');
    expect(after).not.toBe(before);
    expect(r.stdout).not.toContain(after.trim());
    expect(statSync(join(dataDir, 'master.key')).mode & 0o777).toBe(0o600);

    const reopened = SignerStore.open({ dataDir });
    try {
      reopened.putSigningProfile(id, {
        profileName: 'rotated',
        platformId: 'AmazonFreeRTOS-Default',
        signingMaterial: { certificateArn },
      });
      for (const b of ['src', 'dst']) {
        reopened.buckets.createBucket(id.accountId, `${b}-bucket`);
        reopened.buckets.putBucketVersioning(id.accountId, `${b}-bucket`, 'Enabled');
      }
      const v = reopened.buckets.putObject(
        id.accountId,
        'src-bucket',
        'fw.bin',
        new Uint8Array(64),
      );
      // Signing unseals the private key under the new master key.
      const { jobId } = await reopened.startSigningJob(id, {
        source: { s3: { bucketName: 'src-bucket', key: 'fw.bin', version: v.versionId } },
        destination: { s3: { bucketName: 'dst-bucket' } },
        profileName: 'rotated',
        clientRequestToken: 'after-rotate',
      });
      expect(reopened.describeSigningJob(id, { jobId }).status).toBe('Succeeded');
    } finally {
      reopened.close();
    }

    const missing = await fwsign(tmp.dir, 'master-key', 'rotate', '--data-dir', 'nowhere');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('no data dir to rotate the key of');
  });
});
