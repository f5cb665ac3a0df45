import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profile, startFixture, type Fixture } from '../aws-fixture.js';

let f: Fixture;
beforeAll(async () => (f = await startFixture()), 60_000);
afterAll(async () => f?.close());
const ARN = 'arn:aws:signer:us-east-1:000000000000:/signing-profiles/Tagged';

describe('fwsign tag-resource', { timeout: 60_000 }, () => {
  it('adds tags given as shorthand; unknown resources are NotFoundException', async () => {
    await profile(f, 'Tagged');
    expect((await f.run('tag-resource', '--resource-arn', ARN, '--tags', 'a=1,b=2')).code).toBe(0);
    expect((await f.json('list-tags-for-resource', '--resource-arn', ARN)).tags).toEqual({
      a: '1',
      b: '2',
    });
    const missing = await f.run('tag-resource', '--resource-arn', `${ARN}Nope`, '--tags', 'a=1');
    expect(missing.code).toBe(254);
    expect(missing.stderr).toMatch(
      /An error occurred \((NotFoundException|ResourceNotFoundException)\) when calling the TagResource operation/,
    );
  });
});
