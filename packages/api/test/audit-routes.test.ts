import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkInclusionBundle,
  openCheckpoint,
  parseVerifierKey,
  verifyConsistency,
  type InclusionBundle,
} from '@fwsign/audit-log';
import { SignerStore, sqliteContract } from '@fwsign/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignerServer } from '../src/index.js';
import { makeCertificate, signedFetch } from './helpers.js';

const ME = { accountId: '000000000000', principalArn: 'arn:aws:iam::000000000000:root' };
let dir: string;
let store: SignerStore;
let server: SignerServer;
let url: string;
let jobId: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fwsign-api-audit-'));
  store = SignerStore.open({ dataDir: dir, auditOrigin: 'fwsign.test/api' });
  const cert = makeCertificate(dir, 'ec');
  const { certificateArn } = store.importCertificate(ME, {
    certificate: cert.certificate,
    privateKey: cert.privateKey,
  });
  store.putSigningProfile(ME, {
    profileName: 'fw',
    platformId: 'AmazonFreeRTOS-Default',
    signingMaterial: { certificateArn },
  });
  for (const b of ['src', 'dst']) {
    store.buckets.createBucket(ME.accountId, b);
    store.buckets.putBucketVersioning(ME.accountId, b, 'Enabled');
  }
  const v = store.buckets.putObject(ME.accountId, 'src', 'fw.bin', new Uint8Array(256)).versionId;
  ({ jobId } = await store.startSigningJob(ME, {
    source: { s3: { bucketName: 'src', key: 'fw.bin', version: v } },
    destination: { s3: { bucketName: 'dst' } },
    profileName: 'fw',
    clientRequestToken: 'one',
  }));
  server = new SignerServer({
    dataDir: dir,
    store: sqliteContract(store),
    port: 0,
    accessLog: false,
  });
  ({ url } = await server.listen());
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = (path: string, query: Record<string, string> = {}) =>
  signedFetch(url, { method: 'GET', path, service: 'signer', query });

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
