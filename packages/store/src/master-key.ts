import {
  closeSync,
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
const FORMAT_V1 = 1;

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

/**
 * The master key lives outside the database so that a copy of the database alone
 * does not reveal private keys. Order of precedence: explicit option,
 * FWSIGN_MASTER_KEY, `<dataDir>/master.key` (created 0600 on first start).
 */
export function loadMasterKey(dataDir: string, explicit?: Uint8Array): Uint8Array {
  if (explicit !== undefined) {
    if (!(explicit instanceof Uint8Array) || explicit.length !== KEY_BYTES) {
      throw new RangeError(
        `masterKey: expected 32 bytes, got ${explicit instanceof Uint8Array ? explicit.length : typeof explicit}`,
      );
    }
    return explicit;
  }
  const env = process.env.FWSIGN_MASTER_KEY;
  if (env !== undefined && env !== '') return parseMasterKey(env, 'FWSIGN_MASTER_KEY');
  const file = join(dataDir, MASTER_KEY_FILE);
  createKeyFileIfMissing(file);
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new MasterKeyError(
      `${file}: expected mode 0600 (owner only), got 0${mode.toString(8)}; run chmod 600 on it`,
    );
  }
  return parseMasterKey(readFileSync(file, 'utf8'), file);
}

function createKeyFileIfMissing(file: string): void {
  try {
    statSync(file);
    return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  // Written in full under a temporary name, then hard-linked into place: link()
  // fails if the name exists, so two processes starting together agree on one key
  // and neither can read a half-written file.
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, `${randomBytes(KEY_BYTES).toString('hex')}\n`);
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
