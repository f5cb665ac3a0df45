/**
 * The customer managed policy an ARN names, read where entities refer to one: attachments
 * (iam-managed.ts) and permissions boundaries (users, roles). Kept apart from the managed-policy
 * operations so the entity modules can resolve a boundary without importing them (no cycles).
 */
import type { StoreContext } from './context.js';
import { stmt } from './db.js';
import { iamValidation, invalidInput, noSuchEntity } from './iam-errors.js';

export interface PolicyRow {
  account: string;
  name: string;
  policy_id: string;
  path: string;
  description: string | null;
  default_version: string;
  next_version: number;
  tags: string;
  created_at: number;
  updated_at: number;
  /** Users, groups and roles it is attached to. */
  attachments: number;
}

export const policyArn = (account: string, path: string, name: string): string =>
  `arn:aws:iam::${account}:policy${path}${name}`;

const POLICY_ARN = /^arn:aws:iam::(\d{12}|aws):policy(\/(?:[\x21-\x7e]*\/)?)([\w+=,.@-]+)$/;

export const POLICY_SELECT =
  'SELECT p.*, (SELECT count(*) FROM iam_attachments a WHERE a.account = p.account AND a.policy_name = p.name) AS attachments FROM iam_policies p';

/**
 * How many users and roles of `account` have each policy (by ARN) as their permissions boundary:
 * counted here rather than in SQL, where matching an ARN built from a policy's NOCASE name and its
 * path would mix collations PostgreSQL will not compare.
 */
export function boundaryUsage(
  ctx: StoreContext,
  account: string,
  arn?: string,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const table of ['iam_users', 'iam_roles'])
    for (const r of stmt(
      ctx.db,
      `SELECT permissions_boundary AS arn, count(*) AS n FROM ${table} WHERE account = ? AND permissions_boundary ${arn === undefined ? 'IS NOT NULL' : '= ?'} GROUP BY permissions_boundary`,
    ).all(...(arn === undefined ? [account] : [account, arn])) as Array<{ arn: string; n: number }>)
      out.set(r.arn, (out.get(r.arn) ?? 0) + Number(r.n));
  return out;
}

/** The customer managed policy an ARN names in the caller's account, or NoSuchEntity (AWS managed policies are not kept here). */
export function policyRow(ctx: StoreContext, account: string, arn: string): PolicyRow {
  const m = POLICY_ARN.exec(arn);
  if (!m)
    throw iamValidation(`PolicyArn expected arn:aws:iam::<account>:policy/<path/>name, got ${arn}`);
  const row =
    m[1] === account
      ? (stmt(ctx.db, `${POLICY_SELECT} WHERE p.account = ? AND p.name = ?`).get(account, m[3]) as
          PolicyRow | undefined)
      : undefined;
  if (!row || row.path !== m[2])
    throw noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
  return row;
}

/**
 * A PermissionsBoundary as kept: the ARN of the account's customer managed policy it names, as
 * IAM spells it (the policy's own case and path). InvalidInput for what is not a policy ARN,
 * NoSuchEntity for a policy the account does not have (fwsign keeps no AWS managed policies).
 */
export function boundaryArn(ctx: StoreContext, account: string, arn: string): string {
  if (!POLICY_ARN.test(arn))
    throw invalidInput(
      `PermissionsBoundary expected a managed policy ARN (arn:aws:iam::<account>:policy/<path/>name), got ${arn}`,
    );
  const p = policyRow(ctx, account, arn);
  return policyArn(account, p.path, p.name);
}

/** The default version's document of the boundary policy `arn` (a kept boundary: it exists). */
export function boundaryDocument(ctx: StoreContext, account: string, arn: string): string {
  const p = policyRow(ctx, account, arn);
  return (
    stmt(
      ctx.db,
      'SELECT document FROM iam_policy_versions WHERE account = ? AND policy_name = ? AND version_id = ?',
    ).get(account, p.name, p.default_version) as { document: string }
  ).document;
}
