import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  checkInclusionBundle,
  parseVerifierKey,
  readEntryLines,
  verifyConsistency,
  verifyLog,
  decodeEntry,
  openCheckpoint,
} from '@fwsign/audit-log';
import { parseSignedObject } from '@fwsign/signing-engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignerStore } from '../src/index.js';
import {
  ALICE,
  BOB,
  EC_P256,
  expectStoreError,
  openStore,
  opensslPair,
  removeDir,
  setupAlice,
  tempDir,
  TEST_MASTER_KEY,
  type KeyPair,
} from './helpers.js';

let dir: string;
let keys: string;
let pair: KeyPair;

beforeAll(() => {
  dir = tempDir('audit');
  keys = tempDir('audit-keys');
  pair = opensslPair(keys, 'ec', EC_P256);
});
afterAll(() => {
  removeDir(dir);
  removeDir(keys);
});

const kinds = (s: SignerStore) => {
  const out: string[] = [];
  for (let i = 0; i < s.audit.size; i++) out.push(s.audit.entry(i)!.kind);
  return out;
};

describe('the transparency log in the store', () => {
  it('records every change with its caller, digests and signature, and nothing secret', async () => {
    const store = openStore(dir);
    const setup = setupAlice(store, pair);
    const firmware = new Uint8Array(2048).map((_, i) => i & 0xff);
    const v = store.buckets.putObject(ALICE.accountId, 'src-bucket', 'fw.bin', firmware).versionId;
    const job = (token: string, dest = 'dst-bucket') =>
      store.startSigningJob(ALICE, {
        source: { s3: { bucketName: 'src-bucket', key: 'fw.bin', version: v } },
        destination: { s3: { bucketName: dest, prefix: 'signed/' } },
        profileName: 'fw_profile',
        clientRequestToken: token,
      });
    const ok = await job('t1');
    await job('t1'); // the same token: no second job, no second entry
    const failed = await job('t2', 'no-such-bucket');
    store.addProfilePermission(ALICE, {
      profileName: 'fw_profile',
      action: 'signer:StartSigningJob',
      principal: BOB.accountId,
      statementId: 'bob',
    });
    const { revisionId } = store.listProfilePermissions(ALICE, { profileName: 'fw_profile' });
    store.removeProfilePermission(ALICE, {
      profileName: 'fw_profile',
      statementId: 'bob',
      revisionId: revisionId!,
    });
    store.tagResource(ALICE, { resourceArn: setup.profileArn, tags: { team: 'fw' } });
    store.untagResource(ALICE, { resourceArn: setup.profileArn, tagKeys: ['team'] });
    store.revokeSignature(ALICE, { jobId: ok.jobId, reason: 'key leaked' });
    // A refused change leaves no entry.
    await expectStoreError(
      () =>
        store.putSigningProfile(ALICE, {
          profileName: 'fw_profile',
          platformId: 'AmazonFreeRTOS-Default',
          signingMaterial: { certificateArn: setup.certificateArn },
        }),
      'ValidationException',
    );
    store.revokeSigningProfile(ALICE, {
      profileName: 'fw_profile',
      profileVersion: setup.profileVersion,
      reason: 'retired',
      effectiveTime: new Date(Date.now() - 1000),
    });
    store.cancelSigningProfile(ALICE, { profileName: 'fw_profile' });
    expect(kinds(store)).toEqual([
      'certificate.import',
      'profile.put',
      'job.start',
      'job.succeed',
      'job.start',
      'job.fail',
      'permission.add',
      'permission.remove',
      'tags.add',
      'tags.remove',
      'signature.revoke',
      'profile.revoke',
      'profile.cancel',
    ]);

    const [start, done] = store.audit.entriesOfJob(ok.jobId).slice(0, 2);
    expect(start!.actor).toBe(ALICE.principalArn);
    expect(start!.subjects[0]).toBe(
      `arn:aws:signer:us-east-1:${ALICE.accountId}:/signing-jobs/${ok.jobId}`,
    );
    const signed = store.buckets.getObject(ALICE.accountId, 'dst-bucket', `signed/${ok.jobId}`);
    const parsed = parseSignedObject(signed.body);
    // The certificate's fingerprint as OpenSSL computes it, independent of our parser.
    const fp = execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256'], {
      input: pair.certPem,
    })
      .toString()
      .split('=')[1]!
      .trim()
      .replaceAll(':', '')
      .toLowerCase();
    expect(done!.details).toEqual({
      payloadSha256: createHash('sha256').update(firmware).digest('hex'),
      signature: Buffer.from(parsed.signature).toString('base64'),
      certificateSha256: fp,
      destination: `s3://dst-bucket/signed/${ok.jobId}?versionId=${signed.versionId}`,
    });
    expect(store.audit.entriesOfJob(failed.jobId)[1]!.details.statusReason).toBe(
      'Destination bucket no-such-bucket does not exist',
    );
    expect(store.audit.entriesOfJob(ok.jobId)[2]).toMatchObject({
      kind: 'signature.revoke',
      details: { reason: 'key leaked' },
    });

    const cp = store.audit.checkpoint();
    expect(cp.size).toBe(13);
    store.close();

    // The files hold what the table holds, and no secret: neither the private key nor the master key.
    const audit = join(dir, 'audit');
    const all = readdirSync(join(audit, 'entries'))
      .map((f) => readFileSync(join(audit, 'entries', f), 'utf8'))
      .join('');
    const keyBody = pair.keyPem.split('\n').slice(1, -2).join('');
    expect(all).not.toContain(keyBody.slice(0, 40));
    expect(all).not.toContain(Buffer.from(TEST_MASTER_KEY).toString('hex'));
    expect(all).not.toContain(Buffer.from(TEST_MASTER_KEY).toString('base64'));
    expect(readEntryLines(audit).lines.map((l) => decodeEntry(l.bytes).kind)).toHaveLength(13);
    const verifier = parseVerifierKey(readFileSync(join(audit, 'log.pub'), 'utf8'));
    expect(verifyLog(audit, { verifier })).toMatchObject({
      ok: true,
      size: 13,
      checkpointsVerified: 1,
      problems: [],
    });
  });

  it('proves an entry against the latest checkpoint, and that the log only grew', async () => {
    const store = openStore(dir);
    try {
      const first = store.audit.latestCheckpoint()!;
      store.importCertificate(ALICE, { certificate: pair.certPem, privateKey: pair.keyPem });
      const second = store.audit.checkpoint();
      expect(second.size).toBe(first.size + 1);
      const verifier = parseVerifierKey(store.audit.publicKey());
      const bundle = store.audit.prove(3)!;
      expect(checkInclusionBundle(bundle, verifier)).toMatchObject({ ok: true, treeSize: 14 });
      expect(
        checkInclusionBundle(
          { ...bundle, entry: { ...bundle.entry, actor: 'someone else' } },
          verifier,
        ),
      ).toEqual({
        ok: false,
        reason: 'inclusion: the proof leads to a different root hash',
      });
      const a = openCheckpoint(first.note, verifier);
      const b = openCheckpoint(second.note, verifier);
      if (!a.ok || !b.ok) throw new Error('checkpoints do not open');
      const proof = store.audit
        .consistency(first.size, second.size)
        .map((h) => Buffer.from(h, 'hex'));
      expect(
        verifyConsistency(first.size, second.size, proof, a.checkpoint.root, b.checkpoint.root),
      ).toEqual({ ok: true });
      // The schedule's call makes none when nothing changed.
      expect(store.audit.checkpointIfGrown()).toBeUndefined();
    } finally {
      store.close();
    }
  });

  it('keeps its key across a master-key rotation, which is itself an entry', () => {
    const before = (() => {
      const s = openStore(dir);
      try {
        return s.audit.publicKey();
      } finally {
        s.close();
      }
    })();
    const out = join(keys, 'rotated.key');
    SignerStore.rotateMasterKey({ dataDir: dir, masterKey: TEST_MASTER_KEY, out });
    const next = Buffer.from(readFileSync(out, 'utf8').trim(), 'hex');
    const s = SignerStore.open({ dataDir: dir, masterKey: next });
    try {
      expect(s.audit.publicKey()).toBe(before);
      expect(s.audit.entry(s.audit.size - 1)).toMatchObject({
        kind: 'master-key.rotate',
        actor: 'fwsign:operator',
      });
      s.audit.checkpoint();
      expect(verifyLog(join(dir, 'audit'), { verifier: parseVerifierKey(before) }).ok).toBe(true);
    } finally {
      s.close();
    }
  });

  it('records nothing when the operator turned the log off', async () => {
    const off = tempDir('audit-off');
    const s = openStore(off, { audit: false });
    try {
      setupAlice(s, pair);
      expect(s.audit.size).toBe(0);
    } finally {
      s.close();
      removeDir(off);
    }
  });

  it('writes a checkpoint file whole again when a crash left it short, and the log verifies', () => {
    const d = tempDir('audit-short');
    try {
      const s = openStore(d);
      setupAlice(s, pair);
      const cp = s.audit.checkpoint();
      const file = join(
        d,
        'audit',
        'checkpoints',
        readdirSync(join(d, 'audit', 'checkpoints'))[0]!,
      );
      // What a kill -9 between the file's creation and its write leaves.
      writeFileSync(file, cp.note.slice(0, 10));
      expect(s.audit.checkpoint().note).toBe(cp.note);
      expect(readFileSync(file, 'utf8')).toBe(cp.note);
      s.close();
      const audit = join(d, 'audit');
      const report = verifyLog(audit, {
        verifier: parseVerifierKey(readFileSync(join(audit, 'log.pub'), 'utf8')),
      });
      expect(report.problems).toEqual([]);
      expect(report.checkpointsVerified).toBe(1);
    } finally {
      removeDir(d);
    }
  });
});
