import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { SignerStore } from '@fwsign/store';
import {
  postgresBinDir,
  postgresSkipReason,
  startPostgres,
  type PostgresServer,
} from '@fwsign/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devKeys, fwsign, tempDir } from '../helpers.js';
import { readFileSync } from 'node:fs';

const skip = postgresSkipReason();
if (skip) console.warn(`fwsign store copy: ${skip}`);

describe.skipIf(skip !== undefined)('fwsign store copy', () => {
  const tmp = tempDir();
  let pg: PostgresServer;
  beforeAll(async () => {
    pg = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    await pg?.stop();
    tmp.cleanup();
  });

  /** PostgreSQL's own client reads the copy, independently of fwsign's driver. */
  const psql = (db: string, sql: string): string => {
    const r = spawnSync(
      join(postgresBinDir()!, 'psql'),
      ['-h', '127.0.0.1', '-p', String(pg.port), '-U', 'fwsign', '-d', db, '-Atc', sql],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.trim();
  };

  it('copies tables, sealed keys and object bytes into an empty database, and refuses a second copy', async () => {
    expect((await devKeys(tmp.dir)).code).toBe(0);
    const id = { accountId: '000000000000', principalArn: 'arn:aws:iam::000000000000:root' };
    const store = SignerStore.open({ dataDir: join(tmp.dir, 'data') });
    let signed: Uint8Array;
    let jobId: string;
    try {
      const { certificateArn } = store.importCertificate(id, {
        certificate: readFileSync(join(tmp.dir, 'c.pem')),
        privateKey: readFileSync(join(tmp.dir, 'k.pem')),
      });
      store.putSigningProfile(id, {
        profileName: 'copied',
        platformId: 'AmazonFreeRTOS-Default',
        signingMaterial: { certificateArn },
      });
      store.buckets.createBucket(id.accountId, 'fw-bucket');
      store.buckets.putBucketVersioning(id.accountId, 'fw-bucket', 'Enabled');
      // Over one 1 MiB chunk, so the bytes span rows.
      const source = new Uint8Array(1536 * 1024).map((_, i) => i % 251);
      const { versionId } = store.buckets.putObject(id.accountId, 'fw-bucket', 'app.bin', source);
      ({ jobId } = await store.startSigningJob(id, {
        source: { s3: { bucketName: 'fw-bucket', key: 'app.bin', version: versionId } },
        destination: { s3: { bucketName: 'fw-bucket', prefix: 'signed/' } },
        profileName: 'copied',
        clientRequestToken: 'copy-1',
      }));
      signed = store.buckets.getObject(id.accountId, 'fw-bucket', `signed/${jobId}`).body;
    } finally {
      store.close();
    }
    const url = pg.createDatabase('copy_target');

    const r = await fwsign(tmp.dir, 'store', 'copy', '--from', 'data', '--to', url);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(
      /^copied \d+ rows in \d+ tables and 2 object versions \(\d+ bytes\) at schema version \d+; checked\n$/,
    );
    expect(psql('copy_target', `SELECT status FROM jobs WHERE job_id = '${jobId}'`)).toBe(
      'Succeeded',
    );
    expect(psql('copy_target', "SELECT count(*) FROM meta WHERE key = 'master_key_check'")).toBe(
      '1',
    );
    expect(
      psql(
        'copy_target',
        `SELECT encode(sha256(string_agg(c.bytes, ''::bytea ORDER BY c.n)), 'hex') FROM object_chunks c JOIN objects o ON o.seq = c.object_seq WHERE o.key = 'signed/${jobId}'`,
      ),
    ).toBe(createHash('sha256').update(signed).digest('hex'));
    expect(
      psql(
        'copy_target',
        "SELECT count(*) FROM object_chunks c JOIN objects o ON o.seq = c.object_seq WHERE o.key = 'app.bin'",
      ),
    ).toBe('2');

    const again = await fwsign(tmp.dir, 'store', 'copy', '--from', 'data', '--to', url);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(
      /already holds \d+ row\(s\) in \w+; copy only into an empty database/,
    );

    const bad = await fwsign(tmp.dir, 'store', 'copy', '--from', 'data', '--to', 'mysql://x');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      '--to: expected a postgres:// or postgresql:// URL, got "mysql://x"',
    );
    const secret = await fwsign(tmp.dir, 'store', 'copy', '--from', 'data', '--to', 'mysql://u:hunter2@h/db'); // prettier-ignore
    expect(secret.stderr).toContain('got "mysql://u:***@h/db"');
  }, 120_000);
});
