import type { StoreContext } from './context.js';
import { stmt } from './db.js';
import { iamRecord, policySha256 } from './iam-audit.js';
import { iamWrite } from './iam-generation.js';
import { deleteConflict, entityAlreadyExists, noSuchEntity } from './iam-errors.js';
import { newId } from './iam-ids.js';
import {
  checkPolicyDocument,
  mergeTags,
  pageByName,
  underPath,
  type IamTag,
} from './iam-validate.js';
import {
  attachedBoundary,
  optionalBoundary,
  pageTail,
  type AttachedBoundary,
} from './iam-users.js';

export interface RoleRow {
  account: string;
  name: string;
  role_id: string;
  path: string;
  trust_policy: string;
  description: string | null;
  max_session_duration: number;
  tags: string;
  created_at: number;
  /** The ARN of the managed policy that is its permissions boundary. */
  permissions_boundary: string | null;
}

export interface IamRole {
  Path: string;
  RoleName: string;
  RoleId: string;
  Arn: string;
  CreateDate: Date;
  AssumeRolePolicyDocument: string;
  Description?: string;
  MaxSessionDuration: number;
  PermissionsBoundary?: AttachedBoundary;
  Tags?: IamTag[];
}

export const roleArn = (account: string, path: string, name: string): string =>
  `arn:aws:iam::${account}:role${path}${name}`;

/** IAM answers policy documents URL-encoded (RFC 3986); the AWS CLI and boto3 decode them. */
export const encodePolicy = (doc: string): string => encodeURIComponent(doc);

export function roleRow(ctx: StoreContext, account: string, name: string): RoleRow {
  const row = stmt(ctx.db, 'SELECT * FROM iam_roles WHERE account = ? AND name = ?').get(
    account,
    name,
  ) as RoleRow | undefined;
  if (!row) throw noSuchEntity(`The role with name ${name} cannot be found.`);
  return row;
}

/** `full`: with the boundary and the tags, which ListRoles leaves out (as IAM does). */
function toRole(r: RoleRow, full = true): IamRole {
  const tags = JSON.parse(r.tags) as IamTag[];
  return {
    Path: r.path,
    RoleName: r.name,
    RoleId: r.role_id,
    Arn: roleArn(r.account, r.path, r.name),
    CreateDate: new Date(r.created_at),
    AssumeRolePolicyDocument: encodePolicy(r.trust_policy),
    ...(r.description !== null ? { Description: r.description } : {}),
    MaxSessionDuration: r.max_session_duration,
    ...(full ? attachedBoundary(r.permissions_boundary) : {}),
    ...(full && tags.length > 0 ? { Tags: tags } : {}),
  };
}

export async function createRole(
  ctx: StoreContext,
  account: string,
  input: {
    RoleName: string;
    Path?: string;
    AssumeRolePolicyDocument: string;
    Description?: string;
    MaxSessionDuration?: number;
    PermissionsBoundary?: string;
    Tags?: IamTag[];
  },
): Promise<{ Role: IamRole }> {
  checkPolicyDocument(input.AssumeRolePolicyDocument, 'trust');
  const tags = mergeTags([], input.Tags);
  return iamWrite(ctx, () => {
    if (
      stmt(ctx.db, 'SELECT 1 FROM iam_roles WHERE account = ? AND name = ?').get(
        account,
        input.RoleName,
      )
    )
      throw entityAlreadyExists(`Role with name ${input.RoleName} already exists.`);
    const row: RoleRow = {
      account,
      name: input.RoleName,
      role_id: newId('AROA'),
      path: input.Path ?? '/',
      trust_policy: input.AssumeRolePolicyDocument,
      description: input.Description ?? null,
      max_session_duration: input.MaxSessionDuration ?? 3600,
      tags: JSON.stringify(tags),
      created_at: ctx.now().getTime(),
      permissions_boundary: optionalBoundary(ctx, account, input.PermissionsBoundary),
    };
    stmt(
      ctx.db,
      'INSERT INTO iam_roles (account, name, role_id, path, trust_policy, description, max_session_duration, tags, created_at, permissions_boundary) VALUES (@account, @name, @role_id, @path, @trust_policy, @description, @max_session_duration, @tags, @created_at, @permissions_boundary)',
    ).run(row);
    const role = toRole(row);
    iamRecord(ctx, account, 'iam.role.create', [role.Arn], {
      roleId: row.role_id,
      trustPolicySha256: policySha256(row.trust_policy),
      maxSessionDuration: row.max_session_duration,
      permissionsBoundary: row.permissions_boundary ?? undefined,
    });
    return { Role: role };
  });
}

export async function getRole(
  ctx: StoreContext,
  account: string,
  input: { RoleName: string },
): Promise<{ Role: IamRole }> {
  return { Role: toRole(roleRow(ctx, account, input.RoleName)) };
}

export async function listRoles(
  ctx: StoreContext,
  account: string,
  input: { PathPrefix?: string; Marker?: string; MaxItems?: number },
): Promise<{ Roles: IamRole[]; IsTruncated: boolean; Marker?: string }> {
  const rows = (
    stmt(ctx.db, 'SELECT * FROM iam_roles WHERE account = ? ORDER BY name').all(
      account,
    ) as RoleRow[]
  ).filter((r) => underPath(r.path, input.PathPrefix));
  const p = pageByName(rows, (r) => r.name, input);
  return { Roles: p.items.map((r) => toRole(r, false)), ...pageTail(p) };
}

export async function deleteRole(
  ctx: StoreContext,
  account: string,
  input: { RoleName: string },
): Promise<Record<string, never>> {
  iamWrite(ctx, () => {
    const r = roleRow(ctx, account, input.RoleName);
    for (const [sql, what] of [
      [
        "SELECT count(*) AS n FROM iam_inline_policies WHERE account = ? AND kind = 'role' AND entity = ?",
        'inline policies',
      ],
      [
        "SELECT count(*) AS n FROM iam_attachments WHERE account = ? AND kind = 'role' AND entity = ?",
        'attached policies',
      ],
    ] as const) {
      const n = (stmt(ctx.db, sql).get(account, r.name) as { n: number }).n;
      if (n > 0)
        throw deleteConflict(
          `Cannot delete entity, must remove ${what} from role ${r.name} first.`,
        );
    }
    stmt(ctx.db, 'DELETE FROM iam_roles WHERE account = ? AND name = ?').run(account, r.name);
    iamRecord(ctx, account, 'iam.role.delete', [roleArn(account, r.path, r.name)], {
      roleId: r.role_id,
    });
  });
  return {};
}

export async function updateAssumeRolePolicy(
  ctx: StoreContext,
  account: string,
  input: { RoleName: string; PolicyDocument: string },
): Promise<Record<string, never>> {
  checkPolicyDocument(input.PolicyDocument, 'trust');
  iamWrite(ctx, () => {
    const r = roleRow(ctx, account, input.RoleName);
    stmt(ctx.db, 'UPDATE iam_roles SET trust_policy = ? WHERE account = ? AND name = ?').run(
      input.PolicyDocument,
      account,
      r.name,
    );
    iamRecord(ctx, account, 'iam.role.update-trust', [roleArn(account, r.path, r.name)], {
      trustPolicySha256: policySha256(input.PolicyDocument),
    });
  });
  return {};
}
