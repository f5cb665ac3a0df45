import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { job, profile, startFixture, type Fixture } from '../aws-fixture.js';

let f: Fixture;
beforeAll(async () => (f = await startFixture()), 60_000);
afterAll(async () => f?.close());

describe('fwsign list-signing-jobs', { timeout: 60_000 }, () => {
  it('filters by status and revocation', async () => {
    await profile(f, 'Listing');
    const a = await job(f, 'Listing');
    const b = await job(f, 'Listing');
    await f.json('revoke-signature', '--job-id', b, '--reason', 'bad build');
    const ok = await f.json('list-signing-jobs', '--status', 'Succeeded');
    expect(ok.jobs.map((j: { jobId: string }) => j.jobId).sort()).toEqual([a, b].sort());
    const revoked = await f.json('list-signing-jobs', '--is-revoked');
    expect(revoked.jobs.map((j: { jobId: string }) => j.jobId)).toEqual([b]);
    expect((await f.json('list-signing-jobs', '--status', 'Failed')).jobs ?? []).toEqual([]);
  });
});
