import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignerStore } from '@fwsign/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_ID, auditDataDir } from '../audit-fixture.js';
import { fwsign, tempDir } from '../helpers.js';

const tmp = tempDir();
afterAll(tmp.cleanup);
let jobIds: string[];

beforeAll(async () => {
  let checkpoint: string;
  let dataDir: string;
  ({ jobIds, checkpoint, dataDir } = await auditDataDir(tmp.dir, 2));
  writeFileSync(join(tmp.dir, 'cp.txt'), checkpoint);
  const store = SignerStore.open({ dataDir });
  try {
    for (const [i, id] of jobIds.entries())
      writeFileSync(
        join(tmp.dir, `job${i}.signed.json`),
        store.buckets.getObject(AUDIT_ID.accountId, 'dst', `signed/${id}`).body,
      );
  } finally {
    store.close();
  }
  // Not an image a job signed (signatures are deterministic: the same image would match).
  writeFileSync(join(tmp.dir, 'fw.bin'), new Uint8Array(512).fill(1));
});

const verifyLogged = (signed: string, ...more: string[]) =>
  fwsign(
    tmp.dir,
    'verify',
    '--cert',
    'c.pem',
    '--in',
    signed,
    '--require-logged',
    '--checkpoint',
    'cp.txt',
    '--log',
    'data',
    ...more,
  );

describe('fwsign verify --require-logged', () => {
  it('accepts a signature a logged job made', async () => {
    const r = await verifyLogged('job1.signed.json');
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toContain(
      `  logged: arn:aws:signer:us-east-1:000000000000:/signing-jobs/${jobIds[1]}, entry 5\n`,
    );
  });

  it('refuses an image signed with the same key outside the service, though its signature is valid', async () => {
    const signed = await fwsign(
      tmp.dir,
      'sign',
      '--platform-id',
      'AmazonFreeRTOS-Default',
      '--key',
      'k.pem',
      '--cert',
      'c.pem',
      '--in',
      'fw.bin',
      '--out',
      'stolen.signed.json',
    );
    expect(signed.code, signed.stderr).toBe(0);
    expect(
      (await fwsign(tmp.dir, 'verify', '--cert', 'c.pem', '--in', 'stolen.signed.json')).code,
    ).toBe(0);
    const r = await verifyLogged('stolen.signed.json');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      "invalid: not provably in the transparency log: no signing job in the log's first 7 entries made this signature (signed outside the service?)",
    );
  });

  it('refuses a revoked signature, and any signature when the log does not match the checkpoint', async () => {
    const revoked = await verifyLogged('job0.signed.json');
    expect(revoked.code).toBe(1);
    expect(revoked.stdout).toContain(`was revoked (entry 6: "test")`);
    writeFileSync(
      join(tmp.dir, 'bad-cp.txt'),
      'fwsign.test/audit\n7\nAAAA\n\n— fwsign.test/audit AAAAAAAA\n',
    );
    const bad = await fwsign(
      tmp.dir,
      'verify',
      '--cert',
      'c.pem',
      '--in',
      'job1.signed.json',
      '--require-logged',
      '--checkpoint',
      'bad-cp.txt',
      '--log',
      'data',
    );
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(
      'invalid: not provably in the transparency log: checkpoint bad-cp.txt:',
    );
  });
});
