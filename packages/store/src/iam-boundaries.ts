/**
 * Permissions boundaries: the managed policy that caps what a user's or a role's identity
 * policies can allow (IAM User Guide, "Permissions boundaries for IAM entities"). One per entity,
 * kept as the policy's ARN; the principal resolved for the entity carries the default version of
 * that policy's document (iam-principals.ts), which the evaluator intersects with the identity
 * policies. Every change bumps the IAM generation, so cached principals see it on the next request.
 */
import type { StoreContext } from './context.js';
import { stmt } from './db.js';
import { iamRecord } from './iam-audit.js';
import { iamWrite } from './iam-generation.js';
import { entityArn, entityName, entityOfArn } from './iam-inline.js';
import { boundaryArn, boundaryDocument } from './iam-policy-row.js';

type BoundedKind = 'user' | 'role';
const TABLE = { user: 'iam_users', role: 'iam_roles' } as const;

function put(
  ctx: StoreContext,
  account: string,
  kind: BoundedKind,
  name: string,
  arn: string,
): Record<string, never> {
  iamWrite(ctx, () => {
    const entity = entityName(ctx, account, kind, name);
    const boundary = boundaryArn(ctx, account, arn);
    stmt(
      ctx.db,
      `UPDATE ${TABLE[kind]} SET permissions_boundary = ? WHERE account = ? AND name = ?`,
    ).run(boundary, account, entity);
    iamRecord(ctx, account, 'iam.permissions-boundary.put', [
      entityArn(ctx, account, kind, entity),
      boundary,
    ]);
  });
  return {};
}

/** Removing a boundary that is not there changes nothing and is no error (IAM answers it alike). */
function remove(
  ctx: StoreContext,
  account: string,
  kind: BoundedKind,
  name: string,
): Record<string, never> {
  iamWrite(ctx, () => {
    const entity = entityName(ctx, account, kind, name);
    const was = stmt(
      ctx.db,
      `SELECT permissions_boundary AS arn FROM ${TABLE[kind]} WHERE account = ? AND name = ?`,
    ).get(account, entity) as { arn: string | null };
    if (was.arn === null) return;
    stmt(
      ctx.db,
      `UPDATE ${TABLE[kind]} SET permissions_boundary = NULL WHERE account = ? AND name = ?`,
    ).run(account, entity);
    iamRecord(ctx, account, 'iam.permissions-boundary.delete', [
      entityArn(ctx, account, kind, entity),
      was.arn,
    ]);
  });
  return {};
}

export const putUserPermissionsBoundary = async (
  ctx: StoreContext,
  a: string,
  i: { UserName: string; PermissionsBoundary: string },
) => put(ctx, a, 'user', i.UserName, i.PermissionsBoundary);
export const putRolePermissionsBoundary = async (
  ctx: StoreContext,
  a: string,
  i: { RoleName: string; PermissionsBoundary: string },
) => put(ctx, a, 'role', i.RoleName, i.PermissionsBoundary);
export const deleteUserPermissionsBoundary = async (
  ctx: StoreContext,
  a: string,
  i: { UserName: string },
) => remove(ctx, a, 'user', i.UserName);
export const deleteRolePermissionsBoundary = async (
  ctx: StoreContext,
  a: string,
  i: { RoleName: string },
) => remove(ctx, a, 'role', i.RoleName);

/** The boundary an entity row keeps, with its policy's default document; undefined when none. */
export function boundaryOf(
  ctx: StoreContext,
  account: string,
  arn: string | null,
): { arn: string; document: string } | undefined {
  return arn === null ? undefined : { arn, document: boundaryDocument(ctx, account, arn) };
}

/**
 * SimulatePrincipalPolicy's PolicySourceArn: the boundary of the user or role it names (a group
 * has none), which IAM's simulator applies unless PermissionsBoundaryPolicyInputList replaces it.
 */
export async function permissionsBoundaryOfArn(
  ctx: StoreContext,
  account: string,
  arn: string,
): Promise<{ arn: string; document: string } | undefined> {
  const { kind, name } = entityOfArn(ctx, account, arn);
  // A group has no boundary.
  if (kind === 'group') return undefined;
  const row = stmt(
    ctx.db,
    `SELECT permissions_boundary AS arn FROM ${TABLE[kind]} WHERE account = ? AND name = ?`,
  ).get(account, name) as { arn: string | null };
  return boundaryOf(ctx, account, row.arn);
}
