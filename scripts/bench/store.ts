/**
 * StartSigningJob throughput with durable settings (WAL, synchronous=FULL, every
 * signed object fsynced before its job is acknowledged), as a ratio to bare engine
 * signatures of the same 64 KiB payload measured in the same run.
 *
 *   pnpm exec tsx scripts/bench/store.ts [N=10000] [inFlight=32]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createDevelopmentCertificate,
  resolveEffectiveConfiguration,
  signPayload,
  signerFromPrivateKey,
} from '@fwsign/signing-engine';
import { SignerStore } from '@fwsign/store';
import { procCpuUs } from './proc-cpu.js';

const N = Number(process.argv[2] ?? 10_000);
const IN_FLIGHT = Number(process.argv[3] ?? 32);
const ROUNDS = 10;
if (!Number.isInteger(N) || N < 1 || !Number.isInteger(IN_FLIGHT) || IN_FLIGHT < 1) {
  throw new RangeError(
    `usage: store.ts [N >= 1] [inFlight >= 1], got ${process.argv.slice(2).join(' ')}`,
  );
}

const ALICE = { accountId: '111111111111', principalArn: 'arn:aws:iam::111111111111:user/bench' };
const payload = new Uint8Array(64 * 1024).map((_, i) => (i * 131 + 17) & 0xff);
/** CPU time of this process's main thread alone, in µs. */
const mainThreadCpuUs = (): number => {
  const c = procCpuUs(process.pid, true);
  return c.user + c.system;
};
const cpuSince = (c0: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(c0);
  return d.user + d.system;
};
const dir = mkdtempSync(join(tmpdir(), 'fwsign-bench-store-'));

try {
  const { privateKeyPem, certificatePem } = await createDevelopmentCertificate({
    algorithm: 'ecdsa-p256',
    subject: 'CN=fwsign bench',
  });

  const config = resolveEffectiveConfiguration('AmazonFreeRTOS-Default');
  const signer = signerFromPrivateKey(privateKeyPem);
  const store = SignerStore.open({ dataDir: dir, masterKey: new Uint8Array(32).fill(1) });
  const enc = new TextEncoder();
  const { certificateArn } = store.importCertificate(ALICE, {
    certificate: enc.encode(certificatePem),
    privateKey: enc.encode(privateKeyPem),
  });
  store.putSigningProfile(ALICE, {
    profileName: 'bench',
    platformId: 'AmazonFreeRTOS-Default',
    signingMaterial: { certificateArn },
  });
  for (const b of ['src', 'dst']) {
    store.buckets.createBucket(ALICE.accountId, `${b}-bucket`);
    store.buckets.putBucketVersioning(ALICE.accountId, `${b}-bucket`, 'Enabled');
  }
  const { versionId } = store.buckets.putObject(ALICE.accountId, 'src-bucket', 'fw.bin', payload);
  const job = (token: string) =>
    store.startSigningJob(ALICE, {
      source: { s3: { bucketName: 'src-bucket', key: 'fw.bin', version: versionId } },
      destination: { s3: { bucketName: 'dst-bucket', prefix: 'signed/' } },
      profileName: 'bench',
      clientRequestToken: token,
    });
  for (let i = 0; i < 50; i++) {
    await signPayload({ config, signer, payload });
    await job(`warm-${i}`);
  }

  // The machine is shared, so the two measurements are interleaved in rounds:
  // a change of load hits both sides of the ratio alike.
  let engineNs = 0n;
  let storeNs = 0n;
  // CPU time of the whole process (event loop, worker threads, thread pool, kernel): on a shared
  // machine wall-clock rates swing with other load, CPU per job much less.
  let engineCpuUs = 0;
  let storeCpuUs = 0;
  let storeMainCpuUs = 0;
  let storeSysUs = 0;
  let issued = 0;
  let eluSum = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const n = Math.floor((N * (r + 1)) / ROUNDS) - Math.floor((N * r) / ROUNDS);
    let t0 = process.hrtime.bigint();
    let c0 = process.cpuUsage();
    // Ceiling: the engine alone, same payload, same key, one signature after another.
    for (let i = 0; i < n; i++) await signPayload({ config, signer, payload });
    engineNs += process.hrtime.bigint() - t0;
    engineCpuUs += cpuSince(c0);
    t0 = process.hrtime.bigint();
    c0 = process.cpuUsage();
    const m0 = mainThreadCpuUs();
    const elu0 = performance.eventLoopUtilization();
    let left = n;
    const worker = async (): Promise<void> => {
      while (left > 0) {
        left--;
        await job(`job-${issued++}`);
      }
    };
    await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, n) }, worker));
    storeNs += process.hrtime.bigint() - t0;
    storeCpuUs += cpuSince(c0);
    storeSysUs += process.cpuUsage(c0).system;
    storeMainCpuUs += mainThreadCpuUs() - m0;
    eluSum += performance.eventLoopUtilization(elu0).utilization;
  }
  const engineSec = Number(engineNs) / 1e9;
  const storeSec = Number(storeNs) / 1e9;

  const succeeded =
    store.listSigningJobs(ALICE, { status: 'Failed', maxResults: 1 }).jobs.length === 0 &&
    issued === N;
  store.close();

  const engineRate = N / engineSec;
  const storeRate = N / storeSec;
  console.log(
    `payload 64 KiB, N=${N}, ${IN_FLIGHT} jobs in flight, WAL + synchronous=FULL, objects fsynced (one segment per commit batch) before acknowledgement`,
  );
  console.log(
    `engine signPayload (ceiling): ${engineRate.toFixed(0)} signatures/s (${engineSec.toFixed(2)} s)`,
  );
  console.log(
    `store StartSigningJob:       ${storeRate.toFixed(0)} jobs/s (${storeSec.toFixed(2)} s)${succeeded ? '' : ' — SOME JOBS FAILED'}`,
  );
  // Near 1 means the store is CPU-bound on the event loop; lower means it waited on the disk.
  console.log(`event loop busy during store rounds: ${((eluSum / ROUNDS) * 100).toFixed(0)}%`);
  console.log(
    `CPU per signature/job (all threads): engine ${(engineCpuUs / N).toFixed(0)} us, store ${(storeCpuUs / N).toFixed(0)} us (CPU ratio ${(engineCpuUs / storeCpuUs).toFixed(2)})`,
  );
  console.log(
    `store CPU per job on the main thread: ${(storeMainCpuUs / N).toFixed(0)} us; on other threads: ${((storeCpuUs - storeMainCpuUs) / N).toFixed(0)} us; in the kernel: ${(storeSysUs / N).toFixed(0)} us`,
  );
  console.log(`ratio store/engine: ${(storeRate / engineRate).toFixed(2)} (goal >= 0.5)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
