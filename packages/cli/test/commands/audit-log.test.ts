import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_ID, auditDataDir } from '../audit-fixture.js';
import { fwsign, tempDir } from '../helpers.js';

const tmp = tempDir();
afterAll(tmp.cleanup);
let jobIds: string[];
beforeAll(async () => {
  ({ jobIds } = await auditDataDir(tmp.dir, 2));
});

const log = (...more: string[]) => fwsign(tmp.dir, 'audit', 'log', '--data-dir', 'data', ...more);

describe('fwsign audit log', () => {
  it('lists every entry, oldest first, one line each', async () => {
    const r = await log();
    expect([r.code, r.stderr]).toEqual([0, '']);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    expect(rows.map((c) => c[2])).toEqual([
      'certificate.import',
      'profile.put',
      'job.start',
      'job.succeed',
      'job.start',
      'job.succeed',
      'signature.revoke',
    ]);
    expect(rows.map((c) => c[0])).toEqual(['0', '1', '2', '3', '4', '5', '6']);
    expect(rows.every((c) => c[3] === AUDIT_ID.principalArn)).toBe(true);
  });

  it('filters by job, profile, caller, kind and time', async () => {
    const job = JSON.parse(
      (await log('--job-id', jobIds[0]!, '--output', 'json')).stdout,
    ) as Array<{ kind: string }>;
    expect(job.map((e) => e.kind)).toEqual(['job.start', 'job.succeed', 'signature.revoke']);
    expect((await log('--profile', 'fw')).stdout.trim().split('\n')).toHaveLength(5);
    expect((await log('--profile', 'f')).stdout).toBe('');
    expect((await log('--caller', 'arn:aws:iam::000000000000:user/nobody')).stdout).toBe('');
    expect((await log('--kind', 'job.succeed')).stdout.trim().split('\n')).toHaveLength(2);
    expect(
      (await log('--since', '2000-01-01T00:00:00Z', '--until', '2999-01-01T00:00:00Z')).stdout
        .trim()
        .split('\n'),
    ).toHaveLength(7);
    expect((await log('--until', '2000-01-01T00:00:00Z')).stdout).toBe('');
  });

  it('refuses a time that is not ISO 8601 (exit 2)', async () => {
    const r = await log('--since', 'yesterday');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--since expected an ISO 8601 time, got "yesterday"');
  });
});
