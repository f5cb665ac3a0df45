import type { StoreContext } from './context.js';
import { stmt } from './db.js';
import { iamRecord, policySha256 } from './iam-audit.js';
import { iamWrite } from './iam-generation.js';
import { limitExceeded, noSuchEntity } from './iam-errors.js';
import { groupArn, groupRow } from './iam-groups.js';
import { encodePolicy, roleArn, roleRow } from './iam-roles.js';
import { pageTail, userArn, userRow } from './iam-users.js';
import {
  checkPolicyDocument,
  nonWhitespaceLength,
  pageByName,
  POLICY_LIMITS,
} from './iam-validate.js';

/** The three kinds of entity that hold inline policies and managed-policy attachments. */
export type EntityKind = 'user' | 'group' | 'role';

const NAME_MEMBER = { user: 'UserName', group: 'GroupName', role: 'RoleName' } as const;

/** The entity's name as stored (IAM names keep their case; lookups ignore it), or NoSuchEntity. */
export function entityName(
  ctx: StoreContext,
  account: string,
  kind: EntityKind,
  name: string,
): string {
  return kind === 'user'
    ? userRow(ctx, account, name).name
    : kind === 'group'
      ? groupRow(ctx, account, name).name
      : roleRow(ctx, account, name).name;
}

/** The user, group or role an ARN names in `account` (a PolicySourceArn), by its stored name; or NoSuchEntity. */
export function entityOfArn(
  ctx: StoreContext,
  account: string,
  arn: string,
): { kind: EntityKind; name: string } {
  const m = /^arn:aws:iam::(\d{12}):(user|group|role)(\/(?:.*\/)?)([\w+=,.@-]+)$/.exec(arn);
  if (!m || m[1] !== account)
    throw noSuchEntity(
      `PolicySourceArn ${arn} names no user, group or role of account ${account}.`,
    );
  const kind = m[2] as EntityKind;
  return { kind, name: entityName(ctx, account, kind, m[4]!) };
}

/** The entity's ARN (with its path), what its entries name. */
export function entityArn(
  ctx: StoreContext,
  account: string,
  kind: EntityKind,
  name: string,
): string {
  if (kind === 'user') {
    const u = userRow(ctx, account, name);
    return userArn(account, u.path, u.name);
  }
  const r = kind === 'group' ? groupRow(ctx, account, name) : roleRow(ctx, account, name);
  return (kind === 'group' ? groupArn : roleArn)(account, r.path, r.name);
}

async function put(
  ctx: StoreContext,
  account: string,
  kind: EntityKind,
  name: string,
  policyName: string,
  document: string,
): Promise<Record<string, never>> {
  checkPolicyDocument(document, kind);
  iamWrite(ctx, () => {
    const entity = entityName(ctx, account, kind, name);
    // The quota is on all of the entity's inline policies together.
    const others = stmt(
      ctx.db,
      'SELECT document FROM iam_inline_policies WHERE account = ? AND kind = ? AND entity = ? AND name <> ?',
    ).all(account, kind, entity, policyName) as Array<{ document: string }>;
    const total = others.reduce(
      (n, o) => n + nonWhitespaceLength(o.document),
      nonWhitespaceLength(document),
    );
    if (total > POLICY_LIMITS[kind])
      throw limitExceeded(
        `Maximum policy size of ${POLICY_LIMITS[kind]} bytes exceeded for ${kind} ${entity}: its inline policies would total ${total}`,
      );
    stmt(
      ctx.db,
      'INSERT INTO iam_inline_policies (account, kind, entity, name, document) VALUES (?, ?, ?, ?, ?) ON CONFLICT (account, kind, entity, name) DO UPDATE SET document = excluded.document',
    ).run(account, kind, entity, policyName, document);
    iamRecord(ctx, account, 'iam.policy.put', [entityArn(ctx, account, kind, entity)], {
      policyName,
      policyDocumentSha256: policySha256(document),
    });
  });
  return {};
}

function get(
  ctx: StoreContext,
  account: string,
  kind: EntityKind,
  name: string,
  policyName: string,
) {
  const entity = entityName(ctx, account, kind, name);
  const row = stmt(
    ctx.db,
    'SELECT name, document FROM iam_inline_policies WHERE account = ? AND kind = ? AND entity = ? AND name = ?',
  ).get(account, kind, entity, policyName) as { name: string; document: string } | undefined;
  if (!row) throw noSuchEntity(`The ${kind} policy with name ${policyName} cannot be found.`);
  return {
    [NAME_MEMBER[kind]]: entity,
    PolicyName: row.name,
    PolicyDocument: encodePolicy(row.document),
  };
}

