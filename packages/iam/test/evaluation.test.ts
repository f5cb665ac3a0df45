import { describe, expect, it } from 'vitest';
import { authorize, type AuthzRequest, type Principal, type ResourceFacts } from '../src/index.js';
import {
  ACCT,
  NOW,
  OTHER,
  facts,
  jobArn,
  policy,
  profileArn,
  req,
  user,
  type Statement,
} from './fixtures.js';

const FW = profileArn('fw');
const CI = `arn:aws:iam::${ACCT}:user/ci`;
const start = (
  input: Record<string, unknown> = { profileName: 'fw' },
  extra: Partial<AuthzRequest> = {},
) => req('signer', 'StartSigningJob', input, extra);
const allow = (Action: unknown, Resource: unknown = '*', Condition?: object): Statement => ({
  Effect: 'Allow',
  Action,
  Resource,
  ...(Condition ? { Condition } : {}),
});
const deny = (Action: unknown, Resource: unknown = '*', Condition?: object): Statement => ({
  Effect: 'Deny',
  Action,
  Resource,
  ...(Condition ? { Condition } : {}),
});
const implicit = (who: string, action: string, resource: string, kind = 'identity-based policy') =>
  `User: ${who} is not authorized to perform: ${action}${resource === '*' ? '' : ` on resource: ${resource}`} because no ${kind} allows the ${action} action`;
const explicit = (
  who: string,
  action: string,
  resource: string,
  kind = 'an identity-based policy',
) =>
  `User: ${who} is not authorized to perform: ${action} on resource: ${resource} with an explicit deny in ${kind}`;

async function decide(p: Principal, r: AuthzRequest, f: ResourceFacts = facts()) {
  const d = await authorize(p, r, f);
  return d.allowed ? 'allowed' : d.reason;
}

describe('policy evaluation: Action, Resource and their Not forms', () => {
  it.each<[string, Statement[], string, string]>([
    [
      'an explicit deny wins over an allow',
      [allow('*'), deny('signer:StartSigningJob')],
      'StartSigningJob',
      'explicit-deny',
    ],
    [
      'no statement allows: implicit deny',
      [allow('signer:GetSigningProfile')],
      'StartSigningJob',
      'implicit-deny',
    ],
    ['Action wildcard signer:Start*', [allow('signer:Start*')], 'StartSigningJob', 'allowed'],
    [
      'Action wildcard is case-insensitive',
      [allow('SIGNER:startsigningjob')],
      'StartSigningJob',
      'allowed',
    ],
    [
      'NotAction allows all but the named action',
      [{ Effect: 'Allow', NotAction: 'signer:Start*', Resource: '*' }],
      'StartSigningJob',
      'implicit-deny',
    ],
    [
      'NotAction allows the others',
      [{ Effect: 'Allow', NotAction: 'signer:RevokeSignature', Resource: '*' }],
      'StartSigningJob',
      'allowed',
    ],
    [
      'Resource wildcard matches the profile',
      [allow('signer:StartSigningJob', `arn:aws:signer:*:${ACCT}:/signing-profiles/f?`)],
      'StartSigningJob',
      'allowed',
    ],
    [
      'Resource of another profile',
      [allow('signer:StartSigningJob', profileArn('other'))],
      'StartSigningJob',
      'implicit-deny',
    ],
    [
      'NotResource excludes the profile',
      [{ Effect: 'Allow', Action: 'signer:*', NotResource: FW }],
      'StartSigningJob',
      'implicit-deny',
    ],
    [
      'NotResource allows the others',
      [{ Effect: 'Allow', Action: 'signer:*', NotResource: profileArn('prod') }],
      'StartSigningJob',
      'allowed',
    ],
    [
      'Deny with NotResource spares the named one',
      [allow('*'), { Effect: 'Deny', Action: '*', NotResource: FW }],
      'StartSigningJob',
      'allowed',
    ],
  ])('%s', async (_what, statements, _op, want) => {
    expect(await decide(user([statements]), start())).toBe(want);
  });

  it('gathers allows across several policies (user inline, group, managed)', async () => {
    const p = user([[allow('signer:GetSigningProfile')], [allow('signer:StartSigningJob', FW)]]);
    expect(await decide(p, start())).toBe('allowed');
  });
});

