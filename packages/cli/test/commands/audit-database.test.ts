/**
 * `fwsign audit …` on a PostgreSQL store (--database): the table is the log, read and checked by
 * the same verbs as the files; two processes making the log's key together agree on one.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  postgresBinDir,
  postgresSkipReason,
  startPostgres,
  type PostgresServer,
} from '@fwsign/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignerStore } from '@fwsign/store';
import { AUDIT_ID, auditDataDir } from '../audit-fixture.js';
import { fwsign, fwsignWithEnv, tempDir } from '../helpers.js';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const skip = postgresSkipReason();
if (skip) console.warn(skip);

describe.skipIf(skip !== undefined)('fwsign audit --database', { timeout: 120_000 }, () => {
  const tmp = tempDir();
  let pg: PostgresServer;
  let url: string;
  let jobIds: string[];
  let kept: string;

  beforeAll(async () => {
    pg = await startPostgres();
    url = pg.createDatabase('audit_cli');
    let checkpoint: string;
    let dataDir: string;
    ({ jobIds, checkpoint, dataDir } = await auditDataDir(tmp.dir, 2, url));
    kept = join(tmp.dir, 'kept.txt');
    writeFileSync(kept, checkpoint);
    const store = SignerStore.open({ dataDir, database: url });
    try {
      writeFileSync(
        join(tmp.dir, 'job1.signed.json'),
        store.buckets.getObject(AUDIT_ID.accountId, 'dst', `signed/${jobIds[1]}`).body,
      );
    } finally {
      store.close();
    }
  }, 120_000);
  afterAll(async () => {
    await pg?.stop();
    tmp.cleanup();
  });

  /** PostgreSQL's own client, to change the table behind fwsign's back. */
  const psql = (sql: string): void => {
    const r = spawnSync(join(postgresBinDir()!, 'psql'), [url, '-Atc', sql], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  };

  it('checkpoints, proves, lists and verifies the table, with no files in the data dir', async () => {
    // 2 jobs: certificate, profile, 2 × (start, succeed), a revocation.
    const size = 7;
    const cp = await fwsign(
      tmp.dir,
      'audit',
      'checkpoint',
      '--database',
      url,
      '--data-dir',
      'data',
    );
    expect([cp.code, cp.stderr]).toEqual([0, '']);
    expect(cp.stdout).toBe(readFileSync(kept, 'utf8'));
    expect(existsSync(join(tmp.dir, 'data', 'audit'))).toBe(false);

    const v = await fwsign(
      tmp.dir,
      'audit',
      'verify',
      '--database',
      url,
      '--checkpoint',
      'kept.txt',
    );
    expect([v.code, v.stderr]).toEqual([0, '']);
    expect(v.stdout).toMatch(
      new RegExp(`^log OK: ${size} entries, root [0-9a-f]{64}, 2 checkpoint\\(s\\) verified\\n$`),
    );

    // The master key from the environment alone, as servers on the database are given it.
    const key = readFileSync(join(tmp.dir, 'data', 'master.key'), 'utf8').trim();
    const pub = await fwsignWithEnv(tmp.dir, { FWSIGN_MASTER_KEY: key }, 'audit', 'public-key', '--database', url); // prettier-ignore
    expect([pub.code, pub.stderr]).toEqual([0, '']);
    expect(pub.stdout).toMatch(/^fwsign\.test\/audit\+[0-9a-f]{8}\+\S+\n$/);
    const proof = await fwsign(tmp.dir, 'audit', 'prove', '--database', url, '--data-dir', 'data', '--job-id', jobIds[1]!); // prettier-ignore
    expect(proof.code).toBe(0);
    writeFileSync(join(tmp.dir, 'proof.json'), proof.stdout);
    const checked = await fwsign(tmp.dir, 'audit', 'check-proof', '--proof', 'proof.json', '--public-key', pub.stdout.trim()); // prettier-ignore
    expect([checked.code, checked.stdout]).toEqual([
      0,
      `proof OK: entry 5 (job.succeed) is in the log of ${size} entries signed by fwsign.test/audit\n`,
    ]);
    // At release: the signature is a logged job's, proven from the table.
    const logged = await fwsign(tmp.dir, 'verify', '--cert', 'c.pem', '--in', 'job1.signed.json', '--require-logged', '--checkpoint', 'kept.txt', '--log', url); // prettier-ignore
    expect([logged.code, logged.stderr]).toEqual([0, '']);
    expect(logged.stdout).toContain(
      `  logged: arn:aws:signer:us-east-1:000000000000:/signing-jobs/${jobIds[1]}, entry 5\n`,
    );
    const log = await fwsignWithEnv(tmp.dir, { FWSIGN_DATABASE: url }, 'audit', 'log', '--job-id', jobIds[0]!); // prettier-ignore
    expect(
      log.stdout
        .trimEnd()
        .split('\n')
        .map((l) => l.split('\t')[2]),
    ).toEqual(['job.start', 'job.succeed', 'signature.revoke']);
  });

  it('fails an edited row, then a rolled-back table against the checkpoint kept, naming the entry', async () => {
    // The job's outcome rewritten to look like a failure: entry 3.
    psql(
      `UPDATE audit_entries SET entry = convert_to(replace(convert_from(entry, 'UTF8'), '"job.succeed"', '"job.fail"'), 'UTF8') WHERE seq = 3`,
    );
    const edited = await fwsign(tmp.dir, 'audit', 'verify', '--database', url, '--output', 'json');
    expect(edited.code).toBe(1);
    expect(JSON.parse(edited.stdout)).toMatchObject({ ok: false, firstBadEntry: 3 });

    psql('DELETE FROM audit_entries WHERE seq >= 3; DELETE FROM audit_checkpoints');
    const rolled = await fwsign(tmp.dir, 'audit', 'verify', '--database', url, '--checkpoint', 'kept.txt'); // prettier-ignore
    expect(rolled.code).toBe(1);
    expect(rolled.stdout).toContain('log INVALID: first bad entry 3\n');
    expect(rolled.stdout).toContain('the checkpoint covers 7 entries but the log holds 3');
  });

  it('refuses a database without a log, and gives two processes making the log key together one key', async () => {
    const fresh = pg.createDatabase('audit_race');
    const none = await fwsign(tmp.dir, 'audit', 'verify', '--database', fresh);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(
      `postgres://fwsign@127.0.0.1:${pg.port}/audit_race holds no transparency log (no audit_entries table): not an fwsign store`,
    );
    const env = { ...process.env, FWSIGN_MASTER_KEY: '07'.repeat(32) };
    const run = () =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'audit', 'public-key', '--database', fresh], { env, stdio: ['ignore', 'pipe', 'pipe'] }); // prettier-ignore
        let out = '';
        let err = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        child.on('error', reject);
        child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(err))));
      });
    const [one, two] = await Promise.all([run(), run()]);
    expect(one).toMatch(/^fwsign\/us-east-1\/[0-9a-f]{8}\+[0-9a-f]{8}\+\S+\n$/);
    expect(two).toBe(one);
  });
});
