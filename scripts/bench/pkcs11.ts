/**
 * StartSigningJob through a PKCS#11 token (SoftHSM2, ECDSA P-256) against the same job with the
 * key sealed in the store and held in memory, in the same run and the same store: the ratio
 * token/memory is what keeping the key in a token costs. Goal: at least 0.5.
 *
 *   pnpm exec tsx scripts/bench/pkcs11.ts [N=2000] [inFlight=16]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createDevelopmentCertificate,
  generateTokenKeyPair,
  selfSignedCodeSigningCertificate,
  tokenSigner,
} from '@fwsign/signing-engine';
import { SignerStore } from '@fwsign/store';
import { createSoftHsm, softhsmMissing } from '../../packages/signing-engine/test/softhsm.js';

const N = Number(process.argv[2] ?? 2000);
const IN_FLIGHT = Number(process.argv[3] ?? 16);
const ROUNDS = 6;
if (!Number.isInteger(N) || N < ROUNDS || !Number.isInteger(IN_FLIGHT) || IN_FLIGHT < 1)
  throw new RangeError(
    `usage: pkcs11.ts [N >= ${ROUNDS}] [inFlight >= 1], got ${process.argv.slice(2).join(' ')}`,
  );
if (softhsmMissing) {
  console.error(`pkcs11 bench: ${softhsmMissing}`);
  process.exit(1);
}

const ALICE = { accountId: '111111111111', principalArn: 'arn:aws:iam::111111111111:user/bench' };
const payload = new Uint8Array(64 * 1024).map((_, i) => (i * 131 + 17) & 0xff);
const hsm = createSoftHsm(['bench']);
process.env.FWSIGN_PKCS11_MODULE = hsm.module;
process.env.FWSIGN_PKCS11_PIN = hsm.pin;
const dir = mkdtempSync(join(tmpdir(), 'fwsign-bench-pkcs11-'));
const enc = new TextEncoder();

try {
  const store = SignerStore.open({ dataDir: dir, masterKey: new Uint8Array(32).fill(1) });
  const memory = await createDevelopmentCertificate({
    algorithm: 'ecdsa-p256',
    subject: 'CN=memory',
  });
  const memoryArn = store.importCertificate(ALICE, {
    certificate: enc.encode(memory.certificatePem),
    privateKey: enc.encode(memory.privateKeyPem),
  }).certificateArn;
  const made = await generateTokenKeyPair('pkcs11:token=bench;object=release', 'ecdsa-p256');
  const certSigner = tokenSigner(made.uri, 'ec-p256', { maxSessions: 1 });
  const tokenCert = await selfSignedCodeSigningCertificate({
    subject: 'CN=token',
    spkiDer: made.spkiDer,
    signer: certSigner,
  });
  certSigner.key.close();
  const tokenArn = (
    await store.importCertificate(ALICE, {
      certificate: enc.encode(tokenCert),
      pkcs11Uri: made.uri,
    })
  ).certificateArn;
  for (const [name, arn] of [
    ['memory', memoryArn],
    ['token', tokenArn],
  ] as const)
    store.putSigningProfile(ALICE, {
      profileName: name,
      platformId: 'AmazonFreeRTOS-Default',
      signingMaterial: { certificateArn: arn },
    });
  for (const b of ['src', 'dst']) {
    store.buckets.createBucket(ALICE.accountId, `${b}-bucket`);
    store.buckets.putBucketVersioning(ALICE.accountId, `${b}-bucket`, 'Enabled');
  }
  const { versionId } = store.buckets.putObject(ALICE.accountId, 'src-bucket', 'fw.bin', payload);
  let seq = 0;
  const job = async (profileName: string): Promise<void> => {
    await store.startSigningJob(ALICE, {
      source: { s3: { bucketName: 'src-bucket', key: 'fw.bin', version: versionId } },
      destination: { s3: { bucketName: 'dst-bucket', prefix: 'signed/' } },
      profileName,
      clientRequestToken: `t-${seq++}`,
    });
  };
  /** `count` jobs, IN_FLIGHT at a time; the elapsed ms. */
  const run = async (profileName: string, count: number): Promise<number> => {
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next++ < count) await job(profileName);
      }),
    );
    return performance.now() - t0;
  };
  await run('memory', 100);
  await run('token', 100);
  // Interleaved rounds: a change of load on the shared machine hits both sides alike.
  const per = Math.floor(N / ROUNDS);
  let memoryMs = 0;
  let tokenMs = 0;
  for (let r = 0; r < ROUNDS; r++) {
    memoryMs += await run('memory', per);
    tokenMs += await run('token', per);
  }
  const total = per * ROUNDS;
  const memoryRate = (total / memoryMs) * 1000;
  const tokenRate = (total / tokenMs) * 1000;
  const failed = store.listSigningJobs(ALICE, { status: 'Failed' }).jobs.length;
  console.log(
    `StartSigningJob, 64 KiB, ECDSA P-256, ${total} jobs per side, ${IN_FLIGHT} in flight`,
  );
  console.log(`  key in memory (sealed in the store): ${memoryRate.toFixed(0)} jobs/s`);
  console.log(`  key in SoftHSM2 through PKCS#11:     ${tokenRate.toFixed(0)} jobs/s`);
  console.log(`  ratio token/memory: ${(tokenRate / memoryRate).toFixed(2)} (goal >= 0.5)`);
  if (failed > 0) console.log(`  WARNING: ${failed} jobs failed`);
  store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
  hsm.cleanup();
}
