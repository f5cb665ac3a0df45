import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profile, startFixture, type Fixture } from '../aws-fixture.js';

let f: Fixture;
beforeAll(async () => (f = await startFixture()), 60_000);
afterAll(async () => f?.close());
const ARN = 'arn:aws:signer:us-east-1:000000000000:/signing-profiles/Untagged';

describe('fwsign untag-resource', { timeout: 60_000 }, () => {
  it('removes the tag keys listed after --tag-keys', async () => {
    await profile(f, 'Untagged');
    await f.json('tag-resource', '--resource-arn', ARN, '--tags', '{"a":"1","b":"2","c":"3"}');
    expect(
      (await f.run('untag-resource', '--resource-arn', ARN, '--tag-keys', 'a', 'c')).code,
    ).toBe(0);
    expect((await f.json('list-tags-for-resource', '--resource-arn', ARN)).tags).toEqual({
      b: '2',
    });
  });
});
