/**
 * The store contract on each engine (contract-engines.ts): IAM's users, access keys, inline and
 * managed policies, groups, roles and sessions — names unique whatever their case, listed and
 * paged in the same order on both.
 */
import { describe, expect, it } from 'vitest';
import { A, ALLOW_SIGN, TRUST } from './iam-fixture.js';
import { ENGINES, useContractStore } from './contract-engines.js';

/** IAM allows `+=,.@_-` in names; their order among themselves differs between byte and natural-language collations. */
const USERS = ['b.ops', 'B-ops', 'b_ops', 'a+x', 'A@y', 'c'];

describe.each(ENGINES)('IAM on $name', (engine) => {
  const s = useContractStore(engine);
  const iam = () => s.store.iam;

  it('users: one per name whatever its case, listed and paged in one order', async () => {
    for (const UserName of USERS) await iam().createUser(A, { UserName });
    await expect(iam().createUser(A, { UserName: 'C' })).rejects.toMatchObject({
      code: 'EntityAlreadyExists',
      httpStatus: 409,
    });
    expect((await iam().getUser(A, { UserName: 'B.OPS' })).User.UserName).toBe('b.ops');
    const all = (await iam().listUsers(A, {})).Users.map((u) => u.UserName);
    // SQLite's NOCASE order: lowercased, then byte by byte.
    expect(all).toEqual(['a+x', 'A@y', 'B-ops', 'b.ops', 'b_ops', 'c']);
    const paged: string[] = [];
    let Marker: string | undefined;
    do {
      const page = await iam().listUsers(A, { MaxItems: 1, ...(Marker ? { Marker } : {}) });
      paged.push(...page.Users.map((u) => u.UserName));
      Marker = page.Marker;
    } while (Marker);
    expect(paged).toEqual(all);
  });

  it('access keys: made, resolved with their secret, deactivated and deleted', async () => {
    const key = (await iam().createAccessKey(A, { UserName: 'c' })).AccessKey;
    expect(key.AccessKeyId).toMatch(/^AKIA/);
    const resolved = await iam().resolveAccessKey(key.AccessKeyId);
    expect(resolved).toMatchObject({ secretAccessKey: key.SecretAccessKey, active: true });
    expect(resolved?.principal.arn).toBe(`arn:aws:iam::${A}:user/c`);
    await iam().updateAccessKey(A, {
      UserName: 'c',
      AccessKeyId: key.AccessKeyId,
      Status: 'Inactive',
    });
    expect((await iam().resolveAccessKey(key.AccessKeyId))?.active).toBe(false);
    await expect(iam().deleteUser(A, { UserName: 'c' })).rejects.toMatchObject({
      code: 'DeleteConflict',
    });
    await iam().deleteAccessKey(A, { UserName: 'c', AccessKeyId: key.AccessKeyId });
    expect(await iam().resolveAccessKey(key.AccessKeyId)).toBeUndefined();
  });

  it("policies: a user's inline, its group's and its attached managed policy's default version", async () => {
    await iam().putUserPolicy(A, {
      UserName: 'c',
      PolicyName: 'inline',
      PolicyDocument: ALLOW_SIGN,
    });
    expect((await iam().getUserPolicy(A, { UserName: 'c', PolicyName: 'inline' })).PolicyName).toBe(
      'inline',
    );
    await iam().createGroup(A, { GroupName: 'release' });
    await iam().addUserToGroup(A, { GroupName: 'release', UserName: 'C' });
    await iam().putGroupPolicy(A, {
      GroupName: 'release',
      PolicyName: 'gp',
      PolicyDocument: ALLOW_SIGN.replace('StartSigningJob', 'ListSigningJobs'),
    });
    const { Policy } = await iam().createPolicy(A, {
      PolicyName: 'managed',
      PolicyDocument: ALLOW_SIGN.replace('StartSigningJob', 'GetSigningProfile'),
    });
    await iam().attachUserPolicy(A, { UserName: 'c', PolicyArn: Policy.Arn });
    await iam().createPolicyVersion(A, {
      PolicyArn: Policy.Arn,
      PolicyDocument: ALLOW_SIGN.replace('StartSigningJob', 'RevokeSignature'),
      SetAsDefault: true,
    });
    const group = await iam().getGroup(A, { GroupName: 'RELEASE' });
    expect(group.Users.map((u) => u.UserName)).toEqual(['c']);
    const p = await iam().policiesOfArn(A, `arn:aws:iam::${A}:user/c`);
    expect(p.map((x) => [x.id, x.type])).toEqual([
      ['inline', 'user'],
      [Policy.Arn, 'user-managed'],
      ['gp', 'group'],
    ]);
    expect(p[1]!.document).toContain('RevokeSignature');
    await expect(iam().deletePolicy(A, { PolicyArn: Policy.Arn })).rejects.toMatchObject({
      code: 'DeleteConflict',
    });
  });

  it('roles: a session is an ASIA key resolving to the assumed role', async () => {
    await iam().createRole(A, { RoleName: 'deploy', AssumeRolePolicyDocument: TRUST });
    await iam().putRolePolicy(A, {
      RoleName: 'deploy',
      PolicyName: 'rp',
      PolicyDocument: ALLOW_SIGN,
    });
    const out = await iam().createSession(A, {
      RoleName: 'Deploy',
      RoleSessionName: 's',
      DurationSeconds: 900,
    });
    expect(out.Credentials.AccessKeyId).toMatch(/^ASIA/);
    const r = await iam().resolveAccessKey(out.Credentials.AccessKeyId);
    expect(r?.principal.arn).toBe(`arn:aws:sts::${A}:assumed-role/deploy/s`);
    expect(r?.expiresAt?.getTime()).toBe(out.Credentials.Expiration.getTime());
    expect((await iam().listRoles(A, {})).Roles.map((x) => x.RoleName)).toEqual(['deploy']);
  });

  it('permissions boundaries: kept by ARN on users and roles, carried by their principals, guarding the policy', async () => {
    const { Policy } = await iam().createPolicy(A, {
      PolicyName: 'Cap',
      Path: '/caps/',
      PolicyDocument: ALLOW_SIGN,
    });
    const cap = Policy.Arn;
    const { User } = await iam().createUser(A, { UserName: 'bounded', PermissionsBoundary: cap });
    expect(User.PermissionsBoundary).toEqual({
      PermissionsBoundaryType: 'PermissionsBoundaryPolicy',
      PermissionsBoundaryArn: `arn:aws:iam::${A}:policy/caps/Cap`,
    });
    const key = (await iam().createAccessKey(A, { UserName: 'bounded' })).AccessKey;
    expect((await iam().resolveAccessKey(key.AccessKeyId))?.principal.permissionsBoundary).toBe(
      ALLOW_SIGN,
    );
    // A new default version of the boundary is what the next lookup carries.
    const narrower = ALLOW_SIGN.replace('StartSigningJob', 'GetSigningProfile');
    await iam().createPolicyVersion(A, {
      PolicyArn: cap,
      PolicyDocument: narrower,
      SetAsDefault: true,
    });
    expect((await iam().resolveAccessKey(key.AccessKeyId))?.principal.permissionsBoundary).toBe(
      narrower,
    );
    // ListUsers leaves the boundary out, as IAM does.
    expect(
      (await iam().listUsers(A, {})).Users.find((u) => u.UserName === 'bounded'),
    ).not.toHaveProperty('PermissionsBoundary');

    await iam().createRole(A, { RoleName: 'capped', AssumeRolePolicyDocument: TRUST });
    await iam().putRolePermissionsBoundary(A, { RoleName: 'CAPPED', PermissionsBoundary: cap });
    expect((await iam().getRole(A, { RoleName: 'capped' })).Role.PermissionsBoundary).toEqual(
      User.PermissionsBoundary,
    );
    const session = await iam().createSession(A, { RoleName: 'capped', RoleSessionName: 's' });
    expect(
      (await iam().resolveAccessKey(session.Credentials.AccessKeyId))?.principal
        .permissionsBoundary,
    ).toBe(narrower);
    expect(await iam().permissionsBoundaryOfArn(A, `arn:aws:iam::${A}:role/capped`)).toEqual({
      arn: cap,
      document: narrower,
    });
    expect(
      (await iam().getPolicy(A, { PolicyArn: cap })).Policy.PermissionsBoundaryUsageCount,
    ).toBe(2);
    await iam().attachRolePolicy(A, { RoleName: 'capped', PolicyArn: cap });
    const entities = async (PolicyUsageFilter?: string) => {
      const e = await iam().listEntitiesForPolicy(A, {
        PolicyArn: cap,
        ...(PolicyUsageFilter ? { PolicyUsageFilter } : {}),
      });
      return [...e.PolicyUsers.map((u) => u.UserName), ...e.PolicyRoles.map((r) => r.RoleName)];
    };
    expect(await entities('PermissionsBoundary')).toEqual(['bounded', 'capped']);
    expect(await entities('PermissionsPolicy')).toEqual(['capped']);
    expect(await entities()).toEqual(['bounded', 'capped']);
    await iam().detachRolePolicy(A, { RoleName: 'capped', PolicyArn: cap });
    await iam().deletePolicyVersion(A, { PolicyArn: cap, VersionId: 'v1' });
    await expect(iam().deletePolicy(A, { PolicyArn: cap })).rejects.toMatchObject({
      code: 'DeleteConflict',
      message: 'Cannot delete a policy attached to entities.',
    });

    await expect(
      iam().putUserPermissionsBoundary(A, {
        UserName: 'bounded',
        PermissionsBoundary: `arn:aws:iam::${A}:policy/none`,
      }),
    ).rejects.toMatchObject({ code: 'NoSuchEntity', httpStatus: 404 });
    await expect(
      iam().putUserPermissionsBoundary(A, { UserName: 'bounded', PermissionsBoundary: 'cap' }),
    ).rejects.toMatchObject({ code: 'InvalidInput', httpStatus: 400 });
    await expect(
      iam().putUserPermissionsBoundary(A, { UserName: 'nobody', PermissionsBoundary: cap }),
    ).rejects.toMatchObject({ code: 'NoSuchEntity' });

    await iam().deleteUserPermissionsBoundary(A, { UserName: 'bounded' });
    await iam().deleteRolePermissionsBoundary(A, { RoleName: 'capped' });
    expect((await iam().getUser(A, { UserName: 'bounded' })).User).not.toHaveProperty(
      'PermissionsBoundary',
    );
    expect(
      (await iam().resolveAccessKey(key.AccessKeyId))?.principal.permissionsBoundary,
    ).toBeUndefined();
    await iam().deletePolicy(A, { PolicyArn: cap });
  });
});
