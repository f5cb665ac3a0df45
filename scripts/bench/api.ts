/**
 * StartSigningJob over HTTP: `fwsign serve` in a child process, the AWS SDK for JavaScript here as
 * the load generator (SigV4, keep-alive, 32 requests in flight) for 64 KiB objects over loopback.
 * Prints jobs/s, p50/p99 latency, and the ratio to the store's in-process StartSigningJob rate
 * measured in the same run (the ceiling the HTTP layer can approach).
 *
 *   pnpm exec tsx scripts/bench/api.ts [seconds=20] [inFlight=32]
 *   (FWSIGN_BENCH_PROFILE=<dir> also writes a CPU profile of the server process;
 *    FWSIGN_BENCH_ACCESS_LOG=1 runs the server with its access log on, read and dropped here)
 * Also prints CPU time per job of the server process and of this load generator (from /proc and
 * process.cpuUsage): on a shared machine those move far less than jobs/s.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { createDevelopmentCertificate } from '@fwsign/signing-engine';
import { SignerStore } from '@fwsign/store';

// The SDK is a dev dependency of @fwsign/api, not of the workspace root: resolve it from there.
const sdk = createRequire(new URL('../../packages/api/package.json', import.meta.url))('@aws-sdk/client-signer') as {
  SignerClient: new (config: object) => { send(command: unknown): Promise<unknown>; destroy(): void };
  StartSigningJobCommand: new (input: object) => unknown;
};
const { SignerClient, StartSigningJobCommand } = sdk;

const SECONDS = Number(process.argv[2] ?? 20);
const IN_FLIGHT = Number(process.argv[3] ?? 32);
const BASELINE_SECONDS = Math.max(2, Math.min(5, SECONDS / 4));
if (!(SECONDS > 0) || !Number.isInteger(IN_FLIGHT) || IN_FLIGHT < 1) {
  throw new RangeError(`usage: api.ts [seconds > 0] [inFlight >= 1], got ${process.argv.slice(2).join(' ')}`);
}
const ME = { accountId: '000000000000', principalArn: 'arn:aws:iam::000000000000:root' };
const MAIN = fileURLToPath(new URL('../../packages/cli/src/main.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fwsign-bench-api-'));

/** Runs `op` with `inFlight` workers for `seconds`; returns count and per-call latencies (ms). */
async function load(seconds: number, inFlight: number, op: (i: number) => Promise<unknown>): Promise<{ n: number; sec: number; lat: number[]; errors: number }> {
  const lat: number[] = [];
  let issued = 0;
  let errors = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const i = issued++;
      const s = performance.now();
      try {
        await op(i);
        lat.push(performance.now() - s);
      } catch (e) {
        if (++errors === 1) console.error(`first error: ${(e as Error).name}: ${(e as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return { n: lat.length, sec: (performance.now() - t0) / 1000, lat, errors };
}

/** User and system CPU time of a process in microseconds (Linux /proc; fields 14 and 15, in clock ticks of 1/100 s). */
function procCpuUs(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) * 10_000, system: Number(fields[12]) * 10_000 };
}

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;

let child: ReturnType<typeof spawn> | undefined;
try {
  // Set up with the store in process, measure its StartSigningJob rate, close it, hand the dir to the server.
  const store = SignerStore.open({ dataDir: dir });
  const { privateKeyPem, certificatePem } = await createDevelopmentCertificate({ algorithm: 'ecdsa-p256', subject: 'CN=fwsign api bench' });
  const enc = new TextEncoder();
  const { certificateArn } = store.importCertificate(ME, { certificate: enc.encode(certificatePem), privateKey: enc.encode(privateKeyPem) });
  store.putSigningProfile(ME, { profileName: 'bench', platformId: 'AmazonFreeRTOS-Default', signingMaterial: { certificateArn } });
  for (const b of ['src-bucket', 'dst-bucket']) {
    store.buckets.createBucket(ME.accountId, b);
    store.buckets.putBucketVersioning(ME.accountId, b, 'Enabled');
  }
  const payload = new Uint8Array(64 * 1024).map((_, i) => (i * 131 + 17) & 0xff);
  const { versionId } = store.buckets.putObject(ME.accountId, 'src-bucket', 'fw.bin', payload);
  const input = (token: string) => ({
    source: { s3: { bucketName: 'src-bucket', key: 'fw.bin', version: versionId } },
    destination: { s3: { bucketName: 'dst-bucket', prefix: 'signed/' } },
    profileName: 'bench',
    clientRequestToken: token,
  });
  await load(1, IN_FLIGHT, (i) => store.startSigningJob(ME, input(`warm-store-${i}`)));
  const base = await load(BASELINE_SECONDS, IN_FLIGHT, (i) => store.startSigningJob(ME, input(`store-${i}`)));
  store.close();

  // FWSIGN_BENCH_PROFILE=<dir> writes a V8 CPU profile of the server there.
  const prof = process.env.FWSIGN_BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.FWSIGN_BENCH_PROFILE] : [];
  const accessLog = process.env.FWSIGN_BENCH_ACCESS_LOG === '1';
  const serveArgs = ['serve', '--data-dir', dir, '--port', '0', ...(accessLog ? [] : ['--quiet']), '--rate-limit', '10000000'];
  child = spawn(process.execPath, [...prof, '--import', 'tsx', MAIN, ...serveArgs], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let logBytes = 0;
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 60_000);
    let started = false;
    child!.stderr!.on('data', (d: Buffer) => {
      // After start-up the access log is only counted: drained, so the server never blocks on a full pipe.
      if (started) {
        logBytes += d.length;
        return;
      }
      stderr += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(stderr);
      if (m) {
        started = true;
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
  });
  const client = new SignerClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  await load(2, IN_FLIGHT, (i) => client.send(new StartSigningJobCommand(input(`warm-api-${i}`))));
  const serverCpu0 = procCpuUs(child.pid!);
  const genCpu0 = process.cpuUsage();
  const api = await load(SECONDS, IN_FLIGHT, (i) => client.send(new StartSigningJobCommand(input(`api-${i}`))));
  const serverCpu1 = procCpuUs(child.pid!);
  const serverUserUs = serverCpu1.user - serverCpu0.user;
  const serverCpuUs = serverUserUs + serverCpu1.system - serverCpu0.system;
  const genCpu = process.cpuUsage(genCpu0);
  client.destroy();

  const sorted = api.lat.sort((a, b) => a - b);
  const apiRate = api.n / api.sec;
  const storeRate = base.n / base.sec;
  console.log(`StartSigningJob, 64 KiB objects, ${IN_FLIGHT} in flight, loopback, SigV4 (AWS SDK for JavaScript)`);
  console.log(`store in process (baseline): ${storeRate.toFixed(0)} jobs/s over ${base.sec.toFixed(1)} s`);
  console.log(`API over HTTP:               ${apiRate.toFixed(0)} jobs/s over ${api.sec.toFixed(1)} s, ${api.errors} errors`);
  console.log(`latency p50 ${pct(sorted, 50).toFixed(1)} ms, p99 ${pct(sorted, 99).toFixed(1)} ms`);
  console.log(`access log ${accessLog ? `on (${(logBytes / 1024).toFixed(0)} KiB read from the server's stderr)` : 'off (--quiet)'}`);
  console.log(
    `CPU per job: server ${(serverCpuUs / api.n).toFixed(0)} us (${(serverUserUs / api.n).toFixed(0)} user; ${((serverCpuUs / 1e6 / api.sec) * 100).toFixed(0)}% of a core), load generator ${((genCpu.user + genCpu.system) / api.n).toFixed(0)} us`,
  );
  console.log(`ratio API/store: ${(apiRate / storeRate).toFixed(2)} (goal: >= 1000 jobs/s, p99 < 50 ms)`);
} finally {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child!.on('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  rmSync(dir, { recursive: true, force: true });
}
