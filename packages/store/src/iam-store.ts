import type { StoreContext } from './context.js';
import * as boundaries from './iam-boundaries.js';
import * as groups from './iam-groups.js';
import * as inline from './iam-inline.js';
import * as keys from './iam-keys.js';
import * as managed from './iam-managed.js';
import * as policyEntities from './iam-policy-entities.js';
import * as principals from './iam-principals.js';
import * as roles from './iam-roles.js';
import * as users from './iam-users.js';

/**
 * The IAM operations by their wire names (lower camel case), each `(accountId, input, self?)`
 * with IAM's own member names (PascalCase, as botocore's iam 2010-05-08 model spells them), and
 * the lookups authentication and authorization need. All async: the store is moving behind an
 * async interface (PostgreSQL).
 */
const OPERATIONS = {
  createUser: users.createUser,
  getUser: users.getUser,
  listUsers: users.listUsers,
  deleteUser: users.deleteUser,
  tagUser: users.tagUser,
  untagUser: users.untagUser,
  listUserTags: users.listUserTags,
  createAccessKey: keys.createAccessKey,
  listAccessKeys: keys.listAccessKeys,
  updateAccessKey: keys.updateAccessKey,
  deleteAccessKey: keys.deleteAccessKey,
  createGroup: groups.createGroup,
  getGroup: groups.getGroup,
  listGroups: groups.listGroups,
  deleteGroup: groups.deleteGroup,
  addUserToGroup: groups.addUserToGroup,
  removeUserFromGroup: groups.removeUserFromGroup,
  listGroupsForUser: groups.listGroupsForUser,
  putUserPolicy: inline.putUserPolicy,
  getUserPolicy: inline.getUserPolicy,
  listUserPolicies: inline.listUserPolicies,
  deleteUserPolicy: inline.deleteUserPolicy,
  putGroupPolicy: inline.putGroupPolicy,
  getGroupPolicy: inline.getGroupPolicy,
  listGroupPolicies: inline.listGroupPolicies,
  deleteGroupPolicy: inline.deleteGroupPolicy,
  putRolePolicy: inline.putRolePolicy,
  getRolePolicy: inline.getRolePolicy,
  listRolePolicies: inline.listRolePolicies,
  deleteRolePolicy: inline.deleteRolePolicy,
  createPolicy: managed.createPolicy,
  getPolicy: managed.getPolicy,
  listPolicies: managed.listPolicies,
  deletePolicy: managed.deletePolicy,
  createPolicyVersion: managed.createPolicyVersion,
  getPolicyVersion: managed.getPolicyVersion,
  listPolicyVersions: managed.listPolicyVersions,
  deletePolicyVersion: managed.deletePolicyVersion,
  setDefaultPolicyVersion: managed.setDefaultPolicyVersion,
  attachUserPolicy: managed.attachUserPolicy,
  attachGroupPolicy: managed.attachGroupPolicy,
  attachRolePolicy: managed.attachRolePolicy,
  detachUserPolicy: managed.detachUserPolicy,
  detachGroupPolicy: managed.detachGroupPolicy,
  detachRolePolicy: managed.detachRolePolicy,
  listAttachedUserPolicies: managed.listAttachedUserPolicies,
  listAttachedGroupPolicies: managed.listAttachedGroupPolicies,
  listAttachedRolePolicies: managed.listAttachedRolePolicies,
  listEntitiesForPolicy: policyEntities.listEntitiesForPolicy,
  createRole: roles.createRole,
  getRole: roles.getRole,
  listRoles: roles.listRoles,
  deleteRole: roles.deleteRole,
  updateAssumeRolePolicy: roles.updateAssumeRolePolicy,
  putUserPermissionsBoundary: boundaries.putUserPermissionsBoundary,
  deleteUserPermissionsBoundary: boundaries.deleteUserPermissionsBoundary,
  putRolePermissionsBoundary: boundaries.putRolePermissionsBoundary,
  deleteRolePermissionsBoundary: boundaries.deleteRolePermissionsBoundary,
  // Not IAM operations: what authentication, AssumeRole and simulation ask of the store.
  resolveAccessKey: principals.resolveAccessKey,
  roleTrust: principals.roleTrust,
  createSession: principals.createSession,
  policiesOfArn: principals.policiesOfArn,
  permissionsBoundaryOfArn: boundaries.permissionsBoundaryOfArn,
  principalOfUserArn: principals.principalOfUserArn,
  generation: principals.generation,
};

type Bound<F> = F extends (ctx: StoreContext, ...args: infer A) => infer R
  ? (...args: A) => R
  : never;

export type IamStore = {
  readonly [K in keyof typeof OPERATIONS]: Bound<(typeof OPERATIONS)[K]>;
} & {
  /** The same operations, their writes recorded in the transparency log as made by `callerArn`. */
  readonly asCaller: (callerArn: string) => IamStore;
};

/** The wire names of the IAM operations the store serves (lower camel case). */
export const IAM_STORE_OPERATIONS: ReadonlySet<string> = new Set(Object.keys(OPERATIONS));

export function bindIam(ctx: StoreContext): IamStore {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(OPERATIONS))
    out[name] = (...args: unknown[]) =>
      (fn as (c: StoreContext, ...a: unknown[]) => unknown)(ctx, ...args);
  out.asCaller = (callerArn: string) => bindIam({ ...ctx, caller: callerArn });
  return out as IamStore;
}
