/**
 * The IAM subset fwsign serves → iam: actions (each named as its operation) on user, group, role
 * and policy resources (arn:aws:iam::ACCT:user/PATH/NAME …), with the keys the reference lists:
 * aws:RequestTag/… and aws:TagKeys on the create and tag calls, aws:ResourceTag/… of users, roles
 * and policies, iam:PolicyARN on attach and detach, iam:PermissionsBoundary where the call names
 * one. Calls that may leave UserName out act on the caller's own user, as IAM does.
 */
import { requestTagContext, tagKeysContext, tagsSent, type ContextValue } from '../access.js';
import { IamAuthError, describe, optionalMember, requireMember } from '../errors.js';
import type { AuthzRequest, Principal, ResourceFacts } from '../types.js';
import {
  accountOfArn,
  anyResource,
  check,
  resourceWithFacts,
  type OperationMapper,
} from './mapper.js';

type Kind = 'user' | 'group' | 'role' | 'policy';

interface Spec {
  /** The resource type the action is on; '*' for the List calls that name none. */
  on: Kind | '*';
  /** UserName may be left out: the caller's own user. */
  self?: boolean;
  /** The entity is being created: its path comes with the request (Path), not from the store. */
  create?: boolean;
  /** Which tag keys the call brings: the tags it sets, or the keys it removes. */
  tags?: 'set' | 'remove';
  /** The call names a managed policy to attach or detach (iam:PolicyARN). */
  policyArn?: boolean;
  /** The call names a permissions boundary (iam:PermissionsBoundary). */
  boundary?: boolean;
}

const USER: Spec = { on: 'user' };
const SELF: Spec = { on: 'user', self: true };
const GROUP: Spec = { on: 'group' };
const ROLE: Spec = { on: 'role' };
const POLICY: Spec = { on: 'policy' };
const ANY: Spec = { on: '*' };

const SPECS: Record<string, Spec> = {
  CreateUser: { on: 'user', create: true, tags: 'set', boundary: true },
  GetUser: SELF,
  ListUsers: ANY,
  UpdateUser: USER,
  DeleteUser: USER,
  TagUser: { on: 'user', tags: 'set' },
  UntagUser: { on: 'user', tags: 'remove' },
  ListUserTags: USER,
  CreateAccessKey: SELF,
  ListAccessKeys: SELF,
  UpdateAccessKey: SELF,
  DeleteAccessKey: SELF,
  CreateGroup: { on: 'group', create: true },
  GetGroup: GROUP,
  ListGroups: ANY,
  DeleteGroup: GROUP,
  AddUserToGroup: GROUP,
  RemoveUserFromGroup: GROUP,
  ListGroupsForUser: USER,
  PutUserPolicy: USER,
  GetUserPolicy: USER,
  ListUserPolicies: USER,
  DeleteUserPolicy: USER,
  PutGroupPolicy: GROUP,
  GetGroupPolicy: GROUP,
  ListGroupPolicies: GROUP,
  DeleteGroupPolicy: GROUP,
  CreatePolicy: { on: 'policy', create: true, tags: 'set' },
  GetPolicy: POLICY,
  DeletePolicy: POLICY,
  ListPolicies: ANY,
  TagPolicy: { on: 'policy', tags: 'set' },
  UntagPolicy: { on: 'policy', tags: 'remove' },
  ListPolicyTags: POLICY,
  CreatePolicyVersion: POLICY,
  GetPolicyVersion: POLICY,
  ListPolicyVersions: POLICY,
  DeletePolicyVersion: POLICY,
  SetDefaultPolicyVersion: POLICY,
  ListEntitiesForPolicy: POLICY,
  AttachUserPolicy: { on: 'user', policyArn: true },
  DetachUserPolicy: { on: 'user', policyArn: true },
  AttachGroupPolicy: { on: 'group', policyArn: true },
  DetachGroupPolicy: { on: 'group', policyArn: true },
  AttachRolePolicy: { on: 'role', policyArn: true },
  DetachRolePolicy: { on: 'role', policyArn: true },
  ListAttachedUserPolicies: USER,
  ListAttachedGroupPolicies: GROUP,
  ListAttachedRolePolicies: ROLE,
  CreateRole: { on: 'role', create: true, tags: 'set', boundary: true },
  GetRole: ROLE,
  ListRoles: ANY,
  UpdateRole: ROLE,
  DeleteRole: ROLE,
  UpdateAssumeRolePolicy: ROLE,
  PutRolePolicy: ROLE,
  GetRolePolicy: ROLE,
  ListRolePolicies: ROLE,
  DeleteRolePolicy: ROLE,
  TagRole: { on: 'role', tags: 'set' },
  UntagRole: { on: 'role', tags: 'remove' },
  ListRoleTags: ROLE,
  PutUserPermissionsBoundary: { on: 'user', boundary: true },
  DeleteUserPermissionsBoundary: USER,
  PutRolePermissionsBoundary: { on: 'role', boundary: true },
  DeleteRolePermissionsBoundary: ROLE,
  SimulateCustomPolicy: ANY,
  GetContextKeysForCustomPolicy: ANY,
};

