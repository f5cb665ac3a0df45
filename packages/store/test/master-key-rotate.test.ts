/**
 * `master-key rotate` on both engines, one code path: every sealed secret (private keys, IAM
 * secrets, the log's key) and the key-check value change in one transaction, logged; a store
 * still on the old key seals nothing more and says to restart; all or nothing.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../src/db.js';
import { readKeyFile } from '../src/master-key.js';
import { SignerStore } from '../src/index.js';
import { freshDatabase, pgSkip } from './contract-engines.js';
import {
  ALICE,
  EC_P256,
  enc,
  opensslPair,
  removeDir,
  setupAlice,
  tempDir,
  TEST_MASTER_KEY,
  type KeyPair,
} from './helpers.js';

const ENGINES = [
  { name: 'sqlite', database: async (): Promise<string | undefined> => undefined },
  ...(pgSkip ? [] : [{ name: 'postgres', database: freshDatabase }]),
];

let keys: string;
let pair: KeyPair;
beforeAll(() => {
  keys = tempDir('rotate-keys');
  pair = opensslPair(keys, 'ec', EC_P256);
  return () => removeDir(keys);
});

/** A job signing a new image with setupAlice's profile. */
function signJob(s: SignerStore, token: string): Promise<{ jobId: string }> {
  const v = s.buckets.putObject(ALICE.accountId, 'src-bucket', 'fw.bin', new Uint8Array(64));
  return s.startSigningJob(ALICE, {
    source: { s3: { bucketName: 'src-bucket', key: 'fw.bin', version: v.versionId } },
    destination: { s3: { bucketName: 'dst-bucket' } },
    profileName: 'fw_profile',
    clientRequestToken: token,
  });
}

