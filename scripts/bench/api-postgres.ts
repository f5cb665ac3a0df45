/**
 * The PostgreSQL half of scripts/bench/api.ts `--database`: the same signing set-up in a PostgreSQL
 * database, two `fwsign serve` processes on it (own data dirs, one master key), and the same load
 * spread over both, half the requests in flight to each, as a load balancer would.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { createDevelopmentCertificate } from '@fwsign/signing-engine';
import { SignerStore } from '@fwsign/store';
// The test suites' throw-away PostgreSQL (initdb in a temp dir), as scripts/bench/pkcs11.ts takes SoftHSM's.
import { startPostgres, type PostgresServer } from '../../packages/test-support/src/postgres.js';
import {
  leanClient,
  load,
  type Credentials,
  type JobClient,
  type LoadResult,
  type StartSigningJobInput,
} from './api-client.js';
import { startServe } from './serve-child.js';

const ME = { accountId: '000000000000', principalArn: 'arn:aws:iam::000000000000:root' };

/**
 * A certificate, the `bench` profile, a versioned source bucket holding one 64 KiB object and a
 * destination bucket, made in `store`; the StartSigningJob input for a token.
 */
export async function setUpSigning(
  store: SignerStore,
): Promise<(token: string) => StartSigningJobInput> {
  const { privateKeyPem, certificatePem } = await createDevelopmentCertificate({
    algorithm: 'ecdsa-p256',
    subject: 'CN=fwsign api bench',
  });
  const enc = new TextEncoder();
  const { certificateArn } = store.importCertificate(ME, {
    certificate: enc.encode(certificatePem),
    privateKey: enc.encode(privateKeyPem),
  });
  store.putSigningProfile(ME, {
    profileName: 'bench',
    platformId: 'AmazonFreeRTOS-Default',
    signingMaterial: { certificateArn },
  });
  for (const b of ['src-bucket', 'dst-bucket']) {
    store.buckets.createBucket(ME.accountId, b);
    store.buckets.putBucketVersioning(ME.accountId, b, 'Enabled');
  }
  const payload = new Uint8Array(64 * 1024).map((_, i) => (i * 131 + 17) & 0xff);
  const { versionId } = store.buckets.putObject(ME.accountId, 'src-bucket', 'fw.bin', payload);
  return (token) => ({
    source: { s3: { bucketName: 'src-bucket', key: 'fw.bin', version: versionId } },
    destination: { s3: { bucketName: 'dst-bucket', prefix: 'signed/' } },
    profileName: 'bench',
    clientRequestToken: token,
  });
}

export interface TwoServersRun extends LoadResult {
  /** `postgres://…` given, or the throw-away server's (password-free) URL. */
  database: string;
}

/**
 * `database`: a postgres:// URL (an empty database: the set-up's names must be free), or `local`
 * for a throw-away PostgreSQL from Debian's packages (@fwsign/test-support), stopped at the end.
 */
export async function benchTwoServers(
  database: string,
  dir: string,
  seconds: number,
  inFlight: number,
  credentials: Credentials,
): Promise<TwoServersRun> {
  let pg: PostgresServer | undefined;
  const children: ChildProcess[] = [];
  const clients: JobClient[] = [];
  try {
    if (database === 'local') {
      pg = await startPostgres();
      database = pg.createDatabase('bench');
    }
    const dirs = [join(dir, 'pg-a'), join(dir, 'pg-b')];
    const store = SignerStore.open({ dataDir: dirs[0]!, database });
    const input = await setUpSigning(store);
    store.close();
    // The same master key on both: the second data dir gets a copy of the first's key file.
    mkdirSync(dirs[1]!, { recursive: true, mode: 0o700 });
    copyFileSync(join(dirs[0]!, 'master.key'), join(dirs[1]!, 'master.key'));
    const servers = await Promise.all(dirs.map((d) => startServe(d, ['--database', database])));
    for (const s of servers) {
      children.push(s.child);
      clients.push(
        leanClient(s.url, 'us-east-1', credentials, Math.max(1, Math.ceil(inFlight / 2))),
      );
    }
    const via = (i: number) => clients[i % clients.length]!;
    await load(2, inFlight, (i) => via(i).startSigningJob(input(`warm-pg-${i}`)));
    const run = await load(seconds, inFlight, (i) => via(i).startSigningJob(input(`pg-${i}`)));
    return { ...run, database };
  } finally {
    for (const c of clients) c.destroy();
    await Promise.all(children.map(stopChild));
    await pg?.stop();
  }
}

/** SIGTERM, then SIGKILL if it has not exited within 10 s. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.on('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}
