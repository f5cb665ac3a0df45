import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixture, type Fixture } from '../aws-fixture.js';

let f: Fixture;
beforeAll(async () => (f = await startFixture()), 60_000);
afterAll(async () => f?.close());

describe('fwsign list-tags-for-resource', { timeout: 60_000 }, () => {
  it('lists the tags set by put-signing-profile --tags', async () => {
    const arn = await f.certificate('ec');
    await f.json(
      'put-signing-profile',
      '--profile-name',
      'WithTags',
      '--platform-id',
      'AmazonFreeRTOS-Default',
      '--signing-material',
      `certificateArn=${arn}`,
      '--tags',
      'owner=fw-team',
    );
    const out = await f.json(
      'list-tags-for-resource',
      '--resource-arn',
      'arn:aws:signer:us-east-1:000000000000:/signing-profiles/WithTags',
    );
    expect(out).toEqual({ tags: { owner: 'fw-team' } });
  });
});
