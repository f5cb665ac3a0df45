import { describe, expect, it } from 'vitest';
import { authorize, type AuthzRequest, type Principal } from '../src/index.js';
import {
  ACCT,
  OTHER,
  facts,
  jobArn,
  policy,
  profileArn,
  req,
  user,
  type Statement,
} from './fixtures.js';
import { CI, FW, allow, decide, deny, explicit, implicit, start } from './evaluation-fixture.js';

describe('policy evaluation: boundaries, sessions, root and other accounts', () => {
  const session: Principal = {
    arn: `arn:aws:sts::${ACCT}:assumed-role/deploy/ci-run-7`,
    accountId: ACCT,
    kind: 'assumed-role',
    identityPolicies: [policy(allow('signer:*'))],
    tags: {},
    roleArn: `arn:aws:iam::${ACCT}:role/ops/deploy`,
  };

  it('a permissions boundary caps what the identity policies allow', async () => {
    const p = user([[allow('signer:*')]], { permissionsBoundary: policy(allow('signer:Get*')) });
    expect(await decide(p, req('signer', 'GetSigningProfile', { profileName: 'fw' }))).toBe(
      'allowed',
    );
    expect(await authorize(p, start(), facts())).toMatchObject({
      reason: 'implicit-deny',
      message: implicit(CI, 'signer:StartSigningJob', FW, 'permissions boundary'),
    });
    const denying = user([[allow('signer:*')]], {
      permissionsBoundary: policy(allow('*'), deny('signer:StartSigningJob')),
    });
    expect(await authorize(denying, start(), facts())).toMatchObject({
      reason: 'explicit-deny',
      message: explicit(CI, 'signer:StartSigningJob', FW, 'a permissions boundary'),
    });
  });

  it('a session policy caps what the role allows', async () => {
    const s = { ...session, sessionPolicy: policy(allow('signer:GetSigningProfile')) };
    expect(await decide(s, req('signer', 'GetSigningProfile', { profileName: 'fw' }))).toBe(
      'allowed',
    );
    expect(await authorize(s, start(), facts())).toMatchObject({
      reason: 'implicit-deny',
      message: implicit(session.arn, 'signer:StartSigningJob', FW, 'session policy'),
    });
  });

  it("a role session's aws:PrincipalArn is the role's ARN, with its path", async () => {
    const s = {
      ...session,
      identityPolicies: [
        policy(
          allow('signer:StartSigningJob', '*', {
            ArnEquals: { 'aws:PrincipalArn': session.roleArn },
          }),
        ),
      ],
    };
    expect(await decide(s, start())).toBe('allowed');
    const { roleArn: _dropped, ...pathless } = s;
    expect(await decide(pathless, start())).toBe('implicit-deny');
  });

  it('the root user may do anything in its own account, whatever policies say', async () => {
    const root: Principal = {
      arn: `arn:aws:iam::${ACCT}:root`,
      accountId: ACCT,
      kind: 'root',
      identityPolicies: [policy(deny('*'))],
      tags: {},
    };
    expect(await decide(root, start())).toBe('allowed');
    expect(await decide(root, req('iam', 'CreateUser', { UserName: 'bob' }))).toBe('allowed');
    // …except assume a role, which AWS refuses to root credentials.
    const assume = req('sts', 'AssumeRole', {
      RoleArn: `arn:aws:iam::${ACCT}:role/deploy`,
      RoleSessionName: 's',
    });
    expect(await authorize(root, assume, facts())).toMatchObject({
      allowed: false,
      message: 'Roles may not be assumed by root accounts.',
    });
    // In another account it needs that account's resource policy, like anyone.
    const other = { ...root, arn: `arn:aws:iam::${OTHER}:root`, accountId: OTHER };
    const theirs = start({ profileName: 'fw', profileOwner: ACCT }, { accountId: ACCT });
    expect(await decide(other, theirs)).toBe('implicit-deny');
    const granted = facts({
      policies: {
        [FW]: policy({ ...allow('signer:StartSigningJob', FW), Principal: { AWS: OTHER } }),
      },
    });
    expect(await decide(other, theirs, granted)).toBe('allowed');
  });

  describe('cross-account StartSigningJob (profileOwner)', () => {
    const outsider = (statements: Statement[]) =>
      user([statements], { arn: `arn:aws:iam::${OTHER}:user/ci`, accountId: OTHER });
    const theirs = start({ profileName: 'fw', profileOwner: ACCT });
    const grant = (principal: string) =>
      facts({
        policies: {
          [FW]: policy({ ...allow('signer:StartSigningJob', FW), Principal: { AWS: principal } }),
        },
      });

    it('needs both an identity allow and the resource policy', async () => {
      const p = outsider([allow('signer:StartSigningJob')]);
      expect(await authorize(p, theirs, facts())).toMatchObject({
        allowed: false,
        resource: FW,
        message: implicit(p.arn, 'signer:StartSigningJob', FW, 'resource-based policy'),
      });
      expect(await decide(p, theirs, grant(OTHER))).toBe('allowed');
      expect(await decide(p, theirs, grant(`arn:aws:iam::${OTHER}:root`))).toBe('allowed');
      expect(await decide(p, theirs, grant(p.arn))).toBe('allowed');
      expect(await decide(p, theirs, grant(`arn:aws:iam::${OTHER}:user/someone-else`))).toBe(
        'implicit-deny',
      );
    });

    it('the resource policy alone is not enough across accounts', async () => {
      const p = outsider([allow('signer:GetSigningProfile')]);
      expect(await authorize(p, theirs, grant(OTHER))).toMatchObject({
        allowed: false,
        message: implicit(p.arn, 'signer:StartSigningJob', FW),
      });
    });

    it("RevokeSignature of the owner's job is governed by the profile's policy", async () => {
      const p = outsider([allow('signer:RevokeSignature')]);
      const revoke = req('signer', 'RevokeSignature', { jobId: 'j1', jobOwner: ACCT });
      // As the store shows a profile's permissions: the statement's Resource is the profile.
      const policies = {
        [FW]: policy({
          ...allow('signer:RevokeSignature', FW),
          Principal: { AWS: `arn:aws:iam::${OTHER}:root` },
        }),
      };
      expect(await authorize(p, revoke, facts())).toMatchObject({
        allowed: false,
        resource: jobArn('j1'),
      });
      expect(await decide(p, revoke, facts({ policies }))).toBe('allowed');
    });

    it('a permission limited to a profile version holds while that version is current', async () => {
      const p = outsider([allow('signer:StartSigningJob')]);
      const limited = (version: string) =>
        facts({
          policies: {
            [FW]: policy({
              ...allow('signer:StartSigningJob', `${FW}/${version}`),
              Principal: { AWS: `arn:aws:iam::${OTHER}:root` },
            }),
          },
        });
      // The fixture's profiles are at version v1.
      expect(await decide(p, theirs, limited('v1'))).toBe('allowed');
      expect(await decide(p, theirs, limited('v0'))).toBe('implicit-deny');
    });
  });

  it('in one account a resource policy naming the user suffices without an identity policy', async () => {
    const p = user();
    const f = facts({
      policies: {
        [FW]: policy({ ...allow('signer:StartSigningJob', FW), Principal: { AWS: CI } }),
      },
    });
    expect(await decide(p, start(), f)).toBe('allowed');
    const denied = facts({
      policies: { [FW]: policy({ ...deny('signer:StartSigningJob', FW), Principal: { AWS: CI } }) },
    });
    expect(await authorize(user([[allow('*')]]), start(), denied)).toMatchObject({
      reason: 'explicit-deny',
      message: explicit(CI, 'signer:StartSigningJob', FW, 'a resource-based policy'),
    });
  });

  describe('sts:AssumeRole and the trust policy', () => {
    const ROLE = `arn:aws:iam::${ACCT}:role/deploy`;
    const assume = req('sts', 'AssumeRole', { RoleArn: ROLE, RoleSessionName: 'ci-run-7' });
    const trust = (principal: string, condition?: object) =>
      facts({
        policies: {
          [ROLE]: policy({
            Effect: 'Allow',
            Principal: { AWS: principal },
            Action: 'sts:AssumeRole',
            ...(condition ? { Condition: condition } : {}),
          }),
        },
      });

    it('a trust policy naming the user needs no identity policy', async () => {
      expect(await decide(user(), assume, trust(CI))).toBe('allowed');
    });
    it('a trust policy naming the account needs an identity allow too', async () => {
      expect(await decide(user(), assume, trust(ACCT))).toBe('implicit-deny');
      expect(await decide(user([[allow('sts:AssumeRole', ROLE)]]), assume, trust(ACCT))).toBe(
        'allowed',
      );
    });
    it('sts:RoleSessionName conditions apply; no trust policy, no session', async () => {
      const named = trust(CI, { StringLike: { 'sts:RoleSessionName': 'ci-*' } });
      expect(await decide(user(), assume, named)).toBe('allowed');
      const other = req('sts', 'AssumeRole', { RoleArn: ROLE, RoleSessionName: 'me' });
      expect(await authorize(user(), other, named)).toMatchObject({
        reason: 'implicit-deny',
        message: implicit(CI, 'sts:AssumeRole', ROLE, 'resource-based policy'),
      });
      expect(await authorize(user([[allow('*')]]), assume, facts())).toMatchObject({
        reason: 'implicit-deny',
        message: implicit(CI, 'sts:AssumeRole', ROLE, 'resource-based policy'),
      });
    });
    it('session tags need sts:TagSession as well', async () => {
      const tagged = req('sts', 'AssumeRole', {
        RoleArn: ROLE,
        RoleSessionName: 's',
        Tags: [{ Key: 'team', Value: 'fw' }],
      });
      expect(await authorize(user(), tagged, trust(CI))).toMatchObject({
        allowed: false,
        action: 'sts:TagSession',
      });
    });
    it('GetCallerIdentity needs no permission at all', async () => {
      const p = user([[deny('*')]]);
      expect(await decide(p, req('sts', 'GetCallerIdentity'))).toBe('allowed');
    });
  });
});

