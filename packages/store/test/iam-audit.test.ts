import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseVerifierKey, verifyLog, type AuditEntry } from '@fwsign/audit-log';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SignerStore } from '../src/index.js';
import { openStore, removeDir, tempDir } from './helpers.js';
import { A, ALLOW_SIGN, TRUST } from './iam-fixture.js';

const ADMIN = `arn:aws:iam::${A}:user/admin`;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

let dir: string;
let store: SignerStore;
beforeEach(() => {
  dir = tempDir('iam-audit');
  store = openStore(dir);
});
afterEach(() => {
  store.close();
  removeDir(dir);
});

const entries = (s: SignerStore): AuditEntry[] => {
  const out: AuditEntry[] = [];
  for (let i = 0; i < s.audit.size; i++) out.push(s.audit.entry(i)!);
  return out;
};

describe('IAM and STS writes in the transparency log', () => {
  it('records a permissions boundary set and lifted, naming the entity and the policy', async () => {
    const iam = store.iam.asCaller(ADMIN);
    const { Policy } = await iam.createPolicy(A, { PolicyName: 'cap', PolicyDocument: ALLOW_SIGN });
    await iam.createUser(A, { UserName: 'ci', PermissionsBoundary: Policy.Arn });
    await iam.createRole(A, { RoleName: 'r', AssumeRolePolicyDocument: TRUST });
    await iam.putRolePermissionsBoundary(A, { RoleName: 'r', PermissionsBoundary: Policy.Arn });
    await iam.deleteRolePermissionsBoundary(A, { RoleName: 'r' });
    await iam.deleteRolePermissionsBoundary(A, { RoleName: 'r' }); // none left: no entry
    const log = entries(store).slice(1);
    const role = `arn:aws:iam::${A}:role/r`;
    expect(log.map((e) => [e.kind, e.subjects, e.details.permissionsBoundary])).toEqual([
      ['iam.user.create', [`arn:aws:iam::${A}:user/ci`], Policy.Arn],
      ['iam.role.create', [role], undefined],
      ['iam.permissions-boundary.put', [role, Policy.Arn], undefined],
      ['iam.permissions-boundary.delete', [role, Policy.Arn], undefined],
    ]);
  });

  it('records every write with its caller, account, ARNs and policy digests, never a secret or token', async () => {
    const iam = store.iam.asCaller(ADMIN);
    await iam.createUser(A, { UserName: 'ci', Path: '/build/' });
    await iam.tagUser(A, { UserName: 'ci', Tags: [{ Key: 'team', Value: 'fw' }] });
    await iam.untagUser(A, { UserName: 'ci', TagKeys: ['team'] });
    const key = (await iam.createAccessKey(A, { UserName: 'ci' })).AccessKey;
    await iam.updateAccessKey(A, { AccessKeyId: key.AccessKeyId, Status: 'Inactive' }, 'ci');
    await iam.deleteAccessKey(A, { UserName: 'ci', AccessKeyId: key.AccessKeyId });
    await iam.createGroup(A, { GroupName: 'g' });
    await iam.addUserToGroup(A, { GroupName: 'g', UserName: 'ci' });
    await iam.addUserToGroup(A, { GroupName: 'g', UserName: 'ci' }); // no change, no entry
    await iam.putUserPolicy(A, { UserName: 'ci', PolicyName: 'p', PolicyDocument: ALLOW_SIGN });
    const { Policy } = await iam.createPolicy(A, { PolicyName: 'm', PolicyDocument: ALLOW_SIGN });
    const v2 = ALLOW_SIGN.replace('StartSigningJob', 'SignPayload');
    await iam.createPolicyVersion(A, { PolicyArn: Policy.Arn, PolicyDocument: v2 });
    await iam.setDefaultPolicyVersion(A, { PolicyArn: Policy.Arn, VersionId: 'v2' });
    await iam.deletePolicyVersion(A, { PolicyArn: Policy.Arn, VersionId: 'v1' });
    await iam.attachGroupPolicy(A, { GroupName: 'g', PolicyArn: Policy.Arn });
    const { Role } = await iam.createRole(A, { RoleName: 'r', AssumeRolePolicyDocument: TRUST });
    await iam.updateAssumeRolePolicy(A, { RoleName: 'r', PolicyDocument: TRUST });
    await iam.putRolePolicy(A, { RoleName: 'r', PolicyName: 'rp', PolicyDocument: ALLOW_SIGN });
    const session = await store.iam
      .asCaller(`arn:aws:iam::${A}:user/build/ci`)
      .createSession(A, { RoleName: 'r', RoleSessionName: 's', Policy: ALLOW_SIGN });
    // A refused write is no entry.
    await expect(iam.deleteUser(A, { UserName: 'ci' })).rejects.toMatchObject({
      code: 'DeleteConflict',
    });
    await iam.deleteRolePolicy(A, { RoleName: 'r', PolicyName: 'rp' });
    await iam.deleteRole(A, { RoleName: 'r' });
    await iam.detachGroupPolicy(A, { GroupName: 'g', PolicyArn: Policy.Arn });
    await iam.deletePolicy(A, { PolicyArn: Policy.Arn });
    await iam.deleteUserPolicy(A, { UserName: 'ci', PolicyName: 'p' });
    await iam.removeUserFromGroup(A, { GroupName: 'g', UserName: 'ci' });
    await iam.deleteGroup(A, { GroupName: 'g' });
    await store.iam.deleteUser(A, { UserName: 'ci' }); // not through the API: the operator

    const log = entries(store);
    expect(log.map((e) => e.kind)).toEqual([
      'iam.user.create',
      'iam.user.tag',
      'iam.user.untag',
      'iam.access-key.create',
      'iam.access-key.update',
      'iam.access-key.delete',
      'iam.group.create',
      'iam.group.add-user',
      'iam.policy.put',
      'iam.managed-policy.create',
      'iam.policy-version.create',
      'iam.policy-version.set-default',
      'iam.policy-version.delete',
      'iam.policy.attach',
      'iam.role.create',
      'iam.role.update-trust',
      'iam.policy.put',
      'sts.assume-role',
      'iam.policy.delete',
      'iam.role.delete',
      'iam.policy.detach',
      'iam.managed-policy.delete',
      'iam.policy.delete',
      'iam.group.remove-user',
      'iam.group.delete',
      'iam.user.delete',
    ]);
    const userArn = `arn:aws:iam::${A}:user/build/ci`;
    expect(log.every((e) => e.details.account === A)).toBe(true);
    expect(
      log
        .slice(0, -1)
        .filter((e) => e.actor !== ADMIN)
        .map((e) => e.kind),
    ).toEqual(['sts.assume-role']);
    expect(log.at(-1)).toMatchObject({ actor: 'fwsign:operator', subjects: [userArn] });
    expect(log[3]).toMatchObject({
      subjects: [userArn],
      details: { accessKeyId: key.AccessKeyId },
    });
    expect(log[8]).toMatchObject({
      subjects: [userArn],
      details: { policyName: 'p', policyDocumentSha256: sha256(ALLOW_SIGN) },
    });
    expect(log[11]).toMatchObject({
      subjects: [Policy.Arn],
      details: { versionId: 'v2', policyDocumentSha256: sha256(v2) },
    });
    expect(log[13]!.subjects).toEqual([`arn:aws:iam::${A}:group/g`, Policy.Arn]);
    expect(log[14]).toMatchObject({
      subjects: [Role.Arn],
      details: { trustPolicySha256: sha256(TRUST) },
    });
    expect(log[17]).toMatchObject({
      actor: userArn,
      subjects: [Role.Arn, session.AssumedRoleUser.Arn],
      details: {
        accessKeyId: session.Credentials.AccessKeyId,
        roleSessionName: 's',
        sessionPolicySha256: sha256(ALLOW_SIGN),
      },
    });

    // The files shipped to others hold no secret access key, no session token, no digest of
    // either, and no policy text; and they verify.
    store.audit.checkpoint();
    const audit = join(dir, 'audit');
    const files = readdirSync(join(audit, 'entries'))
      .map((f) => readFileSync(join(audit, 'entries', f), 'utf8'))
      .join('');
    expect(files.split('\n').filter(Boolean)).toHaveLength(log.length);
    for (const secret of [
      key.SecretAccessKey,
      session.Credentials.SecretAccessKey,
      session.Credentials.SessionToken,
      sha256(session.Credentials.SessionToken),
      sha256(key.SecretAccessKey),
    ])
      expect(files).not.toContain(secret);
    expect(files).not.toContain('signer:StartSigningJob');
    const verifier = parseVerifierKey(readFileSync(join(audit, 'log.pub'), 'utf8'));
    expect(verifyLog(audit, { verifier })).toMatchObject({
      ok: true,
      size: log.length,
      problems: [],
    });
  });

  it('writes nothing when the operator turned the log off', async () => {
    store.close();
    store = openStore(dir, { audit: false });
    await store.iam.asCaller(ADMIN).createUser(A, { UserName: 'u' });
    expect(store.audit.size).toBe(0);
  });
});
