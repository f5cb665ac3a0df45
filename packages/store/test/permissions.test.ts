import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_POLICY_BYTES } from '../src/index.js';
import type { SignerStore } from '../src/index.js';
import {
  ALICE,
  BOB,
  CAROL,
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
let setup: ReturnType<typeof setupAlice>;

beforeAll(() => {
  dir = tempDir('perms');
  keys = tempDir('perms-keys');
  store = openStore(dir);
  setup = setupAlice(store, opensslPair(keys, 'ec', EC_P256));
});

afterAll(() => {
  store.close();
  removeDir(dir);
  removeDir(keys);
});

describe('Add/Remove/ListProfilePermissions', () => {
  it('keeps an IAM-style policy whose revisionId changes on every change', async () => {
    const empty = store.listProfilePermissions(ALICE, { profileName: 'fw_profile' });
    expect(empty).toEqual({ policySizeBytes: 0, permissions: [] });
    const r1 = store.addProfilePermission(ALICE, {
      profileName: 'fw_profile',
      action: 'signer:StartSigningJob',
      principal: BOB.accountId,
      statementId: 's1',
    });
    const r2 = store.addProfilePermission(ALICE, {
      profileName: 'fw_profile',
      action: 'signer:GetSigningProfile',
      principal: 'arn:aws:iam::333333333333:role/ci',
      statementId: 's2',
      profileVersion: setup.profileVersion,
      revisionId: r1.revisionId,
    });
    expect(r2.revisionId).not.toBe(r1.revisionId);
    const l = store.listProfilePermissions(ALICE, { profileName: 'fw_profile' });
    expect(l.revisionId).toBe(r2.revisionId);
    expect(l.permissions).toEqual([
      { action: 'signer:StartSigningJob', principal: BOB.accountId, statementId: 's1' },
      {
        action: 'signer:GetSigningProfile',
        principal: 'arn:aws:iam::333333333333:role/ci',
        statementId: 's2',
        profileVersion: setup.profileVersion,
      },
    ]);
    const doc = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 's1',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::222222222222:root' },
          Action: 'signer:StartSigningJob',
          Resource: setup.profileArn,
        },
        {
          Sid: 's2',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::333333333333:role/ci' },
          Action: 'signer:GetSigningProfile',
          Resource: `${setup.profileArn}/${setup.profileVersion}`,
        },
      ],
    };
    expect(l.policySizeBytes).toBe(Buffer.byteLength(JSON.stringify(doc)));

    await expectStoreError(
      () =>
        store.addProfilePermission(ALICE, {
          profileName: 'fw_profile',
          action: 'signer:SignPayload',
          principal: BOB.accountId,
          statementId: 's3',
          revisionId: r1.revisionId,
        }),
      'ConflictException',
      new RegExp(
        `revisionId: expected the current revision ${r2.revisionId} of profile fw_profile's policy, got "${r1.revisionId}"`,
      ),
    );
    await expectStoreError(
      () =>
        store.addProfilePermission(ALICE, {
          profileName: 'fw_profile',
          action: 'signer:SignPayload',
          principal: BOB.accountId,
          statementId: 's1',
        }),
      'ConflictException',
      /statementId: a statement "s1" already exists/,
    );
    await expectStoreError(
      () =>
        store.removeProfilePermission(ALICE, {
          profileName: 'fw_profile',
          statementId: 's1',
          revisionId: r1.revisionId,
        }),
      'ConflictException',
      /revisionId/,
    );
    await expectStoreError(
      () =>
        store.removeProfilePermission(ALICE, {
          profileName: 'fw_profile',
          statementId: 'nope',
          revisionId: r2.revisionId,
        }),
      'ResourceNotFoundException',
      /no statement "nope" on profile fw_profile/,
    );
    const r3 = store.removeProfilePermission(ALICE, {
      profileName: 'fw_profile',
      statementId: 's2',
      revisionId: r2.revisionId,
    });
    expect(r3.revisionId).not.toBe(r2.revisionId);
    expect(
      store
        .listProfilePermissions(ALICE, { profileName: 'fw_profile' })
        .permissions.map((p) => p.statementId),
    ).toEqual(['s1']);
  });

  it('validates action, principal, statementId and profileVersion; only the owner manages the policy', async () => {
    const add = (extra: Record<string, unknown>) =>
      store.addProfilePermission(ALICE, {
        profileName: 'fw_profile',
        action: 'signer:SignPayload',
        principal: BOB.accountId,
        statementId: 'v1',
        ...extra,
      });
    await expectStoreError(
      () => add({ action: 'signer:PutSigningProfile' }),
      'ValidationException',
      /action: expected one of \[signer:StartSigningJob, signer:GetSigningProfile, signer:RevokeSignature, signer:SignPayload\], got "signer:PutSigningProfile"/,
    );
    await expectStoreError(
      () => add({ principal: '1234' }),
      'ValidationException',
      /principal: expected a 12-digit account id or an IAM\/STS ARN, got "1234"/,
    );
    await expectStoreError(
      () => add({ statementId: 'has space' }),
      'ValidationException',
      /statementId: expected 1-100 characters/,
    );
    await expectStoreError(
      () => add({ profileVersion: 'ZZZZZZZZZZ' }),
      'ValidationException',
      /profileVersion: expected the current version/,
    );
    await expectStoreError(
      () =>
        store.addProfilePermission(BOB, {
          profileName: 'fw_profile',
          action: 'signer:SignPayload',
          principal: BOB.accountId,
          statementId: 'x',
        }),
      'ResourceNotFoundException',
      /does not exist in account 222222222222/,
    );
    await expectStoreError(
      () => store.listProfilePermissions(BOB, { profileName: 'fw_profile' }),
      'ResourceNotFoundException',
      /fw_profile/,
    );
  });

  it('limits the policy document size (ServiceLimitExceededException, HTTP 402)', async () => {
    store.putSigningProfile(ALICE, {
      profileName: 'big_policy',
      platformId: 'AmazonFreeRTOS-Default',
      signingMaterial: { certificateArn: setup.certificateArn },
    });
    let i = 0;
    let err: (Error & { code: string; httpStatus: number }) | undefined;
    for (; i < 1000 && !err; i++) {
      try {
        store.addProfilePermission(ALICE, {
          profileName: 'big_policy',
          action: 'signer:GetSigningProfile',
          principal: `arn:aws:iam::${String(i).padStart(12, '0')}:role/some-long-role-name-for-size`,
          statementId: `statement-${i}`,
        });
      } catch (e) {
        err = e as typeof err;
      }
    }
    expect(err?.code).toBe('ServiceLimitExceededException');
    expect(err?.httpStatus).toBe(402);
    expect(err?.message).toMatch(
      new RegExp(
        `policy of profile big_policy: adding statement "statement-${i - 1}" makes it \\d+ bytes, the limit is ${MAX_POLICY_BYTES}`,
      ),
    );
    const l = store.listProfilePermissions(ALICE, { profileName: 'big_policy' });
    expect(l.policySizeBytes).toBeLessThanOrEqual(MAX_POLICY_BYTES);
    // Paginated listing returns every statement once.
    const ids: string[] = [...l.permissions.map((p) => p.statementId)];
    let token = l.nextToken;
    for (let n = 0; token && n < 100; n++) {
      const page = store.listProfilePermissions(ALICE, {
        profileName: 'big_policy',
        nextToken: token,
      });
      ids.push(...page.permissions.map((p) => p.statementId));
      token = page.nextToken;
    }
    expect(ids).toEqual(Array.from({ length: i - 1 }, (_, k) => `statement-${k}`));
  });
});