describe('denials and errors', () => {
  it('words an implicit and an explicit deny as AWS does', async () => {
    const p = user([[allow('signer:StartSigningJob'), deny('signer:RevokeSignature')]]);
    expect(await authorize(p, req('signer', 'RevokeSignature', { jobId: 'j1' }), facts())).toEqual({
      allowed: false,
      action: 'signer:RevokeSignature',
      resource: jobArn('j1'),
      reason: 'explicit-deny',
      message: `User: ${CI} is not authorized to perform: signer:RevokeSignature on resource: ${jobArn('j1')} with an explicit deny in an identity-based policy`,
    });
    expect(await authorize(p, req('iam', 'CreateUser', { UserName: 'bob' }), facts())).toEqual({
      allowed: false,
      action: 'iam:CreateUser',
      resource: `arn:aws:iam::${ACCT}:user/bob`,
      reason: 'implicit-deny',
      message: `User: ${CI} is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${ACCT}:user/bob because no identity-based policy allows the iam:CreateUser action`,
    });
  });

  it("leaves out 'on resource' for actions on '*', as AWS does", async () => {
    const d = await authorize(user(), req('signer', 'ListSigningJobs'), facts());
    expect(d).toMatchObject({
      resource: '*',
      message: `User: ${CI} is not authorized to perform: signer:ListSigningJobs because no identity-based policy allows the signer:ListSigningJobs action`,
    });
  });

  it('refuses a policy in force that is not JSON or not IAM grammar with MalformedPolicyDocument', async () => {
    const broken = { ...user(), identityPolicies: ['{"Version":'] };
    await expect(authorize(broken, start(), facts())).rejects.toMatchObject({
      code: 'MalformedPolicyDocument',
      message: expect.stringMatching(/^identity policy 1: expected a JSON policy document/),
    });
    const ungrammatical = {
      ...user(),
      identityPolicies: [
        JSON.stringify({ Statement: [{ Effect: 'Maybe', Action: '*', Resource: '*' }] }),
      ],
    };
    await expect(authorize(ungrammatical, start(), facts())).rejects.toMatchObject({
      code: 'MalformedPolicyDocument',
    });
  });

  it('refuses a missing or malformed member the resource is named by with InvalidInput', async () => {
    await expect(
      authorize(user(), req('signer', 'StartSigningJob', {}), facts()),
    ).rejects.toMatchObject({
      code: 'InvalidInput',
      httpStatus: 400,
      message: 'profileName: expected a non-empty string, got nothing',
    });
    await expect(
      authorize(
        user(),
        req('signer', 'TagResource', { resourceArn: 'arn:aws:s3:::b', tags: {} }),
        facts(),
      ),
    ).rejects.toMatchObject({
      code: 'InvalidInput',
      message: expect.stringMatching(/^resourceArn: expected arn:aws:signer/),
    });
  });
});

