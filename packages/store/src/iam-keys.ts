import type { StoreContext } from './context.js';
import { stmt, type Db } from './db.js';
import { iamRecord } from './iam-audit.js';
import { iamWrite } from './iam-generation.js';
import { limitExceeded, noSuchEntity } from './iam-errors.js';
import { newId, newSecret } from './iam-ids.js';
import { MAX_ACCESS_KEYS, page } from './iam-validate.js';
import { sealCurrent } from './key-check-value.js';
import { reseal } from './master-key.js';
import { pageTail, userArn, userRow } from './iam-users.js';

export type KeyStatus = 'Active' | 'Inactive';

export interface AccessKeyRow {
  access_key_id: string;
  account: string;
  user_name: string;
  secret_ciphertext: Buffer;
  status: KeyStatus;
  created_at: number;
}

/** The AAD a key's sealed secret is bound to: a ciphertext copied to another key's row fails to open. */
export const keyAad = (accessKeyId: string): string => `iam-access-key:${accessKeyId}`;

/**
 * CreateAccessKey: the only answer that carries the secret. It is sealed under the master key
 * at rest (it must be read back to check SigV4 signatures, so it cannot be hashed).
 */
export async function createAccessKey(
  ctx: StoreContext,
  account: string,
  input: { UserName?: string },
  self?: string,
): Promise<{
  AccessKey: {
    UserName: string;
    AccessKeyId: string;
    Status: KeyStatus;
    SecretAccessKey: string;
    CreateDate: Date;
  };
}> {
  const name = input.UserName ?? self;
  if (name === undefined)
    throw noSuchEntity(
      'CreateAccessKey without UserName is answered for IAM users only; root keys live in credentials.json',
    );
  return iamWrite(ctx, () => {
    const u = userRow(ctx, account, name);
    const n = (
      stmt(
        ctx.db,
        'SELECT count(*) AS n FROM iam_access_keys WHERE account = ? AND user_name = ?',
      ).get(account, u.name) as { n: number }
    ).n;
    if (n >= MAX_ACCESS_KEYS)
      throw limitExceeded(`Cannot exceed quota for AccessKeysPerUser: ${MAX_ACCESS_KEYS}`);
    const id = newId('AKIA');
    const secret = newSecret();
    const created = ctx.now().getTime();
    stmt(
      ctx.db,
      'INSERT INTO iam_access_keys (access_key_id, account, user_name, secret_ciphertext, status, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(
      id,
      account,
      u.name,
      sealCurrent(ctx.db, ctx.masterKey, Buffer.from(secret), keyAad(id)),
      'Active',
      created,
    );
    // The key's id, as CloudTrail records it; its secret is in the answer only.
    iamRecord(ctx, account, 'iam.access-key.create', [userArn(account, u.path, u.name)], {
      accessKeyId: id,
    });
    return {
      AccessKey: {
        UserName: u.name,
        AccessKeyId: id,
        Status: 'Active' as const,
        SecretAccessKey: secret,
        CreateDate: new Date(created),
      },
    };
  });
}

export async function listAccessKeys(
  ctx: StoreContext,
  account: string,
  input: { UserName?: string; Marker?: string; MaxItems?: number },
  self?: string,
): Promise<{
  AccessKeyMetadata: Array<{
    UserName: string;
    AccessKeyId: string;
    Status: KeyStatus;
    CreateDate: Date;
  }>;
  IsTruncated: boolean;
  Marker?: string;
}> {
  const name = input.UserName ?? self;
  if (name === undefined) return { AccessKeyMetadata: [], IsTruncated: false };
  const u = userRow(ctx, account, name);
  const rows = stmt(
    ctx.db,
    'SELECT * FROM iam_access_keys WHERE account = ? AND user_name = ? ORDER BY access_key_id',
  ).all(account, u.name) as AccessKeyRow[];
  const p = page(rows, (r) => r.access_key_id, input);
  return {
    AccessKeyMetadata: p.items.map((r) => ({
      UserName: r.user_name,
      AccessKeyId: r.access_key_id,
      Status: r.status,
      CreateDate: new Date(r.created_at),
    })),
    ...pageTail(p),
  };
}

function keyOf(
  ctx: StoreContext,
  account: string,
  id: string,
  user: string | undefined,
): AccessKeyRow {
  const row = stmt(
    ctx.db,
    'SELECT * FROM iam_access_keys WHERE account = ? AND access_key_id = ?',
  ).get(account, id) as AccessKeyRow | undefined;
  if (!row || (user !== undefined && row.user_name.toLowerCase() !== user.toLowerCase()))
    throw noSuchEntity(`The Access Key with id ${id} cannot be found.`);
  return row;
}

const keyUserArn = (ctx: StoreContext, k: AccessKeyRow): string => {
  const u = userRow(ctx, k.account, k.user_name);
  return userArn(u.account, u.path, u.name);
};

export async function updateAccessKey(
  ctx: StoreContext,
  account: string,
  input: { UserName?: string; AccessKeyId: string; Status: KeyStatus },
  self?: string,
): Promise<Record<string, never>> {
  iamWrite(ctx, () => {
    const k = keyOf(ctx, account, input.AccessKeyId, input.UserName ?? self);
    stmt(ctx.db, 'UPDATE iam_access_keys SET status = ? WHERE access_key_id = ?').run(
      input.Status,
      k.access_key_id,
    );
    iamRecord(ctx, account, 'iam.access-key.update', [keyUserArn(ctx, k)], {
      accessKeyId: k.access_key_id,
      status: input.Status,
    });
  });
  return {};
}

export async function deleteAccessKey(
  ctx: StoreContext,
  account: string,
  input: { UserName?: string; AccessKeyId: string },
  self?: string,
): Promise<Record<string, never>> {
  iamWrite(ctx, () => {
    const k = keyOf(ctx, account, input.AccessKeyId, input.UserName ?? self);
    stmt(ctx.db, 'DELETE FROM iam_access_keys WHERE access_key_id = ?').run(k.access_key_id);
    iamRecord(ctx, account, 'iam.access-key.delete', [keyUserArn(ctx, k)], {
      accessKeyId: k.access_key_id,
    });
  });
  return {};
}

/** How many IAM secrets (access keys', sessions') are sealed under the master key. */
export function iamSecretCount(db: Db): number {
  return (
    stmt(
      db,
      'SELECT (SELECT count(*) FROM iam_access_keys) + (SELECT count(*) FROM iam_sessions) AS n',
    ).get() as {
      n: number;
    }
  ).n;
}

/** Master-key rotation: re-seals every access key's and session's secret from `from` to `to` (inside the rotation's transaction). */
export function resealIamSecrets(db: Db, from: Uint8Array, to: Uint8Array): number {
  let n = 0;
  for (const table of ['iam_access_keys', 'iam_sessions'] as const) {
    const rows = stmt(db, `SELECT access_key_id, secret_ciphertext FROM ${table}`).all() as Array<{
      access_key_id: string;
      secret_ciphertext: Buffer;
    }>;
    const update = stmt(db, `UPDATE ${table} SET secret_ciphertext = ? WHERE access_key_id = ?`);
    for (const r of rows) {
      update.run(reseal(from, to, r.secret_ciphertext, keyAad(r.access_key_id)), r.access_key_id);
      n++;
    }
  }
  return n;
}
