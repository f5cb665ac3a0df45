import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Db } from './db.js';
import { stmt } from './db.js';
import { MasterKeyError } from './master-key.js';

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

/** Throws unless `key` is still the database's master key (a rotation may have happened since open). */
export function assertCurrentMasterKey(db: Db, key: Uint8Array): void {
  const stored = storedCheck(db);
  if (stored && !matches(stored, key)) {
    throw new MasterKeyError(
      'the master key was rotated since this process opened the data dir; restart it to pick up the new key',
    );
  }
}
