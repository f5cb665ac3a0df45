import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SignatureV4 } from '@smithy/signature-v4';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeSha256 as Sha256 } from '../src/sigv4.js';
import { SignerStore, storeContract } from '@fwsign/store';
import { SignerServer, type SignerServerOptions } from '../src/index.js';
import { makeCodeSigningCertificate, type CodeSigningCertificate } from '@fwsign/test-support';

export const DEV = { accessKeyId: 'test', secretAccessKey: 'test' };
export const REGION = 'us-east-1';

export interface Harness {
  server: SignerServer;
  url: string;
  dataDir: string;
  log: string[];
  close(): Promise<void>;
}

/** A real server on an ephemeral port over a fresh data directory (the real store, in a temp dir). */
export async function startServer(
  opts: {
    credentials?: object[];
    rateLimit?: { ratePerSecond: number; burst: number } | false;
    maxJsonBytes?: number;
    maxObjectBytes?: number;
  } & Pick<
    SignerServerOptions,
    'maxConnections' | 'maxBodyBytesInFlight' | 'bodyIdleTimeoutMs' | 'headersTimeoutMs'
  > = {},
): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fwsign-api-'));
  if (opts.credentials) {
    writeFileSync(
      join(dataDir, 'credentials.json'),
      JSON.stringify({ credentials: opts.credentials }),
      { mode: 0o600 },
    );
  }
  const log: string[] = [];
  const server = await SignerServer.open({
    dataDir,
    port: 0,
    accessLog: (l) => log.push(l),
    ...(opts.rateLimit !== undefined ? { rateLimit: opts.rateLimit } : {}),
    ...(opts.maxJsonBytes !== undefined ? { maxJsonBytes: opts.maxJsonBytes } : {}),
    ...(opts.maxObjectBytes !== undefined ? { maxObjectBytes: opts.maxObjectBytes } : {}),
    ...(opts.maxConnections !== undefined ? { maxConnections: opts.maxConnections } : {}),
    ...(opts.maxBodyBytesInFlight !== undefined
      ? { maxBodyBytesInFlight: opts.maxBodyBytesInFlight }
      : {}),
    ...(opts.bodyIdleTimeoutMs !== undefined ? { bodyIdleTimeoutMs: opts.bodyIdleTimeoutMs } : {}),
    ...(opts.headersTimeoutMs !== undefined ? { headersTimeoutMs: opts.headersTimeoutMs } : {}),
  });
  const { url } = await server.listen();
  return {
    server,
    url,
    dataDir,
    log,
    async close() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A real server over a store the test holds too, for what only the store tells (an account's root CA). */
export async function startStoreServer(
  prefix: string,
  /** The store's clock (default: the real one), for expiry. */
  now?: () => Date,
): Promise<{
  dir: string;
  store: SignerStore;
  url: string;
  close(): Promise<void>;
}> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const store = SignerStore.open({ dataDir: join(dir, 'data'), ...(now ? { now } : {}) });
  const server = await SignerServer.open({
    dataDir: join(dir, 'data'),
    store: storeContract(store),
    port: 0,
    accessLog: false,
  });
  const { url } = await server.listen();
  return {
    dir,
    store,
    url,
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A self-signed code-signing certificate and its PKCS#8 key, made by OpenSSL's CLI. */
export const makeCertificate = (
  dir: string,
  kind: 'ec' | 'rsa',
  cn = 'fwsign test',
): CodeSigningCertificate => makeCodeSigningCertificate(dir, kind, cn);

export interface SigningInput {
  method: string;
  path: string;
  service: string;
  headers?: Record<string, string>;
  body?: string;
  query?: Record<string, string>;
  creds?: { accessKeyId: string; secretAccessKey: string };
  /** Signing time (default now), for expired and future signatures. */
  date?: Date;
}

/** The headers of a request SigV4-signed with @smithy/signature-v4 as the JS SDKs sign it. */
export async function signHeaders(
  url: string,
  opts: SigningInput,
): Promise<Record<string, string>> {
  const u = new URL(url);
  const signed = await new SignatureV4({
    credentials: opts.creds ?? DEV,
    region: REGION,
    service: opts.service,
    sha256: Sha256,
    // S3 signs the path as sent; every other service double-encodes it.
    uriEscapePath: opts.service !== 's3',
  }).sign(
    {
      method: opts.method,
      protocol: u.protocol,
      hostname: u.hostname,
      port: Number(u.port),
      path: opts.path,
      query: opts.query ?? {},
      headers: { host: u.host, ...(opts.headers ?? {}) },
      ...(opts.body !== undefined ? { body: opts.body } : {}),
    },
    opts.date ? { signingDate: opts.date } : {},
  );
  return signed.headers;
}

/** A raw request, SigV4-signed as the JS SDK signs it. */
export async function signedFetch(url: string, opts: SigningInput): Promise<Response> {
  const qs = new URLSearchParams(opts.query ?? {}).toString();
  return fetch(`${url}${opts.path}${qs ? `?${qs}` : ''}`, {
    method: opts.method,
    headers: await signHeaders(url, opts),
    ...(opts.body !== undefined ? { body: opts.body } : {}),
  });
}

/** One awsJson1_1 ACM call, signed the way the JS ACM client signs it. */
export async function acm(
  url: string,
  operation: string,
  body: unknown,
  creds = DEV,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await signedFetch(url, {
    method: 'POST',
    path: '/',
    service: 'acm',
    creds,
    body: JSON.stringify(body),
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `CertificateManager.${operation}`,
    },
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

export const b64 = (s: string): string => Buffer.from(s).toString('base64');

// The Debian packages (awscli, python3-boto3) as the issue names them; PATH's copies elsewhere.
const AWS = existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws';
export const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
export const run = promisify(execFile);

/** `aws <args> --endpoint-url <url> --output json`: what it printed, parsed (`{}` for nothing). */
export async function awsJson(
  url: string,
  env: NodeJS.ProcessEnv,
  args: string[],
  bin = AWS,
): Promise<Record<string, unknown>> {
  const { stdout } = await run(bin, [...args, '--endpoint-url', url, '--output', 'json'], {
    env,
    timeout: 60_000,
  });
  return stdout.trim() === '' ? {} : (JSON.parse(stdout) as Record<string, unknown>);
}

/** `aws <args> --endpoint-url <url>`, which must exit non-zero: its stderr. */
export async function awsStderr(
  url: string,
  env: NodeJS.ProcessEnv,
  args: string[],
): Promise<string> {
  const r = await run(AWS, [...args, '--endpoint-url', url], { env, timeout: 60_000 }).then(
    () => undefined,
    (e: { stderr: string }) => e,
  );
  if (!r) throw new Error(`aws ${args.join(' ')} should have failed, and succeeded`);
  return r.stderr;
}

/** The environment the Debian AWS CLI and boto3 run in: the development identity, no user config. */
export function awsCliEnv(home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: join(home, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
    AWS_PAGER: '',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/**
 * The head of a SigV4-signed HTTP/1.1 request as raw text, for tests that send what fetch cannot:
 * a body cut short, dribbled or bigger than declared. S3 requests sign `x-amz-content-sha256`.
 */
export async function signedHead(url: string, opts: Omit<SigningInput, 'body'>): Promise<string> {
  const lines = Object.entries(await signHeaders(url, opts)).map(([k, v]) => `${k}: ${v}`);
  const qs = new URLSearchParams(opts.query ?? {}).toString();
  return `${opts.method} ${opts.path}${qs ? `?${qs}` : ''} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
}

/** An S3 client for the server, path-style as this S3 subset takes it. */
export const s3Client = (url: string): S3Client =>
  new S3Client({
    endpoint: url,
    region: REGION,
    credentials: DEV,
    forcePathStyle: true,
    maxAttempts: 1,
  });
