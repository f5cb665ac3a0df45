/**
 * Load-generator pieces for scripts/bench/api.ts: a lean StartSigningJob client (raw node:http,
 * keep-alive, SigV4 from @smithy/signature-v4 on every request, as the SDK signs), the AWS SDK
 * client as the alternative, the closed-loop driver and CPU accounting.
 */
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
// The hash class smithy gets on the server too (node:crypto; see its note on the one memoized HMAC).
import { NodeSha256 } from '@fwsign/api';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface StartSigningJobInput {
  source: { s3: { bucketName: string; key: string; version: string } };
  destination: { s3: { bucketName: string; prefix: string } };
  profileName: string;
  clientRequestToken: string;
}

/** A client that starts one signing job per call and resolves with its job id (or throws). */
export interface JobClient {
  readonly name: string;
  startSigningJob(input: StartSigningJobInput): Promise<string>;
  destroy(): void;
}

// The SDK and smithy are dependencies of @fwsign/api, not of the workspace root: resolve them from there.
const requireFromApi = createRequire(new URL('../../packages/api/package.json', import.meta.url));

interface SigV4 {
  sign(req: object, opts?: { signingDate?: Date }): Promise<{ headers: Record<string, string> }>;
}
export const { SignatureV4 } = requireFromApi('@smithy/signature-v4') as {
  SignatureV4: new (init: {
    credentials: Credentials;
    region: string;
    service: string;
    sha256: unknown;
    applyChecksum?: boolean;
  }) => SigV4;
};

const SDK_VERSION = (requireFromApi('@aws-sdk/client-signer/package.json') as { version: string })
  .version;

/**
 * The request the SDK sends for StartSigningJob (captured from @aws-sdk/client-signer): POST
 * /signing-jobs, the input as a JSON body, the SDK's user-agent and invocation headers, all signed
 * with SigV4 including x-amz-content-sha256. Every response's status and job id are checked.
 */
export function leanClient(
  endpoint: string,
  region: string,
  credentials: Credentials,
  sockets: number,
): JobClient {
  const url = new URL(endpoint);
  const port = Number(url.port);
  const agent = new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  const signer = new SignatureV4({
    credentials,
    region,
    service: 'signer',
    sha256: NodeSha256,
    applyChecksum: true,
  });
  const userAgent = `aws-sdk-js/${SDK_VERSION} ua/2.1 lang/js md/nodejs#${process.versions.node} api/signer#${SDK_VERSION} fwsign-bench/lean`;
  return {
    name: 'lean (node:http keep-alive + @smithy/signature-v4)',
    async startSigningJob(input) {
      const body = JSON.stringify(input);
      const signed = await signer.sign({
        method: 'POST',
        protocol: 'http:',
        hostname: url.hostname,
        port,
        path: '/signing-jobs',
        query: {},
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'x-amz-user-agent': `aws-sdk-js/${SDK_VERSION}`,
          host: url.host,
          'amz-sdk-invocation-id': randomUUID(),
          'amz-sdk-request': 'attempt=1; max=1',
        },
        body,
      });
      // A flat [name, value, ...] list goes out as is; an object would be re-validated header by header.
      const headers: string[] = ['user-agent', userAgent];
      for (const name in signed.headers) headers.push(name, signed.headers[name]!);
      const { status, text } = await new Promise<{ status: number; text: string }>(
        (resolve, reject) => {
          const req = request(
            { agent, host: url.hostname, port, method: 'POST', path: '/signing-jobs', headers },
            (res) => {
              let text = '';
              res.setEncoding('utf8');
              res.on('data', (d: string) => (text += d));
              res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
              res.on('error', reject);
            },
          );
          req.on('error', reject);
          req.end(body);
        },
      );
      if (status !== 200)
        throw new Error(`StartSigningJob expected HTTP 200, got ${status}: ${text.slice(0, 200)}`);
      const jobId = (JSON.parse(text) as { jobId?: unknown }).jobId;
      if (typeof jobId !== 'string' || jobId === '')
        throw new Error(
          `StartSigningJob expected a jobId in the answer, got ${text.slice(0, 200)}`,
        );
      return jobId;
    },
    destroy: () => agent.destroy(),
  };
}

/** The AWS SDK for JavaScript's SignerClient (its own SigV4, retries off). */
export function sdkClient(endpoint: string, region: string, credentials: Credentials): JobClient {
  const sdk = requireFromApi('@aws-sdk/client-signer') as {
    SignerClient: new (config: object) => {
      send(command: unknown): Promise<{ jobId?: string }>;
      destroy(): void;
    };
    StartSigningJobCommand: new (input: object) => unknown;
  };
  const client = new sdk.SignerClient({ endpoint, region, credentials, maxAttempts: 1 });
  return {
    name: 'AWS SDK for JavaScript',
    async startSigningJob(input) {
      const { jobId } = await client.send(new sdk.StartSigningJobCommand(input));
      if (typeof jobId !== 'string' || jobId === '')
        throw new Error(`StartSigningJob expected a jobId, got ${String(jobId)}`);
      return jobId;
    },
    destroy: () => client.destroy(),
  };
}

export interface LoadResult {
  n: number;
  sec: number;
  lat: number[];
  errors: number;
}

/** Runs `op` with `inFlight` workers for `seconds`; returns count and per-call latencies (ms). */
export async function load(
  seconds: number,
  inFlight: number,
  op: (i: number) => Promise<unknown>,
): Promise<LoadResult> {
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
        if (++errors === 1)
          console.error(`first error: ${(e as Error).name}: ${(e as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return { n: lat.length, sec: (performance.now() - t0) / 1000, lat, errors };
}

export const pct = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;

/**
 * Profiles this process (the load generator) while `run` runs, into `<dir>/generator.cpuprofile`
 * when a directory is given (FWSIGN_BENCH_PROFILE): only the measured window, not the set-up.
 */
export async function profiled<T>(dir: string | undefined, run: () => Promise<T>): Promise<T> {
  if (!dir) return run();
  const { Session } = await import('node:inspector');
  const session = new Session();
  session.connect();
  const post = (method: string): Promise<unknown> =>
    new Promise((resolve, reject) =>
      session.post(method, (err, res) => (err ? reject(err) : resolve(res))),
    );
  await post('Profiler.enable');
  await post('Profiler.start');
  try {
    return await run();
  } finally {
    const { profile } = (await post('Profiler.stop')) as { profile: object };
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'generator.cpuprofile'), JSON.stringify(profile));
    session.disconnect();
  }
}
