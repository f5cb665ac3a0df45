/**
 * A real `fwsign serve` process (the CLI from source through tsx), for the proofs that need a
 * process of their own: servers racing each other on one PostgreSQL, and a server killed with
 * SIGKILL. Each has its own data dir; the shared state is only what the database holds.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { S3Client } from '@aws-sdk/client-s3';
import { SignerClient } from '@aws-sdk/client-signer';

const MAIN = fileURLToPath(new URL('../../../packages/cli/src/main.ts', import.meta.url));
export const REGION = 'us-east-1';
export const CREDS = { accessKeyId: 'test', secretAccessKey: 'test' };

export interface ServeProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the process wrote to stderr so far (its start lines and errors; --quiet, so no access log). */
  stderr(): string;
  /** The AWS SDK's clients for this server; `maxAttempts: 1` so a dead server fails at once (the caller retries elsewhere). */
  readonly signer: SignerClient;
  readonly s3: S3Client;
  /** SIGTERM, then SIGKILL if it has not stopped within 20 s. */
  stop(): Promise<void>;
}

/** Runs `fwsign args…` (any verb other than serve) to its end: its code and output. */
export function runFwsign(
  args: string[],
  env: Record<string, string>,
): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs `fwsign serve args…` and resolves when it exits: its code and stderr (a server that refuses to start). */
export function serveUntilExit(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stderr: string }> {
  const child = spawnServe(args, env);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
}

function spawnServe(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
}

/** Starts `fwsign serve --port 0 --quiet args…` and resolves once it listens. */
export async function startServe(
  args: string[],
  env: Record<string, string> = {},
): Promise<ServeProcess> {
  const child = spawnServe(['--port', '0', '--quiet', '--rate-limit', '100000', ...args], env);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 60_000);
    const look = () => {
      const m = /listening on (http:\/\/\S+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stderr!.on('data', look);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code}) before listening: ${stderr}`));
    });
  });
  const config = { endpoint: url, region: REGION, credentials: CREDS, maxAttempts: 1 };
  const signer = new SignerClient({ ...config, disableHostPrefix: true });
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  return {
    url,
    child,
    stderr: () => stderr,
    signer,
    s3,
    async stop() {
      signer.destroy();
      s3.destroy();
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
