import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignerStore } from '../src/index.js';
import {
  ALICE,
  BOB,
  EC_P256,
  expectStoreError,
  openStore,
  opensslPair,
  removeDir,
  setupAlice,
  tempDir,
} from './helpers.js';

let dir: string;
let keys: string;
let store: SignerStore;
let arn: string;

beforeAll(() => {
  dir = tempDir('tags');
  keys = tempDir('tags-keys');
  store = openStore(dir);
  arn = setupAlice(store, opensslPair(keys, 'ec', EC_P256)).profileArn;
});

afterAll(() => {
  store.close();
  removeDir(dir);
  removeDir(keys);
});

describe('TagResource / UntagResource / ListTagsForResource', () => {
  it('adds, overwrites and removes tags on a profile ARN', () => {
    store.tagResource(ALICE, { resourceArn: arn, tags: { env: 'prod', team: 'fw' } });
    store.tagResource(ALICE, { resourceArn: arn, tags: { env: 'stage' } });
    expect(store.listTagsForResource(ALICE, { resourceArn: arn }).tags).toEqual({
      env: 'stage',
      team: 'fw',
    });
    store.untagResource(ALICE, { resourceArn: arn, tagKeys: ['env', 'absent'] });
    expect(store.listTagsForResource(ALICE, { resourceArn: arn }).tags).toEqual({ team: 'fw' });
  });

  it('caps a profile at 50 tags', async () => {
    const tags = Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`t${i}`, 'v']));
    store.tagResource(ALICE, { resourceArn: arn, tags });
    await expectStoreError(
      () => store.tagResource(ALICE, { resourceArn: arn, tags: { extra: 'v' } }),
      'BadRequestException',
      /a profile can have at most 50 tags, this change would leave 51/,
    );
    store.tagResource(ALICE, { resourceArn: arn, tags: { t0: 'overwrite' } });
    expect(Object.keys(store.listTagsForResource(ALICE, { resourceArn: arn }).tags)).toHaveLength(
      50,
    );
  });

  it('BadRequest for a malformed ARN or tag, NotFound for an unknown or foreign one', async () => {
    await expectStoreError(
      () => store.listTagsForResource(ALICE, { resourceArn: 'arn:aws:s3:::bucket' }),
      'BadRequestException',
      /resourceArn: expected arn:aws:signer:<region>:<account>:\/signing-profiles\/<name>, got "arn:aws:s3:::bucket"/,
    );
    await expectStoreError(
      () => store.tagResource(ALICE, { resourceArn: `${arn}/ABCDEFGHIJ`, tags: { a: 'b' } }),
      'BadRequestException',
      /resourceArn/,
    );
    const e = await expectStoreError(
      () =>
        store.listTagsForResource(ALICE, {
          resourceArn: 'arn:aws:signer:us-east-1:111111111111:/signing-profiles/nope_nope',
        }),
      'NotFoundException',
      /signing profile .*nope_nope was not found/,
    );
    expect(e.httpStatus).toBe(404);
    await expectStoreError(
      () => store.listTagsForResource(BOB, { resourceArn: arn }),
      'NotFoundException',
      /was not found/,
    );
    await expectStoreError(
      () => store.tagResource(ALICE, { resourceArn: arn, tags: { 'aws:x': 'y' } }),
      'BadRequestException',
      /tags key/,
    );
    await expectStoreError(
      () => store.tagResource(ALICE, { resourceArn: arn, tags: {} }),
      'BadRequestException',
      /expected 1-200 tags, got 0/,
    );
    await expectStoreError(
      () => store.untagResource(ALICE, { resourceArn: arn, tagKeys: [] }),
      'BadRequestException',
      /tagKeys: expected a list of 1-200 tag keys/,
    );
  });

  it('refuses tag changes and listing on a canceled profile (BadRequestException, as AWS documents)', async () => {
    store.cancelSigningProfile(ALICE, { profileName: 'fw_profile' });
    await expectStoreError(
      () => store.tagResource(ALICE, { resourceArn: arn, tags: { a: 'b' } }),
      'BadRequestException',
      /is Canceled; its tags cannot change/,
    );
    await expectStoreError(
      () => store.listTagsForResource(ALICE, { resourceArn: arn }),
      'BadRequestException',
      /is Canceled; its tags cannot be listed/,
    );
  });
});
