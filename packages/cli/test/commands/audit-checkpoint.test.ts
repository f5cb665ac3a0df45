import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openCheckpoint, parseVerifierKey } from '@fwsign/audit-log';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditDataDir } from '../audit-fixture.js';
import { fwsign, tempDir } from '../helpers.js';

const tmp = tempDir();
afterAll(tmp.cleanup);
beforeAll(async () => {
  await auditDataDir(tmp.dir, 1);
});

describe('fwsign audit checkpoint and audit public-key', () => {
  it('prints a C2SP checkpoint signed by the key public-key prints, and stores it', async () => {
    const key = await fwsign(tmp.dir, 'audit', 'public-key', '--data-dir', 'data');
    expect([key.code, key.stderr]).toEqual([0, '']);
    expect(key.stdout).toMatch(/^fwsign\.test\/audit\+[0-9a-f]{8}\+A[A-Za-z0-9+/]{43}\n$/);
    expect(readFileSync(join(tmp.dir, 'data', 'audit', 'log.pub'), 'utf8')).toBe(key.stdout);

    const cp = await fwsign(tmp.dir, 'audit', 'checkpoint', '--data-dir', 'data');
    expect([cp.code, cp.stderr]).toEqual([0, '']);
    const [origin, size] = cp.stdout.split('\n');
    expect([origin, size]).toEqual(['fwsign.test/audit', '5']);
    const opened = openCheckpoint(
      cp.stdout,
      parseVerifierKey(key.stdout.trim()),
      'fwsign.test/audit',
    );
    expect(opened.ok).toBe(true);
    expect(
      readFileSync(join(tmp.dir, 'data', 'audit', 'checkpoints', '0000000005.txt'), 'utf8'),
    ).toBe(cp.stdout);
    // Nothing changed: the same checkpoint again.
    expect((await fwsign(tmp.dir, 'audit', 'checkpoint', '--data-dir', 'data')).stdout).toBe(
      cp.stdout,
    );
  });

  it('needs --data-dir or --database, and with --database alone FWSIGN_MASTER_KEY (exit 2)', async () => {
    const r = await fwsign(tmp.dir, 'audit', 'checkpoint');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--data-dir or --database is required (or set FWSIGN_DATABASE)');
    const k = await fwsign(tmp.dir, 'audit', 'checkpoint', '--database', 'postgres://h/db');
    expect(k.code).toBe(2);
    expect(k.stderr).toContain(
      "--database: the log's key is sealed under the servers' master key: set FWSIGN_MASTER_KEY, or give --data-dir DIR holding its master.key",
    );
  });
});
