import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditDataDir } from '../audit-fixture.js';
import { fwsign, tempDir } from '../helpers.js';

const tmp = tempDir();
afterAll(tmp.cleanup);
let jobIds: string[];
let key: string;
beforeAll(async () => {
  ({ jobIds } = await auditDataDir(tmp.dir, 2));
  key = (await fwsign(tmp.dir, 'audit', 'public-key', '--data-dir', 'data')).stdout.trim();
  writeFileSync(join(tmp.dir, 'log.pub'), `${key}\n`);
});

describe('fwsign audit prove and audit check-proof', () => {
  it("proves a job's outcome entry, and the proof checks offline with the public key alone", async () => {
    const r = await fwsign(tmp.dir, 'audit', 'prove', '--data-dir', 'data', '--job-id', jobIds[1]!);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const bundle = JSON.parse(r.stdout);
    expect(bundle).toMatchObject({ index: 5, treeSize: 7, entry: { seq: 5, kind: 'job.succeed' } });
    expect(bundle.entry.subjects[0]).toMatch(new RegExp(`/signing-jobs/${jobIds[1]}$`));
    writeFileSync(join(tmp.dir, 'proof.json'), r.stdout);
    const ok = await fwsign(
      tmp.dir,
      'audit',
      'check-proof',
      '--proof',
      'proof.json',
      '--public-key',
      'log.pub',
    );
    expect([ok.code, ok.stdout]).toEqual([
      0,
      'proof OK: entry 5 (job.succeed) is in the log of 7 entries signed by fwsign.test/audit\n',
    ]);
    // The key given as text works too.
    expect(
      (await fwsign(tmp.dir, 'audit', 'check-proof', '--proof', 'proof.json', '--public-key', key))
        .code,
    ).toBe(0);
  });

  it('rejects a proof whose entry, path or checkpoint was changed', async () => {
    const r = await fwsign(tmp.dir, 'audit', 'prove', '--data-dir', 'data', '--index', '2');
    const bundle = JSON.parse(r.stdout);
    const cases: Array<[unknown, string]> = [
      [
        { ...bundle, entry: { ...bundle.entry, actor: 'arn:aws:iam::000000000000:user/mallory' } },
        'proof INVALID: inclusion: the proof leads to a different root hash\n',
      ],
      [
        { ...bundle, inclusionPath: bundle.inclusionPath.slice(1) },
        'proof INVALID: inclusion: the proof is shorter than the path to the root\n',
      ],
      [
        { ...bundle, checkpoint: bundle.checkpoint.replace('\n7\n', '\n8\n') },
        'proof INVALID: checkpoint: the signature by fwsign.test/audit does not verify\n',
      ],
    ];
    for (const [b, want] of cases) {
      writeFileSync(join(tmp.dir, 'bad.json'), JSON.stringify(b));
      const c = await fwsign(
        tmp.dir,
        'audit',
        'check-proof',
        '--proof',
        'bad.json',
        '--public-key',
        'log.pub',
      );
      expect([c.code, c.stdout]).toEqual([1, want]);
    }
  });

  it('says when a job has no entry, and needs exactly one of --job-id and --index', async () => {
    const none = await fwsign(
      tmp.dir,
      'audit',
      'prove',
      '--data-dir',
      'data',
      '--job-id',
      'no-such-job',
    );
    expect([none.code, none.stderr]).toEqual([
      1,
      'fwsign audit prove: no entry for job no-such-job in the log\n',
    ]);
    const both = await fwsign(
      tmp.dir,
      'audit',
      'prove',
      '--data-dir',
      'data',
      '--job-id',
      'x',
      '--index',
      '1',
    );
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give one of --job-id or --index');
  });
});
