import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixture, type Fixture } from '../aws-fixture.js';

let f: Fixture;
beforeAll(async () => (f = await startFixture()), 60_000);
afterAll(async () => f?.close());

describe('fwsign list-signing-profiles', { timeout: 60_000 }, () => {
  it('follows nextToken across pages, and stops at --max-items with a NextToken', async () => {
    const arn = await f.certificate('ec');
    for (let i = 0; i < 30; i++) {
      await f.json(
        'put-signing-profile',
        '--profile-name',
        `P_${String(i).padStart(2, '0')}`,
        '--platform-id',
        'AmazonFreeRTOS-Default',
        '--signing-material',
        `certificateArn=${arn}`,
      );
    }
    const all = await f.json('list-signing-profiles', '--page-size', '7');
    expect(all.profiles.map((p: { profileName: string }) => p.profileName).sort()).toEqual(
      Array.from({ length: 30 }, (_, i) => `P_${String(i).padStart(2, '0')}`),
    );
    expect(all.nextToken).toBeUndefined();
    const some = await f.json('list-signing-profiles', '--max-items', '5');
    expect(some.profiles).toHaveLength(5);
    expect(typeof some.NextToken).toBe('string');
    const rest = await f.json('list-signing-profiles', '--starting-token', some.NextToken);
    expect(rest.profiles).toHaveLength(25);
  });
});
