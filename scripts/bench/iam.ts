/**
 * What IAM authorization costs StartSigningJob, in server CPU per request: the server (SignerServer
 * over the SQLite store) runs in this process, so its CPU is process.cpuUsage over a round; the
 * load generator (the lean SigV4 client of api.ts) runs in a child process told what to run
 * round by round. Two callers alternate in many short rounds of the same run — the account's root
 * key (no policy evaluated: the baseline) and an IAM user whose policies are evaluated on every
 * call (an inline policy allowing StartSigningJob on profiles tagged team=fw, a Deny of
 * RevokeSignature, a group policy and an attached managed policy). Each pair of rounds (their
 * order swapped every other pair, against drift) gives one difference of CPU per job and one
 * ratio of rates; the medians are printed, so a neighbour's burst on a shared machine spoils a
 * pair or two, not the figure. The goal: at most 50 µs.
 *
 *   pnpm exec tsx scripts/bench/iam.ts [pairs=30] [roundMs=400] [inFlight=16]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SignerServer } from '@fwsign/api';
import { SignerStore, sqliteContract } from '@fwsign/store';
import { leanClient, load, type Credentials } from './api-client.js';
import { BENCH_ACCOUNT as ACCOUNT, setUpSigning } from './signing-setup.js';

type Who = 'root' | 'user';

/** CPU time of this process's main thread in µs, in nanoseconds' precision (Linux's schedstat: time on a CPU). */
const mainThreadCpuUs = (): number =>
  Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1000;
const ROOT: Credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const input = (versionId: string, token: string) => ({
  source: { s3: { bucketName: 'src-bucket', key: 'fw.bin', version: versionId } },
  destination: { s3: { bucketName: 'dst-bucket', prefix: 'signed/' } },
  profileName: 'bench',
  clientRequestToken: token,
});

