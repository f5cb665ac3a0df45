import {
  closeSync,
  existsSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { join } from 'node:path';

export const MASTER_KEY_FILE = 'master.key';
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
export const FORMAT_V1 = 1;

export class MasterKeyError extends Error {
  readonly code = 'MasterKeyError';
}

/** Accepts 64 hex digits or base64 of 32 bytes (what `openssl rand -hex 32` / `-base64 32` print). */
export function parseMasterKey(text: string, source: string): Uint8Array {
  const t = text.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(t)) key = Buffer.from(t, 'hex');
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) key = Buffer.from(t, 'base64');
  if (!key || key.length !== KEY_BYTES) {
    throw new MasterKeyError(
      `${source}: expected 32 bytes as 64 hex digits or base64, got ${t.length} characters`,
    );
  }
  return new Uint8Array(key);
}

/** A master key and where it came from: 'masterKey option', 'FWSIGN_MASTER_KEY' or the key file's path. */
export interface LoadedMasterKey {
  key: Uint8Array;
  source: string;
  /** The key file, when the key came from the data dir. */
  file?: string;
}

/**
 * The master key lives outside the database so that a copy of the database alone
 * does not reveal private keys. Order of precedence: explicit option,
 * FWSIGN_MASTER_KEY, `<dataDir>/master.key` (created 0600 on first start, and only
 * then: `sealedKeys` > 0 means the database already holds keys a new master key
 * would not open). Without a data dir (`master-key rotate --database` alone) the key must be given.
 */
export function loadMasterKey(
  dataDir: string | undefined,
  explicit?: Uint8Array,
  sealedKeys = 0,
  database = dataDir === undefined ? 'the database' : join(dataDir, 'signer.db'),
  explicitSource = 'masterKey option',
): LoadedMasterKey {
  if (explicit !== undefined) {
    if (!(explicit instanceof Uint8Array) || explicit.length !== KEY_BYTES) {
      throw new RangeError(
        `masterKey: expected 32 bytes, got ${explicit instanceof Uint8Array ? explicit.length : typeof explicit}`,
      );
    }
    return { key: explicit, source: explicitSource };
  }
  const env = process.env.FWSIGN_MASTER_KEY;
  if (env !== undefined && env !== '')
    return { key: parseMasterKey(env, 'FWSIGN_MASTER_KEY'), source: 'FWSIGN_MASTER_KEY' };
  if (dataDir === undefined)
    throw new MasterKeyError(
      `FWSIGN_MASTER_KEY is not set and no data dir holding master.key was given: the master key of ${database} is needed`,
    );
  const file = join(dataDir, MASTER_KEY_FILE);
  if (!existsSync(file)) {
    if (sealedKeys > 0) {
      throw new MasterKeyError(
        `${file} is missing and FWSIGN_MASTER_KEY is not set, but ${database} holds ${sealedKeys} private key${sealedKeys === 1 ? '' : 's'} sealed under a master key; a new key would not open them, so none is made. ${RECOVERY}`,
      );
    }
    createKeyFile(file, randomBytes(KEY_BYTES));
  }
  return { key: readKeyFile(file), source: file, file };
}

/** How to get out of a missing or wrong master key (said by every such refusal). */
export const RECOVERY = `Restore the master key these keys were sealed under from the backup kept apart from the data dir: put it in <dataDir>/${MASTER_KEY_FILE} (mode 0600) or set FWSIGN_MASTER_KEY to it (64 hex digits or base64 of 32 bytes). See the store README, "Backing up the master key".`;

/** Reads a key file, refusing one others may read. */
export function readKeyFile(file: string): Uint8Array {
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new MasterKeyError(
      `${file}: expected mode 0600 (owner only), got 0${mode.toString(8)}; run chmod 600 on it`,
    );
  }
  return parseMasterKey(readFileSync(file, 'utf8'), file);
}

/** Writes `key` as a new 0600 file, in full and synced, or not at all; an existing file is kept. */
export function createKeyFile(file: string, key: Uint8Array): void {
  // Written in full under a temporary name, then hard-linked into place: link()
  // fails if the name exists, so two processes starting together agree on one key
  // and neither can read a half-written file.
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, `${Buffer.from(key).toString('hex')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(tmp);
  }
}

/**
 * AES-256-GCM with a random 96-bit nonce. The AAD binds the ciphertext to the
 * resource it belongs to (the certificate ARN), so a ciphertext copied onto
 * another row fails to decrypt instead of silently signing with the wrong key.
 */
export function seal(key: Uint8Array, plaintext: Uint8Array, aad: string): Uint8Array {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return new Uint8Array(
    Buffer.concat([Buffer.from([FORMAT_V1]), nonce, body, cipher.getAuthTag()]),
  );
}

export function unseal(key: Uint8Array, sealed: Uint8Array, aad: string): Uint8Array {
  if (sealed.length < 1 + NONCE_BYTES + TAG_BYTES || sealed[0] !== FORMAT_V1) {
    throw new MasterKeyError(`sealed key for ${aad}: unknown format (version byte ${sealed[0]})`);
  }
  const nonce = sealed.subarray(1, 1 + NONCE_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(tag);
  try {
    return new Uint8Array(
      Buffer.concat([
        decipher.update(sealed.subarray(1 + NONCE_BYTES, sealed.length - TAG_BYTES)),
        decipher.final(),
      ]),
    );
  } catch {
    throw new MasterKeyError(
      `sealed key for ${aad}: authentication failed (wrong master key, or the stored key was altered)`,
    );
  }
}

/** Master-key rotation's step for one secret: opened under `from`, sealed under `to`, the plaintext wiped. */
export function reseal(from: Uint8Array, to: Uint8Array, sealed: Uint8Array, aad: string): Buffer {
  const plain = unseal(from, sealed, aad);
  try {
    return Buffer.from(seal(to, plain, aad));
  } finally {
    plain.fill(0);
  }
}
