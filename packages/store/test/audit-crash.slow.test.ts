import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parseVerifierKey, verifyLog } from '@fwsign/audit-log';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, disposeChildFixture, prepareChildFixture, type ChildFixture } from './child.js';
import { openStore } from './helpers.js';

const KILLS = 10;
let fixture: ChildFixture | undefined;

beforeAll(async () => {
  fixture = await prepareChildFixture('audit-crash', new Uint8Array(4096).fill(3));
}, 60_000);
afterAll(() => disposeChildFixture(fixture));

/** Runs the child until `runMs` after its first acknowledgement, SIGKILLs it, returns what it acknowledged. */
function runAndKill(run: string, runMs: number): Promise<{ jobs: string[]; revoked: string[] }> {
  const { bundle, dir, sourceVersion } = fixture!;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle, 'audit-crash', dir, run, sourceVersion], {
      env: childEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const jobs: string[] = [];
    const revoked: string[] = [];
    let buf = '';
    let stderr = '';
    let timed = false;
    const deadline = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const ack = /^ACK \S+ (\S+) \S+$/.exec(line);
        const rev = /^REVOKED (\S+)$/.exec(line);
        if (ack) jobs.push(ack[1]!);
        if (rev) revoked.push(rev[1]!);
        if (ack && !timed) {
          timed = true;
          setTimeout(() => child.kill('SIGKILL'), runMs);
        }
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(deadline);
      if (signal !== 'SIGKILL')
        reject(new Error(`child ended by itself (code ${code}): ${stderr}`));
      else resolve({ jobs, revoked });
    });
  });
}

describe('the transparency log across kill -9', () => {
  it(`has an entry for every acknowledged job and revocation, none without its change, and verifies, over ${KILLS} kills`, async () => {
    const jobs = new Set<string>();
    const revoked = new Set<string>();
    for (let k = 0; k < KILLS; k++) {
      const r = await runAndKill(`a${k}`, Math.floor(Math.random() * 300));
      r.jobs.forEach((j) => jobs.add(j));
      r.revoked.forEach((j) => revoked.add(j));
    }
    expect(jobs.size).toBeGreaterThanOrEqual(KILLS);

    const { dir } = fixture!;
    const store = openStore(dir);
    try {
      for (const j of jobs)
        expect([
          j,
          store.audit
            .entriesOfJob(j)
            .map((e) => e.kind)
            .slice(0, 2),
        ]).toEqual([j, ['job.start', 'job.succeed']]);
      for (const j of revoked)
        expect(store.audit.entriesOfJob(j).map((e) => e.kind)).toContain('signature.revoke');
      store.audit.checkpoint();
    } finally {
      store.close();
    }
    // No entry without its change, and no change without its entry: the table and the rows agree one to one.
    const db = new Database(join(dir, 'signer.db'), { readonly: true });
    const q = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    try {
      expect(
        q(
          'SELECT count(*) AS n FROM audit_entries WHERE CAST(entry AS TEXT) LIKE \'%"kind":"job.succeed"%\'',
        ),
      ).toBe(q("SELECT count(*) AS n FROM jobs WHERE status = 'Succeeded'"));
      expect(
        q(
          'SELECT count(*) AS n FROM audit_entries WHERE CAST(entry AS TEXT) LIKE \'%"kind":"signature.revoke"%\'',
        ),
      ).toBe(q('SELECT count(*) AS n FROM jobs WHERE revoked_at IS NOT NULL'));
      expect(
        q(
          'SELECT count(*) AS n FROM audit_entries a WHERE job_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.job_id = a.job_id)',
        ),
      ).toBe(0);
    } finally {
      db.close();
    }
    // The files (cut mid-write by some kills, repaired at open) recompute to every checkpoint made.
    const audit = join(dir, 'audit');
    const report = verifyLog(audit, {
      verifier: parseVerifierKey(readFileSync(join(audit, 'log.pub'), 'utf8')),
    });
    expect(report.problems).toEqual([]);
    expect(report.checkpointsVerified).toBeGreaterThanOrEqual(1);
  }, 180_000);
});
