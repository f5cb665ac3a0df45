import type { StoreContext } from './context.js';
import { stmt } from './db.js';
import { iamRecord } from './iam-audit.js';
import { iamWrite } from './iam-generation.js';
import { deleteConflict, entityAlreadyExists, limitExceeded, noSuchEntity } from './iam-errors.js';
import { newId } from './iam-ids.js';
import { MAX_GROUPS_PER_USER, pageByName, underPath } from './iam-validate.js';
import { pageTail, toUser, userRow, type IamUser, type UserRow } from './iam-users.js';

interface GroupRow {
  account: string;
  name: string;
  group_id: string;
  path: string;
  created_at: number;
}

export interface IamGroup {
  Path: string;
  GroupName: string;
  GroupId: string;
  Arn: string;
  CreateDate: Date;
}

export const groupArn = (account: string, path: string, name: string): string =>
  `arn:aws:iam::${account}:group${path}${name}`;

export function groupRow(ctx: StoreContext, account: string, name: string): GroupRow {
  const row = stmt(ctx.db, 'SELECT * FROM iam_groups WHERE account = ? AND name = ?').get(
    account,
    name,
  ) as GroupRow | undefined;
  if (!row) throw noSuchEntity(`The group with name ${name} cannot be found.`);
  return row;
}

const toGroup = (r: GroupRow): IamGroup => ({
  Path: r.path,
  GroupName: r.name,
  GroupId: r.group_id,
  Arn: groupArn(r.account, r.path, r.name),
  CreateDate: new Date(r.created_at),
});

export async function createGroup(
  ctx: StoreContext,
  account: string,
  input: { GroupName: string; Path?: string },
): Promise<{ Group: IamGroup }> {
  return iamWrite(ctx, () => {
    if (
      stmt(ctx.db, 'SELECT 1 FROM iam_groups WHERE account = ? AND name = ?').get(
        account,
        input.GroupName,
      )
    )
      throw entityAlreadyExists(`Group with name ${input.GroupName} already exists.`);
    const row: GroupRow = {
      account,
      name: input.GroupName,
      group_id: newId('AGPA'),
      path: input.Path ?? '/',
      created_at: ctx.now().getTime(),
    };
    stmt(
      ctx.db,
      'INSERT INTO iam_groups (account, name, group_id, path, created_at) VALUES (@account, @name, @group_id, @path, @created_at)',
    ).run(row);
    const group = toGroup(row);
    iamRecord(ctx, account, 'iam.group.create', [group.Arn], { groupId: row.group_id });
    return { Group: group };
  });
}

export async function getGroup(
  ctx: StoreContext,
  account: string,
  input: { GroupName: string; Marker?: string; MaxItems?: number },
): Promise<{ Group: IamGroup; Users: IamUser[]; IsTruncated: boolean; Marker?: string }> {
  const g = groupRow(ctx, account, input.GroupName);
  const users = stmt(
    ctx.db,
    'SELECT u.* FROM iam_group_members m JOIN iam_users u ON u.account = m.account AND u.name = m.user_name WHERE m.account = ? AND m.group_name = ? ORDER BY u.name',
  ).all(account, g.name) as UserRow[];
  const p = pageByName(users, (u) => u.name, input);
  return { Group: toGroup(g), Users: p.items.map((u) => toUser(u, false)), ...pageTail(p) };
}

export async function listGroups(
  ctx: StoreContext,
  account: string,
  input: { PathPrefix?: string; Marker?: string; MaxItems?: number },
): Promise<{ Groups: IamGroup[]; IsTruncated: boolean; Marker?: string }> {
  const rows = (
    stmt(ctx.db, 'SELECT * FROM iam_groups WHERE account = ? ORDER BY name').all(
      account,
    ) as GroupRow[]
  ).filter((r) => underPath(r.path, input.PathPrefix));
  const p = pageByName(rows, (r) => r.name, input);
  return { Groups: p.items.map(toGroup), ...pageTail(p) };
}