describe('reused verdicts', () => {
  it('a time condition is re-evaluated at each call, not answered from an earlier one', async () => {
    const p = user([
      [
        allow('signer:StartSigningJob', '*', {
          DateLessThan: { 'aws:CurrentTime': '2026-12-07T12:00:30Z' },
        }),
      ],
    ]);
    const at = (iso: string) => start({ profileName: 'fw' }, { now: new Date(iso) });
    expect(await decide(p, at('2026-12-07T12:00:00Z'))).toBe('allowed');
    expect(await decide(p, at('2026-12-07T12:01:00Z'))).toBe('implicit-deny');
    expect(await decide(p, at('2026-12-07T12:00:10Z'))).toBe('allowed');
  });

  it('a change of tags, policies or principal changes the answer', async () => {
    const cond = { StringEquals: { 'aws:ResourceTag/team': 'fw' } };
    const p = user([[allow('signer:StartSigningJob', '*', cond)]]);
    expect(await decide(p, start(), facts({ tags: { [FW]: { team: 'fw' } } }))).toBe('allowed');
    expect(await decide(p, start(), facts({ tags: { [FW]: { team: 'web' } } }))).toBe(
      'implicit-deny',
    );
    expect(await decide(user([[allow('signer:GetSigningProfile')]]), start())).toBe(
      'implicit-deny',
    );
    const bob = { ...p, arn: `arn:aws:iam::${ACCT}:user/bob` };
    const named = user([
      [allow('signer:StartSigningJob', '*', { StringEquals: { 'aws:username': 'ci' } })],
    ]);
    expect(await decide(named, start())).toBe('allowed');
    expect(await decide({ ...named, arn: bob.arn }, start())).toBe('implicit-deny');
  });
});

