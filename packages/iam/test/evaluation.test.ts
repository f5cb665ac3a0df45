import { describe, expect, it } from 'vitest';
import { authorize } from '../src/index.js';
import { ACCT, NOW, facts, profileArn, req, user, type Statement } from './fixtures.js';
import { CI, FW, allow, decide, deny, implicit, start } from './evaluation-fixture.js';

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
