/**
 * What IAM authorization costs StartSigningJob, in server CPU per request: the server (SignerServer
 * over the SQLite store) runs in this process, so its CPU is process.cpuUsage over a round; the
 * load generator (the lean SigV4 client of api.ts) runs in a child process told what to run
 * round by round. Three callers take turns in many short rounds of the same run: the account's
 * root key (no policy evaluated: the baseline), an IAM user whose policies are evaluated on every
 * call (an inline policy allowing StartSigningJob on profiles tagged team=fw, a Deny of
 * RevokeSignature, a group policy and an attached managed policy), and the root key again — the
 * noise floor, what the same comparison shows when there is nothing to find. Each set of three
 * rounds (in every order in turn, against drift) gives one difference of CPU per job and one
 * ratio of rates; the medians are printed, so a neighbour's burst on a shared machine spoils a set
 * or two, not the figure. The goal: at most 50 µs.
 *
 *   pnpm exec tsx scripts/bench/iam.ts [sets=30] [jobsPerRound=150] [inFlight=8] [--no-sign]
 *
 * With --no-sign the store's StartSigningJob answers at once (as api-layer.ts's store does): the
 * request is then the HTTP layer, SigV4, key resolution and authorization, so tens of µs show
 * above the noise that a job's ~1–3 ms of signing and committing brings on a busy machine.
 *
 * On a machine too busy for this to resolve tens of µs (the quartiles say so), scripts/bench/
 * iam-path.ts measures the same work without HTTP, signing or the store's job.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SignerServer } from '@fwsign/api';
import { SignerStore, storeContract, type StoreContract } from '@fwsign/store';
import { leanClient, type Credentials } from './api-client.js';
import { setUpIamUser } from './iam-setup.js';

/** The root key, the IAM user, and the root key again (the same run's noise floor). */
type Who = 'root' | 'user' | 'again';

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
  // Child: one line in ("<who> <jobs>"), one JSON line out per round.
  const [url, inFlight, user, versionId] = [
    process.argv[3]!,
    Number(process.argv[4]),
    JSON.parse(process.argv[5]!) as Credentials,
    process.argv[6]!,
  ];
  const clients = {
    root: leanClient(url, 'us-east-1', ROOT, inFlight),
    user: leanClient(url, 'us-east-1', user, inFlight),
    again: leanClient(url, 'us-east-1', ROOT, inFlight),
  };
  let round = 0;
  for await (const line of createInterface({ input: process.stdin })) {
    const [who, jobs] = line.split(' ') as [Who, string];
    // A number of jobs, not a time: a round on a slow moment is as precise as on a quick one.
    let issued = 0;
    let n = 0;
    let errors = 0;
    const t0 = performance.now();
    const worker = async () => {
      while (issued < Number(jobs)) {
        const token = `r${round}-${who}-${issued++}`;
        await clients[who].startSigningJob(input(versionId, token)).then(
          () => n++,
          (e: Error) => errors++ === 0 && console.error(`first error: ${e.message}`),
        );
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
    round++;
    console.log(JSON.stringify({ n, sec: (performance.now() - t0) / 1000, errors }));
  }
  for (const c of Object.values(clients)) c.destroy();
} else {
  const NO_SIGN = process.argv.includes('--no-sign');
  const args = process.argv.slice(2).filter((a) => a !== '--no-sign');
  const SETS = Number(args[0] ?? 30);
  const ROUND_JOBS = Number(args[1] ?? 150);
  const IN_FLIGHT = Number(args[2] ?? 8);
  if (!Number.isInteger(SETS) || SETS < 1 || !(ROUND_JOBS >= 10) || !(IN_FLIGHT >= 1))
    throw new RangeError(
      `usage: iam.ts [sets >= 1] [jobsPerRound >= 10] [inFlight >= 1] [--no-sign], got ${args.join(' ')}`,
    );
  const dir = mkdtempSync(join(tmpdir(), 'fwsign-bench-iam-'));
  let server: SignerServer | undefined;
  try {
    const { versionId, user } = await setUpIamUser(dir);
    server = await SignerServer.open({
      dataDir: dir,
      store: withoutSigning(storeContract(SignerStore.open({ dataDir: dir })), NO_SIGN),
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
    const replies = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    /**
     * One round of `who`: jobs done, their rate, this process's (the server's) CPU per job and its
     * main thread's — where authorization runs; the commit worker's share, which moves with how
     * jobs happen to batch, is left out of it.
     */
    const round = async (who: Who, jobs: number) => {
      const main0 = mainThreadCpuUs();
      const cpu0 = process.cpuUsage();
      child.stdin.write(`${who} ${jobs}\n`);
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
    for (const who of ['root', 'user', 'again', 'root', 'user', 'again'] as const)
      await round(who, 100);
    const load0 = loadavg();
    const d = { cpu: [] as number[], main: [] as number[], nullCpu: [] as number[] };
    const nullMain: number[] = [];
    const ratios: number[] = [];
    const cpu = { root: [] as number[], user: [] as number[] };
    // Every order of the three in turn, so drift and position favour none of them.
    const ORDERS: Who[][] = [
      ['root', 'user', 'again'],
      ['user', 'again', 'root'],
      ['again', 'root', 'user'],
      ['root', 'again', 'user'],
      ['user', 'root', 'again'],
      ['again', 'user', 'root'],
    ];
    for (let set = 0; set < SETS; set++) {
      const got = {} as Record<Who, Awaited<ReturnType<typeof round>>>;
      for (const who of ORDERS[set % ORDERS.length]!) got[who] = await round(who, ROUND_JOBS);
      d.cpu.push(got.user.cpuUs - got.root.cpuUs);
      d.main.push(got.user.mainUs - got.root.mainUs);
      d.nullCpu.push(got.again.cpuUs - got.root.cpuUs);
      nullMain.push(got.again.mainUs - got.root.mainUs);
      ratios.push(got.user.rate / got.root.rate);
      cpu.root.push(got.root.cpuUs);
      cpu.user.push(got.user.cpuUs);
    }
    child.stdin.end();
    const load1 = loadavg();
    const median = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      const m = s.length >> 1;
      return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
    };
    const q = (xs: number[], p: number) =>
      [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)]!;
    console.log(
      `StartSigningJob over HTTP, ${NO_SIGN ? 'answered at once (--no-sign)' : '64 KiB objects signed'}, ${IN_FLIGHT} in flight, ${SETS} sets of rounds of ${ROUND_JOBS} jobs`,
    );
    console.log(
      `load average ${load0.map((l) => l.toFixed(2)).join(' ')} at the start, ${load1.map((l) => l.toFixed(2)).join(' ')} at the end`,
    );
    console.log(
      `server CPU per job, medians: root key ${median(cpu.root).toFixed(0)} µs, IAM user ${median(cpu.user).toFixed(0)} µs`,
    );
    const spread = (xs: number[]) =>
      `${median(xs).toFixed(1)} µs (quartiles ${q(xs, 0.25).toFixed(1)} / ${q(xs, 0.75).toFixed(1)})`;
    console.log(
      `authorization adds, per job (medians of sets): server CPU ${spread(d.cpu)}, its main thread's ${spread(d.main)}; goal <= 50 µs`,
    );
    console.log(
      `noise floor, the root key against itself:      server CPU ${spread(d.nullCpu)}, its main thread's ${spread(nullMain)}`,
    );
    console.log(
      `rate ratio IAM user / root key: ${median(ratios).toFixed(3)} (median of sets; quartiles ${q(ratios, 0.25).toFixed(3)} / ${q(ratios, 0.75).toFixed(3)})`,
    );
  } finally {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The store, or (--no-sign) the store with StartSigningJob answered at once: authorization still reads the real one. */
function withoutSigning(store: StoreContract, noSign: boolean): StoreContract {
  if (!noSign) return store;
  return {
    ...store,
    startSigningJob: async (id) => ({ jobId: randomUUID(), jobOwner: id.accountId }),
  };
}
