import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profile, startFixture, type Fixture } from '../aws-fixture.js';

let f: Fixture;
beforeAll(async () => (f = await startFixture()), 60_000);
afterAll(async () => f?.close());

describe('fwsign list-profile-permissions', { timeout: 60_000 }, () => {
  it('lists statements with the current revisionId and the policy size', async () => {
    await profile(f, 'Listed');
    const a = await f.json(
      'add-profile-permission',
      '--profile-name',
      'Listed',
      '--action',
      'signer:StartSigningJob',
      '--principal',
      '111111111111',
      '--statement-id',
      'one',
    );
    const l = await f.json('list-profile-permissions', '--profile-name', 'Listed');
    expect(l.revisionId).toBe(a.revisionId);
    expect(l.permissions).toEqual([
      expect.objectContaining({
        action: 'signer:StartSigningJob',
        principal: '111111111111',
        statementId: 'one',
      }),
    ]);
    expect(l.policySizeBytes).toBeGreaterThan(0);
  });
});
