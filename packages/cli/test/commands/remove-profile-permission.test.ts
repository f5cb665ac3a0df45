import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profile, startFixture, type Fixture } from '../aws-fixture.js';

let f: Fixture;
beforeAll(async () => (f = await startFixture()), 60_000);
afterAll(async () => f?.close());

describe('fwsign remove-profile-permission', { timeout: 60_000 }, () => {
  it('removes a statement given the current revisionId', async () => {
    await profile(f, 'Trimmed');
    const a = await f.json(
      'add-profile-permission',
      '--profile-name',
      'Trimmed',
      '--action',
      'signer:StartSigningJob',
      '--principal',
      '111111111111',
      '--statement-id',
      'gone',
    );
    const r = await f.json(
      'remove-profile-permission',
      '--profile-name',
      'Trimmed',
      '--statement-id',
      'gone',
      '--revision-id',
      a.revisionId,
    );
    expect(r.revisionId).not.toBe(a.revisionId);
    expect(
      (await f.json('list-profile-permissions', '--profile-name', 'Trimmed')).permissions ?? [],
    ).toEqual([]);
  });
});
