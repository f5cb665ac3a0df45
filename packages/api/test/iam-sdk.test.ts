/**
 * IAM and STS on the server's one endpoint, through `@aws-sdk/client-iam` and
 * `@aws-sdk/client-sts`: the entities, their errors as IAM answers them, and temporary credentials.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AddUserToGroupCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteUserCommand,
  GetGroupCommand,
  GetPolicyVersionCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  ListPolicyVersionsCommand,
  ListUsersCommand,
  ListUserTagsCommand,
  PutUserPolicyCommand,
  SimulateCustomPolicyCommand,
  TagUserCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { startServer, type Harness } from './helpers.js';
import { ACCOUNT, iamClients, policy } from './iam-fixture.js';
import { rejection } from './sdk-fixture.js';

let h: Harness;
const clients = iamClients(() => h.url);
const iamFor = clients.iam;
const stsFor = clients.sts;

beforeAll(async () => {
  h = await startServer();
});
afterAll(async () => {
  clients.destroy();
  await h?.close();
});

describe('IAM through @aws-sdk/client-iam', { timeout: 60_000 }, () => {
  it('users: create with tags, get, list, tag, DeleteConflict then delete; errors carry IAM codes', async () => {
    const iam = iamFor();
    const { User } = await iam.send(
      new CreateUserCommand({
        UserName: 'ci',
        Path: '/build/',
        Tags: [{ Key: 'team', Value: 'fw' }],
      }),
    );
    expect(User).toMatchObject({
      UserName: 'ci',
      Path: '/build/',
      Arn: `arn:aws:iam::${ACCOUNT}:user/build/ci`,
    });
    expect(User!.UserId).toMatch(/^AIDA[A-Z2-7]{16}$/);
    expect(User!.CreateDate).toBeInstanceOf(Date);
    const dup = await rejection(iam.send(new CreateUserCommand({ UserName: 'CI' })));
    expect([dup.name, dup.$metadata.httpStatusCode, dup.message]).toEqual([
      'EntityAlreadyExistsException',
      409,
      'User with name CI already exists.',
    ]);
    const bad = await rejection(iam.send(new CreateUserCommand({ UserName: 'no spaces' })));
    expect(bad.name).toBe('ValidationError');
    expect(bad.message).toContain("at 'UserName' failed to satisfy constraint");
    await iam.send(new TagUserCommand({ UserName: 'ci', Tags: [{ Key: 'env', Value: 'prod' }] }));
    expect((await iam.send(new ListUserTagsCommand({ UserName: 'ci' }))).Tags).toEqual([
      { Key: 'team', Value: 'fw' },
      { Key: 'env', Value: 'prod' },
    ]);
    expect((await iam.send(new GetUserCommand({ UserName: 'ci' }))).User?.Tags).toHaveLength(2);
    const list = await iam.send(new ListUsersCommand({ PathPrefix: '/build/' }));
    expect(list.Users?.map((u) => u.UserName)).toEqual(['ci']);
    expect(list.IsTruncated).toBe(false);
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'ci' }))).AccessKey!;
    const conflict = await rejection(iam.send(new DeleteUserCommand({ UserName: 'ci' })));
    expect([conflict.name, conflict.$metadata.httpStatusCode]).toEqual([
      'DeleteConflictException',
      409,
    ]);
    await iam.send(new DeleteAccessKeyCommand({ UserName: 'ci', AccessKeyId: key.AccessKeyId }));
    await iam.send(new DeleteUserCommand({ UserName: 'ci' }));
    const gone = await rejection(iam.send(new GetUserCommand({ UserName: 'ci' })));
    expect([gone.name, gone.$metadata.httpStatusCode, gone.message]).toEqual([
      'NoSuchEntityException',
      404,
      'The user with name ci cannot be found.',
    ]);
  });

  it('policies: inline documents come back URL-encoded, managed versions switch, malformed ones are refused', async () => {
    const iam = iamFor();
    await iam.send(new CreateUserCommand({ UserName: 'dev' }));
    const doc = policy({ Effect: 'Allow', Action: 'signer:ListSigningJobs', Resource: '*' });
    await iam.send(
      new PutUserPolicyCommand({ UserName: 'dev', PolicyName: 'list', PolicyDocument: doc }),
    );
    const got = await iam.send(new GetUserPolicyCommand({ UserName: 'dev', PolicyName: 'list' }));
    expect(decodeURIComponent(got.PolicyDocument!)).toBe(doc);
    const malformed = await rejection(
      iam.send(
        new PutUserPolicyCommand({
          UserName: 'dev',
          PolicyName: 'bad',
          PolicyDocument: '{"Statement":[]',
        }),
      ),
    );
    expect([malformed.name, malformed.$metadata.httpStatusCode]).toEqual([
      'MalformedPolicyDocumentException',
      400,
    ]);
    const { Policy } = await iam.send(
      new CreatePolicyCommand({ PolicyName: 'signing', PolicyDocument: doc }),
    );
    expect(Policy).toMatchObject({
      Arn: `arn:aws:iam::${ACCOUNT}:policy/signing`,
      DefaultVersionId: 'v1',
      AttachmentCount: 0,
    });
    await iam.send(new AttachUserPolicyCommand({ UserName: 'dev', PolicyArn: Policy!.Arn }));
    expect(
      (await iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'dev' }))).AttachedPolicies,
    ).toEqual([{ PolicyName: 'signing', PolicyArn: Policy!.Arn }]);
    await iam.send(
      new CreatePolicyVersionCommand({
        PolicyArn: Policy!.Arn,
        PolicyDocument: doc,
        SetAsDefault: true,
      }),
    );
    const versions = (await iam.send(new ListPolicyVersionsCommand({ PolicyArn: Policy!.Arn })))
      .Versions!;
    expect(versions.map((v) => [v.VersionId, v.IsDefaultVersion])).toEqual([
      ['v2', true],
      ['v1', false],
    ]);
    const v1 = await iam.send(
      new GetPolicyVersionCommand({ PolicyArn: Policy!.Arn, VersionId: 'v1' }),
    );
    expect(decodeURIComponent(v1.PolicyVersion!.Document!)).toBe(doc);
    const sim = await iam.send(
      new SimulateCustomPolicyCommand({
        PolicyInputList: [doc, policy({ Effect: 'Deny', Action: 'signer:Revoke*', Resource: '*' })],
        ActionNames: ['signer:ListSigningJobs', 'signer:RevokeSignature', 'signer:StartSigningJob'],
      }),
    );
    expect(
      sim.EvaluationResults?.map((r) => [
        r.EvalActionName,
        r.EvalDecision,
        r.MatchedStatements?.[0]?.SourcePolicyId,
      ]),
    ).toEqual([
      ['signer:ListSigningJobs', 'allowed', 'PolicyInputList.1'],
      ['signer:RevokeSignature', 'explicitDeny', 'PolicyInputList.2'],
      ['signer:StartSigningJob', 'implicitDeny', undefined],
    ]);
    await iam.send(new CreateGroupCommand({ GroupName: 'fw' }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'fw', UserName: 'dev' }));
    expect(
      (await iam.send(new GetGroupCommand({ GroupName: 'fw' }))).Users?.map((u) => u.UserName),
    ).toEqual(['dev']);
  });

  it('access keys: the secret once, listed without it; an inactive or deleted key is refused', async () => {
    const iam = iamFor();
    await iam.send(new CreateUserCommand({ UserName: 'reader' }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: 'reader',
        PolicyName: 'self',
        PolicyDocument: policy({ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' }),
      }),
    );
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'reader' }))).AccessKey!;
    expect(key.AccessKeyId).toMatch(/^AKIA/);
    const listed = await iam.send(new ListAccessKeysCommand({ UserName: 'reader' }));
    expect(listed.AccessKeyMetadata).toEqual([
      expect.objectContaining({
        AccessKeyId: key.AccessKeyId,
        Status: 'Active',
        UserName: 'reader',
      }),
    ]);
    expect(JSON.stringify(listed)).not.toContain(key.SecretAccessKey!);
    const asReader = iamFor({
      accessKeyId: key.AccessKeyId!,
      secretAccessKey: key.SecretAccessKey!,
    });
    expect((await asReader.send(new GetUserCommand({}))).User?.UserName).toBe('reader');
    const who = await stsFor({
      accessKeyId: key.AccessKeyId!,
      secretAccessKey: key.SecretAccessKey!,
    }).send(new GetCallerIdentityCommand({}));
    expect(who).toMatchObject({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/reader` });
    await iam.send(
      new UpdateAccessKeyCommand({
        UserName: 'reader',
        AccessKeyId: key.AccessKeyId,
        Status: 'Inactive',
      }),
    );
    const inactive = await rejection(asReader.send(new GetUserCommand({})));
    expect([inactive.name, inactive.$metadata.httpStatusCode]).toEqual([
      'InvalidClientTokenId',
      403,
    ]);
    await iam.send(
      new DeleteAccessKeyCommand({ UserName: 'reader', AccessKeyId: key.AccessKeyId }),
    );
    const deleted = await rejection(asReader.send(new GetUserCommand({})));
    expect([deleted.name, deleted.message]).toEqual([
      'InvalidClientTokenId',
      'The security token included in the request is invalid.',
    ]);
  });

  it('STS: AssumeRole checks the trust policy, bounds DurationSeconds, and its credentials work', async () => {
    const iam = iamFor();
    await iam.send(new CreateUserCommand({ UserName: 'deployer' }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'deployer' }))).AccessKey!;
    const { Role } = await iam.send(
      new CreateRoleCommand({
        RoleName: 'release',
        AssumeRolePolicyDocument: policy({
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/deployer` },
          Action: 'sts:AssumeRole',
        }),
        MaxSessionDuration: 3600,
      }),
    );
    const sts = stsFor({ accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! });
    const tooLong = await rejection(
      sts.send(
        new AssumeRoleCommand({ RoleArn: Role!.Arn, RoleSessionName: 's', DurationSeconds: 7200 }),
      ),
    );
    expect(tooLong.name).toBe('ValidationError');
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: Role!.Arn,
        RoleSessionName: 'build-1',
        DurationSeconds: 900,
      }),
    );
    expect(out.Credentials!.AccessKeyId).toMatch(/^ASIA/);
    expect(out.AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/release/build-1`);
    const session = {
      accessKeyId: out.Credentials!.AccessKeyId!,
      secretAccessKey: out.Credentials!.SecretAccessKey!,
      sessionToken: out.Credentials!.SessionToken!,
    };
    expect((await stsFor(session).send(new GetCallerIdentityCommand({}))).Arn).toBe(
      out.AssumedRoleUser!.Arn,
    );
    const noToken = await rejection(
      stsFor({ ...session, sessionToken: 'forged' }).send(new GetCallerIdentityCommand({})),
    );
    expect(noToken.name).toBe('InvalidClientTokenId');
    const root = await rejection(
      stsFor().send(new AssumeRoleCommand({ RoleArn: Role!.Arn, RoleSessionName: 'root-session' })),
    );
    expect([root.name, root.$metadata.httpStatusCode]).toEqual(['AccessDenied', 403]);
  });
});