describe("the issue's CI user: sign with team=fw profiles, never revoke, any S3", () => {
  const ci = user([
    [
      allow('signer:StartSigningJob', '*', { StringEquals: { 'aws:ResourceTag/team': 'fw' } }),
      deny('signer:RevokeSignature'),
      allow('s3:*'),
    ],
  ]);
  const tagged = facts({ tags: { [FW]: { team: 'fw' } } });

  it('signs with the tagged profile and uses S3', async () => {
    expect(await authorize(ci, start(), tagged)).toEqual({
      allowed: true,
      action: 'signer:StartSigningJob',
      resources: [FW],
    });
    expect(await decide(ci, req('s3', 'PutObject', { Bucket: 'fw', Key: 'app.bin' }), tagged)).toBe(
      'allowed',
    );
  });

  it.each<[string, AuthzRequest, string]>([
    [
      'an untagged profile',
      start({ profileName: 'web' }),
      implicit(CI, 'signer:StartSigningJob', profileArn('web')),
    ],
    [
      'put-signing-profile',
      req('signer', 'PutSigningProfile', { profileName: 'x' }),
      implicit(CI, 'signer:PutSigningProfile', '*'),
    ],
    [
      'revoke-signature',
      req('signer', 'RevokeSignature', { jobId: 'j1' }),
      explicit(CI, 'signer:RevokeSignature', jobArn('j1')),
    ],
    [
      'iam create-user',
      req('iam', 'CreateUser', { UserName: 'eve' }),
      implicit(CI, 'iam:CreateUser', `arn:aws:iam::${ACCT}:user/eve`),
    ],
  ])('refuses %s', async (_what, r, message) => {
    expect(await authorize(ci, r, tagged)).toMatchObject({ allowed: false, message });
  });
});
