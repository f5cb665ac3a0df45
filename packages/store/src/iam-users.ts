import type { StoreContext } from './context.js';
import { stmt } from './db.js';
import { iamRecord } from './iam-audit.js';
import { iamWrite } from './iam-generation.js';
import { deleteConflict, entityAlreadyExists, noSuchEntity } from './iam-errors.js';
import { newId } from './iam-ids.js';
import { boundaryArn } from './iam-policy-row.js';
import { mergeTags, page, pageByName, underPath, type IamTag } from './iam-validate.js';

export interface UserRow {
  account: string;
  name: string;
  user_id: string;
  path: string;
  tags: string;
  created_at: number;
  /** The ARN of the managed policy that is its permissions boundary. */
  permissions_boundary: string | null;
}

/** IAM's AttachedPermissionsBoundary (GetUser, GetRole). */
export interface AttachedBoundary {
  PermissionsBoundaryType: 'PermissionsBoundaryPolicy';
  PermissionsBoundaryArn: string;
}

/** A kept boundary as IAM answers it; nothing when there is none. */
export const attachedBoundary = (arn: string | null): { PermissionsBoundary?: AttachedBoundary } =>
  arn === null
    ? {}
    : {
        PermissionsBoundary: {
          PermissionsBoundaryType: 'PermissionsBoundaryPolicy',
          PermissionsBoundaryArn: arn,
        },
      };

export interface IamUser {
  Path: string;
  UserName: string;
  UserId: string;
  Arn: string;
  CreateDate: Date;
  PermissionsBoundary?: AttachedBoundary;
  Tags?: IamTag[];
}

/** A PermissionsBoundary member of a create call, resolved (iam-policy-row.ts), or null. */
export const optionalBoundary = (
  ctx: StoreContext,
  account: string,
  arn: string | undefined,
): string | null => (arn === undefined ? null : boundaryArn(ctx, account, arn));

export const userArn = (account: string, path: string, name: string): string =>
  `arn:aws:iam::${account}:user${path}${name}`;

export function userRow(ctx: StoreContext, account: string, name: string): UserRow {
  const row = stmt(ctx.db, 'SELECT * FROM iam_users WHERE account = ? AND name = ?').get(
    account,
    name,
  ) as UserRow | undefined;
  if (!row) throw noSuchEntity(`The user with name ${name} cannot be found.`);
  return row;
}

/** `full`: with the boundary and the tags, which IAM's list operations leave out. */
export function toUser(r: UserRow, full = true): IamUser {
  const tags = JSON.parse(r.tags) as IamTag[];
  return {
    Path: r.path,
    UserName: r.name,
    UserId: r.user_id,
    Arn: userArn(r.account, r.path, r.name),
    CreateDate: new Date(r.created_at),
    ...(full ? attachedBoundary(r.permissions_boundary) : {}),
    ...(full && tags.length > 0 ? { Tags: tags } : {}),
  };
}

export async function createUser(
  ctx: StoreContext,
  account: string,
  input: { UserName: string; Path?: string; PermissionsBoundary?: string; Tags?: IamTag[] },
): Promise<{ User: IamUser }> {
  const tags = mergeTags([], input.Tags);
  return iamWrite(ctx, () => {
    const exists = stmt(ctx.db, 'SELECT 1 FROM iam_users WHERE account = ? AND name = ?').get(
      account,
      input.UserName,
    );
    if (exists) throw entityAlreadyExists(`User with name ${input.UserName} already exists.`);
    const row: UserRow = {
      account,
      name: input.UserName,
      user_id: newId('AIDA'),
      path: input.Path ?? '/',
      tags: JSON.stringify(tags),
      created_at: ctx.now().getTime(),
      permissions_boundary: optionalBoundary(ctx, account, input.PermissionsBoundary),
    };
    stmt(
      ctx.db,
      'INSERT INTO iam_users (account, name, user_id, path, tags, created_at, permissions_boundary) VALUES (@account, @name, @user_id, @path, @tags, @created_at, @permissions_boundary)',
    ).run(row);
    const user = toUser(row);
    iamRecord(ctx, account, 'iam.user.create', [user.Arn], {
      userId: row.user_id,
      permissionsBoundary: row.permissions_boundary ?? undefined,
    });
    return { User: user };
  });
}

/** GetUser without a UserName answers the caller: `self` is the calling user's name (root: undefined). */
export async function getUser(
  ctx: StoreContext,
  account: string,
  input: { UserName?: string },
  self?: string,
): Promise<{ User: IamUser }> {
  const name = input.UserName ?? self;
  if (name === undefined)
    throw noSuchEntity(
      'GetUser without UserName is answered for IAM users only; the caller is the account root',
    );
  return { User: toUser(userRow(ctx, account, name)) };
}

