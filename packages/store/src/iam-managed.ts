import type { StoreContext } from './context.js';
import { stmt } from './db.js';
import { iamRecord, policySha256 } from './iam-audit.js';
import { iamWrite } from './iam-generation.js';
import { deleteConflict, entityAlreadyExists, limitExceeded, noSuchEntity } from './iam-errors.js';
import { newId } from './iam-ids.js';
import { entityArn, entityName, type EntityKind } from './iam-inline.js';
import { encodePolicy } from './iam-roles.js';
import {
  boundaryUsage,
  policyArn,
  policyRow,
  POLICY_SELECT,
  type PolicyRow,
} from './iam-policy-row.js';
import { pageTail } from './iam-users.js';
import {
  checkPolicyDocument,
  MAX_ATTACHED,
  MAX_POLICY_VERSIONS,
  mergeTags,
  page,
  pageByName,
  underPath,
  type IamTag,
} from './iam-validate.js';

interface VersionRow {
  version_id: string;
  document: string;
  created_at: number;
}

/** `boundaries`: how many users and roles have it as their permissions boundary. */
function toPolicy(r: PolicyRow, boundaries: number) {
  const tags = JSON.parse(r.tags) as IamTag[];
  return {
    PolicyName: r.name,
    PolicyId: r.policy_id,
    Arn: policyArn(r.account, r.path, r.name),
    Path: r.path,
    DefaultVersionId: r.default_version,
    AttachmentCount: r.attachments,
    PermissionsBoundaryUsageCount: boundaries,
    IsAttachable: true,
    ...(r.description !== null ? { Description: r.description } : {}),
    CreateDate: new Date(r.created_at),
    UpdateDate: new Date(r.updated_at),
    ...(tags.length > 0 ? { Tags: tags } : {}),
  };
}

export async function createPolicy(
  ctx: StoreContext,
  account: string,
  input: {
    PolicyName: string;
    Path?: string;
    PolicyDocument: string;
    Description?: string;
    Tags?: IamTag[];
  },
) {
  checkPolicyDocument(input.PolicyDocument, 'managed');
  const tags = mergeTags([], input.Tags);
  return iamWrite(ctx, () => {
    if (
      stmt(ctx.db, 'SELECT 1 FROM iam_policies WHERE account = ? AND name = ?').get(
        account,
        input.PolicyName,
      )
    )
      throw entityAlreadyExists(
        `A policy called ${input.PolicyName} already exists. Duplicate names are not allowed.`,
      );
    const now = ctx.now().getTime();
    const row = {
      account,
      name: input.PolicyName,
      policy_id: newId('ANPA'),
      path: input.Path ?? '/',
      description: input.Description ?? null,
      default_version: 'v1',
      next_version: 2,
      tags: JSON.stringify(tags),
      created_at: now,
      updated_at: now,
    };
    stmt(
      ctx.db,
      'INSERT INTO iam_policies (account, name, policy_id, path, description, default_version, next_version, tags, created_at, updated_at) VALUES (@account, @name, @policy_id, @path, @description, @default_version, @next_version, @tags, @created_at, @updated_at)',
    ).run(row);
    stmt(
      ctx.db,
      'INSERT INTO iam_policy_versions (account, policy_name, version_id, document, created_at) VALUES (?, ?, ?, ?, ?)',
    ).run(account, row.name, 'v1', input.PolicyDocument, now);
    const policy = toPolicy({ ...row, attachments: 0 }, 0);
    iamRecord(ctx, account, 'iam.managed-policy.create', [policy.Arn], {
      policyId: row.policy_id,
      versionId: 'v1',
      policyDocumentSha256: policySha256(input.PolicyDocument),
    });
    return { Policy: policy };
  });
}

export async function getPolicy(ctx: StoreContext, account: string, input: { PolicyArn: string }) {
  const p = policyRow(ctx, account, input.PolicyArn);
  const arn = policyArn(account, p.path, p.name);
  return { Policy: toPolicy(p, boundaryUsage(ctx, account, arn).get(arn) ?? 0) };
}

