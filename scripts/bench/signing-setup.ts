import { createDevelopmentCertificate } from '@fwsign/signing-engine';
import { SignerStore } from '@fwsign/store';

export const BENCH_ACCOUNT = '000000000000';
const ME = { accountId: BENCH_ACCOUNT, principalArn: `arn:aws:iam::${BENCH_ACCOUNT}:root` };

/**
 * What the StartSigningJob benches sign with, made in `dir` by the store in process: a P-256
 * development certificate, the FreeRTOS profile `bench` (with `tags`), versioned `src-bucket`
 * and `dst-bucket`, and a 64 KiB `fw.bin` source object, whose version id it returns.
 */
export async function setUpSigning(
  dir: string,
  tags?: Record<string, string>,
): Promise<{ versionId: string }> {
  const store = SignerStore.open({ dataDir: dir });
  try {
    const { privateKeyPem, certificatePem } = await createDevelopmentCertificate({
      algorithm: 'ecdsa-p256',
      subject: 'CN=fwsign bench',
    });
    const { certificateArn } = store.importCertificate(ME, {
      certificate: certificatePem,
      privateKey: privateKeyPem,
    });
    store.putSigningProfile(ME, {
      profileName: 'bench',
      platformId: 'AmazonFreeRTOS-Default',
      signingMaterial: { certificateArn },
      ...(tags ? { tags } : {}),
    });
    for (const b of ['src-bucket', 'dst-bucket']) {
      store.buckets.createBucket(ME.accountId, b);
      store.buckets.putBucketVersioning(ME.accountId, b, 'Enabled');
    }
    const payload = new Uint8Array(64 * 1024).map((_, i) => (i * 131 + 17) & 0xff);
    return store.buckets.putObject(ME.accountId, 'src-bucket', 'fw.bin', payload);
  } finally {
    store.close();
  }
}
