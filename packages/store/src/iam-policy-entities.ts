/**
 * ListEntitiesForPolicy: the users, groups and roles a managed policy is attached to
 * (PolicyUsageFilter=PermissionsPolicy), the users and roles it is the permissions boundary of
 * (PermissionsBoundary), or both — what must be detached or lifted before DeletePolicy.
 */
import type { StoreContext } from './context.js';
import { stmt } from './db.js';
import { policyArn, policyRow } from './iam-policy-row.js';
import { pageTail } from './iam-users.js';
import { page, underPath } from './iam-validate.js';

type Kind = 'user' | 'group' | 'role';
interface EntityRow {
  kind: Kind;
  name: string;
  id: string;
  path: string;
}

const TABLES: Record<Kind, { table: string; id: string }> = {
  user: { table: 'iam_users', id: 'user_id' },
  group: { table: 'iam_groups', id: 'group_id' },
  role: { table: 'iam_roles', id: 'role_id' },
};
const FILTERED: Record<string, Kind[]> = { User: ['user'], Group: ['group'], Role: ['role'] };

function attachedTo(ctx: StoreContext, account: string, kind: Kind, policy: string): EntityRow[] {
  const t = TABLES[kind];
  return stmt(
    ctx.db,
    `SELECT e.name, e.${t.id} AS id, e.path FROM iam_attachments a JOIN ${t.table} e ON e.account = a.account AND e.name = a.entity WHERE a.account = ? AND a.kind = ? AND a.policy_name = ?`,
  )
    .all(account, kind, policy)
    .map((r) => ({ ...(r as Omit<EntityRow, 'kind'>), kind }));
}

function boundedBy(ctx: StoreContext, account: string, kind: Kind, arn: string): EntityRow[] {
  const t = TABLES[kind];
  return stmt(
    ctx.db,
    `SELECT name, ${t.id} AS id, path FROM ${t.table} WHERE account = ? AND permissions_boundary = ?`,
  )
    .all(account, arn)
    .map((r) => ({ ...(r as Omit<EntityRow, 'kind'>), kind }));
}

export async function listEntitiesForPolicy(
  ctx: StoreContext,
  account: string,
  input: {
    PolicyArn: string;
    EntityFilter?: string;
    PathPrefix?: string;
    PolicyUsageFilter?: string;
    Marker?: string;
    MaxItems?: number;
  },
) {
  const p = policyRow(ctx, account, input.PolicyArn);
  const arn = policyArn(account, p.path, p.name);
  // Every policy here is a customer managed one: AWSManagedPolicy matches none of its entities.
  const kinds: Kind[] =
    input.EntityFilter === 'AWSManagedPolicy'
      ? []
      : (FILTERED[input.EntityFilter ?? ''] ?? ['group', 'role', 'user']);
  const found = new Map<string, EntityRow>();
  for (const kind of kinds) {
    const rows = [
      ...(input.PolicyUsageFilter !== 'PermissionsBoundary'
        ? attachedTo(ctx, account, kind, p.name)
        : []),
      ...(input.PolicyUsageFilter !== 'PermissionsPolicy' && kind !== 'group'
        ? boundedBy(ctx, account, kind, arn)
        : []),
    ];
    // One entry per entity, whether the policy is attached to it, its boundary, or both.
    for (const r of rows)
      if (underPath(r.path, input.PathPrefix)) found.set(`${kind}:${r.name.toLowerCase()}`, r);
  }
  const key = (r: EntityRow) => `${r.kind}:${r.name}`;
  const sorted = [...found.values()].sort((x, y) =>
    key(x).toLowerCase() < key(y).toLowerCase() ? -1 : 1,
  );
  const pg = page(sorted, key, input);
  const of = (kind: Kind) => pg.items.filter((r) => r.kind === kind);
  return {
    PolicyGroups: of('group').map((r) => ({ GroupName: r.name, GroupId: r.id })),
    PolicyUsers: of('user').map((r) => ({ UserName: r.name, UserId: r.id })),
    PolicyRoles: of('role').map((r) => ({ RoleName: r.name, RoleId: r.id })),
    ...pageTail(pg),
  };
}