if (process.argv[2] === '--generate') {
  // Child: one line in ("<who> <ms>"), one JSON line out per round.
  const [url, inFlight, user, versionId] = [
    process.argv[3]!,
    Number(process.argv[4]),
    JSON.parse(process.argv[5]!) as Credentials,
    process.argv[6]!,
  ];
  const clients = {
    root: leanClient(url, 'us-east-1', ROOT, inFlight),
    user: leanClient(url, 'us-east-1', user, inFlight),
  };
  let round = 0;
  for await (const line of createInterface({ input: process.stdin })) {
    const [who, ms] = line.split(' ') as [Who, string];
    const r = await load(Number(ms) / 1000, inFlight, (i) =>
      clients[who].startSigningJob(input(versionId, `r${round}-${who}-${i}`)),
    );
    round++;
    console.log(JSON.stringify({ n: r.n, sec: r.sec, errors: r.errors }));
  }
  for (const c of Object.values(clients)) c.destroy();
} else {
  const PAIRS = Number(process.argv[2] ?? 30);
  const ROUND_MS = Number(process.argv[3] ?? 400);
  const IN_FLIGHT = Number(process.argv[4] ?? 16);
  if (!Number.isInteger(PAIRS) || PAIRS < 1 || !(ROUND_MS >= 50) || !(IN_FLIGHT >= 1))
    throw new RangeError(
      `usage: iam.ts [pairs >= 1] [roundMs >= 50] [inFlight >= 1], got ${process.argv.slice(2).join(' ')}`,
    );
  const dir = mkdtempSync(join(tmpdir(), 'fwsign-bench-iam-'));
  let server: SignerServer | undefined;
  try {
    const { versionId, user } = await setUp(dir);
    server = await SignerServer.open({
      dataDir: dir,
      store: sqliteContract(SignerStore.open({ dataDir: dir })),
      port: 0,
      accessLog: false,
      rateLimit: false,
    });
    const { url } = await server.listen();
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        fileURLToPath(import.meta.url),
        '--generate',
        url,
        String(IN_FLIGHT),
        JSON.stringify(user),
        versionId,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const replies = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    /**
     * One round of `who`: jobs done, their rate, this process's (the server's) CPU per job and its
     * main thread's — where authorization runs; the commit worker's share, which moves with how
     * jobs happen to batch, is left out of it.
     */
    const round = async (who: Who, ms: number) => {
      const main0 = mainThreadCpuUs();
      const cpu0 = process.cpuUsage();
      child.stdin!.write(`${who} ${ms}\n`);
      const next = await replies.next();
      const cpu = process.cpuUsage(cpu0);
      const main = mainThreadCpuUs() - main0;
      if (next.done) throw new Error('the load generator exited');
      const r = JSON.parse(next.value) as { n: number; sec: number; errors: number };
      if (r.errors > 0 || r.n === 0)
        throw new Error(`${who}: ${r.errors} errors in ${r.n + r.errors} calls`);
      return {
        n: r.n,
        rate: r.n / r.sec,
        cpuUs: (cpu.user + cpu.system) / r.n,
        mainUs: main / r.n,
      };
    };
    // Warm-up: JIT, the caches, the generator's sockets.
    for (const who of ['root', 'user', 'root', 'user'] as const) await round(who, 500);
    const load0 = loadavg();
    const diffs: number[] = [];
    const mainDiffs: number[] = [];
    const ratios: number[] = [];
    const cpu: Record<Who, number[]> = { root: [], user: [] };
    let jobs = 0;
    for (let pair = 0; pair < PAIRS; pair++) {
      const order: Who[] = pair % 2 === 0 ? ['root', 'user'] : ['user', 'root'];
      const got = {} as Record<Who, Awaited<ReturnType<typeof round>>>;
      for (const who of order) got[who] = await round(who, ROUND_MS);
      diffs.push(got.user.cpuUs - got.root.cpuUs);
      mainDiffs.push(got.user.mainUs - got.root.mainUs);
      ratios.push(got.user.rate / got.root.rate);
      cpu.root.push(got.root.cpuUs);
      cpu.user.push(got.user.cpuUs);
      jobs += got.root.n + got.user.n;
    }
    child.stdin!.end();
    const load1 = loadavg();
    const median = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      const m = s.length >> 1;
      return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
    };
    const q = (xs: number[], p: number) =>
      [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)]!;
    console.log(
      `StartSigningJob over HTTP, 64 KiB objects, ${IN_FLIGHT} in flight, ${PAIRS} pairs of ${ROUND_MS} ms rounds (${jobs} jobs)`,
    );
    console.log(
      `load average ${load0.map((l) => l.toFixed(2)).join(' ')} at the start, ${load1.map((l) => l.toFixed(2)).join(' ')} at the end`,
    );
    console.log(
      `server CPU per job, medians: root key ${median(cpu.root).toFixed(0)} µs, IAM user ${median(cpu.user).toFixed(0)} µs`,
    );
    const spread = (xs: number[]) =>
      `${median(xs).toFixed(1)} µs (median of pairs; quartiles ${q(xs, 0.25).toFixed(1)} / ${q(xs, 0.75).toFixed(1)})`;
    console.log(`authorization adds, per job: server CPU ${spread(diffs)}`);
    console.log(
      `                                 its main thread's ${spread(mainDiffs)}; goal <= 50 µs`,
    );
    console.log(
      `rate ratio IAM user / root key: ${median(ratios).toFixed(3)} (median of pairs; quartiles ${q(ratios, 0.25).toFixed(3)} / ${q(ratios, 0.75).toFixed(3)})`,
    );
  } finally {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The signing set-up with the profile tagged team=fw, and the IAM user with its policies; the user's key. */
async function setUp(dir: string): Promise<{ versionId: string; user: Credentials }> {
  const { versionId } = await setUpSigning(dir, { team: 'fw' });
  const doc = (...statements: object[]) =>
    JSON.stringify({ Version: '2012-10-17', Statement: statements });
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
