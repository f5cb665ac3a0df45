/** A real server (real store, temp dir, ephemeral port) and `fwsign` verbs run against it in process. */
import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignerServer } from '@fwsign/api';
import { SignerStore, storeContract } from '@fwsign/store';
import { makeCodeSigningCertificate } from '@fwsign/test-support';
import { runCli } from '../src/index.js';
import type { RunResult } from './helpers.js';

export interface Fixture {
  dir: string;
  url: string;
  store: SignerStore;
  /** `fwsign …` with --endpoint-url added and the development credentials in the environment. */
  run(...argv: string[]): Promise<RunResult>;
  /** The same, parsing stdout as JSON (and failing loudly when the verb failed). */
  json(...argv: string[]): Promise<Record<string, any>>;
  /** Imports an OpenSSL-made self-signed certificate (EC P-256 or RSA-2048), left in dir as c<n>.pem and k<n>.pem; returns its ARN. */
  certificate(kind?: 'ec' | 'rsa'): Promise<string>;
  /** A versioned bucket holding `body` at `key`; returns the version id. */
  object(bucket: string, key: string, body: Uint8Array): string;
  close(): Promise<void>;
}

export async function startFixture(): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'fwsign-cli-aws-'));
  const dataDir = join(dir, 'data');
  const store = SignerStore.open({ dataDir });
  const server = await SignerServer.open({
    dataDir,
    port: 0,
    store: storeContract(store),
    accessLog: false,
  });
  const { url } = await server.listen();
  const env = {
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_DEFAULT_REGION: 'us-east-1',
  };
  const run = async (...argv: string[]): Promise<RunResult> => {
    let stdout = '';
    let stderr = '';
    const local = ['verify', 'sign', 'keys', 'ota-job-document', 'trust-anchors'].includes(
      argv[0]!,
    );
    const needsEndpoint =
      !local && !argv.includes('--endpoint-url') && !argv.includes('--generate-cli-skeleton');
    const code = await runCli([...argv, ...(needsEndpoint ? ['--endpoint-url', url] : [])], {
      cwd: dir,
      env,
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
    });
    return { code, stdout, stderr };
  };
  let certs = 0;
  const f: Fixture = {
    dir,
    url,
    store,
    run,
    async json(...argv) {
      const r = await run(...argv);
      if (r.code !== 0) throw new Error(`fwsign ${argv.join(' ')} exited ${r.code}: ${r.stderr}`);
      return r.stdout.trim() === '' ? {} : (JSON.parse(r.stdout) as Record<string, any>);
    },
    async certificate(kind = 'ec') {
      const n = certs++;
      // Tests read the files back by these names (c0.pem is the first certificate's).
      const made = makeCodeSigningCertificate(dir, kind, `cli test ${n}`, 30);
      const key = join(dir, `k${n}.pem`);
      const cert = join(dir, `c${n}.pem`);
      renameSync(made.keyFile, key);
      renameSync(made.certFile, cert);
      const out = await f.json(
        'import-certificate',
        '--certificate',
        `fileb://${cert}`,
        '--private-key',
        `fileb://${key}`,
      );
      return out.CertificateArn as string;
    },
    object(bucket, key, body) {
      try {
        store.buckets.createBucket('000000000000', bucket);
        store.buckets.putBucketVersioning('000000000000', bucket, 'Enabled');
      } catch (e) {
        if ((e as { code?: string }).code !== 'BucketAlreadyOwnedByYou') throw e;
      }
      return store.buckets.putObject('000000000000', bucket, key, body).versionId;
    },
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return f;
}

/** A profile on AmazonFreeRTOS-Default with a fresh EC certificate (or `opts.certificateArn`). */
export async function profile(
  f: Fixture,
  name: string,
  opts: { certificateArn?: string; extra?: string[] } = {},
): Promise<{ certificateArn: string; profileVersion: string; profileVersionArn: string }> {
  const certificateArn = opts.certificateArn ?? (await f.certificate('ec'));
  const put = await f.json(
    'put-signing-profile',
    '--profile-name',
    name,
    '--platform-id',
    'AmazonFreeRTOS-Default',
    '--signing-material',
    `certificateArn=${certificateArn}`,
    ...(opts.extra ?? []),
  );
  return {
    certificateArn,
    profileVersion: put.profileVersion,
    profileVersionArn: put.profileVersionArn,
  };
}

/** A succeeded signing job of a 4 KiB object under `profileName`. */
export async function job(f: Fixture, profileName: string): Promise<string> {
  const version = f.object('cli-src', 'fw.bin', new Uint8Array(4096).fill(7));
  f.object('cli-dst', 'keep', new Uint8Array(1));
  const started = await f.json(
    'start-signing-job',
    '--profile-name',
    profileName,
    '--client-request-token',
    `t-${Math.random()}`,
    '--source',
    `s3={bucketName=cli-src,key=fw.bin,version=${version}}`,
    '--destination',
    's3={bucketName=cli-dst,prefix=signed/}',
  );
  const waited = await f.run('wait', 'successful-signing-job', '--job-id', started.jobId);
  if (waited.code !== 0) throw new Error(`wait failed: ${waited.stderr}`);
  return started.jobId as string;
}
