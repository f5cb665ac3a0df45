import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Db } from './db.js';
import { stmt } from './db.js';
import { InternalServiceErrorException } from './errors.js';
import { MasterKeyError, seal, unseal } from './master-key.js';

/**
 * The key-check value: an HMAC of a fixed label under the master key, kept in `meta`. It tells
 * whether a key is the one the database's private keys are sealed under without decrypting any,
 * and reveals nothing of the key.
 */
export const CHECK_ROW = 'master_key_check';
const CHECK_LABEL = 'fwsign master-key check value v1';

export function checkValue(key: Uint8Array): Buffer {
  return createHmac('sha256', key).update(CHECK_LABEL).digest();
}

export function storedCheck(db: Db): Buffer | undefined {
  return (
    stmt(db, 'SELECT value FROM meta WHERE key = ?').get(CHECK_ROW) as { value: Buffer } | undefined
  )?.value;
}

export function matches(stored: Buffer, key: Uint8Array): boolean {
  const ours = checkValue(key);
  return stored.length === ours.length && timingSafeEqual(stored, ours);
}

/**
 * Throws unless `key` is still the database's master key: `master-key rotate` may have run since
 * this process opened the database, and a server left running on the old key must not seal a
 * secret the new key cannot open. The server's fault, never the caller's: a 500 whose message
 * tells the operator what to do.
 */
function assertCurrentMasterKey(db: Db, key: Uint8Array): void {
  const stored = storedCheck(db);
  if (stored && !matches(stored, key)) {
    throw new InternalServiceErrorException(
      `the master key was rotated (fwsign master-key rotate) since this server opened ${db.name}: restart it with the new key (FWSIGN_MASTER_KEY or DATA_DIR/master.key)`,
    );
  }
}

/**
 * Seals a secret under the process's master key once it is checked to be the database's still.
 * Called inside the write transaction that stores it, so a rotation cannot commit in between.
 */
export function sealCurrent(db: Db, key: Uint8Array, plain: Uint8Array, aad: string): Buffer {
  assertCurrentMasterKey(db, key);
  return Buffer.from(seal(key, plain, aad));
}

/**
 * Unseals a stored secret; one that does not open because the key was rotated since this process
 * started says so (restart with the new key) rather than that the stored key was altered.
 */
export function unsealCurrent(
  db: Db,
  key: Uint8Array,
  sealed: Uint8Array,
  aad: string,
): Uint8Array {
  try {
    return unseal(key, sealed, aad);
  } catch (err) {
    if (err instanceof MasterKeyError) assertCurrentMasterKey(db, key);
    throw err;
  }
}
