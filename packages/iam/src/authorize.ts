/**
 * authorize(): one call's decision. The operation's checks come from the operation tables; each
 * (action, resource) is evaluated with the caller's policies and the resource's policy; the first
 * denial is the answer, in AWS's words.
 */
import type { AccessCheck } from './access.js';
import { requestContext } from './context.js';
import { evaluate, type PolicySet } from './evaluate.js';
import { denialMessage, type PolicyKind } from './messages.js';
import { mapperFor } from './operations/index.js';
import { parsePolicy, ROOT_POLICY } from './policies.js';
import { cachedVerdict, principalPart, rememberVerdict, verdictKey } from './verdict-cache.js';
import type { AuthzRequest, Decision, DenyReason, Principal, ResourceFacts } from './types.js';

/** The actions that need no permission at all (sts:GetCallerIdentity, per AWS). */
const UNAUTHORIZED_ACTIONS = new Set(['sts:GetCallerIdentity']);

/** Decides whether `p` may make the call `r`. */
export async function authorize(
  p: Principal,
  r: AuthzRequest,
  f: ResourceFacts,
): Promise<Decision> {
  const checks = await mapperFor(r.service, r.operation)(r, f, p);
  return decide(p, r, checks);
}

/** The policies in force for a principal, parsed. */
function policySetOf(p: Principal): PolicySet {
  // The root user is not subject to identity policies: it holds every permission in its account.
  if (p.kind === 'root') return { identity: [{ name: 'root', policy: ROOT_POLICY }] };
  return {
    identity: p.identityPolicies.map((doc, i) => ({
      name: `policy${i + 1}`,
      policy: parsePolicy(doc, `identity policy ${i + 1}`),
    })),
    ...(p.permissionsBoundary
      ? {
          boundary: {
            name: 'boundary',
            policy: parsePolicy(p.permissionsBoundary, 'permissions boundary'),
          },
        }
      : {}),
    ...(p.sessionPolicy && p.kind === 'assumed-role'
      ? { session: parsePolicy(p.sessionPolicy, 'session policy') }
      : {}),
  };
}

/** Evaluates checks in order; every resource of every check must be allowed. */
async function decide(p: Principal, r: AuthzRequest, checks: AccessCheck[]): Promise<Decision> {
  const principal = principalPart(p);
  let policies: PolicySet | undefined;
  const allowed: string[] = [];
  for (const c of checks) {
    if (UNAUTHORIZED_ACTIONS.has(c.action)) continue;
    for (const res of c.resources) {
      allowed.push(res.arn);
      // AWS refuses role sessions to the root user outright, in these words.
      if (p.kind === 'root' && c.action === 'sts:AssumeRole')
        return {
          allowed: false,
          action: c.action,
          resource: res.arn,
          reason: 'implicit-deny',
          message: 'Roles may not be assumed by root accounts.',
        };
      // Root in its own account: allowed before any policy is read (AWS root semantics).
      if (p.kind === 'root' && res.accountId === p.accountId) continue;
      if (res.policyRequired && res.policy === undefined)
        return refusal(p, c.action, res.arn, 'implicit-deny', 'resource');
      const key = verdictKey(principal, r, c.action, res, c.context);
      let v = cachedVerdict(principal, key);
      if (!v) {
        policies ??= policySetOf(p);
        const resourcePolicy =
          res.policy !== undefined
            ? parsePolicy(res.policy, `resource policy of ${res.arn}`)
            : undefined;
        // Made only when evaluating: a cached decision needs its key alone.
        const context = {
          ...principal.context,
          ...requestContext(r),
          'aws:ResourceAccount': res.accountId,
          ...c.context,
          ...res.context,
        };
        const full = await evaluate(p.arn, c.action, res, context, policies, resourcePolicy);
        v = { result: full.result, ...(full.kind ? { kind: full.kind } : {}) };
        rememberVerdict(principal, key, v);
      }
      if (v.result !== 'Allowed')
        return refusal(
          p,
          c.action,
          res.arn,
          v.result === 'ExplicitlyDenied' ? 'explicit-deny' : 'implicit-deny',
          v.kind ?? 'identity',
        );
    }
  }
  return { allowed: true, action: checks[0]?.action ?? '', resources: allowed };
}

function refusal(
  p: Principal,
  action: string,
  resource: string,
  reason: DenyReason,
  kind: PolicyKind,
): Decision {
  return {
    allowed: false,
    action,
    resource,
    reason,
    message: denialMessage(p.arn, action, resource, reason, kind),
  };
}