export async function deleteGroup(
  ctx: StoreContext,
  account: string,
  input: { GroupName: string },
): Promise<Record<string, never>> {
  iamWrite(ctx, () => {
    const g = groupRow(ctx, account, input.GroupName);
    for (const [sql, what] of [
      ['SELECT count(*) AS n FROM iam_group_members WHERE account = ? AND group_name = ?', 'users'],
      [
        "SELECT count(*) AS n FROM iam_inline_policies WHERE account = ? AND kind = 'group' AND entity = ?",
        'inline policies',
      ],
      [
        "SELECT count(*) AS n FROM iam_attachments WHERE account = ? AND kind = 'group' AND entity = ?",
        'attached policies',
      ],
    ] as const) {
      const n = (stmt(ctx.db, sql).get(account, g.name) as { n: number }).n;
      if (n > 0)
        throw deleteConflict(
          `Cannot delete entity, must remove ${what} from group ${g.name} first.`,
        );
    }
    stmt(ctx.db, 'DELETE FROM iam_groups WHERE account = ? AND name = ?').run(account, g.name);
    iamRecord(ctx, account, 'iam.group.delete', [toGroup(g).Arn], { groupId: g.group_id });
  });
  return {};
}

export async function addUserToGroup(
  ctx: StoreContext,
  account: string,
  input: { GroupName: string; UserName: string },
): Promise<Record<string, never>> {
  iamWrite(ctx, () => {
    const g = groupRow(ctx, account, input.GroupName);
    const u = userRow(ctx, account, input.UserName);
    const n = (
      stmt(
        ctx.db,
        'SELECT count(*) AS n FROM iam_group_members WHERE account = ? AND user_name = ?',
      ).get(account, u.name) as { n: number }
    ).n;
    if (n >= MAX_GROUPS_PER_USER)
      throw limitExceeded(`Cannot exceed quota for GroupsPerUser: ${MAX_GROUPS_PER_USER}`);
    const added = stmt(
      ctx.db,
      'INSERT INTO iam_group_members (account, group_name, user_name) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    ).run(account, g.name, u.name);
    // Adding a member twice changes nothing, so it is no entry.
    if (added.changes > 0)
      iamRecord(ctx, account, 'iam.group.add-user', [toGroup(g).Arn, toUser(u).Arn]);
  });
  return {};
}

export async function removeUserFromGroup(
  ctx: StoreContext,
  account: string,
  input: { GroupName: string; UserName: string },
): Promise<Record<string, never>> {
  iamWrite(ctx, () => {
    const g = groupRow(ctx, account, input.GroupName);
    const u = userRow(ctx, account, input.UserName);
    const r = stmt(
      ctx.db,
      'DELETE FROM iam_group_members WHERE account = ? AND group_name = ? AND user_name = ?',
    ).run(account, g.name, u.name);
    if (r.changes === 0)
      throw noSuchEntity(`The user with name ${u.name} cannot be found in group ${g.name}.`);
    iamRecord(ctx, account, 'iam.group.remove-user', [toGroup(g).Arn, toUser(u).Arn]);
  });
  return {};
}

export async function listGroupsForUser(
  ctx: StoreContext,
  account: string,
  input: { UserName: string; Marker?: string; MaxItems?: number },
): Promise<{ Groups: IamGroup[]; IsTruncated: boolean; Marker?: string }> {
  const u = userRow(ctx, account, input.UserName);
  const rows = groupsOfUser(ctx, account, u.name);
  const p = pageByName(rows, (r) => r.name, input);
  return { Groups: p.items.map(toGroup), ...pageTail(p) };
}

export const groupsOfUser = (ctx: StoreContext, account: string, user: string): GroupRow[] =>
  stmt(
    ctx.db,
    'SELECT g.* FROM iam_group_members m JOIN iam_groups g ON g.account = m.account AND g.name = m.group_name WHERE m.account = ? AND m.user_name = ? ORDER BY g.name',
  ).all(account, user) as GroupRow[];
