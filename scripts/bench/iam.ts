/**
 * What IAM authorization costs StartSigningJob: one `fwsign serve` child, two callers in
 * alternating rounds of the same run — the account's root key (no policy evaluated) and an IAM
 * user's key whose policies are evaluated on every call (an inline policy allowing StartSigningJob
 * on profiles tagged team=fw, a Deny of RevokeSignature, a group policy and an attached managed
 * policy). Prints jobs/s of each, their ratio, and the server's CPU per job of each (from /proc):
 * the difference is what authorization adds (the goal: at most 50 µs).
 *
 *   pnpm exec tsx scripts/bench/iam.ts [seconds=20] [inFlight=32]
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignerStore } from '@fwsign/store';
import { leanClient, load, type Credentials, type JobClient } from './api-client.js';
import { procCpuUs } from './proc-cpu.js';
import { startServe } from './serve-child.js';
import { BENCH_ACCOUNT as ACCOUNT, setUpSigning } from './signing-setup.js';

const SECONDS = Number(process.argv[2] ?? 20);
const IN_FLIGHT = Number(process.argv[3] ?? 32);
const ROUNDS = 4;
if (!(SECONDS > 0) || !Number.isInteger(IN_FLIGHT) || IN_FLIGHT < 1)
  throw new RangeError(
    `usage: iam.ts [seconds > 0] [inFlight >= 1], got ${process.argv.slice(2).join(' ')}`,
  );
const doc = (...statements: object[]) =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements });

/** The signing set-up with the profile tagged team=fw, and the IAM user with its policies; the user's key. */
async function setUp(dir: string): Promise<{ versionId: string; user: Credentials }> {
  const { versionId } = await setUpSigning(dir, { team: 'fw' });
  const store = SignerStore.open({ dataDir: dir });
  try {
    const iam = store.iam;
    await iam.createUser(ACCOUNT, { UserName: 'ci' });
    await iam.putUserPolicy(ACCOUNT, {
      UserName: 'ci',
      PolicyName: 'sign',
      PolicyDocument: doc(
        {
          Effect: 'Allow',
          Action: 'signer:StartSigningJob',
          Resource: 'arn:aws:signer:*:*:/signing-profiles/*',
          Condition: { StringEquals: { 'aws:ResourceTag/team': 'fw' } },
        },
        { Effect: 'Deny', Action: 'signer:RevokeSignature', Resource: '*' },
      ),
    });
    await iam.createGroup(ACCOUNT, { GroupName: 'builders' });
    await iam.addUserToGroup(ACCOUNT, { GroupName: 'builders', UserName: 'ci' });
    await iam.putGroupPolicy(ACCOUNT, {
      GroupName: 'builders',
      PolicyName: 'read',
      PolicyDocument: doc({ Effect: 'Allow', Action: 'signer:Describe*', Resource: '*' }),
    });
    const { Policy } = await iam.createPolicy(ACCOUNT, {
      PolicyName: 'objects',
      PolicyDocument: doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' }),
    });
    await iam.attachUserPolicy(ACCOUNT, { UserName: 'ci', PolicyArn: Policy.Arn });
    const { AccessKey } = await iam.createAccessKey(ACCOUNT, { UserName: 'ci' });
    return {
      versionId,
      user: { accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey },
    };
  } finally {
    store.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'fwsign-bench-iam-'));
let child: ChildProcess | undefined;
try {
  const { versionId, user } = await setUp(dir);
  const server = await startServe(dir);
  child = server.child;
  const clients: Record<'root' | 'user', JobClient> = {
    root: leanClient(
      server.url,
      'us-east-1',
      { accessKeyId: 'test', secretAccessKey: 'test' },
      IN_FLIGHT,
    ),
    user: leanClient(server.url, 'us-east-1', user, IN_FLIGHT),
  };
  const input = (token: string) => ({
    source: { s3: { bucketName: 'src-bucket', key: 'fw.bin', version: versionId } },
    destination: { s3: { bucketName: 'dst-bucket', prefix: 'signed/' } },
    profileName: 'bench',
    clientRequestToken: token,
  });
  const totals = {
    root: { n: 0, sec: 0, errors: 0, cpuUs: 0 },
    user: { n: 0, sec: 0, errors: 0, cpuUs: 0 },
  };
  for (const who of ['root', 'user'] as const)
    await load(1, IN_FLIGHT, (i) => clients[who].startSigningJob(input(`warm-${who}-${i}`)));
  for (let round = 0; round < ROUNDS; round++)
    for (const who of ['root', 'user'] as const) {
      const cpu0 = procCpuUs(child.pid!);
      const r = await load(SECONDS / ROUNDS / 2, IN_FLIGHT, (i) =>
        clients[who].startSigningJob(input(`r${round}-${who}-${i}`)),
      );
      const cpu1 = procCpuUs(child.pid!);
      const t = totals[who];
      t.n += r.n;
      t.sec += r.sec;
      t.errors += r.errors;
      t.cpuUs += cpu1.user + cpu1.system - cpu0.user - cpu0.system;
    }
  for (const c of Object.values(clients)) c.destroy();
  const rate = (w: 'root' | 'user') => totals[w].n / totals[w].sec;
  const cpu = (w: 'root' | 'user') => totals[w].cpuUs / totals[w].n;
  console.log(
    `StartSigningJob over HTTP, 64 KiB objects, ${IN_FLIGHT} in flight, ${ROUNDS} alternating rounds`,
  );
  for (const w of ['root', 'user'] as const)
    console.log(
      `${w === 'root' ? 'root key (no policies):   ' : 'IAM user (policies):      '}${rate(w).toFixed(0)} jobs/s, server CPU ${cpu(w).toFixed(0)} us/job (${totals[w].n} jobs, ${totals[w].errors} errors)`,
    );
  console.log(
    `ratio user/root: ${(rate('user') / rate('root')).toFixed(2)}; authorization adds ${(cpu('user') - cpu('root')).toFixed(0)} us of server CPU per job (goal: <= 50 us)`,
  );
} finally {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child!.on('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  }
  rmSync(dir, { recursive: true, force: true });
}
