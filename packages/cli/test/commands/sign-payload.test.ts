import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { profile, startFixture, type Fixture } from '../aws-fixture.js';

let f: Fixture;
beforeAll(async () => (f = await startFixture()), 60_000);
afterAll(async () => f?.close());

describe('fwsign sign-payload', { timeout: 60_000 }, () => {
  it('signs a fileb:// payload and returns the signature as base64', async () => {
    await profile(f, 'Payload');
    writeFileSync(join(f.dir, 'p.bin'), 'small payload');
    const out = await f.json(
      'sign-payload',
      '--profile-name',
      'Payload',
      '--payload',
      'fileb://p.bin',
      '--payload-format',
      'application/octet-stream',
    );
    expect(out.jobOwner).toBe('000000000000');
    expect(Buffer.from(out.signature as string, 'base64').length).toBeGreaterThan(8);
    expect((await f.json('describe-signing-job', '--job-id', out.jobId)).status).toBe('Succeeded');
    const empty = await f.run(
      'sign-payload',
      '--profile-name',
      'Payload',
      '--payload',
      'fileb://missing.bin',
      '--payload-format',
      'x',
    );
    expect(empty.code).not.toBe(0);
  });
});