function list(
  ctx: StoreContext,
  account: string,
  kind: EntityKind,
  name: string,
  input: { Marker?: string; MaxItems?: number },
): { PolicyNames: string[]; IsTruncated: boolean; Marker?: string } {
  const entity = entityName(ctx, account, kind, name);
  const names = (
    stmt(
      ctx.db,
      'SELECT name FROM iam_inline_policies WHERE account = ? AND kind = ? AND entity = ? ORDER BY name',
    ).all(account, kind, entity) as Array<{ name: string }>
  ).map((r) => r.name);
  const p = pageByName(names, (n) => n, input);
  return { PolicyNames: p.items, ...pageTail(p) };
}

function del(
  ctx: StoreContext,
  account: string,
  kind: EntityKind,
  name: string,
  policyName: string,
) {
  iamWrite(ctx, () => {
    const entity = entityName(ctx, account, kind, name);
    const r = stmt(
      ctx.db,
      'DELETE FROM iam_inline_policies WHERE account = ? AND kind = ? AND entity = ? AND name = ?',
    ).run(account, kind, entity, policyName);
    if (r.changes === 0)
      throw noSuchEntity(`The ${kind} policy with name ${policyName} cannot be found.`);
    iamRecord(ctx, account, 'iam.policy.delete', [entityArn(ctx, account, kind, entity)], {
      policyName,
    });
  });
  return {};
}

/** An entity's inline policies, by name (what authorization and simulation evaluate). */
export const inlinePolicies = (
  ctx: StoreContext,
  account: string,
  kind: EntityKind,
  entity: string,
): Array<{ name: string; document: string }> =>
  stmt(
    ctx.db,
    'SELECT name, document FROM iam_inline_policies WHERE account = ? AND kind = ? AND entity = ? ORDER BY name',
  ).all(account, kind, entity) as Array<{ name: string; document: string }>;

export const inlineDocuments = (
  ctx: StoreContext,
  account: string,
  kind: EntityKind,
  entity: string,
): string[] => inlinePolicies(ctx, account, kind, entity).map((p) => p.document);

type Named<K extends string> = { [P in K]: string };
type PutIn<K extends string> = Named<K> & { PolicyName: string; PolicyDocument: string };
type GetIn<K extends string> = Named<K> & { PolicyName: string };
type ListIn<K extends string> = Named<K> & { Marker?: string; MaxItems?: number };

export const putUserPolicy = (ctx: StoreContext, a: string, i: PutIn<'UserName'>) =>
  put(ctx, a, 'user', i.UserName, i.PolicyName, i.PolicyDocument);
export const putGroupPolicy = (ctx: StoreContext, a: string, i: PutIn<'GroupName'>) =>
  put(ctx, a, 'group', i.GroupName, i.PolicyName, i.PolicyDocument);
export const putRolePolicy = (ctx: StoreContext, a: string, i: PutIn<'RoleName'>) =>
  put(ctx, a, 'role', i.RoleName, i.PolicyName, i.PolicyDocument);
export const getUserPolicy = async (ctx: StoreContext, a: string, i: GetIn<'UserName'>) =>
  get(ctx, a, 'user', i.UserName, i.PolicyName);
export const getGroupPolicy = async (ctx: StoreContext, a: string, i: GetIn<'GroupName'>) =>
  get(ctx, a, 'group', i.GroupName, i.PolicyName);
export const getRolePolicy = async (ctx: StoreContext, a: string, i: GetIn<'RoleName'>) =>
  get(ctx, a, 'role', i.RoleName, i.PolicyName);
export const listUserPolicies = async (ctx: StoreContext, a: string, i: ListIn<'UserName'>) =>
  list(ctx, a, 'user', i.UserName, i);
export const listGroupPolicies = async (ctx: StoreContext, a: string, i: ListIn<'GroupName'>) =>
  list(ctx, a, 'group', i.GroupName, i);
export const listRolePolicies = async (ctx: StoreContext, a: string, i: ListIn<'RoleName'>) =>
  list(ctx, a, 'role', i.RoleName, i);
export const deleteUserPolicy = async (ctx: StoreContext, a: string, i: GetIn<'UserName'>) =>
  del(ctx, a, 'user', i.UserName, i.PolicyName);
export const deleteGroupPolicy = async (ctx: StoreContext, a: string, i: GetIn<'GroupName'>) =>
  del(ctx, a, 'group', i.GroupName, i.PolicyName);
export const deleteRolePolicy = async (ctx: StoreContext, a: string, i: GetIn<'RoleName'>) =>
  del(ctx, a, 'role', i.RoleName, i.PolicyName);
