/** A store whose transparency log holds real changes: a certificate, a profile, jobs, a revocation. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignerStore } from '@fwsign/store';
import { devKeys } from './helpers.js';

export const AUDIT_ID = {
  accountId: '000000000000',
  principalArn: 'arn:aws:iam::000000000000:user/release',
};

/** The data dir (its master.key) and, with `database` (postgres://…), the store kept there. */
export async function auditDataDir(
  dir: string,
  jobs = 3,
  database?: string,
): Promise<{ dataDir: string; jobIds: string[]; checkpoint: string }> {
  const made = await devKeys(dir);
  if (made.code !== 0) throw new Error(made.stderr);
  const dataDir = join(dir, 'data');
  const store = SignerStore.open({
    dataDir,
    auditOrigin: 'fwsign.test/audit',
    ...(database !== undefined ? { database } : {}),
  });
  try {
    const { certificateArn } = store.importCertificate(AUDIT_ID, {
      certificate: readFileSync(join(dir, 'c.pem'), 'utf8'),
      privateKey: readFileSync(join(dir, 'k.pem'), 'utf8'),
    });
    store.putSigningProfile(AUDIT_ID, {
      profileName: 'fw',
      platformId: 'AmazonFreeRTOS-Default',
      signingMaterial: { certificateArn },
    });
    for (const b of ['src', 'dst']) {
      store.buckets.createBucket(AUDIT_ID.accountId, b);
      store.buckets.putBucketVersioning(AUDIT_ID.accountId, b, 'Enabled');
    }
    const jobIds: string[] = [];
    for (let i = 0; i < jobs; i++) {
      // Each job signs its own image: signatures are deterministic, the same image gives the same one.
      const v = store.buckets.putObject(
        AUDIT_ID.accountId,
        'src',
        'fw.bin',
        new Uint8Array(512).fill(10 + i),
      ).versionId;
      const { jobId } = await store.startSigningJob(AUDIT_ID, {
        source: { s3: { bucketName: 'src', key: 'fw.bin', version: v } },
        destination: { s3: { bucketName: 'dst', prefix: 'signed/' } },
        profileName: 'fw',
        clientRequestToken: `job-${i}`,
      });
      jobIds.push(jobId);
    }
    store.revokeSignature(AUDIT_ID, { jobId: jobIds[0]!, reason: 'test' });
    return { dataDir, jobIds, checkpoint: store.audit.checkpoint().note };
  } finally {
    store.close();
  }
}