export async function listPolicies(
  ctx: StoreContext,
  account: string,
  input: {
    Scope?: string;
    OnlyAttached?: boolean;
    PathPrefix?: string;
    Marker?: string;
    MaxItems?: number;
  },
) {
  // Only customer managed policies live here: Scope=AWS lists none.
  const rows =
    input.Scope === 'AWS'
      ? []
      : (
          stmt(ctx.db, `${POLICY_SELECT} WHERE p.account = ? ORDER BY p.name`).all(
            account,
          ) as PolicyRow[]
        ).filter(
          (r) => underPath(r.path, input.PathPrefix) && (!input.OnlyAttached || r.attachments > 0),
        );
  const p = pageByName(rows, (r) => r.name, input);
  const usage = boundaryUsage(ctx, account);
  return {
    Policies: p.items.map((r) => toPolicy(r, usage.get(policyArn(account, r.path, r.name)) ?? 0)),
    ...pageTail(p),
  };
}

export async function deletePolicy(
  ctx: StoreContext,
  account: string,
  input: { PolicyArn: string },
) {
  iamWrite(ctx, () => {
    const p = policyRow(ctx, account, input.PolicyArn);
    // A permissions boundary counts as an attachment here, as IAM counts it.
    const arn = policyArn(account, p.path, p.name);
    if (p.attachments > 0 || boundaryUsage(ctx, account, arn).size > 0)
      throw deleteConflict('Cannot delete a policy attached to entities.');
    const versions = versionsOf(ctx, account, p.name).length;
    if (versions > 1)
      throw deleteConflict(
        `This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy. (${versions - 1} to delete)`,
      );
    stmt(ctx.db, 'DELETE FROM iam_policy_versions WHERE account = ? AND policy_name = ?').run(
      account,
      p.name,
    );
    stmt(ctx.db, 'DELETE FROM iam_policies WHERE account = ? AND name = ?').run(account, p.name);
    iamRecord(ctx, account, 'iam.managed-policy.delete', [policyArn(account, p.path, p.name)], {
      policyId: p.policy_id,
    });
  });
  return {};
}

const versionsOf = (ctx: StoreContext, account: string, name: string): VersionRow[] =>
  stmt(
    ctx.db,
    'SELECT version_id, document, created_at FROM iam_policy_versions WHERE account = ? AND policy_name = ? ORDER BY created_at, version_id',
  ).all(account, name) as VersionRow[];

const toVersion = (v: VersionRow, defaultVersion: string, withDocument: boolean) => ({
  ...(withDocument ? { Document: encodePolicy(v.document) } : {}),
  VersionId: v.version_id,
  IsDefaultVersion: v.version_id === defaultVersion,
  CreateDate: new Date(v.created_at),
});

export async function createPolicyVersion(
  ctx: StoreContext,
  account: string,
  input: { PolicyArn: string; PolicyDocument: string; SetAsDefault?: boolean },
) {
  checkPolicyDocument(input.PolicyDocument, 'managed');
  return iamWrite(ctx, () => {
    const p = policyRow(ctx, account, input.PolicyArn);
    if (versionsOf(ctx, account, p.name).length >= MAX_POLICY_VERSIONS)
      throw limitExceeded(
        `A managed policy can have up to ${MAX_POLICY_VERSIONS} versions. Before you create a new version, you must delete an existing version.`,
      );
    const id = `v${p.next_version}`;
    const now = ctx.now().getTime();
    stmt(
      ctx.db,
      'INSERT INTO iam_policy_versions (account, policy_name, version_id, document, created_at) VALUES (?, ?, ?, ?, ?)',
    ).run(account, p.name, id, input.PolicyDocument, now);
    const def = input.SetAsDefault ? id : p.default_version;
    stmt(
      ctx.db,
      'UPDATE iam_policies SET next_version = ?, default_version = ?, updated_at = ? WHERE account = ? AND name = ?',
    ).run(p.next_version + 1, def, now, account, p.name);
    iamRecord(ctx, account, 'iam.policy-version.create', [policyArn(account, p.path, p.name)], {
      versionId: id,
      isDefaultVersion: def === id,
      policyDocumentSha256: policySha256(input.PolicyDocument),
    });
    return {
      PolicyVersion: toVersion(
        { version_id: id, document: input.PolicyDocument, created_at: now },
        def,
        false,
      ),
    };
  });
}

