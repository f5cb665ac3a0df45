import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profile, startFixture, type Fixture } from '../aws-fixture.js';

let f: Fixture;
beforeAll(async () => (f = await startFixture()), 60_000);
afterAll(async () => f?.close());

describe('fwsign wait successful-signing-job', { timeout: 60_000 }, () => {
  it('returns 0 once the job Succeeded, 255 for a job that does not exist', async () => {
    await profile(f, 'Waited');
    const version = f.object('w-src', 'fw.bin', new Uint8Array(100));
    f.object('w-dst', 'x', new Uint8Array(1));
    const s = await f.json(
      'start-signing-job',
      '--profile-name',
      'Waited',
      '--client-request-token',
      'w',
      '--source',
      `s3={bucketName=w-src,key=fw.bin,version=${version}}`,
      '--destination',
      's3={bucketName=w-dst}',
    );
    const ok = await f.run('wait', 'successful-signing-job', '--job-id', s.jobId);
    expect([ok.code, ok.stdout, ok.stderr]).toEqual([0, '', '']);
    expect((await f.json('describe-signing-job', '--job-id', s.jobId)).status).toBe('Succeeded');
    const missing = await f.run(
      'wait',
      'successful-signing-job',
      '--job-id',
      '00000000-0000-0000-0000-000000000000',
    );
    expect(missing.code).toBe(255);
    expect(missing.stderr).toContain('Waiter SuccessfulSigningJob failed');
  });
});
