/**
 * The verdict cache is keyed by the facts a decision depends on — the caller and its policies, the
 * action, the resource, the condition values (tags, profile version, time when a policy names it)
 * — never by the raw request: a fact that matters is evaluated again, an input that does not
 * (StartSigningJob's client token or source object) reuses the decision.
 */
import { describe, expect, it } from 'vitest';
import { authorize, type AuthzRequest, type Principal, type ResourceFacts } from '../src/index.js';
import { verdictCacheStats } from '../src/verdict-cache.js';
import { NOW, facts, profileArn, req, user } from './fixtures.js';

/** Each test's own profile name, so no verdict of another test is reused. */
let n = 0;
const fresh = () => `cache${++n}_${Date.now()}`;

const signOn = (
  profile: string,
  extra: Record<string, unknown> = {},
  r: Partial<AuthzRequest> = {},
) =>
  req(
    'signer',
    'StartSigningJob',
    {
      profileName: profile,
      clientRequestToken: 'token-1',
      source: { s3: { bucketName: 'src', key: 'fw.bin', version: 'v1' } },
      destination: { s3: { bucketName: 'dst', prefix: 'signed/' } },
      ...extra,
    },
    r,
  );
const taggedFw = (profile: string, tags: Record<string, string> = { team: 'fw' }) =>
  facts({ tags: { [profileArn(profile)]: tags } });
/** A user allowed StartSigningJob on any profile, under `Condition`. */
const signIf = (Condition: object): Principal =>
  user([[{ Effect: 'Allow', Action: 'signer:StartSigningJob', Resource: '*', Condition }]]);
const onlyTeamFw: Principal = signIf({ StringEquals: { 'aws:ResourceTag/team': 'fw' } });

/** The decision, and how many evaluations (cache misses) it took. */
async function decide(p: Principal, r: AuthzRequest, f: ResourceFacts) {
  const before = verdictCacheStats();
  const d = await authorize(p, r, f);
  const after = verdictCacheStats();
  return {
    allowed: d.allowed,
    evaluated: after.misses - before.misses,
    reused: after.hits - before.hits,
  };
}

describe('verdict cache: irrelevant inputs reuse the decision', () => {
  it('another client token, source key or version, destination: no new evaluation', async () => {
    const pr = fresh();
    expect(await decide(onlyTeamFw, signOn(pr), taggedFw(pr))).toEqual({
      allowed: true,
      evaluated: 1,
      reused: 0,
    });
    for (const extra of [
      { clientRequestToken: 'token-2' },
      { source: { s3: { bucketName: 'src', key: 'other.bin', version: 'v9' } } },
      { destination: { s3: { bucketName: 'dst2', prefix: 'x/' } } },
    ])
      expect(await decide(onlyTeamFw, signOn(pr, extra), taggedFw(pr))).toEqual({
        allowed: true,
        evaluated: 0,
        reused: 1,
      });
  });

  it('the time, when no policy names aws:CurrentTime: no new evaluation', async () => {
    const pr = fresh();
    await decide(onlyTeamFw, signOn(pr), taggedFw(pr));
    const later = new Date(NOW.getTime() + 3_600_000);
    expect(await decide(onlyTeamFw, signOn(pr, {}, { now: later }), taggedFw(pr))).toMatchObject({
      allowed: true,
      evaluated: 0,
    });
  });
});

describe('verdict cache: a fact that matters is evaluated again', () => {
  it('a profile tag changed: evaluated again and refused', async () => {
    const pr = fresh();
    expect(await decide(onlyTeamFw, signOn(pr), taggedFw(pr))).toMatchObject({ allowed: true });
    expect(await decide(onlyTeamFw, signOn(pr), taggedFw(pr, { team: 'web' }))).toEqual({
      allowed: false,
      evaluated: 1,
      reused: 0,
    });
  });

  it('another resource (profile): evaluated again, decided on its own tags', async () => {
    const a = fresh();
    const b = fresh();
    const f = facts({ tags: { [profileArn(a)]: { team: 'fw' }, [profileArn(b)]: {} } });
    expect(await decide(onlyTeamFw, signOn(a), f)).toMatchObject({ allowed: true });
    expect(await decide(onlyTeamFw, signOn(b), f)).toEqual({
      allowed: false,
      evaluated: 1,
      reused: 0,
    });
  });

  it('the profile version changed under a signer:ProfileVersion condition', async () => {
    const pr = fresh();
    const p = signIf({ StringEquals: { 'signer:ProfileVersion': 'v1' } });
    const at = (version: string): ResourceFacts => ({
      ...facts(),
      profileVersionOf: async () => version,
    });
    expect(await decide(p, signOn(pr), at('v1'))).toMatchObject({ allowed: true });
    expect(await decide(p, signOn(pr), at('v2'))).toEqual({
      allowed: false,
      evaluated: 1,
      reused: 0,
    });
  });

  it('a policy changed (same principal): evaluated again', async () => {
    const pr = fresh();
    const f = taggedFw(pr);
    expect(await decide(onlyTeamFw, signOn(pr), f)).toMatchObject({ allowed: true });
    const denied: Principal = {
      ...onlyTeamFw,
      identityPolicies: [
        ...onlyTeamFw.identityPolicies,
        JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Deny', Action: 'signer:StartSigningJob', Resource: '*' }],
        }),
      ],
    };
    expect(await decide(denied, signOn(pr), f)).toEqual({
      allowed: false,
      evaluated: 1,
      reused: 0,
    });
  });

  it('the time moved past a DateLessThan aws:CurrentTime condition', async () => {
    const pr = fresh();
    const p = signIf({ DateLessThan: { 'aws:CurrentTime': '2026-12-07T12:00:30Z' } });
    expect(await decide(p, signOn(pr), facts())).toMatchObject({ allowed: true });
    const later = new Date(NOW.getTime() + 60_000);
    expect(await decide(p, signOn(pr, {}, { now: later }), facts())).toEqual({
      allowed: false,
      evaluated: 1,
      reused: 0,
    });
  });
});