describe('authorize', () => {
  it('allows the owner always, others only through a matching statement', async () => {
    store.putSigningProfile(ALICE, {
      profileName: 'authz',
      platformId: 'AmazonFreeRTOS-Default',
      signingMaterial: { certificateArn: setup.certificateArn },
    });
    const ref = { profileName: 'authz', profileOwner: ALICE.accountId };
    expect(() =>
      store.authorize(ALICE, 'signer:SignPayload', { profileName: 'authz' }),
    ).not.toThrow();
    await expectStoreError(
      () => store.authorize(BOB, 'signer:SignPayload', ref),
      'AccessDeniedException',
      /arn:aws:iam::222222222222:user\/bob is not authorized to perform signer:SignPayload on arn:aws:signer:us-east-1:111111111111:\/signing-profiles\/authz/,
    );
    const { revisionId } = store.addProfilePermission(ALICE, {
      profileName: 'authz',
      action: 'signer:SignPayload',
      principal: BOB.accountId,
      statementId: 'bob',
    });
    expect(() => store.authorize(BOB, 'signer:SignPayload', ref)).not.toThrow();
    expect(() =>
      store.authorize(
        BOB,
        'signer:SignPayload',
        'arn:aws:signer:us-east-1:111111111111:/signing-profiles/authz',
      ),
    ).not.toThrow();
    // The grant is for one action only.
    await expectStoreError(
      () => store.authorize(BOB, 'signer:StartSigningJob', ref),
      'AccessDeniedException',
      /signer:StartSigningJob/,
    );
    // A role principal covers its assumed-role sessions; another role of the same account is not covered.
    store.addProfilePermission(ALICE, {
      profileName: 'authz',
      action: 'signer:GetSigningProfile',
      principal: CAROL.principalArn,
      statementId: 'carol',
      revisionId,
    });
    expect(() =>
      store.authorize(
        {
          accountId: CAROL.accountId,
          principalArn: 'arn:aws:sts::333333333333:assumed-role/ci/build-42',
        },
        'signer:GetSigningProfile',
        ref,
      ),
    ).not.toThrow();
    await expectStoreError(
      () =>
        store.authorize(
          { accountId: CAROL.accountId, principalArn: 'arn:aws:iam::333333333333:role/other' },
          'signer:GetSigningProfile',
          ref,
        ),
      'AccessDeniedException',
      /role\/other/,
    );
    // Removing the statement removes the access.
    const rev = store.listProfilePermissions(ALICE, { profileName: 'authz' }).revisionId!;
    store.removeProfilePermission(ALICE, {
      profileName: 'authz',
      statementId: 'bob',
      revisionId: rev,
    });
    await expectStoreError(
      () => store.authorize(BOB, 'signer:SignPayload', ref),
      'AccessDeniedException',
      /not authorized/,
    );
    await expectStoreError(
      () => store.authorize(ALICE, 'signer:SignPayload', { profileName: 'missing_p' }),
      'ResourceNotFoundException',
      /missing_p/,
    );
  });
});
