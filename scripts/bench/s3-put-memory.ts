/**
 * The memory attack of issue 17 (defect 5), authenticated: N parallel PutObject requests of M MiB
 * each against `fwsign serve` in a child process. PutObject bodies go to disk as they arrive, so
 * the server's RSS should stay near where it started, not grow with the bytes in flight (before
 * the fix, 32 x 60 MiB took it to 2.1 GB). Not a timed test: it prints the server's resident set
 * before the load, its peak during it (the kernel's VmHWM, so no sample is missed), the bytes
 * sent, and the peak's growth as a share of them.
 *
 *   pnpm exec tsx scripts/bench/s3-put-memory.ts [parallel=32] [MiB=60] [--payload sha256|unsigned]
 *   --payload sha256 (default): x-amz-content-sha256 is the body's hex SHA-256, as the SDKs and
 *     the AWS CLI send it over http; the server hashes every byte to check it.
 *   --payload unsigned: UNSIGNED-PAYLOAD.
 */
import type { ChildProcess } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { NodeSha256 } from '@fwsign/api';
import { SignatureV4 } from './api-client.js';
import { startServe } from './serve-child.js';

const { values: flags, positionals } = parseArgs({
  options: { payload: { type: 'string', default: 'sha256' } },
  allowPositionals: true,
});
const PARALLEL = Number(positionals[0] ?? 32);
const MIB = Number(positionals[1] ?? 60);
if (
  !Number.isInteger(PARALLEL) ||
  PARALLEL < 1 ||
  !(MIB > 0 && MIB <= 64) ||
  (flags.payload !== 'sha256' && flags.payload !== 'unsigned')
)
  throw new RangeError(
    `usage: s3-put-memory.ts [parallel >= 1] [MiB 1-64] [--payload sha256|unsigned], got ${process.argv.slice(2).join(' ')}`,
  );
const dir = mkdtempSync(join(tmpdir(), 'fwsign-bench-put-'));
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const signer = new SignatureV4({
  credentials,
  region: 'us-east-1',
  service: 's3',
  sha256: NodeSha256,
});

/** A kernel figure of the process in bytes, from /proc/<pid>/status (VmRSS now, VmHWM its peak). */
function vm(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
    readFileSync(`/proc/${pid}/status`, 'utf8'),
  );
  return Number(m![1]) * 1024;
}

async function put(url: URL, path: string, body?: Buffer, payloadHash?: string): Promise<number> {
  const signed = await signer.sign({
    method: 'PUT',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path,
    query: {},
    headers: {
      host: url.host,
      'content-length': String(body?.length ?? 0),
      'x-amz-content-sha256': payloadHash ?? createHash('sha256').update('').digest('hex'),
    },
  });
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'PUT', path, headers: signed.headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MiB`;
let child: ChildProcess | undefined;
try {
  const serve = await startServe(dir);
  child = serve.child;
  const url = new URL(serve.url);
  const pid = child.pid!;
  const created = await put(url, '/bench-bucket');
  if (created !== 200) throw new Error(`CreateBucket answered ${created}`);

  const body = randomFillSync(Buffer.allocUnsafe(MIB * 1024 * 1024));
  const hashOf = (b: Buffer): string =>
    flags.payload === 'sha256' ? createHash('sha256').update(b).digest('hex') : 'UNSIGNED-PAYLOAD';
  const hash = hashOf(body);
  // Warm up the path (module loading, the first segment write) before the baseline.
  const warm = body.subarray(0, 1024 * 1024);
  await put(url, '/bench-bucket/warm', warm, hashOf(warm));
  const before = vm(pid, 'VmRSS');
  const started = performance.now();
  const statuses = await Promise.all(
    Array.from({ length: PARALLEL }, (_, i) => put(url, `/bench-bucket/fw-${i}.bin`, body, hash)),
  );
  const seconds = (performance.now() - started) / 1000;
  const peak = vm(pid, 'VmHWM');
  const after = vm(pid, 'VmRSS');
  const sent = PARALLEL * body.length;
  const counts = new Map<number, number>();
  for (const s of statuses) counts.set(s, (counts.get(s) ?? 0) + 1);
  console.log(
    `${PARALLEL} parallel authenticated PutObject x ${MIB} MiB (${flags.payload}): ${mb(sent)} sent in ${seconds.toFixed(1)} s, statuses ${[...counts].map(([s, n]) => `${s} x${n}`).join(', ')}`,
  );
  console.log(
    `server RSS: ${mb(before)} before, peak ${mb(peak)} (VmHWM, since start), ${mb(after)} after; peak growth ${mb(peak - before)} = ${(((peak - before) / sent) * 100).toFixed(2)}% of the bytes sent`,
  );
  if (counts.get(200) !== PARALLEL) process.exitCode = 1;
} finally {
  child?.kill();
  rmSync(dir, { recursive: true, force: true });
}