function versionRow(
  ctx: StoreContext,
  account: string,
  p: PolicyRow,
  versionId: string,
): VersionRow {
  const v = versionsOf(ctx, account, p.name).find((x) => x.version_id === versionId);
  if (!v)
    throw noSuchEntity(
      `Policy ${policyArn(account, p.path, p.name)} version ${versionId} does not exist.`,
    );
  return v;
}

export async function getPolicyVersion(
  ctx: StoreContext,
  account: string,
  input: { PolicyArn: string; VersionId: string },
) {
  const p = policyRow(ctx, account, input.PolicyArn);
  return {
    PolicyVersion: toVersion(versionRow(ctx, account, p, input.VersionId), p.default_version, true),
  };
}

export async function listPolicyVersions(
  ctx: StoreContext,
  account: string,
  input: { PolicyArn: string; Marker?: string; MaxItems?: number },
) {
  const p = policyRow(ctx, account, input.PolicyArn);
  // Newest first, as IAM lists them.
  const versions = versionsOf(ctx, account, p.name).reverse();
  const pg = page(versions, (v) => v.version_id, input);
  return { Versions: pg.items.map((v) => toVersion(v, p.default_version, false)), ...pageTail(pg) };
}

export async function deletePolicyVersion(
  ctx: StoreContext,
  account: string,
  input: { PolicyArn: string; VersionId: string },
) {
  iamWrite(ctx, () => {
    const p = policyRow(ctx, account, input.PolicyArn);
    const v = versionRow(ctx, account, p, input.VersionId);
    if (v.version_id === p.default_version)
      throw deleteConflict('Cannot delete the default version of a policy.');
    stmt(
      ctx.db,
      'DELETE FROM iam_policy_versions WHERE account = ? AND policy_name = ? AND version_id = ?',
    ).run(account, p.name, v.version_id);
    iamRecord(ctx, account, 'iam.policy-version.delete', [policyArn(account, p.path, p.name)], {
      versionId: v.version_id,
    });
  });
  return {};
}

export async function setDefaultPolicyVersion(
  ctx: StoreContext,
  account: string,
  input: { PolicyArn: string; VersionId: string },
) {
  iamWrite(ctx, () => {
    const p = policyRow(ctx, account, input.PolicyArn);
    const v = versionRow(ctx, account, p, input.VersionId);
    stmt(
      ctx.db,
      'UPDATE iam_policies SET default_version = ?, updated_at = ? WHERE account = ? AND name = ?',
    ).run(v.version_id, ctx.now().getTime(), account, p.name);
    iamRecord(
      ctx,
      account,
      'iam.policy-version.set-default',
      [policyArn(account, p.path, p.name)],
      { versionId: v.version_id, policyDocumentSha256: policySha256(v.document) },
    );
  });
  return {};
}

function attach(ctx: StoreContext, account: string, kind: EntityKind, name: string, arn: string) {
  iamWrite(ctx, () => {
    const entity = entityName(ctx, account, kind, name);
    const p = policyRow(ctx, account, arn);
    const n = (
      stmt(
        ctx.db,
        'SELECT count(*) AS n FROM iam_attachments WHERE account = ? AND kind = ? AND entity = ?',
      ).get(account, kind, entity) as { n: number }
    ).n;
    if (n >= MAX_ATTACHED)
      throw limitExceeded(
        `Cannot exceed quota for PoliciesPer${kind[0]!.toUpperCase()}${kind.slice(1)}: ${MAX_ATTACHED}`,
      );
    const added = stmt(
      ctx.db,
      'INSERT INTO iam_attachments (account, kind, entity, policy_name) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
    ).run(account, kind, entity, p.name);
    // Attaching twice changes nothing, so it is no entry.
    if (added.changes > 0)
      iamRecord(ctx, account, 'iam.policy.attach', [
        entityArn(ctx, account, kind, entity),
        policyArn(account, p.path, p.name),
      ]);
  });
  return {};
}

function detach(ctx: StoreContext, account: string, kind: EntityKind, name: string, arn: string) {
  iamWrite(ctx, () => {
    const entity = entityName(ctx, account, kind, name);
    const p = policyRow(ctx, account, arn);
    const r = stmt(
      ctx.db,
      'DELETE FROM iam_attachments WHERE account = ? AND kind = ? AND entity = ? AND policy_name = ?',
    ).run(account, kind, entity, p.name);
    if (r.changes === 0)
      throw noSuchEntity(`Policy ${arn} was not found attached to ${kind} ${entity}.`);
    iamRecord(ctx, account, 'iam.policy.detach', [
      entityArn(ctx, account, kind, entity),
      policyArn(account, p.path, p.name),
    ]);
  });
  return {};
}

