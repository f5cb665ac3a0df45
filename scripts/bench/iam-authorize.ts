/**
 * The CPU cost of one authorization decision (@fwsign/iam authorize) against the account root's
 * (no evaluation: the baseline), measured in alternating rounds in the same run:
 *   - root: StartSigningJob by the account root (the mapping and facts only);
 *   - repeat: StartSigningJob by a CI user with the README's CI policy (tag condition, a Deny,
 *     s3:*), the same profile each time with a new client token and source object, as real jobs
 *     come — the verdict is reused (the cache is keyed by facts, not by the raw input);
 *   - fresh: GetObject by that user on a new key each time — every call is a full evaluation.
 *
 *   pnpm exec tsx scripts/bench/iam-authorize.ts [calls=2000]
 *
 * Prints µs of CPU per call and each against the baseline (goal for `repeat`: ≤ 50 µs).
 */
import { authorize, type Principal, type ResourceFacts } from '@fwsign/iam';

const CALLS = Number(process.argv[2] ?? 2000);
if (!Number.isInteger(CALLS) || CALLS < 1)
  throw new RangeError(
    `usage: iam-authorize.ts [calls >= 1], got ${process.argv.slice(2).join(' ')}`,
  );

const ACCT = '111122223333';
const PROFILE = `arn:aws:signer:us-east-1:${ACCT}:/signing-profiles/fw`;
const CI_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: 'signer:StartSigningJob',
      Resource: '*',
      Condition: { StringEquals: { 'aws:ResourceTag/team': 'fw' } },
    },
    { Effect: 'Deny', Action: 'signer:RevokeSignature', Resource: '*' },
    { Effect: 'Allow', Action: 's3:*', Resource: '*' },
  ],
});
const root: Principal = {
  arn: `arn:aws:iam::${ACCT}:root`,
  accountId: ACCT,
  kind: 'root',
  identityPolicies: [],
  tags: {},
};
const ci: Principal = {
  arn: `arn:aws:iam::${ACCT}:user/ci`,
  accountId: ACCT,
  kind: 'user',
  identityPolicies: [CI_POLICY],
  tags: {},
};
const facts: ResourceFacts = {
  tagsOf: async (arn) => (arn === PROFILE ? { team: 'fw' } : undefined),
  resourcePolicyOf: async () => undefined,
  jobProfile: async () => undefined,
  profileVersionOf: async () => 'v1',
};
const request = (operation: string, input: Record<string, unknown>, service: 'signer' | 's3') => ({
  service,
  operation,
  input,
  region: 'us-east-1',
  accountId: ACCT,
  secureTransport: true,
  now: new Date(),
});

let n = 0;
const job = (i: number) => ({
  profileName: 'fw',
  clientRequestToken: `t${i}`,
  source: { s3: { bucketName: 'src', key: `fw-${i}.bin`, version: `v${i}` } },
  destination: { s3: { bucketName: 'dst', prefix: 'signed/' } },
});
const cases: Record<string, () => Promise<unknown>> = {
  root: () => authorize(root, request('StartSigningJob', job(n++), 'signer'), facts),
  repeat: () => authorize(ci, request('StartSigningJob', job(n++), 'signer'), facts),
  fresh: () => authorize(ci, request('GetObject', { Bucket: 'fw', Key: `k${n++}` }, 's3'), facts),
};

async function round(run: () => Promise<unknown>, calls: number): Promise<number> {
  const t = process.cpuUsage();
  for (let i = 0; i < calls; i++) await run();
  const u = process.cpuUsage(t);
  return (u.user + u.system) / calls;
}

for (const run of Object.values(cases)) await round(run, 200); // warm-up: JIT and the data files
const totals: Record<string, number[]> = { root: [], repeat: [], fresh: [] };
for (let r = 0; r < 4; r++)
  for (const [name, run] of Object.entries(cases))
    totals[name]!.push(await round(run, name === 'fresh' ? Math.ceil(CALLS / 20) : CALLS));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const base = median(totals.root!);
for (const [name, xs] of Object.entries(totals)) {
  const m = median(xs);
  console.log(
    `${name.padEnd(7)} ${m.toFixed(1).padStart(8)} µs CPU/call   ×${(m / base).toFixed(2)} root   +${(m - base).toFixed(1)} µs`,
  );
}
