import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { job, profile, startFixture, type Fixture } from '../aws-fixture.js';

let f: Fixture;
beforeAll(async () => (f = await startFixture()), 60_000);
afterAll(async () => f?.close());

describe('fwsign revoke-signature', { timeout: 60_000 }, () => {
  it('revokes a job signature; describe shows the record', async () => {
    await profile(f, 'Revoking');
    const jobId = await job(f, 'Revoking');
    const r = await f.run('revoke-signature', '--job-id', jobId, '--reason', 'leaked');
    expect(r.code, r.stderr).toBe(0);
    const d = await f.json('describe-signing-job', '--job-id', jobId);
    expect(d.revocationRecord).toMatchObject({
      reason: 'leaked',
      revokedBy: 'arn:aws:iam::000000000000:root',
    });
  });
});