describe('policy evaluation: condition operators and keys', () => {
  const tagged = facts({ tags: { [FW]: { team: 'fw', tier: '2' } } });
  const cond = (c: object) => user([[allow('signer:StartSigningJob', '*', c)]]);
  it.each<[string, object, string]>([
    ['StringEquals aws:ResourceTag', { StringEquals: { 'aws:ResourceTag/team': 'fw' } }, 'allowed'],
    [
      'StringEquals aws:ResourceTag, other value',
      { StringEquals: { 'aws:ResourceTag/team': 'web' } },
      'implicit-deny',
    ],
    ['StringNotEquals', { StringNotEquals: { 'aws:ResourceTag/team': 'web' } }, 'allowed'],
    [
      'StringEqualsIgnoreCase',
      { StringEqualsIgnoreCase: { 'aws:ResourceTag/team': 'FW' } },
      'allowed',
    ],
    [
      'StringLike',
      { StringLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCT}:user/c*` } },
      'allowed',
    ],
    [
      'StringNotLike',
      { StringNotLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCT}:user/c*` } },
      'implicit-deny',
    ],
    ['ArnEquals aws:PrincipalArn', { ArnEquals: { 'aws:PrincipalArn': CI } }, 'allowed'],
    [
      'ArnLike aws:PrincipalArn',
      { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:user/*' } },
      'allowed',
    ],
    [
      'ArnNotLike',
      { ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:user/*' } },
      'implicit-deny',
    ],
    [
      'NumericLessThan on a tag value',
      { NumericLessThan: { 'aws:ResourceTag/tier': '3' } },
      'allowed',
    ],
    [
      'NumericGreaterThanEquals',
      { NumericGreaterThanEquals: { 'aws:ResourceTag/tier': '3' } },
      'implicit-deny',
    ],
    [
      'DateLessThan aws:CurrentTime (still valid)',
      { DateLessThan: { 'aws:CurrentTime': '2027-01-01T00:00:00Z' } },
      'allowed',
    ],
    [
      'DateGreaterThan aws:CurrentTime (not yet)',
      { DateGreaterThan: { 'aws:CurrentTime': '2027-01-01T00:00:00Z' } },
      'implicit-deny',
    ],
    [
      'NumericLessThan aws:EpochTime',
      { NumericLessThan: { 'aws:EpochTime': String(NOW.getTime() / 1000 + 60) } },
      'allowed',
    ],
    [
      'Bool aws:SecureTransport true (over TLS)',
      { Bool: { 'aws:SecureTransport': 'true' } },
      'allowed',
    ],
    ['Null: the tag is present', { Null: { 'aws:ResourceTag/team': 'false' } }, 'allowed'],
    ['Null: the tag is absent', { Null: { 'aws:ResourceTag/owner': 'true' } }, 'allowed'],
    [
      'StringEqualsIfExists on a missing key',
      { StringEqualsIfExists: { 'aws:ResourceTag/owner': 'x' } },
      'allowed',
    ],
    [
      'StringEquals on a missing key',
      { StringEquals: { 'aws:ResourceTag/owner': 'x' } },
      'implicit-deny',
    ],
    ['signer:ProfileVersion', { StringEquals: { 'signer:ProfileVersion': 'v1' } }, 'allowed'],
    [
      'signer:ProfileVersion, another version',
      { StringEquals: { 'signer:ProfileVersion': 'v2' } },
      'implicit-deny',
    ],
    ['aws:PrincipalTag', { StringEquals: { 'aws:PrincipalTag/dept': 'fw' } }, 'allowed'],
    [
      'policy variable ${aws:PrincipalTag/dept}',
      { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/dept}' } },
      'allowed',
    ],
    ['aws:username', { StringEquals: { 'aws:username': 'ci' } }, 'allowed'],
    [
      'aws:RequestedRegion',
      { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } },
      'implicit-deny',
    ],
    [
      'two keys in one block must both match',
      { StringEquals: { 'aws:ResourceTag/team': 'fw', 'aws:username': 'bob' } },
      'implicit-deny',
    ],
    [
      'several values of one key: any matches',
      { StringEquals: { 'aws:ResourceTag/team': ['web', 'fw'] } },
      'allowed',
    ],
  ])('%s', async (_what, condition, want) => {
    const p = { ...cond(condition), tags: { dept: 'fw' } };
    expect(await decide(p, start(), tagged)).toBe(want);
  });

  it('Bool aws:SecureTransport false denies a plain-HTTP call', async () => {
    const p = user([[allow('*'), deny('*', '*', { Bool: { 'aws:SecureTransport': 'false' } })]]);
    expect(await decide(p, start({ profileName: 'fw' }, { secureTransport: false }))).toBe(
      'explicit-deny',
    );
    expect(await decide(p, start({ profileName: 'fw' }, { secureTransport: true }))).toBe(
      'allowed',
    );
  });

  it('aws:RequestTag and aws:TagKeys with ForAllValues / ForAnyValue on PutSigningProfile', async () => {
    const p = user([
      [
        allow('signer:PutSigningProfile', '*', {
          StringEquals: { 'aws:RequestTag/team': 'fw' },
          'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'cost'] },
        }),
        deny('signer:PutSigningProfile', '*', {
          'ForAnyValue:StringEquals': { 'aws:TagKeys': ['admin'] },
        }),
      ],
    ]);
    const put = (tags: Record<string, string>) =>
      req('signer', 'PutSigningProfile', { profileName: 'n', tags });
    expect(await decide(p, put({ team: 'fw' }))).toBe('allowed');
    expect(await decide(p, put({ team: 'fw', cost: '1' }))).toBe('allowed');
    expect(await decide(p, put({ team: 'web' }))).toBe('implicit-deny');
    expect(await decide(p, put({ team: 'fw', owner: 'x' }))).toBe('implicit-deny');
    expect(await decide(p, put({ team: 'fw', admin: 'x' }))).toBe('explicit-deny');
    // The server's requestTags win over the input member (the tags it parsed from the wire).
    expect(
      await decide(
        p,
        req('signer', 'PutSigningProfile', { profileName: 'n' }, { requestTags: { team: 'fw' } }),
      ),
    ).toBe('allowed');
  });

  it('signer:ProfileVersion of a job for RevokeSignature, aws:TagKeys for UntagResource', async () => {
    const p = user([
      [
        allow('signer:RevokeSignature', '*', { StringEquals: { 'signer:ProfileVersion': 'v1' } }),
        allow('signer:UntagResource', '*', {
          'ForAllValues:StringNotEquals': { 'aws:TagKeys': ['team'] },
        }),
      ],
    ]);
    expect(await decide(p, req('signer', 'RevokeSignature', { jobId: 'j1' }))).toBe('allowed');
    const untag = (tagKeys: string[]) =>
      req('signer', 'UntagResource', { resourceArn: FW, tagKeys });
    expect(await decide(p, untag(['cost']))).toBe('allowed');
    expect(await decide(p, untag(['cost', 'team']))).toBe('implicit-deny');
  });

  it('s3:GetObject does not grant a versioned read: that is s3:GetObjectVersion', async () => {
    const p = user([[allow('s3:GetObject', 'arn:aws:s3:::fw/*')]]);
    const get = (input: Record<string, unknown>) =>
      req('s3', 'GetObject', { Bucket: 'fw', Key: 'a.bin', ...input });
    expect(await decide(p, get({}))).toBe('allowed');
    expect(await authorize(p, get({ VersionId: 'v1' }), facts())).toMatchObject({
      allowed: false,
      action: 's3:GetObjectVersion',
      message: implicit(CI, 's3:GetObjectVersion', 'arn:aws:s3:::fw/a.bin'),
    });
  });
});

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