describe.each(ENGINES)('master-key rotate on $name', { timeout: 60_000 }, (engine) => {
  let dir: string;
  let database: string | undefined;
  const open = (masterKey: Uint8Array): SignerStore =>
    SignerStore.open({ dataDir: dir, masterKey, ...(database ? { database } : {}) });
  /** The store's database as the rotation sees it, to read and alter rows behind its back. */
  const raw = (): Db => openDatabase(database ?? join(dir, 'signer.db'));
  const sealedCert = (db: Db): Buffer =>
    (db.prepare('SELECT key_ciphertext FROM certificates').get() as { key_ciphertext: Buffer })
      .key_ciphertext;
  const checkValue = (db: Db): Buffer =>
    (db.prepare("SELECT value FROM meta WHERE key = 'master_key_check'").get() as { value: Buffer })
      .value;

  /** A certificate, a profile, an IAM user's access key and the log's key, sealed under TEST_MASTER_KEY. */
  async function populated(): Promise<{
    running: SignerStore;
    accessKeyId: string;
    secret: string;
  }> {
    dir = tempDir(`rotate-${engine.name}`);
    database = await engine.database();
    const running = open(TEST_MASTER_KEY);
    setupAlice(running, pair);
    await running.iam.createUser(ALICE.accountId, { UserName: 'ci' });
    const key = (await running.iam.createAccessKey(ALICE.accountId, { UserName: 'ci' })).AccessKey;
    running.audit.checkpoint(); // the log's key is made and sealed
    return { running, accessKeyId: key.AccessKeyId, secret: key.SecretAccessKey };
  }
  afterEach(() => removeDir(dir));

  it('re-seals every secret and the check value at once, logs it; the old key is refused', async () => {
    const { running, accessKeyId, secret } = await populated();
    const out = join(dir, 'new.key');
    const r = SignerStore.rotateMasterKey({
      dataDir: dir,
      masterKey: TEST_MASTER_KEY,
      out,
      ...(database ? { database } : {}),
    });
    // The certificate's key, the access key's secret, the log's key.
    expect(r).toEqual({ resealed: 3, keyFile: out });
    const next = readKeyFile(out);

    // A store still on the old key (another server) seals nothing the new key cannot open.
    const restart =
      /master key was rotated \(fwsign master-key rotate\) since this server opened .*: restart it with the new key/;
    expect(() =>
      running.importCertificate(ALICE, {
        certificate: enc(pair.certPem),
        privateKey: enc(pair.keyPem),
      }),
    ).toThrow(restart);
    await expect(
      running.iam.createAccessKey(ALICE.accountId, { UserName: 'ci' }),
    ).rejects.toMatchObject({
      code: 'InternalServiceErrorException',
      httpStatus: 500,
      message: expect.stringMatching(restart),
    });
    // A secret it had not opened yet fails with that reason, not as an altered row.
    await expect(running.iam.resolveAccessKey(accessKeyId)).rejects.toThrow(restart);
    // A job whose key it had not opened: a 500 saying so, and no job recorded (a retry of the same
    // token on a server with the new key makes it).
    await expect(signJob(running, 'after-rotate')).rejects.toMatchObject({
      httpStatus: 500,
      message: expect.stringMatching(restart),
    });
    expect(running.listSigningJobs(ALICE, {}).jobs).toEqual([]);
    running.close();

    expect(() => open(TEST_MASTER_KEY)).toThrow(/masterKey option: this is not the master key/);
    const s = open(next);
    try {
      expect((await s.iam.resolveAccessKey(accessKeyId))?.secretAccessKey).toBe(secret);
      const { jobId } = await signJob(s, 'after-rotate');
      expect(s.describeSigningJob(ALICE, { jobId }).status).toBe('Succeeded');
      // The log's key opens under the new key: a new checkpoint is signed.
      expect(s.audit.checkpoint().size).toBeGreaterThan(0);
    } finally {
      s.close();
    }
    const db = raw();
    try {
      const kinds = (
        db.prepare('SELECT entry FROM audit_entries ORDER BY seq').all() as Array<{ entry: Buffer }>
      ).map((e) => JSON.parse(Buffer.from(e.entry).toString()).kind as string);
      expect(kinds).toContain('master-key.rotate');
    } finally {
      db.close();
    }
  });

  it('all or nothing: a secret that does not open leaves every row and the check value as they were', async () => {
    const { running } = await populated();
    running.close();
    const db = raw();
    const before = { cert: sealedCert(db), check: checkValue(db) };
    // The IAM secrets are re-sealed after the private keys: one altered makes the rotation fail late.
    const row = db
      .prepare('SELECT access_key_id, secret_ciphertext FROM iam_access_keys')
      .get() as {
      access_key_id: string;
      secret_ciphertext: Buffer;
    };
    const altered = Buffer.from(row.secret_ciphertext);
    altered[altered.length - 1]! ^= 1;
    db.prepare('UPDATE iam_access_keys SET secret_ciphertext = ? WHERE access_key_id = ?').run(
      altered,
      row.access_key_id,
    );
    const out = join(dir, 'new.key');
    expect(() =>
      SignerStore.rotateMasterKey({
        dataDir: dir,
        masterKey: TEST_MASTER_KEY,
        out,
        ...(database ? { database } : {}),
      }),
    ).toThrow(/authentication failed/);
    try {
      expect(sealedCert(db).equals(before.cert)).toBe(true);
      expect(checkValue(db).equals(before.check)).toBe(true);
    } finally {
      db.close();
    }
    // The new key was written first (nothing is sealed under it): kept, never reused.
    expect(existsSync(out)).toBe(true);
    rmSync(out);
    open(TEST_MASTER_KEY).close();
  });
});

describe('SignerStore.open with a database', () => {
  it('checks the URL and the connection before making the data dir: a bad one leaves nothing', () => {
    const parent = tempDir('open-order');
    try {
      const dataDir = join(parent, 'never-made');
      expect(() => SignerStore.open({ dataDir, database: 'mysql://x@h/db' })).toThrow(
        /"database" expected a postgres:\/\/ URL, got "mysql:\/\/x@h\/db"/,
      );
      // Port 1 on localhost: nothing listens, the connection is refused.
      expect(() =>
        SignerStore.open({ dataDir, database: 'postgres://fwsign@127.0.0.1:1/fwsign' }),
      ).toThrow();
      expect(existsSync(dataDir)).toBe(false);
    } finally {
      removeDir(parent);
    }
  });
});
