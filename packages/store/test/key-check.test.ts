import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MASTER_KEY_FILE, SignerStore } from '../src/index.js';
import {
  ALICE,
  EC_P256,
  opensslPair,
  removeDir,
  setupAlice,
  tempDir,
  type KeyPair,
} from './helpers.js';

let dir: string;
let keys: string;
let pair: KeyPair;
const saved = process.env.FWSIGN_MASTER_KEY;

beforeAll(() => {
  keys = tempDir('kcv-keys');
  pair = opensslPair(keys, 'ec', EC_P256);
});
afterAll(() => removeDir(keys));
beforeEach(() => {
  dir = tempDir('kcv');
  delete process.env.FWSIGN_MASTER_KEY;
});
afterEach(() => {
  removeDir(dir);
  if (saved === undefined) delete process.env.FWSIGN_MASTER_KEY;
  else process.env.FWSIGN_MASTER_KEY = saved;
});

/** A data dir with one imported certificate, its private key sealed under the dir's master.key. */
function withSealedKey(): string {
  const s = SignerStore.open({ dataDir: dir });
  try {
    return setupAlice(s, pair).certificateArn;
  } finally {
    s.close();
  }
}

/** Signs one job: proves the sealed key opens under the key the store was opened with. */
async function signsOneJob(s: SignerStore, token: string): Promise<string> {
  const v = s.buckets.putObject(
    ALICE.accountId,
    'src-bucket',
    'fw.bin',
    new Uint8Array(64),
  ).versionId;
  const { jobId } = await s.startSigningJob(ALICE, {
    source: { s3: { bucketName: 'src-bucket', key: 'fw.bin', version: v } },
    destination: { s3: { bucketName: 'dst-bucket' } },
    profileName: 'fw_profile',
    clientRequestToken: token,
  });
  return s.describeSigningJob(ALICE, { jobId }).status;
}

describe('master key check value (defect 7)', () => {
  it('refuses to start, and makes no key, when master.key is gone but keys are sealed', () => {
    withSealedKey();
    rmSync(join(dir, MASTER_KEY_FILE));
    expect(() => SignerStore.open({ dataDir: dir })).toThrow(
      new RegExp(
        `${join(dir, MASTER_KEY_FILE)} is missing and FWSIGN_MASTER_KEY is not set, but .*signer\\.db holds 1 private key sealed under a master key.*Restore the master key`,
      ),
    );
    expect(existsSync(join(dir, MASTER_KEY_FILE))).toBe(false);
  });

  it('refuses a wrong key from FWSIGN_MASTER_KEY or the file, naming where it came from', () => {
    withSealedKey();
    process.env.FWSIGN_MASTER_KEY = 'ab'.repeat(32);
    expect(() => SignerStore.open({ dataDir: dir })).toThrow(
      /^FWSIGN_MASTER_KEY: this is not the master key the 1 private key\(s\) in .*signer\.db are sealed under .*set FWSIGN_MASTER_KEY to it/,
    );
    delete process.env.FWSIGN_MASTER_KEY;
    const good = readFileSync(join(dir, MASTER_KEY_FILE));
    rmSync(join(dir, MASTER_KEY_FILE));
    SignerStore.open({ dataDir: keys }).close(); // a master.key of another data dir
    const other = readFileSync(join(keys, MASTER_KEY_FILE));
    expect(other.equals(good)).toBe(false);
    writeFileSync(join(dir, MASTER_KEY_FILE), other, { mode: 0o600 });
    expect(() => SignerStore.open({ dataDir: dir })).toThrow(
      new RegExp(`^${join(dir, MASTER_KEY_FILE)}: this is not the master key`),
    );
  });

  it('checks a data dir from before check values by opening a sealed key, then stores the value', () => {
    withSealedKey();
    const db = new Database(join(dir, 'signer.db'));
    db.prepare("DELETE FROM meta WHERE key = 'master_key_check'").run();
    db.close();
    expect(() => SignerStore.open({ dataDir: dir, masterKey: new Uint8Array(32).fill(9) })).toThrow(
      /masterKey option: this is not the master key/,
    );
    SignerStore.open({ dataDir: dir }).close();
    const again = new Database(join(dir, 'signer.db'), { readonly: true });
    expect(
      again.prepare("SELECT length(value) AS n FROM meta WHERE key = 'master_key_check'").get(),
    ).toEqual({ n: 32 });
    again.close();
  });

  it('rotates: every key re-sealed under a new master.key in one go, and jobs still sign', async () => {
    withSealedKey();
    const before = readFileSync(join(dir, MASTER_KEY_FILE), 'utf8');
    const running = SignerStore.open({ dataDir: dir });
    const r = SignerStore.rotateMasterKey({ dataDir: dir });
    expect(r).toEqual({ resealed: 1, keyFile: join(dir, MASTER_KEY_FILE) });
    const after = readFileSync(join(dir, MASTER_KEY_FILE), 'utf8');
    expect(after).not.toBe(before);
    expect(statSync(join(dir, MASTER_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(existsSync(join(dir, `${MASTER_KEY_FILE}.next`))).toBe(false);
    // A store opened before the rotation must not seal under the old key.
    expect(() =>
      running.importCertificate(ALICE, { certificate: pair.certPem, privateKey: pair.keyPem }),
    ).toThrow(
      /master key was rotated \(fwsign master-key rotate\) since this server opened .*signer\.db: restart it with the new key/,
    );
    running.close();
    const s = SignerStore.open({ dataDir: dir });
    try {
      expect(await signsOneJob(s, 'after-rotate')).toBe('Succeeded');
    } finally {
      s.close();
    }
  });

  it('rotates a key given by FWSIGN_MASTER_KEY into a new file named by out', () => {
    process.env.FWSIGN_MASTER_KEY = 'cd'.repeat(32);
    withSealedKey();
    expect(() => SignerStore.rotateMasterKey({ dataDir: dir })).toThrow(/give a new file/);
    const out = join(keys, 'new.key');
    expect(SignerStore.rotateMasterKey({ dataDir: dir, out })).toEqual({
      resealed: 1,
      keyFile: out,
    });
    expect(() => SignerStore.open({ dataDir: dir })).toThrow(/FWSIGN_MASTER_KEY: this is not/);
    process.env.FWSIGN_MASTER_KEY = readFileSync(out, 'utf8').trim();
    SignerStore.open({ dataDir: dir }).close();
    rmSync(out);
  });
});
