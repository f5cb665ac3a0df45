/**
 * The transparency log on the PostgreSQL store: the table is the log (no files), every server's
 * checkpoints are the one log's, and the table verifies with the same code as the files; an
 * edited, deleted or reordered row fails naming the entry.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  checkInclusionBundle,
  decodeEntry,
  encodeEntry,
  parseVerifierKey,
  verifyLog,
  type LogReport,
  type NoteVerifier,
} from '@fwsign/audit-log';
import { postgresSkipReason, startPostgres, type PostgresServer } from '@fwsign/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAuditDatabase, readAuditTable, SignerStore } from '../src/index.js';
import { connect, type Db } from '../src/db.js';
import {
  ALICE,
  EC_P256,
  openStore,
  opensslPair,
  removeDir,
  setupAlice,
  tempDir,
} from './helpers.js';

const skip = postgresSkipReason();
if (skip) console.warn(skip);

describe.skipIf(skip !== undefined)('the transparency log on PostgreSQL', () => {
  let pg: PostgresServer;
  let url: string;
  let dirA: string;
  let dirB: string;
  let a: SignerStore;
  let b: SignerStore;
  let firstNote: string;
  let verifier: NoteVerifier;

  beforeAll(async () => {
    pg = await startPostgres();
    url = pg.createDatabase('audit_pg');
    dirA = tempDir('audit-pg-a');
    dirB = tempDir('audit-pg-b');
    // Two servers on one database, each with its own folder.
    a = openStore(dirA, { database: url });
    b = openStore(dirB, { database: url });
  });
  afterAll(async () => {
    a?.close();
    b?.close();
    await pg?.stop();
    removeDir(dirA);
    removeDir(dirB);
  });

  it('keeps one log in the tables, shared by the servers: one key, one tree, no files', async () => {
    const setup = setupAlice(a, opensslPair(dirA, 'ec', EC_P256));
    const v = a.buckets.putObject(
      ALICE.accountId,
      'src-bucket',
      'fw.bin',
      new Uint8Array(300),
    ).versionId;
    const { jobId } = await a.startSigningJob(ALICE, {
      source: { s3: { bucketName: 'src-bucket', key: 'fw.bin', version: v } },
      destination: { s3: { bucketName: 'dst-bucket' } },
      profileName: 'fw_profile',
      clientRequestToken: 'one',
    });
    const first = a.audit.checkpoint();
    firstNote = first.note;
    expect(b.audit.publicKey()).toBe(a.audit.publicKey());
    verifier = parseVerifierKey(a.audit.publicKey());

    // B's changes and checkpoints extend A's log; the schedule's call on A then has nothing to do.
    b.tagResource(ALICE, { resourceArn: setup.profileArn, tags: { team: 'fw' } });
    b.revokeSignature(ALICE, { jobId, reason: 'test' });
    const second = b.audit.checkpointIfGrown()!;
    expect(second.size).toBe(first.size + 2);
    expect(a.audit.checkpointIfGrown()).toBeUndefined();
    expect(a.audit.latestCheckpoint()).toEqual(second);
    const proof = a.audit.prove(a.audit.entriesOfJob(jobId)[1]!.seq)!;
    expect(proof.entry.kind).toBe('job.succeed');
    expect(checkInclusionBundle(proof, verifier)).toMatchObject({
      ok: true,
      treeSize: second.size,
    });

    // No server keeps files of its own: the table is the log.
    expect(existsSync(join(dirA, 'audit'))).toBe(false);
    expect(existsSync(join(dirB, 'audit'))).toBe(false);

    // Read without the store or its master key, the table verifies, and extends the first checkpoint.
    const read = readAuditDatabase(url);
    expect(read.publicKey).toBe(a.audit.publicKey());
    expect(read.log.lines.map((l) => decodeEntry(l.bytes).kind)).toEqual([
      'certificate.import',
      'profile.put',
      'job.start',
      'job.succeed',
      'tags.add',
      'signature.revoke',
    ]);
    expect(verifyLog(read.log, { verifier, trusted: [{ name: 'kept', note: firstNote }] })).toEqual(
      {
        ok: true,
        size: second.size,
        root: expect.stringMatching(/^[0-9a-f]{64}$/),
        checkpointsVerified: 3,
        problems: [],
      },
    );
  });

  describe('a tampered table fails, naming the first bad entry', () => {
    let db: Db;
    beforeAll(() => {
      db = connect(url);
    });
    afterAll(() => db?.close());

    const ROLLBACK = new Error('rollback');
    /** The verdict on the table as `change` leaves it, in a transaction rolled back after. */
    function verifyChanged(change: () => void): LogReport {
      let report: LogReport | undefined;
      try {
        db.transaction(() => {
          change();
          report = verifyLog(readAuditTable(db), {
            verifier,
            trusted: [{ name: 'kept', note: firstNote }],
          });
          throw ROLLBACK;
        }).immediate();
      } catch (err) {
        if (err !== ROLLBACK) throw err;
      }
      return report!;
    }
    const entryAt = (seq: number) =>
      (db.prepare('SELECT entry FROM audit_entries WHERE seq = ?').get(seq) as { entry: Buffer })
        .entry;
    const setEntry = (seq: number, bytes: Uint8Array) =>
      db.prepare('UPDATE audit_entries SET entry = ? WHERE seq = ?').run(Buffer.from(bytes), seq);

    it('an edited row', () => {
      const e = decodeEntry(entryAt(2));
      const r = verifyChanged(() => setEntry(2, encodeEntry({ ...e, actor: 'someone else' })));
      expect([r.ok, r.firstBadEntry]).toEqual([false, 2]);
      expect(r.problems.map((p) => p.reason)).toContain(
        'entry 3 does not link to entry 2: entry 2 was changed',
      );
    });

    it('a deleted row, in the middle or the last', () => {
      const middle = verifyChanged(() =>
        db.prepare('DELETE FROM audit_entries WHERE seq = 3').run(),
      );
      expect([middle.ok, middle.firstBadEntry]).toEqual([false, 3]);
      expect(middle.problems[0]!.reason).toBe(
        'entry 3 (audit_entries row seq=4) holds seq 4: entries were reordered, dropped or inserted',
      );
      const last = verifyChanged(() => db.prepare('DELETE FROM audit_entries WHERE seq = 5').run());
      expect([last.ok, last.firstBadEntry]).toEqual([false, 5]);
      expect(last.problems[0]!.reason).toMatch(
        /the checkpoint covers 6 entries but the log holds 5: entries 5..5 are missing/,
      );
    });

    it('two rows swapped', () => {
      const [two, four] = [entryAt(2), entryAt(4)];
      const r = verifyChanged(() => {
        setEntry(2, four);
        setEntry(4, two);
      });
      expect([r.ok, r.firstBadEntry]).toEqual([false, 2]);
      expect(r.problems[0]!.reason).toBe(
        'entry 2 (audit_entries row seq=2) holds seq 4: entries were reordered, dropped or inserted',
      );
    });

    it('and the untouched table still verifies', () => {
      expect(verifyChanged(() => {}).problems).toEqual([]);
    });
  });
});
