/**
 * C2SP signed-note (c2sp.org/signed-note), the format of Go's golang.org/x/mod/sumdb/note: a text
 * ending in a newline, a blank line, then one line per signature, `— <name> <base64(key id[4] ||
 * signature)>`. Ed25519 only (algorithm byte 0x01); the key id is the first four bytes of
 * SHA-256(name || 0x0A || 0x01 || public key). Keys are written as sumdb/note writes them:
 * verifier `<name>+<hex key id>+<base64(0x01 || public key)>`, signer
 * `PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 || seed)>`.
 */
import { createHash, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { AuditError, describe } from './errors.js';

const ED25519 = 0x01;
const SIG_PREFIX = '— ';
/** DER of a PKCS#8 Ed25519 private key, before its 32-byte seed (RFC 8410 §7). */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
/** DER of an SPKI Ed25519 public key, before its 32 bytes (RFC 8410 §4). */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export interface NoteVerifier {
  name: string;
  keyId: number;
  publicKey: Uint8Array;
}

export interface NoteSigner extends NoteVerifier {
  privateKey: KeyObject;
}

export interface NoteSignature {
  name: string;
  keyId: number;
  signature: Uint8Array;
}

function checkKeyName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0 || /[\s+]/u.test(name))
    throw new AuditError(
      'MalformedKey',
      `key name: expected a non-empty name without spaces or "+", got ${describe(name)}`,
    );
  return name;
}

export function keyIdOf(name: string, publicKey: Uint8Array): number {
  const h = createHash('sha256')
    .update(name, 'utf8')
    .update(Buffer.from([0x0a, ED25519]))
    .update(publicKey)
    .digest();
  return h.readUInt32BE(0);
}

/** A signer from a 32-byte Ed25519 seed. */
export function signerFromSeed(name: string, seed: Uint8Array): NoteSigner {
  checkKeyName(name);
  if (!(seed instanceof Uint8Array) || seed.length !== 32)
    throw new RangeError(`signerFromSeed: "seed" expected 32 bytes, got ${describe(seed)}`);
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  const publicKey = new Uint8Array(spki.subarray(SPKI_PREFIX.length));
  return { name, keyId: keyIdOf(name, publicKey), publicKey, privateKey };
}

const hex8 = (id: number): string => id.toString(16).padStart(8, '0');

export function formatVerifierKey(v: NoteVerifier): string {
  return `${v.name}+${hex8(v.keyId)}+${Buffer.concat([Buffer.from([ED25519]), v.publicKey]).toString('base64')}`;
}

export function formatSignerKey(name: string, seed: Uint8Array): string {
  const s = signerFromSeed(name, seed);
  return `PRIVATE+KEY+${name}+${hex8(s.keyId)}+${Buffer.concat([Buffer.from([ED25519]), seed]).toString('base64')}`;
}

function keyParts(text: string, what: string): { name: string; id: number; key: Buffer } {
  // The base64 may hold "+" itself: only the first two separate fields.
  const m = /^([^+]*)\+([^+]*)\+(.*)$/s.exec(text.trim());
  const parts = m ? [m[1]!, m[2]!, m[3]!] : [];
  if (parts.length !== 3 || !/^[0-9a-f]{8}$/.test(parts[1]!))
    throw new AuditError(
      'MalformedKey',
      `${what}: expected <name>+<8 hex digits>+<base64>, got ${describe(text)}`,
    );
  const key = Buffer.from(parts[2]!, 'base64');
  if (key.length !== 33 || key[0] !== ED25519 || key.toString('base64') !== parts[2])
    throw new AuditError(
      'MalformedKey',
      `${what}: expected base64 of 0x01 and a 32-byte Ed25519 key, got ${describe(parts[2])}`,
    );
  return { name: checkKeyName(parts[0]), id: parseInt(parts[1]!, 16), key: key.subarray(1) };
}

