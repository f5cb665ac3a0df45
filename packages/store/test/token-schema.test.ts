/**
 * Schema v3 (keys in a PKCS#11 token): a data dir written before it upgrades in place — its
 * sealed keys are kept byte for byte and still sign — and a certificate row holds a sealed key or
 * a token URI, never both and never neither.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ALICE,
  EC_P256,
  enc,
  openStore,
  opensslPair,
  removeDir,
  setupAlice,
  tempDir,
} from './helpers.js';

const dir = tempDir('token-schema');
afterAll(() => removeDir(dir));

/** The certificates table as schema v2 made it (key_ciphertext NOT NULL, no pkcs11_uri). */
function downgradeToV2(dbPath: string): void {
  const db = new Database(dbPath);
  db.exec(`
    BEGIN;
    CREATE TABLE certificates_v2 (
      arn TEXT PRIMARY KEY, account TEXT NOT NULL, certificate_der BLOB NOT NULL, chain_pem TEXT,
      key_ciphertext BLOB NOT NULL, key_type TEXT NOT NULL, key_bits INTEGER NOT NULL,
      subject TEXT NOT NULL, issuer TEXT NOT NULL, serial TEXT NOT NULL, sha256 TEXT NOT NULL,
      not_before INTEGER NOT NULL, not_after INTEGER NOT NULL, created_at INTEGER NOT NULL,
      imported_at INTEGER NOT NULL, tags TEXT NOT NULL DEFAULT '{}'
    ) STRICT;
    INSERT INTO certificates_v2 SELECT arn, account, certificate_der, chain_pem, key_ciphertext, key_type, key_bits, subject, issuer, serial, sha256, not_before, not_after, created_at, imported_at, tags FROM certificates;
    DROP TABLE certificates;
    ALTER TABLE certificates_v2 RENAME TO certificates;
    CREATE INDEX certificates_account ON certificates (account, arn);
    DROP TABLE audit_entries;
    DROP TABLE audit_checkpoints;
    DROP TABLE iam_access_keys; DROP TABLE iam_group_members; DROP TABLE iam_attachments;
    DROP TABLE iam_policy_versions; DROP TABLE iam_inline_policies; DROP TABLE iam_sessions;
    DROP TABLE iam_users; DROP TABLE iam_groups; DROP TABLE iam_roles; DROP TABLE iam_policies;
    DROP TABLE iam_generation;
    DELETE FROM schema_migrations WHERE version >= 3;
    COMMIT;
  `);
  db.close();
}

describe('schema v3: keys in a PKCS#11 token', () => {
  it('upgrades a v2 data dir in place: sealed keys kept byte for byte, and they still sign', async () => {
    const data = join(dir, 'upgrade');
    let store = openStore(data);
    const setup = setupAlice(store, opensslPair(dir, 'old', EC_P256));
    store.close();
    const dbPath = join(data, 'signer.db');
    downgradeToV2(dbPath);
    const before = new Database(dbPath, { readonly: true });
    const sealed = (before.prepare('SELECT key_ciphertext FROM certificates').get() as { key_ciphertext: Buffer }).key_ciphertext; // prettier-ignore
    before.close();

    store = openStore(data);
    try {
      expect(store.schemaVersion).toBe(6); // v3, the transparency log's v4, IAM's v5 and v6 applied over v2
      const version = store.buckets.putObject(ALICE.accountId, 'src-bucket', 'fw.bin', enc('firmware')).versionId; // prettier-ignore
      const { jobId } = await store.startSigningJob(ALICE, {
        source: { s3: { bucketName: 'src-bucket', key: 'fw.bin', version } },
        destination: { s3: { bucketName: 'dst-bucket', prefix: 'signed/' } },
        profileName: 'fw_profile',
        clientRequestToken: 'after-upgrade',
      });
      expect(store.describeSigningJob(ALICE, { jobId }).status).toBe('Succeeded');
    } finally {
      store.close();
    }
    const after = new Database(dbPath, { readonly: true });
    try {
      const row = after
        .prepare('SELECT key_ciphertext, pkcs11_uri FROM certificates WHERE arn = ?')
        .get(setup.certificateArn) as { key_ciphertext: Buffer; pkcs11_uri: string | null };
      expect(row.key_ciphertext.equals(sealed)).toBe(true);
      expect(row.pkcs11_uri).toBeNull();
    } finally {
      after.close();
    }
  });

  it('a row holds a sealed key or a token URI: both or neither is refused by the schema', () => {
    const data = join(dir, 'check');
    openStore(data).close();
    const db = new Database(join(data, 'signer.db'));
    try {
      const insert = db.prepare(
        `INSERT INTO certificates (arn, account, certificate_der, key_ciphertext, pkcs11_uri, key_type, key_bits, subject, issuer, serial, sha256, not_before, not_after, created_at, imported_at)
         VALUES (?, '111111111111', x'00', ?, ?, 'ec-p256', 256, 's', 'i', '1', 'h', 0, 1, 0, 0)`,
      );
      expect(() => insert.run('a', null, null)).toThrow(/CHECK constraint failed/);
      expect(() => insert.run('b', Buffer.from([1]), 'pkcs11:token=t;object=k')).toThrow(
        /CHECK constraint failed/,
      );
      expect(() => insert.run('c', null, 'pkcs11:token=t;object=k')).not.toThrow();
    } finally {
      db.close();
    }
  });
});
