import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkInclusionBundle,
  openCheckpoint,
  parseVerifierKey,
  verifyConsistency,
  type InclusionBundle,
} from '@fwsign/audit-log';
import { SignerStore, storeContract } from '@fwsign/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignerServer } from '../src/index.js';
import { ME, logOneJob } from './audit-fixture.js';
import { DEV, signedFetch } from './helpers.js';

const BOB = { accountId: '222222222222', principalArn: 'arn:aws:iam::222222222222:root' };
const BOB_KEY = { accessKeyId: 'bob', secretAccessKey: 'bob-secret' };
const CAROL_KEY = { accessKeyId: 'carol', secretAccessKey: 'carol-secret' };
let dir: string;
let store: SignerStore;
let server: SignerServer;
let url: string;
let jobId: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fwsign-api-audit-'));
  store = SignerStore.open({ dataDir: dir, auditOrigin: 'fwsign.test/api' });
  jobId = await logOneJob(store, dir);
  writeFileSync(
    join(dir, 'credentials.json'),
    JSON.stringify({
      credentials: [
        { accessKeyId: 'test', secretAccessKey: 'test', accountId: ME.accountId },
        { ...BOB_KEY, accountId: BOB.accountId },
        { ...CAROL_KEY, accountId: '333333333333' },
      ],
    }),
    { mode: 0o600 },
  );
  server = new SignerServer({
    dataDir: dir,
    store: storeContract(store),
    port: 0,
    accessLog: false,
  });
  ({ url } = await server.listen());
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = (path: string, query: Record<string, string> = {}, creds = DEV) =>
  signedFetch(url, { method: 'GET', path, service: 'signer', query, creds });

describe('the transparency log over HTTP', () => {
  it('serves the checkpoint, an inclusion proof for a job, and a consistency proof, all checkable offline', async () => {
    const cp = (await (await get('/_fwsign/audit/checkpoint')).json()) as {
      checkpoint: string;
      treeSize: number;
      publicKey: string;
    };
    expect(cp.treeSize).toBe(4);
    const key = parseVerifierKey(cp.publicKey);
    const first = openCheckpoint(cp.checkpoint, key, 'fwsign.test/api');
    expect(first.ok).toBe(true);

    const res = await get('/_fwsign/audit/proof', { jobId });
    expect(res.status).toBe(200);
    const bundle = (await res.json()) as InclusionBundle;
    expect(bundle.entry.kind).toBe('job.succeed');
    expect(checkInclusionBundle(bundle, key)).toMatchObject({ ok: true, treeSize: 4 });

    store.revokeSignature(ME, { jobId, reason: 'test' });
    store.audit.checkpoint();
    const later = (await (await get('/_fwsign/audit/checkpoint')).json()) as {
      checkpoint: string;
      treeSize: number;
    };
    expect(later.treeSize).toBe(5);
    const c = (await (await get('/_fwsign/audit/consistency', { from: '4', to: '5' })).json()) as {
      consistencyPath: string[];
    };
    const second = openCheckpoint(later.checkpoint, key);
    if (!first.ok || !second.ok) throw new Error('checkpoints do not open');
    expect(
      verifyConsistency(
        4,
        5,
        c.consistencyPath.map((h) => Buffer.from(h, 'hex')),
        first.checkpoint.root,
        second.checkpoint.root,
      ),
    ).toEqual({ ok: true });
  });

  it('answers mistakes AWS-shaped with the right status, and refuses an unsigned request', async () => {
    const cases: Array<[string, Record<string, string>, number, string, string]> = [
      [
        '/_fwsign/audit/proof',
        { jobId: 'nope' },
        404,
        'ResourceNotFoundException',
        'jobId: no log entry for job nope',
      ],
      [
        '/_fwsign/audit/proof',
        {},
        400,
        'ValidationException',
        'expected one of the query parameters jobId and index',
      ],
      [
        '/_fwsign/audit/proof',
        { index: '99' },
        404,
        'ResourceNotFoundException',
        'index: the log holds 5 entries, none at 99',
      ],
      [
        '/_fwsign/audit/consistency',
        { from: '3', to: '9' },
        400,
        'ValidationException',
        "expected from <= to <= 5 (the log's size), got from=3 to=9",
      ],
      [
        '/_fwsign/audit/consistency',
        { from: '-1', to: '2' },
        400,
        'ValidationException',
        'from: expected a non-negative integer, got "-1"',
      ],
      [
        '/_fwsign/audit/nothing',
        {},
        404,
        'UnknownOperationException',
        'No audit operation is GET /_fwsign/audit/nothing',
      ],
    ];
    for (const [path, query, status, code, message] of cases) {
      const r = await get(path, query);
      const body = (await r.json()) as { message: string };
      expect([path, r.status, r.headers.get('x-amzn-errortype'), body.message]).toEqual([
        path,
        status,
        code,
        message,
      ]);
    }
    const anon = await fetch(`${url}/_fwsign/audit/checkpoint`);
    expect(anon.status).toBe(403);
  });
});

