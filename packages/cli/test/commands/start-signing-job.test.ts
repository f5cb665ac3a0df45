import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profile, startFixture, type Fixture } from '../aws-fixture.js';

let f: Fixture;
beforeAll(async () => (f = await startFixture()), 60_000);
afterAll(async () => f?.close());

describe('fwsign start-signing-job', { timeout: 60_000 }, () => {
  it('starts a job from shorthand source/destination and returns its id and owner', async () => {
    await profile(f, 'Jobs');
    const version = f.object('src-bucket', 'app.bin', new Uint8Array(1024).fill(1));
    f.object('dst-bucket', 'x', new Uint8Array(1));
    const r = await f.json(
      'start-signing-job',
      '--profile-name',
      'Jobs',
      '--client-request-token',
      'once',
      '--source',
      `s3={bucketName=src-bucket,key=app.bin,version=${version}}`,
      '--destination',
      's3={bucketName=dst-bucket,prefix=out/}',
    );
    expect(r).toEqual({ jobId: expect.any(String), jobOwner: '000000000000' });
    // The same client request token names the same job.
    const again = await f.json(
      'start-signing-job',
      '--profile-name',
      'Jobs',
      '--client-request-token',
      'once',
      '--source',
      `s3={bucketName=src-bucket,key=app.bin,version=${version}}`,
      '--destination',
      's3={bucketName=dst-bucket,prefix=out/}',
    );
    expect(again.jobId).toBe(r.jobId);
  });
});
