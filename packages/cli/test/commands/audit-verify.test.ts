import { cpSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignerStore } from '@fwsign/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_ID, auditDataDir } from '../audit-fixture.js';
import { fwsign, fwsignWithEnv, tempDir } from '../helpers.js';

const tmp = tempDir();
afterAll(tmp.cleanup);
let dataDir: string;
let entriesFile: string;
let lines: string[];
let copies = 0;

beforeAll(async () => {
  ({ dataDir } = await auditDataDir(tmp.dir));
  const dir = join(dataDir, 'audit', 'entries');
  entriesFile = readdirSync(dir)[0]!;
  lines = readFileSync(join(dir, entriesFile), 'utf8').split('\n').slice(0, -1);
});

/** A copy of the audit folder alone (what an operator ships), with its entries file replaced. */
function copyWith(entries: string[] | Buffer): string {
  const copy = join(tmp.dir, `copy-${copies++}`);
  cpSync(join(dataDir, 'audit'), copy, { recursive: true });
  writeFileSync(
    join(copy, 'entries', entriesFile),
    Buffer.isBuffer(entries) ? entries : entries.map((l) => `${l}\n`).join(''),
  );
  return copy;
}

const verify = (dir: string, ...more: string[]) =>
  fwsign(tmp.dir, 'audit', 'verify', '--data-dir', dir, ...more);

describe('fwsign audit verify', () => {
  it('passes the untouched log, from the data dir or a copy of its audit folder', async () => {
    const r = await verify('data');
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(
      new RegExp(
        `^log OK: ${lines.length} entries, root [0-9a-f]{64}, 1 checkpoint\\(s\\) verified\\n$`,
      ),
    );
    const j = await verify(copyWith(lines), '--output', 'json');
    expect(JSON.parse(j.stdout)).toMatchObject({
      ok: true,
      size: lines.length,
      checkpointsVerified: 1,
      problems: [],
    });
  });

  it('fails a byte flipped anywhere in any entry, naming that entry', async () => {
    const file = Buffer.from(lines.map((l) => `${l}\n`).join(''));
    let start = 0;
    for (let k = 0; k < lines.length; k++) {
      const len = Buffer.byteLength(lines[k]!);
      // Three places in each line: its first byte, its middle and its last.
      for (const at of [0, len >> 1, len - 1]) {
        const bad = Buffer.from(file);
        bad[start + at]! ^= 0x01;
        const r = await verify(copyWith(bad), '--output', 'json');
        const report = JSON.parse(r.stdout) as { ok: boolean; firstBadEntry: number };
        expect([k, at, r.code, report.ok, report.firstBadEntry]).toEqual([k, at, 1, false, k]);
      }
      start += len + 1;
    }
  });

  it('fails a dropped last entry and two reordered entries, naming the position', async () => {
    const dropped = await verify(copyWith(lines.slice(0, -1)));
    expect(dropped.code).toBe(1);
    expect(dropped.stdout).toContain(`log INVALID: first bad entry ${lines.length - 1}\n`);
    expect(dropped.stdout).toContain(
      `the checkpoint covers ${lines.length} entries but the log holds ${lines.length - 1}`,
    );

    const swapped = [...lines];
    [swapped[2], swapped[4]] = [swapped[4]!, swapped[2]!];
    const r = await verify(copyWith(swapped));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('log INVALID: first bad entry 2\n');
    expect(r.stdout).toContain(
      'entry 2 (0000000000.jsonl) holds seq 4: entries were reordered, dropped or inserted',
    );
  });

  it('fails an older copy of the log against a checkpoint taken later, and a checkpoint by another key', async () => {
    const older = copyWith(lines);
    const store = SignerStore.open({ dataDir });
    let later: string;
    try {
      store.revokeSignature(AUDIT_ID, {
        jobId: JSON.parse(lines[5]!).subjects[0].split('/').pop(), // job 1; job 0 is revoked already
        reason: 'later',
      });
      later = store.audit.checkpoint().note;
    } finally {
      store.close();
    }
    writeFileSync(join(tmp.dir, 'later.txt'), later);
    expect((await verify('data', '--checkpoint', 'later.txt')).code).toBe(0);
    const r = await verify(older, '--checkpoint', 'later.txt');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`log INVALID: first bad entry ${lines.length}\n`);
    expect(r.stdout).toContain('truncated or rolled back');

    const forged = later.replace(
      /\n— (\S+) .*\n$/,
      '\n— $1 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n',
    );
    writeFileSync(join(tmp.dir, 'forged.txt'), forged);
    const f = await verify('data', '--checkpoint', 'forged.txt');
    expect(f.code).toBe(1);
    expect(f.stdout).toMatch(/forged\.txt: no signature by fwsign\.test\/audit\+[0-9a-f]{8}/);
  });

  it('refuses a folder without a log (exit 2)', async () => {
    rmSync(join(tmp.dir, 'empty'), { recursive: true, force: true });
    const r = await verify('empty');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('holds no transparency log');
  });

  it('reads one log: files or a database, not both, nor a database that is not a postgres:// URL (exit 2)', async () => {
    const url = 'postgres://fwsign@127.0.0.1:1/fwsign';
    const both = await fwsign(tmp.dir, 'audit', 'log', '--data-dir', 'data', '--database', url);
    expect([both.code, both.stderr]).toEqual([2, expect.stringContaining('give --data-dir (the log in files) or --database (the log in PostgreSQL), not both\n')]); // prettier-ignore
    // The environment names the servers' database: an explicit data dir beside it is as ambiguous.
    const env = await fwsignWithEnv(tmp.dir, { FWSIGN_DATABASE: url }, 'audit', 'verify', '--data-dir', 'data'); // prettier-ignore
    expect([env.code, env.stderr]).toEqual([2, expect.stringContaining('not both (FWSIGN_DATABASE is set)')]); // prettier-ignore
    const file = await fwsign(tmp.dir, 'audit', 'verify', '--database', 'data');
    expect([file.code, file.stderr]).toEqual([2, expect.stringContaining('--database: expected a postgres:// or postgresql:// URL, got "data"')]); // prettier-ignore
  });
});
