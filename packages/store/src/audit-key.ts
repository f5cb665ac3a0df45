/**
 * The transparency log's Ed25519 key: a 32-byte seed made once per data dir, sealed under the
 * master key like every private key (AAD names it), re-sealed by a master-key rotation. Its
 * verifier key is public and written beside the log (`audit/log.pub`).
 */
import { randomBytes } from 'node:crypto';
import { signerFromSeed, type NoteSigner } from '@fwsign/audit-log';
import type { Db } from './db.js';
import { immediate, stmt } from './db.js';
import { seal, unseal } from './master-key.js';

const KEY_ROW = 'audit_log_key';
const ORIGIN_ROW = 'audit_log_origin';
const AAD = 'fwsign transparency log key';

function metaValue(db: Db, key: string): Buffer | undefined {
  return (
    stmt(db, 'SELECT value FROM meta WHERE key = ?').get(key) as { value: Buffer } | undefined
  )?.value;
}

/** 1 once the log's key exists: it counts among the keys a master key must open. */
export function auditKeyCount(db: Db): number {
  return metaValue(db, KEY_ROW) ? 1 : 0;
}

/**
 * The log's signer, made on first use. The origin (the checkpoints' first line and the key's
 * name) is the operator's name for the log, or `fwsign/<region>/<random id>`, fixed at creation.
 */
export function logSigner(
  db: Db,
  masterKey: Uint8Array,
  region: string,
  origin?: string,
): NoteSigner {
  if (!metaValue(db, KEY_ROW)) {
    const seed = randomBytes(32);
    const name = origin ?? `fwsign/${region}/${randomBytes(4).toString('hex')}`;
    immediate(db, () => {
      // Another process may have made it meanwhile: the first one stays.
      stmt(db, 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT DO NOTHING').run(
        KEY_ROW,
        Buffer.from(seal(masterKey, seed, AAD)),
      );
      stmt(db, 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT DO NOTHING').run(
        ORIGIN_ROW,
        Buffer.from(name),
      );
    });
    seed.fill(0);
  }
  const seed = unseal(masterKey, metaValue(db, KEY_ROW)!, AAD);
  try {
    return signerFromSeed(metaValue(db, ORIGIN_ROW)!.toString(), seed);
  } finally {
    seed.fill(0);
  }
}

/** Part of `master-key rotate`'s transaction: the log's key under the new master key. */
export function resealAuditKey(db: Db, current: Uint8Array, next: Uint8Array): number {
  const sealed = metaValue(db, KEY_ROW);
  if (!sealed) return 0;
  const seed = unseal(current, sealed, AAD);
  try {
    stmt(db, 'UPDATE meta SET value = ? WHERE key = ?').run(
      Buffer.from(seal(next, seed, AAD)),
      KEY_ROW,
    );
  } finally {
    seed.fill(0);
  }
  return 1;
}