export async function listUsers(
  ctx: StoreContext,
  account: string,
  input: { PathPrefix?: string; Marker?: string; MaxItems?: number },
): Promise<{ Users: IamUser[]; IsTruncated: boolean; Marker?: string }> {
  const rows = (
    stmt(ctx.db, 'SELECT * FROM iam_users WHERE account = ? ORDER BY name').all(
      account,
    ) as UserRow[]
  ).filter((r) => underPath(r.path, input.PathPrefix));
  const p = pageByName(rows, (r) => r.name, input);
  // ListUsers leaves tags out, as IAM does (ListUserTags answers them).
  return { Users: p.items.map((r) => toUser(r, false)), ...pageTail(p) };
}

export const pageTail = (p: { IsTruncated: boolean; Marker?: string }) =>
  p.Marker === undefined ? { IsTruncated: p.IsTruncated } : { IsTruncated: true, Marker: p.Marker };

/** IAM refuses to delete a user that still has keys, policies or groups (DeleteConflict). */
export async function deleteUser(
  ctx: StoreContext,
  account: string,
  input: { UserName: string },
): Promise<Record<string, never>> {
  iamWrite(ctx, () => {
    const u = userRow(ctx, account, input.UserName);
    const count = (sql: string) => (stmt(ctx.db, sql).get(account, u.name) as { n: number }).n;
    const conflicts: Array<[number, string]> = [
      [
        count('SELECT count(*) AS n FROM iam_access_keys WHERE account = ? AND user_name = ?'),
        'access keys',
      ],
      [
        count(
          "SELECT count(*) AS n FROM iam_inline_policies WHERE account = ? AND kind = 'user' AND entity = ?",
        ),
        'inline policies',
      ],
      [
        count(
          "SELECT count(*) AS n FROM iam_attachments WHERE account = ? AND kind = 'user' AND entity = ?",
        ),
        'attached policies',
      ],
      [
        count('SELECT count(*) AS n FROM iam_group_members WHERE account = ? AND user_name = ?'),
        'groups',
      ],
    ];
    const left = conflicts.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}`);
    if (left.length > 0)
      throw deleteConflict(
        `Cannot delete entity, must ${left.map((l) => `remove ${l}`).join(', ')} first (user ${u.name}).`,
      );
    stmt(ctx.db, 'DELETE FROM iam_users WHERE account = ? AND name = ?').run(account, u.name);
    iamRecord(ctx, account, 'iam.user.delete', [toUser(u).Arn], { userId: u.user_id });
  });
  return {};
}

export async function tagUser(
  ctx: StoreContext,
  account: string,
  input: { UserName: string; Tags: IamTag[] },
): Promise<Record<string, never>> {
  iamWrite(ctx, () => {
    const u = userRow(ctx, account, input.UserName);
    const tags = mergeTags(JSON.parse(u.tags) as IamTag[], input.Tags);
    stmt(ctx.db, 'UPDATE iam_users SET tags = ? WHERE account = ? AND name = ?').run(
      JSON.stringify(tags),
      account,
      u.name,
    );
    iamRecord(ctx, account, 'iam.user.tag', [toUser(u).Arn], {
      tags: Object.fromEntries(input.Tags.map((t) => [t.Key, t.Value])),
    });
  });
  return {};
}

export async function untagUser(
  ctx: StoreContext,
  account: string,
  input: { UserName: string; TagKeys: string[] },
): Promise<Record<string, never>> {
  iamWrite(ctx, () => {
    const u = userRow(ctx, account, input.UserName);
    const drop = new Set(input.TagKeys.map((k) => k.toLowerCase()));
    const tags = (JSON.parse(u.tags) as IamTag[]).filter((t) => !drop.has(t.Key.toLowerCase()));
    stmt(ctx.db, 'UPDATE iam_users SET tags = ? WHERE account = ? AND name = ?').run(
      JSON.stringify(tags),
      account,
      u.name,
    );
    iamRecord(ctx, account, 'iam.user.untag', [toUser(u).Arn], { tagKeys: input.TagKeys });
  });
  return {};
}

export async function listUserTags(
  ctx: StoreContext,
  account: string,
  input: { UserName: string; Marker?: string; MaxItems?: number },
): Promise<{ Tags: IamTag[]; IsTruncated: boolean; Marker?: string }> {
  const tags = JSON.parse(userRow(ctx, account, input.UserName).tags) as IamTag[];
  const p = page(tags, (t) => t.Key, input);
  return { Tags: p.items, ...pageTail(p) };
}
