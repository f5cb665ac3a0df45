import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MASTER_KEY_FILE, MasterKeyError, SignerStore } from '../src/index.js';
import { parseMasterKey, seal, unseal } from '../src/master-key.js';
import { removeDir, tempDir } from './helpers.js';

let dir: string;
const saved = process.env.FWSIGN_MASTER_KEY;

beforeEach(() => {
  dir = tempDir('mk');
  delete process.env.FWSIGN_MASTER_KEY;
});
afterEach(() => {
  removeDir(dir);
  if (saved === undefined) delete process.env.FWSIGN_MASTER_KEY;
  else process.env.FWSIGN_MASTER_KEY = saved;
});

describe('master key', () => {
  it('is created on first start as a 0600 file of 32 random bytes, and reused', () => {
    SignerStore.open({ dataDir: dir }).close();
    const file = join(dir, MASTER_KEY_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const first = readFileSync(file, 'utf8');
    expect(first).toMatch(/^[0-9a-f]{64}\n$/);
    SignerStore.open({ dataDir: dir }).close();
    expect(readFileSync(file, 'utf8')).toBe(first);
    expect(statSync(dir).mode & 0o077).toBe(0);
    for (const f of ['signer.db', 'signer.db-wal', 'signer.db-shm']) {
      try {
        expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    expect(statSync(join(dir, 'signer.db')).mode & 0o777).toBe(0o600);
  });

  it('refuses a key file readable by others', () => {
    writeFileSync(join(dir, MASTER_KEY_FILE), `${'ab'.repeat(32)}\n`, { mode: 0o644 });
    chmodSync(join(dir, MASTER_KEY_FILE), 0o644);
    expect(() => SignerStore.open({ dataDir: dir })).toThrow(
      /master\.key: expected mode 0600 \(owner only\), got 0644; run chmod 600 on it/,
    );
  });

  it('takes FWSIGN_MASTER_KEY (hex or base64) instead of a file', () => {
    process.env.FWSIGN_MASTER_KEY = Buffer.alloc(32, 3).toString('base64');
    SignerStore.open({ dataDir: dir }).close();
    expect(() => statSync(join(dir, MASTER_KEY_FILE))).toThrow(/ENOENT/);
    process.env.FWSIGN_MASTER_KEY = 'abcd';
    expect(() => SignerStore.open({ dataDir: dir })).toThrow(
      /FWSIGN_MASTER_KEY: expected 32 bytes as 64 hex digits or base64, got 4 characters/,
    );
    expect(parseMasterKey('ab'.repeat(32), 'x')).toEqual(new Uint8Array(32).fill(0xab));
  });

  it('seals with AES-256-GCM bound to the resource name', () => {
    const key = new Uint8Array(32).fill(1);
    const secret = new TextEncoder().encode('-----BEGIN PRIVATE KEY----- secret');
    const sealed = seal(key, secret, 'arn:a');
    expect(sealed.length).toBe(1 + 12 + secret.length + 16);
    expect(Buffer.from(sealed).includes(Buffer.from('secret'))).toBe(false);
    expect(Buffer.from(unseal(key, sealed, 'arn:a')).toString()).toBe(
      '-----BEGIN PRIVATE KEY----- secret',
    );
    expect(() => unseal(key, sealed, 'arn:b')).toThrow(MasterKeyError);
    expect(() => unseal(new Uint8Array(32).fill(2), sealed, 'arn:a')).toThrow(
      /authentication failed/,
    );
    const tampered = Uint8Array.from(sealed);
    tampered[20] = tampered[20]! ^ 1;
    expect(() => unseal(key, tampered, 'arn:a')).toThrow(/authentication failed/);
    // Two seals of the same key differ (random nonce).
    expect(Buffer.from(seal(key, secret, 'arn:a')).equals(Buffer.from(sealed))).toBe(false);
  });
});

describe('database', () => {
  it('opens in WAL mode with a migrations table, and refuses bad options', () => {
    const s = SignerStore.open({ dataDir: dir, masterKey: new Uint8Array(32) });
    expect(s.schemaVersion).toBe(6);
    expect(s.sqliteIntegrityCheck()).toBe('ok');
    s.close();
    expect(readFileSync(join(dir, 'signer.db')).subarray(18, 20)).toEqual(Buffer.from([2, 2])); // WAL read/write versions in the header
    expect(() => SignerStore.open({ dataDir: dir, masterKey: new Uint8Array(16) })).toThrow(
      /masterKey: expected 32 bytes, got 16/,
    );
    expect(() =>
      SignerStore.open({ dataDir: dir, region: 'mars', masterKey: new Uint8Array(32) }),
    ).toThrow(/region.*got "mars"/);
  });
});