export function parseVerifierKey(text: string): NoteVerifier {
  if (typeof text !== 'string')
    throw new TypeError(`parseVerifierKey: expected a string, got ${describe(text)}`);
  const { name, id, key } = keyParts(text, 'verifier key');
  const publicKey = new Uint8Array(key);
  if (keyIdOf(name, publicKey) !== id)
    throw new AuditError(
      'MalformedKey',
      `verifier key: key id ${hex8(id)} does not match the key (expected ${hex8(keyIdOf(name, publicKey))})`,
    );
  return { name, keyId: id, publicKey };
}

export function parseSignerKey(text: string): NoteSigner {
  if (typeof text !== 'string' || !text.startsWith('PRIVATE+KEY+'))
    throw new AuditError('MalformedKey', 'signer key: expected PRIVATE+KEY+<name>+<hex>+<base64>');
  const { name, id, key } = keyParts(text.trim().slice('PRIVATE+KEY+'.length), 'signer key');
  const s = signerFromSeed(name, key);
  if (s.keyId !== id)
    throw new AuditError('MalformedKey', `signer key: key id ${hex8(id)} does not match the key`);
  return s;
}

function checkText(text: string): void {
  // The spec: UTF-8, ends in a newline, no control characters other than newline.
  if (typeof text !== 'string' || text.length === 0 || !text.endsWith('\n'))
    throw new AuditError(
      'MalformedNote',
      `note text: expected non-empty text ending in a newline, got ${describe(text)}`,
    );
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x09\x0b-\x1f\x7f]/.test(text))
    throw new AuditError(
      'MalformedNote',
      'note text: control characters other than newline are not allowed',
    );
}

/** The text followed by a blank line and the signer's signature line. */
export function signNote(text: string, signer: NoteSigner): string {
  checkText(text);
  const sig = sign(null, Buffer.from(text, 'utf8'), signer.privateKey);
  const id = Buffer.alloc(4);
  id.writeUInt32BE(signer.keyId);
  return `${text}\n${SIG_PREFIX}${signer.name} ${Buffer.concat([id, sig]).toString('base64')}\n`;
}

/** Splits a note into its text and signature lines (no verification). */
export function parseNote(note: string): { text: string; signatures: NoteSignature[] } {
  if (typeof note !== 'string')
    throw new TypeError(`parseNote: expected a string, got ${describe(note)}`);
  const at = note.lastIndexOf('\n\n');
  if (at < 0 || !note.endsWith('\n'))
    throw new AuditError('MalformedNote', 'note: expected text, a blank line and signature lines');
  const text = note.slice(0, at + 1);
  checkText(text);
  const signatures = note
    .slice(at + 2, -1)
    .split('\n')
    .map((line, i) => {
      const m = /^— (\S+) (\S+)$/u.exec(line);
      const raw = m ? Buffer.from(m[2]!, 'base64') : undefined;
      if (!m || !raw || raw.length < 5 || raw.toString('base64') !== m[2])
        throw new AuditError(
          'MalformedNote',
          `note signature line ${i + 1}: expected "— <name> <base64>", got ${describe(line)}`,
        );
      return {
        name: m[1]!,
        keyId: raw.readUInt32BE(0),
        signature: new Uint8Array(raw.subarray(4)),
      };
    });
  return { text, signatures };
}

export type NoteVerdict = { ok: true; text: string } | { ok: false; reason: string };

/** Checks that the note carries a valid signature by `verifier`. */
export function verifyNote(note: string, verifier: NoteVerifier): NoteVerdict {
  let parsed;
  try {
    parsed = parseNote(note);
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
  const mine = parsed.signatures.filter(
    (s) => s.name === verifier.name && s.keyId === verifier.keyId,
  );
  if (mine.length === 0)
    return { ok: false, reason: `no signature by ${verifier.name}+${hex8(verifier.keyId)}` };
  const key = createPublicKey({
    key: Buffer.concat([SPKI_PREFIX, verifier.publicKey]),
    format: 'der',
    type: 'spki',
  });
  const good = mine.some((s) => verify(null, Buffer.from(parsed.text, 'utf8'), key, s.signature));
  return good
    ? { ok: true, text: parsed.text }
    : { ok: false, reason: `the signature by ${verifier.name} does not verify` };
}
