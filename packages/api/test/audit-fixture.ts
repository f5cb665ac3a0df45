/** What the audit route tests start from: a certificate, a profile, versioned buckets and one signed job. */
import type { SignerStore } from '@fwsign/store';
import { makeCertificate } from './helpers.js';

export const ME = { accountId: '000000000000', principalArn: 'arn:aws:iam::000000000000:root' };

/** Four entries: certificate.import, profile.put, job.start, job.succeed. Returns the job's id. */
export async function logOneJob(store: SignerStore, dir: string): Promise<string> {
  const cert = makeCertificate(dir, 'ec');
  const { certificateArn } = store.importCertificate(ME, {
    certificate: cert.certificate,
    privateKey: cert.privateKey,
  });
  store.putSigningProfile(ME, {
    profileName: 'fw',
    platformId: 'AmazonFreeRTOS-Default',
    signingMaterial: { certificateArn },
  });
  for (const b of ['src', 'dst']) {
    store.buckets.createBucket(ME.accountId, b);
    store.buckets.putBucketVersioning(ME.accountId, b, 'Enabled');
  }
  const v = store.buckets.putObject(ME.accountId, 'src', 'fw.bin', new Uint8Array(256)).versionId;
  const { jobId } = await store.startSigningJob(ME, {
    source: { s3: { bucketName: 'src', key: 'fw.bin', version: v } },
    destination: { s3: { bucketName: 'dst' } },
    profileName: 'fw',
    clientRequestToken: 'one',
  });
  return jobId;
}