describe('per account, as CloudTrail', () => {
  type Listed = {
    entries: Array<{ index: number; entry: { kind: string; actor: string } }>;
    nextIndex?: number;
  };
  const list = async (creds: typeof DEV, query: Record<string, string> = {}) =>
    (await (await get('/_fwsign/audit/entries', query, creds)).json()) as Listed;

  it("an account reads its own entries and its profiles' cross-account jobs; proofs check against the one global tree", async () => {
    store.addProfilePermission(ME, {
      profileName: 'fw',
      action: 'signer:StartSigningJob',
      principal: BOB.accountId,
      statementId: 'bob-signs',
    });
    for (const b of ['bob-src', 'bob-dst']) {
      store.buckets.createBucket(BOB.accountId, b);
      store.buckets.putBucketVersioning(BOB.accountId, b, 'Enabled');
    }
    const v = store.buckets.putObject(
      BOB.accountId,
      'bob-src',
      'fw.bin',
      new Uint8Array(64),
    ).versionId;
    const { jobId: bobJob } = await store.startSigningJob(BOB, {
      source: { s3: { bucketName: 'bob-src', key: 'fw.bin', version: v } },
      destination: { s3: { bucketName: 'bob-dst' } },
      profileName: 'fw',
      profileOwner: ME.accountId,
      clientRequestToken: 'bob',
    });
    const size = store.audit.size;

    // The owner sees every entry here (all concern its profile), page by page.
    const first = await list(DEV, { maxResults: '3' });
    expect(first.entries.map((e) => e.index)).toEqual([0, 1, 2]);
    expect(first.nextIndex).toBe(3);
    const rest = await list(DEV, { from: '3' });
    expect(rest.nextIndex).toBeUndefined();
    expect([...first.entries, ...rest.entries].map((e) => e.index)).toEqual([
      ...Array(size).keys(),
    ]);
    // Bob, the invoker, sees his job's entries only; Carol sees none.
    const bob = await list(BOB_KEY);
    expect(bob.entries.map((e) => [e.entry.kind, e.entry.actor])).toEqual([
      ['job.start', BOB.principalArn],
      ['job.succeed', BOB.principalArn],
    ]);
    expect((await list(CAROL_KEY)).entries).toEqual([]);

    // Bob's inclusion proof checks against the checkpoint Carol (a witness) fetched: one tree.
    const witness = (await (await get('/_fwsign/audit/checkpoint', {}, CAROL_KEY)).json()) as {
      checkpoint: string;
      publicKey: string;
    };
    const key = parseVerifierKey(witness.publicKey);
    const proof = await get('/_fwsign/audit/proof', { jobId: bobJob }, BOB_KEY);
    expect(proof.status).toBe(200);
    const bundle = (await proof.json()) as InclusionBundle;
    expect(bundle.checkpoint).toBe(
      (
        (await (await get('/_fwsign/audit/checkpoint', {}, CAROL_KEY)).json()) as {
          checkpoint: string;
        }
      ).checkpoint,
    );
    expect(checkInclusionBundle(bundle, key)).toMatchObject({ ok: true, treeSize: size });
    const c = await get('/_fwsign/audit/consistency', { from: '4', to: String(size) }, CAROL_KEY);
    expect(c.status).toBe(200);

    // Another account's entries: an unknown job for its id, AccessDenied for its index.
    const mine = await get('/_fwsign/audit/proof', { jobId }, BOB_KEY);
    expect([mine.status, ((await mine.json()) as { message: string }).message]).toEqual([
      404,
      `jobId: no log entry for job ${jobId}`,
    ]);
    const byIndex = await get('/_fwsign/audit/proof', { index: '0' }, BOB_KEY);
    expect([byIndex.status, byIndex.headers.get('x-amzn-errortype')]).toEqual([
      403,
      'AccessDeniedException',
    ]);
    expect(((await byIndex.json()) as { message: string }).message).toBe(
      'index: entry 0 does not concern account 222222222222; an account reads the entries of its own calls and of its own resources',
    );
    const bad = await get('/_fwsign/audit/entries', { maxResults: '0' }, BOB_KEY);
    expect([bad.status, ((await bad.json()) as { message: string }).message]).toEqual([
      400,
      'maxResults: expected 1 to 100, got 0',
    ]);
  });
});