function listAttached(
  ctx: StoreContext,
  account: string,
  kind: EntityKind,
  name: string,
  input: { PathPrefix?: string; Marker?: string; MaxItems?: number },
) {
  const entity = entityName(ctx, account, kind, name);
  const rows = (
    stmt(
      ctx.db,
      'SELECT p.name, p.path FROM iam_attachments a JOIN iam_policies p ON p.account = a.account AND p.name = a.policy_name WHERE a.account = ? AND a.kind = ? AND a.entity = ? ORDER BY p.name',
    ).all(account, kind, entity) as Array<{ name: string; path: string }>
  ).filter((r) => underPath(r.path, input.PathPrefix));
  const p = pageByName(rows, (r) => r.name, input);
  return {
    AttachedPolicies: p.items.map((r) => ({
      PolicyName: r.name,
      PolicyArn: policyArn(account, r.path, r.name),
    })),
    ...pageTail(p),
  };
}

/** The managed policies attached to an entity, by ARN, with their default versions' documents. */
export const attachedPolicies = (
  ctx: StoreContext,
  account: string,
  kind: EntityKind,
  entity: string,
): Array<{ arn: string; document: string }> =>
  (
    stmt(
      ctx.db,
      'SELECT p.name, p.path, v.document FROM iam_attachments a JOIN iam_policies p ON p.account = a.account AND p.name = a.policy_name JOIN iam_policy_versions v ON v.account = p.account AND v.policy_name = p.name AND v.version_id = p.default_version WHERE a.account = ? AND a.kind = ? AND a.entity = ? ORDER BY p.name',
    ).all(account, kind, entity) as Array<{ name: string; path: string; document: string }>
  ).map((r) => ({ arn: policyArn(account, r.path, r.name), document: r.document }));

export const attachedDocuments = (
  ctx: StoreContext,
  account: string,
  kind: EntityKind,
  entity: string,
): string[] => attachedPolicies(ctx, account, kind, entity).map((p) => p.document);

type AttachIn<K extends string> = { [P in K]: string } & { PolicyArn: string };
type ListIn<K extends string> = { [P in K]: string } & {
  PathPrefix?: string;
  Marker?: string;
  MaxItems?: number;
};

export const attachUserPolicy = async (ctx: StoreContext, a: string, i: AttachIn<'UserName'>) =>
  attach(ctx, a, 'user', i.UserName, i.PolicyArn);
export const attachGroupPolicy = async (ctx: StoreContext, a: string, i: AttachIn<'GroupName'>) =>
  attach(ctx, a, 'group', i.GroupName, i.PolicyArn);
export const attachRolePolicy = async (ctx: StoreContext, a: string, i: AttachIn<'RoleName'>) =>
  attach(ctx, a, 'role', i.RoleName, i.PolicyArn);
export const detachUserPolicy = async (ctx: StoreContext, a: string, i: AttachIn<'UserName'>) =>
  detach(ctx, a, 'user', i.UserName, i.PolicyArn);
export const detachGroupPolicy = async (ctx: StoreContext, a: string, i: AttachIn<'GroupName'>) =>
  detach(ctx, a, 'group', i.GroupName, i.PolicyArn);
export const detachRolePolicy = async (ctx: StoreContext, a: string, i: AttachIn<'RoleName'>) =>
  detach(ctx, a, 'role', i.RoleName, i.PolicyArn);
export const listAttachedUserPolicies = async (
  ctx: StoreContext,
  a: string,
  i: ListIn<'UserName'>,
) => listAttached(ctx, a, 'user', i.UserName, i);
export const listAttachedGroupPolicies = async (
  ctx: StoreContext,
  a: string,
  i: ListIn<'GroupName'>,
) => listAttached(ctx, a, 'group', i.GroupName, i);
export const listAttachedRolePolicies = async (
  ctx: StoreContext,
  a: string,
  i: ListIn<'RoleName'>,
) => listAttached(ctx, a, 'role', i.RoleName, i);
