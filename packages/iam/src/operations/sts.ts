/**
 * STS: AssumeRole is sts:AssumeRole on the role (its trust policy is the resource policy), with
 * sts:RoleSessionName, sts:ExternalId, sts:SourceIdentity, sts:TransitiveTagKeys and the session
 * tags as aws:RequestTag/… and aws:TagKeys; passing session tags also needs sts:TagSession on the
 * role (IAM User Guide, "Passing session tags in AWS STS"). GetCallerIdentity needs no permission.
 */
import { requestTagContext, tagsSent, type ContextValue } from '../access.js';
import { IamAuthError, describe, optionalMember, requireMember } from '../errors.js';
import { accountOfArn, anyResource, resourceWithFacts, type OperationMapper } from './mapper.js';

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/(?:[^/]+\/)*[^/]+$/;

export const stsOperations: Record<string, OperationMapper> = {
  AssumeRole: async (r, f) => {
    const roleArn = requireMember(r.input, 'RoleArn');
    if (!ROLE_ARN.test(roleArn))
      throw new IamAuthError(
        'InvalidInput',
        `RoleArn: expected arn:aws:iam::<account>:role/<name>, got ${describe(roleArn)}`,
      );
    const role = {
      ...(await resourceWithFacts(f, roleArn, accountOfArn(roleArn), {
        tags: true,
        policyFrom: roleArn,
      })),
      policyRequired: true,
    };
    const tags = tagsSent(r.requestTags, r.input['Tags']);
    const context: Record<string, ContextValue> = requestTagContext(tags);
    for (const [member, key] of [
      ['RoleSessionName', 'sts:RoleSessionName'],
      ['ExternalId', 'sts:ExternalId'],
      ['SourceIdentity', 'sts:SourceIdentity'],
    ] as const) {
      const v = optionalMember(r.input, member);
      if (v !== undefined) context[key] = v;
    }
    const transitive = r.input['TransitiveTagKeys'];
    if (Array.isArray(transitive) && transitive.length > 0)
      context['sts:TransitiveTagKeys'] = transitive.filter(
        (k): k is string => typeof k === 'string',
      );
    const checks = [{ action: 'sts:AssumeRole', resources: [role], context }];
    if (tags && Object.keys(tags).length > 0)
      checks.push({ action: 'sts:TagSession', resources: [role], context });
    return checks;
  },
  GetCallerIdentity: async (r) => [
    { action: 'sts:GetCallerIdentity', resources: [anyResource(r.accountId)], context: {} },
  ],
};
