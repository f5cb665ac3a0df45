import { randomBytes } from 'node:crypto';
import { existsSync, fsyncSync, openSync, closeSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Db } from './db.js';
import { immediate, stmt } from './db.js';
import { CHECK_ROW, checkValue, matches, storedCheck } from './key-check-value.js';
import { appendEntry, OPERATOR } from './audit.js';
import { auditKeyCount, resealAuditKey } from './audit-key.js';
import { managedKeyCount, resealManagedKeys } from './managed-keys.js';
import { iamSecretCount, resealIamSecrets } from './iam-keys.js';
import {
  createKeyFile,
  loadMasterKey,
  MasterKeyError,
  readKeyFile,
  RECOVERY,
  reseal,
  unseal,
  type LoadedMasterKey,
} from './master-key.js';

/** How many private keys the database holds sealed. */
function sealedKeyCount(db: Db): number {
  return (
    (
      stmt(db, 'SELECT count(*) AS n FROM certificates WHERE key_ciphertext IS NOT NULL').get() as {
        n: number;
      }
    ).n +
    managedKeyCount(db) +
    auditKeyCount(db) +
    iamSecretCount(db)
  );
}

/**
 * Loads the master key for `dataDir` and proves it is the database's: by the stored check value,
 * or, for a database from before check values, by opening one sealed key (then the value is
 * stored). Refuses to go on otherwise, so nothing is ever sealed under a second key. A rotation
 * interrupted after its commit (`master.key.next` holds the new key) is finished here.
 */
export function openMasterKey(
  db: Db,
  dataDir: string | undefined,
  explicit?: Uint8Array,
  explicitSource?: string,
): LoadedMasterKey {
  const loaded = loadMasterKey(dataDir, explicit, sealedKeyCount(db), db.name, explicitSource);
  const stored = storedCheck(db);
  if (stored && !matches(stored, loaded.key)) {
    const next = loaded.file && `${loaded.file}.next`;
    if (next && existsSync(next) && matches(stored, readKeyFile(next))) {
      renameSync(next, loaded.file!);
      syncDir(loaded.file!);
      return { ...loaded, key: readKeyFile(loaded.file!) };
    }
    throw mismatch(loaded, db);
  }
  if (!stored) {
    const sample = stmt(
      db,
      'SELECT arn, key_ciphertext FROM certificates WHERE key_ciphertext IS NOT NULL LIMIT 1',
    ).get() as { arn: string; key_ciphertext: Buffer } | undefined;
    if (sample) {
      try {
        unseal(loaded.key, sample.key_ciphertext, sample.arn).fill(0);
      } catch {
        throw mismatch(loaded, db);
      }
    }
    // Another process may store its value between our read and this write: re-read and compare.
    stmt(db, 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT DO NOTHING').run(
      CHECK_ROW,
      checkValue(loaded.key),
    );
    if (!matches(storedCheck(db)!, loaded.key)) throw mismatch(loaded, db);
  }
  return loaded;
}

function mismatch(loaded: LoadedMasterKey, db: Db): MasterKeyError {
  return new MasterKeyError(
    `${loaded.source}: this is not the master key the ${sealedKeyCount(db)} private key(s) in ${db.name} are sealed under (its key-check value differs); refusing to start rather than seal new keys under a second master key. ${RECOVERY}`,
  );
}

/**
 * Re-seals every sealed secret (private keys, Signer-managed keys, the log's key, IAM secrets)
 * under a new random master key in one transaction, with the new check value, under the write
 * lock: on PostgreSQL the one every server takes, so no server's write interleaves, and one still
 * on the old key refuses its next seal (sealCurrent). The new key is written first (synced) so no
 * commit can leave keys sealed under a key that exists nowhere: beside the data dir's key file as
 * `master.key.next`, renamed over it after the commit (openMasterKey finishes that rename after a
 * crash); or, when the current key came from FWSIGN_MASTER_KEY or the option, to `out`, a new file.
 */
export function rotateMasterKey(
  db: Db,
  dataDir: string | undefined,
  opts: { masterKey?: Uint8Array; masterKeySource?: string; out?: string } = {},
): { resealed: number; keyFile: string } {
  const loaded = openMasterKey(db, dataDir, opts.masterKey, opts.masterKeySource);
  const current = loaded.key;
  const target = opts.out ?? (loaded.file ? `${loaded.file}.next` : undefined);
  if (!target) {
    throw new MasterKeyError(
      `the master key comes from ${loaded.source}: give a new file to write the new key to (--out), then set FWSIGN_MASTER_KEY from it`,
    );
  }
  if (existsSync(target))
    throw new MasterKeyError(`${target} exists already; move it away or name another file`);
  const next = new Uint8Array(randomBytes(32));
  createKeyFile(target, next);
  const resealed = immediate(db, () => {
    // Another rotation may have committed since openMasterKey: nothing is then sealed under `current`.
    if (!matches(storedCheck(db) ?? checkValue(current), current))
      throw new MasterKeyError(
        `another master-key rotate committed first: ${loaded.source} is no longer the master key of ${db.name}; ${target} holds a key nothing is sealed under`,
      );
    const rows = stmt(
      db,
      'SELECT arn, key_ciphertext FROM certificates WHERE key_ciphertext IS NOT NULL',
    ).all() as Array<{
      arn: string;
      key_ciphertext: Buffer;
    }>;
    const update = stmt(db, 'UPDATE certificates SET key_ciphertext = ? WHERE arn = ?');
    for (const r of rows) update.run(reseal(current, next, r.key_ciphertext, r.arn), r.arn);
    const managed =
      resealManagedKeys(db, current, next) +
      resealAuditKey(db, current, next) +
      resealIamSecrets(db, current, next);
    appendEntry(db, Date.now(), { kind: 'master-key.rotate', actor: OPERATOR, subjects: [] });
    stmt(
      db,
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ).run(CHECK_ROW, checkValue(next));
    return rows.length + managed;
  });
  if (opts.out === undefined && loaded.file) {
    renameSync(target, loaded.file);
    syncDir(loaded.file);
    return { resealed, keyFile: loaded.file };
  }
  return { resealed, keyFile: target };
}

function syncDir(file: string): void {
  const fd = openSync(dirname(file), 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
