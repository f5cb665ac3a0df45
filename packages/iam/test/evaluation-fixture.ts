/** The evaluation tests' shared vocabulary: statements, the CI user's StartSigningJob, AWS's messages. */
import { authorize, type AuthzRequest, type Principal, type ResourceFacts } from '../src/index.js';
import { ACCT, facts, profileArn, req, type Statement } from './fixtures.js';

export const FW = profileArn('fw');
export const CI = `arn:aws:iam::${ACCT}:user/ci`;
export const start = (
  input: Record<string, unknown> = { profileName: 'fw' },
  extra: Partial<AuthzRequest> = {},
) => req('signer', 'StartSigningJob', input, extra);
export const allow = (Action: unknown, Resource: unknown = '*', Condition?: object): Statement => ({
  Effect: 'Allow',
  Action,
  Resource,
  ...(Condition ? { Condition } : {}),
});
export const deny = (Action: unknown, Resource: unknown = '*', Condition?: object): Statement => ({
  Effect: 'Deny',
  Action,
  Resource,
  ...(Condition ? { Condition } : {}),
});
export const implicit = (
  who: string,
  action: string,
  resource: string,
  kind = 'identity-based policy',
) =>
  `User: ${who} is not authorized to perform: ${action}${resource === '*' ? '' : ` on resource: ${resource}`} because no ${kind} allows the ${action} action`;
export const explicit = (
  who: string,
  action: string,
  resource: string,
  kind = 'an identity-based policy',
) =>
  `User: ${who} is not authorized to perform: ${action} on resource: ${resource} with an explicit deny in ${kind}`;

export async function decide(p: Principal, r: AuthzRequest, f: ResourceFacts = facts()) {
  const d = await authorize(p, r, f);
  return d.allowed ? 'allowed' : d.reason;
}
