import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { job, profile, startFixture, type Fixture } from '../aws-fixture.js';

let f: Fixture;
beforeAll(async () => (f = await startFixture()), 60_000);
afterAll(async () => f?.close());

describe('fwsign get-revocation-status', { timeout: 60_000 }, () => {
  it('lists the revoked job ARN after revoke-signature, nothing before', async () => {
    const { profileVersionArn } = await profile(f, 'Status');
    const jobId = await job(f, 'Status');
    const jobArn = `arn:aws:signer:us-east-1:000000000000:/signing-jobs/${jobId}`;
    const ask = () =>
      f.json(
        'get-revocation-status',
        '--signature-timestamp',
        new Date().toISOString(),
        '--platform-id',
        'AmazonFreeRTOS-Default',
        '--profile-version-arn',
        profileVersionArn,
        '--job-arn',
        jobArn,
        '--certificate-hashes',
        'aa',
        'bb',
      );
    expect((await ask()).revokedEntities ?? []).toEqual([]);
    await f.json('revoke-signature', '--job-id', jobId, '--reason', 'r');
    expect((await ask()).revokedEntities).toContain(jobArn);
  });
});
