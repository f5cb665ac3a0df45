import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { SignerStore } from '../src/index.js';
import {
  ALICE,
  EC_P256,
  openStore,
  opensslPair,
  removeDir,
  setupAlice,
  tempDir,
} from './helpers.js';
import { A, ALLOW_SIGN, TRUST } from './iam-fixture.js';

let dir: string;
let store: SignerStore;
beforeEach(() => {
  dir = tempDir('iam');
  store = openStore(dir);
});
afterEach(() => {
  store.close();
  removeDir(dir);
});

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: { code: string; httpStatus: number }) => `${e.code} ${e.httpStatus}`,
  );

describe('IAM entities in the store', () => {
  it('users: unique without regard to case, AIDA ids, tags, DeleteConflict while keys remain', async () => {
    const { User } = await store.iam.createUser(A, {
      UserName: 'ci',
      Path: '/build/',
      Tags: [{ Key: 'team', Value: 'fw' }],
    });
    expect(User.Arn).toBe(`arn:aws:iam::${A}:user/build/ci`);
    expect(User.UserId).toMatch(/^AIDA[A-Z2-7]{16}$/);
    expect(await codeOf(store.iam.createUser(A, { UserName: 'CI' }))).toBe(
      'EntityAlreadyExists 409',
    );
    const key = (await store.iam.createAccessKey(A, { UserName: 'ci' })).AccessKey;
    expect(key.AccessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(key.SecretAccessKey).toHaveLength(40);
    await expect(store.iam.deleteUser(A, { UserName: 'ci' })).rejects.toMatchObject({
      code: 'DeleteConflict',
      message: expect.stringContaining('remove 1 access keys'),
    });
    const resolved = await store.iam.resolveAccessKey(key.AccessKeyId);
    expect(resolved).toMatchObject({
      secretAccessKey: key.SecretAccessKey,
      active: true,
      principal: { arn: User.Arn, tags: { team: 'fw' } },
    });
    await store.iam.updateAccessKey(A, {
      UserName: 'ci',
      AccessKeyId: key.AccessKeyId,
      Status: 'Inactive',
    });
    expect((await store.iam.resolveAccessKey(key.AccessKeyId))?.active).toBe(false);
    await store.iam.deleteAccessKey(A, { UserName: 'ci', AccessKeyId: key.AccessKeyId });
    expect(await store.iam.resolveAccessKey(key.AccessKeyId)).toBeUndefined();
    await store.iam.deleteUser(A, { UserName: 'ci' });
    expect(await codeOf(store.iam.getUser(A, { UserName: 'ci' }))).toBe('NoSuchEntity 404');
  });

  it('seals access-key secrets at rest: the database never holds one in clear', async () => {
    const key = (await store.iam.createUser(A, { UserName: 'u' }),
    await store.iam.createAccessKey(A, { UserName: 'u' })).AccessKey;
    store.close();
    const db = new Database(join(dir, 'signer.db'), { readonly: true });
    const row = db.prepare('SELECT secret_ciphertext FROM iam_access_keys').get() as {
      secret_ciphertext: Buffer;
    };
    db.close();
    expect(row.secret_ciphertext.includes(Buffer.from(key.SecretAccessKey))).toBe(false);
    store = openStore(dir);
    expect((await store.iam.resolveAccessKey(key.AccessKeyId))?.secretAccessKey).toBe(
      key.SecretAccessKey,
    );
  });

  it("policies: grammar and size checked on write; a user sees its own, its groups' and attached default versions", async () => {
    await store.iam.createUser(A, { UserName: 'u' });
    await expect(
      store.iam.putUserPolicy(A, {
        UserName: 'u',
        PolicyName: 'p',
        PolicyDocument: '{"Statement":[{"Effect":"Allow"}]',
      }),
    ).rejects.toMatchObject({ code: 'MalformedPolicyDocument' });
    await expect(
      store.iam.putUserPolicy(A, {
        UserName: 'u',
        PolicyName: 'p',
        PolicyDocument: JSON.stringify({
          Statement: { Effect: 'Allow', Action: 's3:*', Resource: '*', Principal: '*' },
        }),
      }),
    ).rejects.toMatchObject({
      code: 'MalformedPolicyDocument',
      message: 'Policy document should not specify a principal.',
    });
    const big = JSON.stringify({
      Statement: [
        { Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${'b'.repeat(2100)}` },
      ],
    });
    await expect(
      store.iam.putUserPolicy(A, { UserName: 'u', PolicyName: 'p', PolicyDocument: big }),
    ).rejects.toMatchObject({ code: 'LimitExceeded', httpStatus: 409 });
    await store.iam.putUserPolicy(A, {
      UserName: 'u',
      PolicyName: 'inline',
      PolicyDocument: ALLOW_SIGN,
    });
    await store.iam.createGroup(A, { GroupName: 'g' });
    await store.iam.addUserToGroup(A, { GroupName: 'g', UserName: 'u' });
    await store.iam.putGroupPolicy(A, {
      GroupName: 'g',
      PolicyName: 'gp',
      PolicyDocument: ALLOW_SIGN.replace('StartSigningJob', 'ListSigningJobs'),
    });
    const { Policy } = await store.iam.createPolicy(A, {
      PolicyName: 'm',
      PolicyDocument: ALLOW_SIGN.replace('StartSigningJob', 'GetSigningProfile'),
    });
    await store.iam.attachUserPolicy(A, { UserName: 'u', PolicyArn: Policy.Arn });
    await store.iam.createPolicyVersion(A, {
      PolicyArn: Policy.Arn,
      PolicyDocument: ALLOW_SIGN.replace('StartSigningJob', 'RevokeSignature'),
      SetAsDefault: true,
    });
    const p = await store.iam.policiesOfArn(A, `arn:aws:iam::${A}:user/u`);
    expect(p.map((x) => [x.id, x.type])).toEqual([
      ['inline', 'user'],
      [Policy.Arn, 'user-managed'],
      ['gp', 'group'],
    ]);
    expect(p[1]!.document).toContain('RevokeSignature'); // v2, the default now, not v1
    const resolved = (await store.iam.principalOfUserArn(`arn:aws:iam::${A}:user/u`))!;
    expect(resolved.identityPolicies).toEqual(p.map((x) => x.document));
    for (let i = 0; i < 3; i++)
      await store.iam.createPolicyVersion(A, { PolicyArn: Policy.Arn, PolicyDocument: ALLOW_SIGN });
    await expect(
      store.iam.createPolicyVersion(A, { PolicyArn: Policy.Arn, PolicyDocument: ALLOW_SIGN }),
    ).rejects.toMatchObject({
      code: 'LimitExceeded',
      message: expect.stringContaining('up to 5 versions'),
    });
    await expect(
      store.iam.deletePolicyVersion(A, { PolicyArn: Policy.Arn, VersionId: 'v2' }),
    ).rejects.toMatchObject({ code: 'DeleteConflict' });
    await expect(store.iam.deletePolicy(A, { PolicyArn: Policy.Arn })).rejects.toMatchObject({
      code: 'DeleteConflict',
      message: 'Cannot delete a policy attached to entities.',
    });
    expect(await codeOf(store.iam.getPolicy('222222222222', { PolicyArn: Policy.Arn }))).toBe(
      'NoSuchEntity 404',
    );
  });

  it('sessions: ASIA keys, token kept as a hash, DurationSeconds bounded by MaxSessionDuration', async () => {
    await store.iam.createRole(A, {
      RoleName: 'deploy',
      AssumeRolePolicyDocument: TRUST,
      MaxSessionDuration: 7200,
    });
    await expect(
      store.iam.createSession(A, {
        RoleName: 'deploy',
        RoleSessionName: 's',
        DurationSeconds: 7201,
      }),
    ).rejects.toMatchObject({ code: 'ValidationError' });
    const out = await store.iam.createSession(A, {
      RoleName: 'deploy',
      RoleSessionName: 's',
      DurationSeconds: 900,
    });
    expect(out.Credentials.AccessKeyId).toMatch(/^ASIA/);
    const r = await store.iam.resolveAccessKey(out.Credentials.AccessKeyId);
    expect(r?.principal.arn).toBe(`arn:aws:sts::${A}:assumed-role/deploy/s`);
    expect(r?.sessionTokenSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(r?.expiresAt?.getTime()).toBe(out.Credentials.Expiration.getTime());
  });
});

describe('the IAM generation', () => {
  it("rises with every change authorization reads: IAM's, a profile's tags and its permissions", async () => {
    const { profileArn } = setupAlice(store, opensslPair(dir, 'gen', EC_P256));
    const seen = [await store.iam.generation()];
    const step = async (change: () => unknown) => {
      await change();
      seen.push(await store.iam.generation());
    };
    await step(() => store.iam.createUser(A, { UserName: 'ci' }));
    await step(() => store.tagResource(ALICE, { resourceArn: profileArn, tags: { team: 'fw' } }));
    await step(() => store.untagResource(ALICE, { resourceArn: profileArn, tagKeys: ['team'] }));
    let revisionId = '';
    await step(() => {
      ({ revisionId } = store.addProfilePermission(ALICE, {
        profileName: 'fw_profile',
        action: 'signer:StartSigningJob',
        principal: '222222222222',
        statementId: 's1',
      }));
    });
    await step(() =>
      store.removeProfilePermission(ALICE, {
        profileName: 'fw_profile',
        statementId: 's1',
        revisionId,
      }),
    );
    // Each step strictly later than the one before.
    expect(seen.every((g, i) => i === 0 || g > seen[i - 1]!)).toBe(true);
    expect(seen).toHaveLength(6);
  });
});
