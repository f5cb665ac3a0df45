/**
 * StartSigningJob over HTTP: `fwsign serve` in a child process, this process the load generator
 * (SigV4 on every request, keep-alive, 32 requests in flight) for 64 KiB objects over loopback.
 * Prints jobs/s, p50/p99 latency, and the ratio to the store's in-process StartSigningJob rate
 * measured in the same run (the ceiling the HTTP layer can approach).
 *
 *   pnpm exec tsx scripts/bench/api.ts [seconds=20] [inFlight=32] [--client lean|sdk] [--database postgres://…|local]
 *   --client lean (default): raw node:http with a keep-alive agent, each request signed with
 *     @smithy/signature-v4 exactly as the SDK signs it (see api-client.ts); the AWS SDK costs about
 *     as much CPU per call as the server, on the same 2 cores.
 *   --client sdk: the AWS SDK for JavaScript's SignerClient.
 *   (FWSIGN_BENCH_PROFILE=<dir> also writes CPU profiles of the server process and, for the
 *    measured window, of this load generator (generator.cpuprofile);
 *    FWSIGN_BENCH_ACCESS_LOG=1 runs the server with its access log on, read and dropped here)
 *   --database URL (an empty PostgreSQL database) or `local` (a throw-away one from Debian's
 *     packages): then also two `fwsign serve` processes on that database, the same load spread
 *     over both, against the one server on SQLite of this same run (api-postgres.ts).
 * Also prints CPU time per job of the server process and of this load generator (from /proc and
 * process.cpuUsage): on a shared machine those move far less than jobs/s.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isPostgresUrl, redactUrl, SignerStore } from '@fwsign/store';
import { benchTwoServers, setUpSigning, stopChild } from './api-postgres.js';
import { leanClient, load, pct, profiled, sdkClient, type JobClient } from './api-client.js';
import { procCpuUs } from './proc-cpu.js';

const { values: flags, positionals } = parseArgs({
  options: { client: { type: 'string', default: 'lean' }, database: { type: 'string' } },
  allowPositionals: true,
});
const SECONDS = Number(positionals[0] ?? 20);
const IN_FLIGHT = Number(positionals[1] ?? 32);
const BASELINE_SECONDS = Math.max(2, Math.min(5, SECONDS / 4));
if (
  !(SECONDS > 0) ||
  !Number.isInteger(IN_FLIGHT) ||
  IN_FLIGHT < 1 ||
  (flags.client !== 'lean' && flags.client !== 'sdk') ||
  (flags.database !== undefined && flags.database !== 'local' && !isPostgresUrl(flags.database))
) {
  throw new RangeError(
    `usage: api.ts [seconds > 0] [inFlight >= 1] [--client lean|sdk] [--database postgres://…|local], got ${process.argv.slice(2).join(' ')}`,
  );
}
const ME = { accountId: '000000000000', principalArn: 'arn:aws:iam::000000000000:root' };
const MAIN = fileURLToPath(new URL('../../packages/cli/src/main.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fwsign-bench-api-'));

let child: ReturnType<typeof spawn> | undefined;
try {
  // Set up with the store in process, measure its StartSigningJob rate, close it, hand the dir to the server.
  const store = SignerStore.open({ dataDir: dir });
  const input = await setUpSigning(store);
  await load(1, IN_FLIGHT, (i) => store.startSigningJob(ME, input(`warm-store-${i}`)));
  const base = await load(BASELINE_SECONDS, IN_FLIGHT, (i) =>
    store.startSigningJob(ME, input(`store-${i}`)),
  );
  store.close();

  // FWSIGN_BENCH_PROFILE=<dir> writes a V8 CPU profile of the server there.
  const prof = process.env.FWSIGN_BENCH_PROFILE
    ? ['--cpu-prof', '--cpu-prof-dir', process.env.FWSIGN_BENCH_PROFILE]
    : [];
  const accessLog = process.env.FWSIGN_BENCH_ACCESS_LOG === '1';
  const serveArgs = [
    'serve',
    '--data-dir',
    dir,
    '--port',
    '0',
    ...(accessLog ? [] : ['--quiet']),
    '--rate-limit',
    '10000000',
  ];
  child = spawn(process.execPath, [...prof, '--import', 'tsx', MAIN, ...serveArgs], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
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
  const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
  const client: JobClient =
    flags.client === 'sdk'
      ? sdkClient(url, 'us-east-1', credentials)
      : leanClient(url, 'us-east-1', credentials, IN_FLIGHT);
  await load(2, IN_FLIGHT, (i) => client.startSigningJob(input(`warm-api-${i}`)));
  const serverCpu0 = procCpuUs(child.pid!);
  const serverMain0 = procCpuUs(child.pid!, true);
  const genCpu0 = process.cpuUsage();
  const api = await profiled(process.env.FWSIGN_BENCH_PROFILE, () =>
    load(SECONDS, IN_FLIGHT, (i) => client.startSigningJob(input(`api-${i}`))),
  );
  const serverCpu1 = procCpuUs(child.pid!);
  const serverMain1 = procCpuUs(child.pid!, true);
  const serverMainUs =
    serverMain1.user + serverMain1.system - serverMain0.user - serverMain0.system;
  const serverUserUs = serverCpu1.user - serverCpu0.user;
  const serverCpuUs = serverUserUs + serverCpu1.system - serverCpu0.system;
  const genCpu = process.cpuUsage(genCpu0);
  client.destroy();

  const sorted = api.lat.sort((a, b) => a - b);
  const apiRate = api.n / api.sec;
  const storeRate = base.n / base.sec;
  console.log(
    `StartSigningJob, 64 KiB objects, ${IN_FLIGHT} in flight, loopback, SigV4; client: ${client.name}`,
  );
  console.log(
    `store in process (baseline): ${storeRate.toFixed(0)} jobs/s over ${base.sec.toFixed(1)} s`,
  );
  console.log(
    `API over HTTP:               ${apiRate.toFixed(0)} jobs/s over ${api.sec.toFixed(1)} s, ${api.errors} errors`,
  );
  console.log(`latency p50 ${pct(sorted, 50).toFixed(1)} ms, p99 ${pct(sorted, 99).toFixed(1)} ms`);
  console.log(
    `access log ${accessLog ? `on (${(logBytes / 1024).toFixed(0)} KiB read from the server's stderr)` : 'off (--quiet)'}`,
  );
  console.log(
    `CPU per job: server ${(serverCpuUs / api.n).toFixed(0)} us (${(serverUserUs / api.n).toFixed(0)} user; ${((serverCpuUs / 1e6 / api.sec) * 100).toFixed(0)}% of a core; main thread ${(serverMainUs / api.n).toFixed(0)} us, ${((serverMainUs / 1e6 / api.sec) * 100).toFixed(0)}% of a core), load generator (${flags.client}) ${((genCpu.user + genCpu.system) / api.n).toFixed(0)} us`,
  );
  console.log(
    `ratio API/store: ${(apiRate / storeRate).toFixed(2)} (goal: >= 1000 jobs/s, p99 < 50 ms)`,
  );
  await stopServer();
  if (flags.database !== undefined) {
    // The SQLite server is stopped first: the two on PostgreSQL get the machine the one had.
    const pg = await benchTwoServers(flags.database, dir, SECONDS, IN_FLIGHT, credentials);
    const pgRate = pg.n / pg.sec;
    const pgSorted = pg.lat.sort((a, b) => a - b);
    console.log(
      `two servers on PostgreSQL (${pg.database === 'local' ? 'local' : redactUrl(pg.database)}), ${IN_FLIGHT / 2} in flight to each: ${pgRate.toFixed(0)} jobs/s over ${pg.sec.toFixed(1)} s, ${pg.errors} errors`,
    );
    console.log(
      `latency p50 ${pct(pgSorted, 50).toFixed(1)} ms, p99 ${pct(pgSorted, 99).toFixed(1)} ms`,
    );
    console.log(
      `ratio PostgreSQL (2 servers) / SQLite (1 server): ${(pgRate / apiRate).toFixed(2)} (goal: >= 0.5, p99 < 100 ms)`,
    );
  }
} finally {
  await stopServer();
  rmSync(dir, { recursive: true, force: true });
}

async function stopServer(): Promise<void> {
  if (child) await stopChild(child);
}
