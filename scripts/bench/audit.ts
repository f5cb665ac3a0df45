/**
 * The transparency log's cost on the API's StartSigningJob rate: two `fwsign serve` children over
 * two data dirs set up alike, one with the log on (the default) and one with `--audit-log off`,
 * measured in alternating rounds (off, on, off, on, …) in the same run so a busy machine hurts
 * both alike. The lean SigV4 client of api-client.ts, 64 KiB objects, N in flight.
 *
 *   pnpm exec tsx scripts/bench/audit.ts [seconds=20] [inFlight=32]
 *
 * Prints jobs/s of each and the ratio on/off (goal: >= 0.9), then checks the log that was written:
 * two entries per job, and `verifyLog` passes after a checkpoint.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseVerifierKey, verifyLog } from '@fwsign/audit-log';
import { SignerStore } from '@fwsign/store';
import { leanClient, load, type JobClient } from './api-client.js';
import { setUpSigning } from './signing-setup.js';

const SECONDS = Number(process.argv[2] ?? 20);
const IN_FLIGHT = Number(process.argv[3] ?? 32);
const ROUNDS = 4;
if (!(SECONDS > 0) || !Number.isInteger(IN_FLIGHT) || IN_FLIGHT < 1)
  throw new RangeError(
    `usage: audit.ts [seconds > 0] [inFlight >= 1], got ${process.argv.slice(2).join(' ')}`,
  );
const MAIN = fileURLToPath(new URL('../../packages/cli/src/main.ts', import.meta.url));

const setUp = async (dir: string): Promise<string> => (await setUpSigning(dir)).versionId;

async function serve(dir: string, extra: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      MAIN,
      'serve',
      '--data-dir',
      dir,
      '--port',
      '0',
      '--quiet',
      '--rate-limit',
      '10000000',
      ...extra,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 60_000);
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
  });
  return { child, url };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.on('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

const dirs = {
  on: mkdtempSync(join(tmpdir(), 'fwsign-bench-audit-on-')),
  off: mkdtempSync(join(tmpdir(), 'fwsign-bench-audit-off-')),
};
const children: ChildProcess[] = [];
try {
  const versions = { on: await setUp(dirs.on), off: await setUp(dirs.off) };
  const servers = {
    on: await serve(dirs.on, []),
    off: await serve(dirs.off, ['--audit-log', 'off']),
  };
  children.push(servers.on.child, servers.off.child);
  const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
  const clients: Record<'on' | 'off', JobClient> = {
    on: leanClient(servers.on.url, 'us-east-1', credentials, IN_FLIGHT),
    off: leanClient(servers.off.url, 'us-east-1', credentials, IN_FLIGHT),
  };
  const input = (mode: 'on' | 'off', token: string) => ({
    source: { s3: { bucketName: 'src-bucket', key: 'fw.bin', version: versions[mode] } },
    destination: { s3: { bucketName: 'dst-bucket', prefix: 'signed/' } },
    profileName: 'bench',
    clientRequestToken: token,
  });
  const totals = { on: { n: 0, sec: 0, errors: 0 }, off: { n: 0, sec: 0, errors: 0 } };
  for (const mode of ['off', 'on'] as const)
    await load(1, IN_FLIGHT, (i) => clients[mode].startSigningJob(input(mode, `warm-${i}`)));
  for (let round = 0; round < ROUNDS; round++)
    for (const mode of ['off', 'on'] as const) {
      const r = await load(SECONDS / ROUNDS / 2, IN_FLIGHT, (i) =>
        clients[mode].startSigningJob(input(mode, `r${round}-${i}`)),
      );
      totals[mode].n += r.n;
      totals[mode].sec += r.sec;
      totals[mode].errors += r.errors;
    }
  for (const c of Object.values(clients)) c.destroy();
  const rate = (m: 'on' | 'off') => totals[m].n / totals[m].sec;
  console.log(
    `StartSigningJob over HTTP, 64 KiB objects, ${IN_FLIGHT} in flight, ${ROUNDS} alternating rounds`,
  );
  console.log(
    `log off: ${rate('off').toFixed(0)} jobs/s (${totals.off.n} jobs, ${totals.off.errors} errors)`,
  );
  console.log(
    `log on:  ${rate('on').toFixed(0)} jobs/s (${totals.on.n} jobs, ${totals.on.errors} errors)`,
  );
  console.log(`ratio on/off: ${(rate('on') / rate('off')).toFixed(2)} (goal: >= 0.9)`);

  for (const c of children) await stop(c);
  const store = SignerStore.open({ dataDir: dirs.on });
  try {
    const cp = store.audit.checkpoint();
    const report = verifyLog(join(dirs.on, 'audit'), {
      verifier: parseVerifierKey(readFileSync(join(dirs.on, 'audit', 'log.pub'), 'utf8')),
    });
    console.log(
      `log written: ${cp.size} entries; audit verify: ${report.ok ? 'OK' : JSON.stringify(report.problems.slice(0, 3))}`,
    );
  } finally {
    store.close();
  }
} finally {
  for (const c of children) await stop(c);
  for (const d of Object.values(dirs)) rmSync(d, { recursive: true, force: true });
}
