/**
 * Server CPU per request for the Signer-managed platforms: SignPayload (Notation, a Notary payload)
 * and StartSigningJob on AWSLambda-SHA384-ECDSA (a 64 KiB ZIP), with a FreeRTOS StartSigningJob of
 * the same size as the baseline measured in the same run. `fwsign serve` runs in a child process;
 * this process sends the requests (SigV4-signed by @fwsign/api's client, 8 in flight) and reads
 * the child's CPU from /proc. Prints ms of server CPU per request and the ratio to the baseline.
 *
 *   pnpm exec tsx scripts/bench/platforms.ts [requests=400]
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callSigner } from '@fwsign/api';
import { createDevelopmentCertificate } from '@fwsign/signing-engine';
import { SignerStore } from '@fwsign/store';
import { procCpuUs } from './proc-cpu.js';
import { startServe } from './serve-child.js';

const N = Number(process.argv[2] ?? 400);
if (!Number.isInteger(N) || N < 10) throw new RangeError(`usage: platforms.ts [requests >= 10]`);
const IN_FLIGHT = 8;
const ME = { accountId: '000000000000', principalArn: 'arn:aws:iam::000000000000:root' };
const dir = mkdtempSync(join(tmpdir(), 'fwsign-bench-platforms-'));
const enc = new TextEncoder();

/** A 64 KiB Lambda package made by Info-ZIP, stored (not deflated) so its size is what is signed. */
function lambdaZip(): Uint8Array {
  writeFileSync(
    join(dir, 'blob.bin'),
    new Uint8Array(64 * 1024).map((_, i) => (i * 131 + 17) & 0xff),
  );
  execFileSync('zip', ['-q', '-0', 'fn.zip', 'blob.bin'], { cwd: dir });
  return new Uint8Array(readFileSync(join(dir, 'fn.zip')));
}

let child: ChildProcess | undefined;
try {
  const store = SignerStore.open({ dataDir: dir });
  const { privateKeyPem, certificatePem } = await createDevelopmentCertificate({
    algorithm: 'ecdsa-p256',
    subject: 'CN=fwsign platforms bench',
  });
  const { certificateArn } = store.importCertificate(ME, {
    certificate: enc.encode(certificatePem),
    privateKey: enc.encode(privateKeyPem),
  });
  store.putSigningProfile(ME, {
    profileName: 'rtos',
    platformId: 'AmazonFreeRTOS-Default',
    signingMaterial: { certificateArn },
  });
  store.putSigningProfile(ME, { profileName: 'fn', platformId: 'AWSLambda-SHA384-ECDSA' });
  store.putSigningProfile(ME, { profileName: 'oci', platformId: 'Notation-OCI-SHA384-ECDSA' });
  for (const b of ['src-bucket', 'dst-bucket']) {
    store.buckets.createBucket(ME.accountId, b);
    store.buckets.putBucketVersioning(ME.accountId, b, 'Enabled');
  }
  const zip = lambdaZip();
  const firmware = new Uint8Array(zip.length).map((_, i) => (i * 7 + 3) & 0xff);
  const zipVersion = store.buckets.putObject(ME.accountId, 'src-bucket', 'fn.zip', zip).versionId;
  const fwVersion = store.buckets.putObject(
    ME.accountId,
    'src-bucket',
    'fw.bin',
    firmware,
  ).versionId;
  store.close();

  const started = await startServe(dir);
  child = started.child;
  const url = started.url;
  const config = {
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
  const notary = enc.encode(
    JSON.stringify({
      targetArtifact: {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: 'sha256:73c803930ea3ba1e54bc25c2bdc53edd0284c62ed651fe7b00369da519a3c333',
        size: 16724,
      },
    }),
  );
  const job = (profileName: string, key: string, version: string) => (i: number) =>
    callSigner(config, 'StartSigningJob', {
      source: { s3: { bucketName: 'src-bucket', key, version } },
      destination: { s3: { bucketName: 'dst-bucket', prefix: 'signed/' } },
      profileName,
      clientRequestToken: `${profileName}-${i}-${Math.random()}`,
    });
  const scenarios: [string, (i: number) => Promise<unknown>][] = [
    ['FreeRTOS StartSigningJob, 64 KiB (baseline)', job('rtos', 'fw.bin', fwVersion)],
    ['Lambda StartSigningJob, 64 KiB ZIP', job('fn', 'fn.zip', zipVersion)],
    [
      'Notation SignPayload',
      () =>
        callSigner(config, 'SignPayload', {
          profileName: 'oci',
          payload: notary,
          payloadFormat: 'application/vnd.cncf.notary.payload.v1+json',
        }),
    ],
  ];
  const measure = async (run: (i: number) => Promise<unknown>, n: number): Promise<number> => {
    const cpu0 = procCpuUs(child!.pid!);
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < n) await run(next++);
      }),
    );
    const cpu1 = procCpuUs(child!.pid!);
    return (cpu1.user + cpu1.system - cpu0.user - cpu0.system) / 1000 / n;
  };
  for (const [, run] of scenarios) await measure(run, Math.max(20, N / 10)); // warm-up
  const results = [];
  for (const [name, run] of scenarios) results.push({ name, ms: await measure(run, N) });
  const base = results[0]!.ms;
  console.log(`server CPU per request, ${N} requests each, ${IN_FLIGHT} in flight:`);
  for (const r of results)
    console.log(
      `  ${r.name.padEnd(44)} ${r.ms.toFixed(2).padStart(6)} ms   ratio to baseline ${(r.ms / base).toFixed(2)}`,
    );
} finally {
  child?.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  rmSync(dir, { recursive: true, force: true });
}
