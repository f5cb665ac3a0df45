/**
 * The glue between one (principal, action, resource) and @cloud-copilot/iam-simulate, which
 * implements AWS's policy evaluation logic: explicit deny in any policy wins; then an allow is
 * needed from an identity-based or the resource-based policy (same account) or from both (cross
 * account), within the permissions boundary and the session policy when there are any.
 */
import {
  runSimulation,
  type RequestAnalysis,
  type SimulationErrors,
} from '@cloud-copilot/iam-simulate';
import type { ContextValue, ResourceAccess } from './access.js';
import { IamAuthError } from './errors.js';
import type { PolicyKind } from './messages.js';
import { evaluateOwn, isOwnAction } from './own-actions.js';
import type { PolicySet, Verdict } from './verdict.js';

export type { PolicySet, Verdict } from './verdict.js';

/** Runs AWS's evaluation for one action on one resource. */
export async function evaluate(
  principalArn: string,
  action: string,
  resource: ResourceAccess,
  context: Record<string, ContextValue>,
  policies: PolicySet,
  resourcePolicy: object | undefined,
): Promise<Verdict> {
  const request = {
    principal: principalArn,
    action,
    resource: { resource: resource.arn, accountId: resource.accountId },
    contextVariables: context,
  };
  if (isOwnAction(action)) return evaluateOwn(request, policies, resourcePolicy);
  const res = await runSimulation(
    {
      request,
      identityPolicies: policies.identity,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy ? { resourcePolicy } : {}),
      ...(policies.boundary ? { permissionBoundaryPolicies: [policies.boundary] } : {}),
      ...(policies.session ? { sessionPolicy: policies.session } : {}),
    },
    { simulationMode: 'Strict' },
  );
  if (res.resultType === 'error') throw simulationError(action, resource.arn, res.errors);
  const analysis = res.resultType === 'single' ? res.result.analysis : res.results[0]?.analysis;
  const ignored =
    res.resultType === 'single'
      ? (res.result.ignoredContextKeys ?? [])
      : (res.results[0]?.ignoredContextKeys ?? []);
  if (!analysis) {
    // A wildcard resource no policy names: nothing could allow it.
    return {
      result: res.overallResult,
      kind: 'identity',
      analysis: { result: res.overallResult, sameAccount: true },
      ignoredContextKeys: [],
    };
  }
  const result = res.overallResult;
  return {
    result,
    ...(result === 'Allowed'
      ? {}
      : { kind: attribute(analysis, resource.policyRequired === true) }),
    analysis,
    ignoredContextKeys: ignored,
  };
}

/**
 * Which kind of policy a denial is put down to, as AWS's messages name it: the first explicit deny
 * (identity, resource, boundary, session); else the first layer that did not allow — for a
 * cross-account call the identity side and then the resource side, each needed; in one account an
 * allow from either side suffices, and then the boundary and the session policy must allow too.
 * `policyRequired`: the resource's policy must allow in any case (a role's trust policy).
 */
function attribute(a: RequestAnalysis, policyRequired: boolean): PolicyKind {
  const denies = (x?: { denyStatements: unknown[] }) => (x?.denyStatements.length ?? 0) > 0;
  if (denies(a.identityAnalysis)) return 'identity';
  if (denies(a.resourceAnalysis)) return 'resource';
  if (denies(a.permissionBoundaryAnalysis)) return 'permissions-boundary';
  if (denies(a.sessionAnalysis)) return 'session';
  const identityAllows = a.identityAnalysis?.result === 'Allowed';
  const resourceAllows =
    a.resourceAnalysis?.result === 'Allowed' || a.resourceAnalysis?.result === 'AllowedForAccount';
  // A trust policy that does not allow is the reason, whatever the identity side says.
  if (policyRequired && !resourceAllows) return 'resource';
  if (!a.sameAccount) {
    if (!identityAllows) return 'identity';
    if (!resourceAllows) return 'resource';
  } else if (!identityAllows && !resourceAllows) return 'identity';
  if (a.permissionBoundaryAnalysis && a.permissionBoundaryAnalysis.result !== 'Allowed')
    return 'permissions-boundary';
  if (a.sessionAnalysis && a.sessionAnalysis.result !== 'Allowed') return 'session';
  return 'identity';
}

function simulationError(action: string, arn: string, e: SimulationErrors): IamAuthError {
  const policyErrors = [
    e.identityPolicyErrors,
    e.permissionBoundaryErrors,
    e.resourcePolicyErrors ? { 'resource policy': e.resourcePolicyErrors } : undefined,
    e.sessionPolicyErrors ? { 'session policy': e.sessionPolicyErrors } : undefined,
  ].flatMap((m) =>
    Object.entries(m ?? {}).flatMap(([name, errs]) =>
      errs.map((x) => `${name}: ${x.message} at ${x.path}`),
    ),
  );
  if (policyErrors.length > 0)
    return new IamAuthError(
      'MalformedPolicyDocument',
      `a policy in force is not IAM's grammar: ${policyErrors.slice(0, 5).join('; ')}`,
    );
  if (e.message === 'no.resource.types')
    return new IamAuthError(
      'ResourceTypeMismatch',
      `${arn}: expected a resource of a type ${action} acts on, got one of another type`,
    );
  return new IamAuthError(
    'InvalidInput',
    `cannot evaluate ${action} on ${arn}: the evaluator refused the request (${e.message})`,
  );
}
