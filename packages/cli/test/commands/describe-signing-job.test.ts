import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { job, profile, startFixture, type Fixture } from '../aws-fixture.js';

let f: Fixture;
beforeAll(async () => (f = await startFixture()), 60_000);
afterAll(async () => f?.close());

describe('fwsign describe-signing-job', { timeout: 60_000 }, () => {
  it('shows the finished job with ISO timestamps and the signed object location', async () => {
    await profile(f, 'Described');
    const jobId = await job(f, 'Described');
    const d = await f.json('describe-signing-job', '--job-id', jobId);
    expect(d).toMatchObject({
      jobId,
      status: 'Succeeded',
      profileName: 'Described',
      signedObject: { s3: { bucketName: 'cli-dst' } },
    });
    expect(d.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    // The signed object it names verifies with `fwsign verify` against the profile's certificate.
    const signed = f.store.buckets.getObject(
      '000000000000',
      d.signedObject.s3.bucketName,
      d.signedObject.s3.key,
    );
    writeFileSync(join(f.dir, 'signed.json'), signed.body);
    const v = await f.run('verify', '--cert', 'c0.pem', '--in', 'signed.json');
    expect([v.code, v.stdout]).toEqual([
      0,
      expect.stringMatching(/^valid: SHA256withECDSA, 4096 bytes/),
    ]);
  });
});
