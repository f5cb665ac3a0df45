import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parseSignedObject } from '@fwsign/signing-engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, disposeChildFixture, prepareChildFixture, type ChildFixture } from './child.js';
import { ALICE, openStore } from './helpers.js';

const KILLS = 30;

let fixture: ChildFixture | undefined;
let dir: string;
let bundle: string;
let sourceVersion: string;
const payload = new Uint8Array(64 * 1024).map((_, i) => (i * 7) & 0xff);

beforeAll(async () => {
  fixture = await prepareChildFixture('crash', payload);
  ({ dir, bundle, sourceVersion } = fixture);
}, 60_000);

afterAll(() => disposeChildFixture(fixture));

/**
 * Starts the child, lets it run for `runMs` after its first acknowledgement (or kills it before it
 * is ready when runMs < 0), SIGKILLs it, returns its acknowledgements. The timer starts at the first
 * acknowledgement, not at READY, so that a loaded machine still kills mid-run rather than before
 * the first commit.
 */
function runAndKill(run: string, runMs: number): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle, 'crash', dir, run, sourceVersion], {
      env: childEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acks = new Map<string, string>();
    let buf = '';
    let stderr = '';
    const kill = () => child.kill('SIGKILL');
    const deadline = setTimeout(kill, 60_000);
    let timed = false;
    if (runMs < 0) setTimeout(kill, -runMs);
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const m = /^ACK (\S+) (\S+) (\S+)$/.exec(line);
        if (m) acks.set(m[1]!, m[2]!);
        if (m && runMs >= 0 && !timed) {
          timed = true;
          setTimeout(kill, runMs);
        }
        // The bundle ships the commit worker: the kills must land in the path users run.
        if (m && m[3] !== 'worker')
          reject(new Error(`job ${m[2]} was committed ${m[3]}, not on the commit worker`));
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(deadline);
      if (signal !== 'SIGKILL')
        reject(new Error(`child ended by itself (code ${code}): ${stderr}`));
      else resolve(acks);
    });
  });
}

describe('crash safety (SIGKILL while jobs are being submitted)', () => {
  it(`keeps every acknowledged job and no object without its job, over ${KILLS} kills`, async () => {
    const acked = new Map<string, string>();
    let midRun = 0;
    for (let k = 0; k < KILLS; k++) {
      // Mostly mid-run at random points; a few kills land during open/recovery.
      const runMs =
        k % 10 === 9 ? -(20 + Math.floor(Math.random() * 150)) : Math.floor(Math.random() * 400);
      if (runMs >= 0) midRun++;
      for (const [t, j] of await runAndKill(`r${k}`, runMs)) acked.set(t, j);
    }
    // Every mid-run kill came after at least one acknowledgement.
    expect(acked.size).toBeGreaterThanOrEqual(midRun);

    const store = openStore(dir);
    try {
      expect(store.sqliteIntegrityCheck()).toBe('ok');
      for (const [token, jobId] of acked) {
        const d = store.describeSigningJob(ALICE, { jobId });
        expect(d.status).toBe('Succeeded');
        const obj = store.buckets.getObject(ALICE.accountId, 'dst-bucket', jobId);
        const parsed = parseSignedObject(obj.body);
        expect(Buffer.from(parsed.payload!).equals(Buffer.from(payload))).toBe(true);
        // Idempotency survives the crash: the token still names the same job.
        const again = await store.startSigningJob(ALICE, {
          source: { s3: { bucketName: 'src-bucket', key: 'fw/app.bin', version: sourceVersion } },
          destination: { s3: { bucketName: 'dst-bucket' } },
          profileName: 'fw_profile',
          clientRequestToken: token,
        });
        expect(again.jobId).toBe(jobId);
      }
      // Every visible object in the destination is the signed object of a recorded job.
      const jobs = new Map<string, string | undefined>();
      let token: string | undefined;
      for (let i = 0; i < 10_000; i++) {
        const page = store.listSigningJobs(ALICE, {
          maxResults: 25,
          ...(token ? { nextToken: token } : {}),
        });
        for (const j of page.jobs) jobs.set(j.jobId, j.signedObject?.s3.key);
        token = page.nextToken;
        if (!token) break;
      }
      let marker: { keyMarker: string; versionIdMarker: string } | undefined;
      let objects = 0;
      for (let i = 0; i < 10_000; i++) {
        const page = store.buckets.listObjectVersions(ALICE.accountId, 'dst-bucket', {
          maxKeys: 1000,
          ...(marker ?? {}),
        });
        for (const v of page.versions) {
          objects++;
          expect(jobs.get(v.key)).toBe(v.key);
        }
        if (!page.isTruncated) break;
        marker = { keyMarker: page.nextKeyMarker!, versionIdMarker: page.nextVersionIdMarker! };
      }
      expect(objects).toBe([...jobs.values()].filter((k) => k !== undefined).length);
      // Recovery on open left no pending files, and every file on disk is referenced by a row (and vice versa).
      expect(readdirSync(join(dir, 'objects', 'pending'))).toEqual([]);
      const files = readdirSync(join(dir, 'objects'))
        .filter((d) => d !== 'pending')
        .flatMap((d) => readdirSync(join(dir, 'objects', d)));
      const db = new Database(join(dir, 'signer.db'), { readonly: true });
      const referenced = (
        db.prepare('SELECT DISTINCT file FROM objects').all() as Array<{ file: string }>
      ).map((r) => r.file);
      db.close();
      expect([...files].sort()).toEqual([...referenced].sort());
    } finally {
      store.close();
    }
  }, 120_000);
});
