import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFixture, type Fixture } from '../aws-fixture.js';

let f: Fixture;
beforeAll(async () => (f = await startFixture()), 60_000);
afterAll(async () => f?.close());

describe('fwsign import-certificate', { timeout: 60_000 }, () => {
  it('imports a PEM certificate and key (fileb://) and prints the certificateArn a profile can name', async () => {
    const arn = await f.certificate('rsa');
    expect(arn).toMatch(/^arn:aws:acm:us-east-1:000000000000:certificate\/\S+$/);
    const put = await f.json(
      'put-signing-profile',
      '--profile-name',
      'MyProfile6',
      '--signing-material',
      `certificateArn=${arn}`,
      '--platform-id',
      'AmazonFreeRTOS-TI-CC3220SF',
    );
    expect(put.arn).toMatch(/MyProfile6$/);
  });

  it('exits 252 without --private-key or with an unreadable file, and 254 with the ACM error for junk PEM', async () => {
    writeFileSync(join(f.dir, 'junk.pem'), 'not a certificate');
    const usage = await f.run('import-certificate', '--certificate', 'fileb://junk.pem');
    expect(usage.code).toBe(252);
    expect(usage.stderr).toContain('the following arguments are required: --private-key');
    const unreadable = await f.run(
      'import-certificate',
      '--certificate',
      'fileb://nothing.pem',
      '--private-key',
      'fileb://junk.pem',
    );
    expect([unreadable.code, unreadable.stderr]).toEqual([
      252,
      expect.stringContaining('Unable to load paramfile fileb://nothing.pem: ENOENT'),
    ]);
    const bad = await f.run(
      'import-certificate',
      '--certificate',
      'fileb://junk.pem',
      '--private-key',
      'fileb://junk.pem',
    );
    expect(bad.code).toBe(254);
    expect(bad.stderr).toMatch(
      /^An error occurred \((ValidationException|InvalidParameterException)\) when calling the ImportCertificate operation: \S/,
    );
  });
});
