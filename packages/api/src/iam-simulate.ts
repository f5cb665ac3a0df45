import { simulate, type ContextEntry, type SimulationPolicy } from '@fwsign/iam';
import type { IamStore } from '@fwsign/store';

/**
 * SimulatePrincipalPolicy and SimulateCustomPolicy, answered by `@fwsign/iam`'s simulate: the
 * evaluator authorization uses, over the policies the store has for PolicySourceArn (inline by
 * name, attached managed ones by ARN) or the PolicyInputList given, within the source's permissions
 * boundary or the PermissionsBoundaryPolicyInputList given.
 */
export async function simulateCall(
  iam: IamStore,
  account: string,
  callerArn: string,
  operation: 'SimulatePrincipalPolicy' | 'SimulateCustomPolicy',
  input: Record<string, unknown>,
): Promise<{ EvaluationResults: unknown[]; IsTruncated: boolean }> {
  // Decoded by the operation's input shape: these members are strings and lists of strings.
  const i = input as {
    PolicySourceArn?: string;
    PolicyInputList?: string[];
    PermissionsBoundaryPolicyInputList?: string[];
    ActionNames: string[];
    ResourceArns?: string[];
    ResourcePolicy?: string;
    ResourceOwner?: string;
    CallerArn?: string;
    ContextEntries?: ContextEntry[];
  };
  const given: SimulationPolicy[] = (i.PolicyInputList ?? []).map((document, n) => ({
    document,
    id: `PolicyInputList.${n + 1}`,
    type: 'none',
  }));
  const principal = operation === 'SimulatePrincipalPolicy';
  const source = principal ? await iam.policiesOfArn(account, i.PolicySourceArn!) : [];
  // The entity's own boundary applies unless PermissionsBoundaryPolicyInputList replaces it (as IAM's simulator does).
  const boundary =
    principal && !i.PermissionsBoundaryPolicyInputList
      ? await iam.permissionsBoundaryOfArn(account, i.PolicySourceArn!)
      : undefined;
  const boundaries = i.PermissionsBoundaryPolicyInputList ?? (boundary ? [boundary.document] : []);
  const results = await simulate({
    callerArn: i.CallerArn ?? i.PolicySourceArn ?? callerArn,
    accountId: account,
    policies: [...source, ...given],
    actionNames: i.ActionNames,
    ...(boundaries.length > 0 ? { permissionsBoundaries: boundaries } : {}),
    ...(i.ResourceArns ? { resourceArns: i.ResourceArns } : {}),
    ...(i.ResourcePolicy !== undefined ? { resourcePolicy: i.ResourcePolicy } : {}),
    ...(i.ResourceOwner !== undefined ? { resourceOwner: i.ResourceOwner } : {}),
    ...(i.ContextEntries ? { contextEntries: i.ContextEntries } : {}),
  });
  return { EvaluationResults: results, IsTruncated: false };
}
