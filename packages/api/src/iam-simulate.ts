import { simulate, type ContextEntry, type SimulationPolicy } from '@fwsign/iam';
import type { IamStore } from '@fwsign/store';

/**
 * SimulatePrincipalPolicy and SimulateCustomPolicy, answered by `@fwsign/iam`'s simulate: the
 * evaluator authorization uses, over the policies the store has for PolicySourceArn (inline by
 * name, attached managed ones by ARN) or the PolicyInputList given.
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
  const source =
    operation === 'SimulatePrincipalPolicy'
      ? await iam.policiesOfArn(account, i.PolicySourceArn!)
      : [];
  const results = await simulate({
    callerArn: i.CallerArn ?? i.PolicySourceArn ?? callerArn,
    accountId: account,
    policies: [...source, ...given],
    actionNames: i.ActionNames,
    ...(i.PermissionsBoundaryPolicyInputList
      ? { permissionsBoundaries: i.PermissionsBoundaryPolicyInputList }
      : {}),
    ...(i.ResourceArns ? { resourceArns: i.ResourceArns } : {}),
    ...(i.ResourcePolicy !== undefined ? { resourcePolicy: i.ResourcePolicy } : {}),
    ...(i.ResourceOwner !== undefined ? { resourceOwner: i.ResourceOwner } : {}),
    ...(i.ContextEntries ? { contextEntries: i.ContextEntries } : {}),
  });
  return { EvaluationResults: results, IsTruncated: false };
}
