/**
 * The transparency log's Ed25519 key: a 32-byte seed made once per database (a data dir's, or a
 * PostgreSQL store's shared by its servers), sealed under the master key like every private key
 * (AAD names it), re-sealed by a master-key rotation. Its verifier key is public: kept in `meta`
 * (read by `audit verify --database` without the master key) and written beside the files
 * (`audit/log.pub`).
 */
import { randomBytes } from 'node:crypto';
import { formatVerifierKey, signerFromSeed, type NoteSigner } from '@fwsign/audit-log';
import type { Db } from './db.js';
import { immediate, stmt } from './db.js';
import { sealCurrent, unsealCurrent } from './key-check-value.js';
import { reseal } from './master-key.js';

const KEY_ROW = 'audit_log_key';
const ORIGIN_ROW = 'audit_log_origin';
const VERIFIER_ROW = 'audit_log_verifier';
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

/** The log's verifier key (signed-note text form), once the key exists. */
export function logVerifierKey(db: Db): string | undefined {
  return metaValue(db, VERIFIER_ROW)?.toString();
}

/**
 * The log's signer, made on first use. The origin (the checkpoints' first line and the key's
 * name) is the operator's name for the log, or `fwsign/<region>/<random id>`, fixed at creation.
 * Made under the write lock with DO NOTHING, so servers starting together keep the first one's.
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
        sealCurrent(db, masterKey, seed, AAD),
      );
      stmt(db, 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT DO NOTHING').run(
        ORIGIN_ROW,
        Buffer.from(name),
      );
    });
    seed.fill(0);
  }
  const seed = unsealCurrent(db, masterKey, metaValue(db, KEY_ROW)!, AAD);
  let signer: NoteSigner;
  try {
    signer = signerFromSeed(metaValue(db, ORIGIN_ROW)!.toString(), seed);
  } finally {
    seed.fill(0);
  }
  // Also for a key made before the verifier was kept, or copied from such a data dir.
  if (!metaValue(db, VERIFIER_ROW))
    stmt(db, 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT DO NOTHING').run(
      VERIFIER_ROW,
      Buffer.from(formatVerifierKey(signer)),
    );
  return signer;
}

/** Part of `master-key rotate`'s transaction: the log's key under the new master key. */
export function resealAuditKey(db: Db, current: Uint8Array, next: Uint8Array): number {
  const sealed = metaValue(db, KEY_ROW);
  if (!sealed) return 0;
  stmt(db, 'UPDATE meta SET value = ? WHERE key = ?').run(
    reseal(current, next, sealed, AAD),
    KEY_ROW,
  );
  return 1;
}
