import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profile, startFixture, type Fixture } from '../aws-fixture.js';

let f: Fixture;
beforeAll(async () => (f = await startFixture()), 60_000);
afterAll(async () => f?.close());

describe('fwsign revoke-signing-profile', { timeout: 60_000 }, () => {
  it('revokes a version with an effective time; the profile reads back Revoked', async () => {
    const { profileVersion } = await profile(f, 'ToRevoke');
    const when = new Date(Date.now() - 60_000).toISOString();
    const r = await f.run(
      'revoke-signing-profile',
      '--profile-name',
      'ToRevoke',
      '--profile-version',
      profileVersion,
      '--reason',
      'key rotated',
      '--effective-time',
      when,
    );
    expect(r.code, r.stderr).toBe(0);
    const got = await f.json('get-signing-profile', '--profile-name', 'ToRevoke');
    expect(got.status).toBe('Revoked');
    expect(got.revocationRecord.revokedBy).toBe('arn:aws:iam::000000000000:root');
  });
});