describe('checkpoints on a schedule', () => {
  it('signs a checkpoint of the grown log every checkpointIntervalMs', async () => {
    const d = mkdtempSync(join(tmpdir(), 'fwsign-api-audit-schedule-'));
    const s = SignerStore.open({ dataDir: d, auditOrigin: 'fwsign.test/schedule' });
    const srv = new SignerServer({
      dataDir: d,
      store: storeContract(s),
      port: 0,
      accessLog: false,
      checkpointIntervalMs: 50,
    });
    try {
      expect(s.audit.latestCheckpoint()).toBeUndefined();
      s.putSigningProfile(ME, { profileName: 'oci', platformId: 'Notation-OCI-SHA384-ECDSA' });
      const grown = s.audit.size;
      // No timing assumption beyond "within 20 s": the machine may be busy.
      for (
        let waited = 0;
        (s.audit.latestCheckpoint()?.size ?? 0) < grown && waited < 20_000;
        waited += 50
      )
        await new Promise((r) => setTimeout(r, 50));
      const cp = s.audit.latestCheckpoint();
      expect(cp?.size).toBe(grown);
      expect(
        openCheckpoint(cp!.note, parseVerifierKey(s.audit.publicKey()), 'fwsign.test/schedule').ok,
      ).toBe(true);
    } finally {
      await srv.close();
      rmSync(d, { recursive: true, force: true });
    }
  });
});

describe('IAM writes in the log', () => {
  it('an IAM call through the API is an entry of its caller, shown to its account only', async () => {
    const res = await signedFetch(url, {
      method: 'POST',
      path: '/',
      service: 'iam',
      creds: CAROL_KEY,
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: 'Action=CreateUser&Version=2010-05-08&UserName=carol-ci&Path=%2Fci%2F',
    });
    expect(res.status).toBe(200);
    const listed = async (creds: typeof DEV) =>
      (
        (await (await get('/_fwsign/audit/entries', {}, creds)).json()) as {
          entries: Array<{ entry: { kind: string; actor: string; subjects: string[] } }>;
        }
      ).entries.filter((e) => e.entry.kind.startsWith('iam.'));
    expect((await listed(CAROL_KEY)).map((e) => e.entry)).toEqual([
      expect.objectContaining({
        kind: 'iam.user.create',
        actor: 'arn:aws:iam::333333333333:root',
        subjects: ['arn:aws:iam::333333333333:user/ci/carol-ci'],
      }),
    ]);
    expect(await listed(BOB_KEY)).toEqual([]);
  });
});
