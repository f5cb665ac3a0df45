/**
 * The HTTP layer's own CPU per StartSigningJob, without the store: `SignerServer` over a store that
 * answers at once, against a bare node:http server that only reads the body and answers the same
 * JSON (the baseline, measured in the same run). The lean load generator of api.ts (SigV4 by
 * @smithy/signature-v4, keep-alive) runs in a child process; the server runs in this one, so its
 * CPU is process.cpuUsage over the measured window. What api.ts's server figure holds beyond the
 * store: SigV4 verification, body reading, routing, model validation, serialization.
 *
 *   pnpm exec tsx scripts/bench/api-layer.ts [seconds=5] [inFlight=32]
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignerServer, type ApiStore } from '@fwsign/api';
import { leanClient, load } from './api-client.js';

const input = (token: string) => ({
  source: { s3: { bucketName: 'src-bucket', key: 'fw.bin', version: 'v1' } },
  destination: { s3: { bucketName: 'dst-bucket', prefix: 'signed/' } },
  profileName: 'bench',
  clientRequestToken: token,
});

interface GeneratorResult {
  n: number;
  errors: number;
  sec: number;
  cpuUs: number;
}

if (process.argv[2] === '--generate') {
  // Child: warm up, say 'go', load for the given time, print the result as one JSON line.
  const [url, seconds, inFlight] = [
    process.argv[3]!,
    Number(process.argv[4]),
    Number(process.argv[5]),
  ];
  const client = leanClient(
    url,
    'us-east-1',
    { accessKeyId: 'test', secretAccessKey: 'test' },
    inFlight,
  );
  await load(1, inFlight, (i) => client.startSigningJob(input(`warm-${i}`)));
  console.log('go');
  const cpu0 = process.cpuUsage();
  const r = await load(seconds, inFlight, (i) => client.startSigningJob(input(`job-${i}`)));
  const cpu = process.cpuUsage(cpu0);
  client.destroy();
  console.log(
    JSON.stringify({
      n: r.n,
      errors: r.errors,
      sec: r.sec,
      cpuUs: cpu.user + cpu.system,
    } satisfies GeneratorResult),
  );
} else {
  const SECONDS = Number(process.argv[2] ?? 5);
  const IN_FLIGHT = Number(process.argv[3] ?? 32);
  if (!(SECONDS > 0) || !Number.isInteger(IN_FLIGHT) || IN_FLIGHT < 1) {
    throw new RangeError(
      `usage: api-layer.ts [seconds > 0] [inFlight >= 1], got ${process.argv.slice(2).join(' ')}`,
    );
  }

  /** Runs the generator child against `url`; returns its result and this process's CPU over its window. */
  const measure = async (url: string): Promise<GeneratorResult & { serverUs: number }> => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        fileURLToPath(import.meta.url),
        '--generate',
        url,
        String(SECONDS),
        String(IN_FLIGHT),
      ],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    let cpu0: NodeJS.CpuUsage | undefined;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!cpu0 && out.includes('go\n')) cpu0 = process.cpuUsage();
    });
    const code = await Promise.race([
      new Promise<number | null>((resolve) => child.on('exit', resolve)),
      new Promise<never>((_, reject) =>
        setTimeout(
          () => reject(new Error('load generator did not finish')),
          (SECONDS + 60) * 1000,
        ).unref(),
      ),
    ]);
    const cpu = process.cpuUsage(cpu0);
    const line = out.trim().split('\n').pop() ?? '';
    if (code !== 0 || !cpu0 || !line.startsWith('{'))
      throw new Error(`load generator failed (exit ${code}): ${out.slice(-300)}`);
    return { ...(JSON.parse(line) as GeneratorResult), serverUs: cpu.user + cpu.system };
  };

  const listen = (server: Server): Promise<string> =>
    new Promise((resolve) =>
      server.listen(0, '127.0.0.1', () =>
        resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
      ),
    );

  // Baseline: node:http reading the body and answering what StartSigningJob answers.
  const bare = createServer((req, res) => {
    req.on('data', () => undefined);
    req.on('end', () => {
      const body = JSON.stringify({ jobId: randomUUID(), jobOwner: '000000000000' });
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
      });
      res.end(body);
    });
  });
  const base = await measure(await listen(bare));
  await new Promise((r) => bare.close(r));

  const dir = mkdtempSync(join(tmpdir(), 'fwsign-bench-api-layer-'));
  try {
    const store = {
      buckets: {},
      close() {},
      startSigningJob: (id: { accountId: string }) => ({
        jobId: randomUUID(),
        jobOwner: id.accountId,
      }),
    } as unknown as ApiStore;
    const server = await SignerServer.open({
      dataDir: dir,
      store,
      port: 0,
      accessLog: false,
      rateLimit: { ratePerSecond: 1e7, burst: 2e7 },
    });
    const api = await measure((await server.listen()).url);
    await server.close();

    const show = (name: string, r: GeneratorResult & { serverUs: number }): void =>
      console.log(
        `${name}${(r.n / r.sec).toFixed(0).padStart(6)} req/s, ${r.errors} errors; CPU per request: server ${(r.serverUs / r.n).toFixed(0)} us, load generator ${(r.cpuUs / r.n).toFixed(0)} us`,
      );
    console.log(
      `StartSigningJob without a store, ${IN_FLIGHT} in flight, loopback, ${SECONDS} s each`,
    );
    show('bare node:http (baseline):', base);
    show('fwsign API, null store:   ', api);
    console.log(
      `ratio of server CPU per request, API/bare: ${(api.serverUs / api.n / (base.serverUs / base.n)).toFixed(2)}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
