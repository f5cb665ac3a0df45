import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profile, startFixture, type Fixture } from '../aws-fixture.js';

let f: Fixture;
beforeAll(async () => (f = await startFixture()), 60_000);
afterAll(async () => f?.close());

describe('fwsign cancel-signing-profile', { timeout: 60_000 }, () => {
  it('cancels: the profile reads back Canceled and leaves the default listing', async () => {
    await profile(f, 'ToCancel');
    const r = await f.run('cancel-signing-profile', '--profile-name', 'ToCancel');
    expect([r.code, r.stdout]).toEqual([0, '']);
    expect((await f.json('get-signing-profile', '--profile-name', 'ToCancel')).status).toBe(
      'Canceled',
    );
    expect((await f.json('list-signing-profiles')).profiles ?? []).toEqual([]);
    expect((await f.json('list-signing-profiles', '--include-canceled')).profiles).toHaveLength(1);
  });
});
