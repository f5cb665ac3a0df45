/**
 * fwsign's own actions — reads of its transparency log, which AWS Signer does not have — are in
 * no Service Authorization Reference, so iam-simulate's checked entry point (runSimulation)
 * refuses them as an unknown service. They are evaluated with its unchecked one,
 * runUnsafeSimulation: the same statement matching (Action/NotAction with wildcards,
 * Resource/NotResource, every condition operator), without the reference's checks of resource
 * types and context keys. That entry point drops a session policy and reports no per-layer
 * analysis, so each layer is run on its own and combined as AWS combines them for a call in the
 * caller's own account: an explicit deny in any layer wins; otherwise the identity layer (or the
 * resource's policy) must allow, and so must the permissions boundary and the session policy
 * when there are any.
 */
import { runUnsafeSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import type { PolicySet, Verdict } from './verdict.js';
import type { PolicyKind } from './messages.js';

/** The service prefix of fwsign's own actions (`fwsign:GetAuditCheckpoint`, …). */
const OWN_SERVICE = 'fwsign';

/** Whether `action` is one of fwsign's own (its service prefix, any case, is `fwsign`). */
export const isOwnAction = (action: string): boolean =>
  action.slice(0, action.indexOf(':')).toLowerCase() === OWN_SERVICE;

/** fwsign's own action `request.action`, decided on the caller's policies and the resource's. */
export function evaluateOwn(
  request: Simulation['request'],
  policies: PolicySet,
  resourcePolicy: object | undefined,
): Verdict {
  const run = (identity: { name: string; policy: object }[], withResource: boolean) =>
    runUnsafeSimulation(
      {
        request,
        identityPolicies: identity,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        ...(withResource && resourcePolicy ? { resourcePolicy } : {}),
      },
      {},
    );
  const layers: Array<[PolicyKind, () => ReturnType<typeof run>]> = [
    ['identity', () => run(policies.identity, true)],
  ];
  if (policies.boundary) {
    const boundary = policies.boundary;
    layers.push(['permissions-boundary', () => run([boundary], false)]);
  }
  if (policies.session) {
    const session = policies.session;
    layers.push(['session', () => run([{ name: 'session', policy: session }], false)]);
  }
  const results = layers.map(([kind, f]) => [kind, f()] as const);
  const denied = results.find(([, r]) => r === 'ExplicitlyDenied');
  const refused = denied ?? results.find(([, r]) => r !== 'Allowed');
  const result = refused ? refused[1] : 'Allowed';
  return {
    result,
    ...(refused ? { kind: refused[0] } : {}),
    analysis: { result, sameAccount: true },
    ignoredContextKeys: [],
  };
}