const NAME_MEMBER = { user: 'UserName', group: 'GroupName', role: 'RoleName' } as const;
const TAGGABLE: ReadonlySet<Kind> = new Set(['user', 'role', 'policy']);
const ENTITY_ARN = /^arn:aws:iam::(\d{12}):(user|group|role)\/(?:[^/]+\/)*[^/]+$/;

/** A path as IAM keeps it: '/' or '/a/b/'. */
function normalPath(path: string | undefined): string {
  if (!path || path === '/') return '/';
  return `${path.startsWith('/') ? '' : '/'}${path}${path.endsWith('/') ? '' : '/'}`;
}

/** The ARN of the user, group, role or policy the call addresses. */
async function entityArn(
  kind: Kind,
  spec: Spec,
  r: AuthzRequest,
  f: ResourceFacts,
  p: Principal,
): Promise<string> {
  if (kind === 'policy') {
    if (!spec.create) return requireMember(r.input, 'PolicyArn');
    const path = normalPath(optionalMember(r.input, 'Path'));
    return `arn:aws:iam::${r.accountId}:policy${path}${requireMember(r.input, 'PolicyName')}`;
  }
  const member = NAME_MEMBER[kind];
  const given = optionalMember(r.input, member);
  if (given === undefined && spec.self && p.kind === 'user') return p.arn;
  const name = given ?? requireMember(r.input, member);
  const path = spec.create
    ? normalPath(optionalMember(r.input, 'Path'))
    : normalPath(await f.iamPathOf?.(kind, name, r.accountId));
  return `arn:aws:iam::${r.accountId}:${kind}${path}${name}`;
}

/** The request's own keys for a spec. */
function requestContext(spec: Spec, r: AuthzRequest): Record<string, ContextValue> {
  const out: Record<string, ContextValue> = {};
  if (spec.tags === 'set')
    Object.assign(out, requestTagContext(tagsSent(r.requestTags, r.input['Tags'])));
  if (spec.tags === 'remove') Object.assign(out, tagKeysContext(r.input['TagKeys']));
  if (spec.policyArn) {
    const arn = optionalMember(r.input, 'PolicyArn');
    if (arn !== undefined) out['iam:PolicyARN'] = arn;
  }
  if (spec.boundary) {
    const arn = optionalMember(r.input, 'PermissionsBoundary');
    if (arn !== undefined) out['iam:PermissionsBoundary'] = arn;
  }
  return out;
}

/**
 * Calls on an existing user or role whose iam:PermissionsBoundary is the boundary it has now (the
 * Service Authorization Reference's list): what lets a delegated administrator change only the
 * entities that carry the boundary it was given.
 */
const ENTITY_BOUNDARY_KEY: ReadonlySet<string> = new Set([
  ...['Attach', 'Detach'].flatMap((v) => [`${v}UserPolicy`, `${v}RolePolicy`]),
  ...['Put', 'Delete'].flatMap((v) => [`${v}UserPolicy`, `${v}RolePolicy`]),
  'DeleteUserPermissionsBoundary',
  'DeleteRolePermissionsBoundary',
  ...['DeleteRole', 'GetRole', 'UpdateRole', 'UpdateRoleDescription', 'UpdateAssumeRolePolicy'],
]);

const fromSpec =
  (op: string, spec: Spec): OperationMapper =>
  async (r, f, p) => {
    const action = `iam:${op}`;
    if (spec.on === '*') return check(action, [anyResource(r.accountId)]);
    const arn = await entityArn(spec.on, spec, r, f, p);
    const res = await resourceWithFacts(f, arn, accountOfArn(arn), {
      tags: TAGGABLE.has(spec.on) && !spec.create,
    });
    const context = requestContext(spec, r);
    if (ENTITY_BOUNDARY_KEY.has(op) && (spec.on === 'user' || spec.on === 'role')) {
      const name = requireMember(r.input, NAME_MEMBER[spec.on]);
      const boundary = await f.permissionsBoundaryOf?.(spec.on, name, r.accountId);
      if (boundary !== undefined) context['iam:PermissionsBoundary'] = boundary;
    }
    return check(action, [res], context);
  };

/** SimulatePrincipalPolicy and GetContextKeysForPrincipalPolicy act on the entity simulated. */
const onPolicySource =
  (action: string): OperationMapper =>
  async (r, f) => {
    const arn = requireMember(r.input, 'PolicySourceArn');
    if (!ENTITY_ARN.test(arn))
      throw new IamAuthError(
        'InvalidInput',
        `PolicySourceArn: expected the ARN of an IAM user, group or role, got ${describe(arn)}`,
      );
    return check(action, [await resourceWithFacts(f, arn, accountOfArn(arn))]);
  };

export const iamOperations: Record<string, OperationMapper> = {
  ...Object.fromEntries(Object.entries(SPECS).map(([op, spec]) => [op, fromSpec(op, spec)])),
  SimulatePrincipalPolicy: onPolicySource('iam:SimulatePrincipalPolicy'),
  GetContextKeysForPrincipalPolicy: onPolicySource('iam:GetContextKeysForPrincipalPolicy'),
};
