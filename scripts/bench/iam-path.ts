/**
 * What IAM authorization adds to a StartSigningJob request on the server's main thread, without
 * HTTP, signing or the store's job: the server's own pieces (src/principals.ts, src/authz.ts,
 * src/profile-facts.ts — internals, imported by path) over the real SQLite store. Per call:
 *   - root: the account root's key resolved from credentials.json and its gate (no evaluation);
 *   - user: an IAM user's key resolved by the store (the recent IAM generation — read from the
 *     database once a second or after this process's own IAM writes — and the cached principal),
 *     then its gate: the operation's mapping, the profile's facts (cached by generation), the
 *     verdict (cached).
 * Alternating rounds, each call with a new client token and source version as real jobs come;
 * prints the medians of µs of CPU per call and of the per-round difference (goal: ≤ 50 µs).
 *
 *   pnpm exec tsx scripts/bench/iam-path.ts [calls=5000] [rounds=15]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignerStore, storeContract } from '@fwsign/store';
import { gateFor } from '../../packages/api/src/authz.js';
import { parseCredentials } from '../../packages/api/src/credentials.js';
import { Principals, principalOf } from '../../packages/api/src/principals.js';
import { ProfileFactsCache } from '../../packages/api/src/profile-facts.js';
import { setUpIamUser } from './iam-setup.js';

const CALLS = Number(process.argv[2] ?? 5000);
const ROUNDS = Number(process.argv[3] ?? 15);
if (!Number.isInteger(CALLS) || CALLS < 1 || !Number.isInteger(ROUNDS) || ROUNDS < 1)
  throw new RangeError(
    `usage: iam-path.ts [calls >= 1] [rounds >= 1], got ${process.argv.slice(2).join(' ')}`,
  );

const dir = mkdtempSync(join(tmpdir(), 'fwsign-bench-iam-path-'));
const { user } = await setUpIamUser(dir);
const store = storeContract(SignerStore.open({ dataDir: dir }));
try {
  const credentials = parseCredentials(
    JSON.stringify({
      credentials: [{ accessKeyId: 'test', secretAccessKey: 'test', accountId: '000000000000' }],
    }),
  );
  const principals = new Principals(() => credentials, store.iam);
  const facts = new ProfileFactsCache(store);
  const header = (key: string) => ({
    authorization: `AWS4-HMAC-SHA256 Credential=${key}/20261207/us-east-1/signer/aws4_request, SignedHeaders=host, Signature=0`,
  });
  const headers = { root: header('test'), user: header(user.accessKeyId) };
  let n = 0;
  const input = () => ({
    source: { s3: { bucketName: 'src-bucket', key: 'fw.bin', version: `v${n}` } },
    destination: { s3: { bucketName: 'dst-bucket', prefix: 'signed/' } },
    profileName: 'bench',
    clientRequestToken: `t${n++}`,
  });
  /** What the server does for one request before the store runs StartSigningJob. */
  const call = async (who: 'root' | 'user') => {
    const s = (await principals.lookup(headers[who]))!;
    const id = { accountId: s.credential.accountId, principalArn: s.credential.principalArn };
    const gate = gateFor(
      store,
      principalOf(s),
      id,
      'signer',
      'us-east-1',
      facts.reader(s.generation),
    );
    await gate('StartSigningJob', input());
  };
  const round = async (who: 'root' | 'user', calls: number) => {
    const t = process.cpuUsage();
    for (let i = 0; i < calls; i++) await call(who);
    const u = process.cpuUsage(t);
    return (u.user + u.system) / calls;
  };
  for (const who of ['root', 'user', 'root', 'user'] as const) await round(who, 1000);
  const load0 = loadavg();
  const cpu = { root: [] as number[], user: [] as number[] };
  const diffs: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? (['root', 'user'] as const) : (['user', 'root'] as const);
    const got = { root: 0, user: 0 };
    for (const who of order) got[who] = await round(who, CALLS);
    cpu.root.push(got.root);
    cpu.user.push(got.user);
    diffs.push(got.user - got.root);
  }
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
  };
  console.log(
    `key resolution and authorization of StartSigningJob, ${ROUNDS} alternating pairs of ${CALLS} calls; load average ${load0.map((l) => l.toFixed(2)).join(' ')} at the start, ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} at the end`,
  );
  console.log(
    `µs of CPU per call, medians: root key ${median(cpu.root).toFixed(1)}, IAM user ${median(cpu.user).toFixed(1)}; authorization adds ${median(diffs).toFixed(1)} (goal <= 50)`,
  );
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
