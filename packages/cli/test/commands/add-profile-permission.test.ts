import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profile, startFixture, type Fixture } from '../aws-fixture.js';

let f: Fixture;
beforeAll(async () => (f = await startFixture()), 60_000);
afterAll(async () => f?.close());

describe('fwsign add-profile-permission', { timeout: 60_000 }, () => {
  it('returns a revisionId, and a stale one is a ConflictException', async () => {
    await profile(f, 'Shared');
    const a = await f.json(
      'add-profile-permission',
      '--profile-name',
      'Shared',
      '--action',
      'signer:StartSigningJob',
      '--principal',
      '111111111111',
      '--statement-id',
      's1',
    );
    expect(typeof a.revisionId).toBe('string');
    await f.json(
      'add-profile-permission',
      '--profile-name',
      'Shared',
      '--action',
      'signer:GetSigningProfile',
      '--principal',
      '111111111111',
      '--statement-id',
      's2',
      '--revision-id',
      a.revisionId,
    );
    const stale = await f.run(
      'add-profile-permission',
      '--profile-name',
      'Shared',
      '--action',
      'signer:GetSigningProfile',
      '--principal',
      '222222222222',
      '--statement-id',
      's3',
      '--revision-id',
      a.revisionId,
    );
    expect(stale.code).toBe(254);
    expect(stale.stderr).toMatch(
      /An error occurred \(ConflictException\) when calling the AddProfilePermission operation/,
    );
  });
});
