/**
 * The global condition keys AWS sets on every request from its principal and transport
 * (reference_policies_condition-keys): who calls, from which account, with which tags, when, and
 * over what. Keys that depend on the resource (aws:ResourceTag/…, aws:ResourceAccount) come with
 * each resource.
 */
import type { ContextValue } from './access.js';
import type { AuthzRequest, Principal } from './types.js';

const ASSUMED_ROLE = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/;

/**
 * aws:PrincipalArn: the user's or the root's ARN; for a role session, the role's ARN (with its
 * path), not the session's — what AWS documents and what trust and resource policies name.
 */
function principalArnOf(p: Principal): string {
  if (p.kind !== 'assumed-role') return p.arn;
  if (p.roleArn) return p.roleArn;
  const m = ASSUMED_ROLE.exec(p.arn);
  return m ? `arn:aws:iam::${m[1]}:role/${m[2]}` : p.arn;
}

const PRINCIPAL_TYPE = { root: 'Account', user: 'User', 'assumed-role': 'AssumedRole' } as const;

/** aws:CurrentTime as AWS renders it: ISO 8601 to the second, in UTC. */
function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The keys that come from the principal alone (the same on each of its requests). */
export function principalContext(p: Principal): Record<string, ContextValue> {
  const out: Record<string, ContextValue> = {
    'aws:PrincipalArn': principalArnOf(p),
    'aws:PrincipalAccount': p.accountId,
    'aws:PrincipalType': PRINCIPAL_TYPE[p.kind],
  };
  if (p.kind === 'user') out['aws:username'] = p.arn.slice(p.arn.lastIndexOf('/') + 1);
  for (const [k, v] of Object.entries(p.tags)) out[`aws:PrincipalTag/${k}`] = v;
  return out;
}

/** The keys that come from the request's transport and time. */
export function requestContext(
  r: Pick<AuthzRequest, 'region' | 'secureTransport' | 'now'>,
): Record<string, ContextValue> {
  return {
    'aws:CurrentTime': isoSeconds(r.now),
    'aws:EpochTime': String(Math.floor(r.now.getTime() / 1000)),
    'aws:SecureTransport': r.secureTransport ? 'true' : 'false',
    'aws:RequestedRegion': r.region,
  };
}
