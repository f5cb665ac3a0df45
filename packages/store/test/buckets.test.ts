import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignerStore } from '../src/index.js';
import { etagOf } from '../src/etag.js';
import { insertObjectVersion, newVersionId } from '../src/object-rows.js';
import { ALICE, BOB, enc, expectStoreError, openStore, removeDir, tempDir } from './helpers.js';

let dir: string;
let store: SignerStore;
const A = ALICE.accountId;

beforeAll(() => {
  dir = tempDir('buckets');
  store = openStore(dir);
});
afterAll(() => {
  store.close();
  removeDir(dir);
});

describe('versioned buckets', () => {
  it('creates buckets per account with S3 naming rules', async () => {
    store.buckets.createBucket(A, 'fw-images');
    await expectStoreError(
      () => store.buckets.createBucket(A, 'fw-images'),
      'BucketAlreadyOwnedByYou',
      /bucket "fw-images" already exists in account 111111111111/,
    );
    store.buckets.createBucket(BOB.accountId, 'fw-images');
    await expectStoreError(
      () => store.buckets.createBucket(A, 'Bad_Name'),
      'InvalidBucketName',
      /got "Bad_Name"/,
    );
    expect(store.buckets.listBuckets(A).map((b) => b.name)).toEqual(['fw-images']);
    expect(store.buckets.getBucketVersioning(A, 'fw-images')).toEqual({});
    await expectStoreError(
      () => store.buckets.getBucketVersioning(A, 'nope-bucket'),
      'NoSuchBucket',
      /bucket "nope-bucket" does not exist/,
    );
  });

  it('keeps every version once versioning is Enabled; null version before and when Suspended', () => {
    const b = store.buckets;
    expect(b.putObject(A, 'fw-images', 'app.bin', enc('v0')).versionId).toBe('null');
    expect(b.putObject(A, 'fw-images', 'app.bin', enc('v0b')).versionId).toBe('null');
    b.putBucketVersioning(A, 'fw-images', 'Enabled');
    const v1 = b.putObject(A, 'fw-images', 'app.bin', enc('v1'));
    const v2 = b.putObject(A, 'fw-images', 'app.bin', enc('v2'));
    expect(v1.versionId).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(v1.etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(new TextDecoder().decode(b.getObject(A, 'fw-images', 'app.bin').body)).toBe('v2');
    expect(
      new TextDecoder().decode(b.getObject(A, 'fw-images', 'app.bin', v1.versionId).body),
    ).toBe('v1');
    expect(new TextDecoder().decode(b.getObject(A, 'fw-images', 'app.bin', 'null').body)).toBe(
      'v0b',
    );
    const versions = b.listObjectVersions(A, 'fw-images').versions;
    expect(versions.map((v) => [v.versionId, v.isLatest, v.size])).toEqual([
      [v2.versionId, true, 2],
      [v1.versionId, false, 2],
      ['null', false, 3],
    ]);
    b.putBucketVersioning(A, 'fw-images', 'Suspended');
    expect(b.putObject(A, 'fw-images', 'app.bin', enc('v3')).versionId).toBe('null');
    expect(b.listObjectVersions(A, 'fw-images').versions).toHaveLength(3);
    expect(new TextDecoder().decode(b.getObject(A, 'fw-images', 'app.bin').body)).toBe('v3');
  });

  it('makes version ids a command line takes as values: never starting with -, 32 URL-safe characters, distinct', () => {
    // `aws s3api get-object --version-id -…` fails: argparse reads the id as an option.
    const ids = Array.from({ length: 4096 }, newVersionId);
    expect(ids.filter((id) => !/^[A-Za-f][A-Za-z0-9_-]{31}$/.test(id))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('has the MD5 ETag S3 gives a single-part upload', () => {
    store.buckets.createBucket(A, 'etags');
    // md5("hello") from `printf hello | md5sum`.
    expect(store.buckets.putObject(A, 'etags', 'h', enc('hello')).etag).toBe(
      '"5d41402abc4b2a76b9719d911017c592"',
    );
  });

  it('paginates version listings with key and version markers, and filters by prefix', async () => {
    const b = store.buckets;
    b.createBucket(A, 'many');
    b.putBucketVersioning(A, 'many', 'Enabled');
    for (const k of ['a/1', 'a/2', 'b/1'])
      for (let i = 0; i < 3; i++) b.putObject(A, 'many', k, enc(`${k}#${i}`));
    const seen: string[] = [];
    let marker: { keyMarker?: string; versionIdMarker?: string } = {};
    for (let n = 0; n < 20; n++) {
      const page = b.listObjectVersions(A, 'many', { maxKeys: 2, ...marker });
      seen.push(
        ...page.versions.map((v) =>
          new TextDecoder().decode(b.getObject(A, 'many', v.key, v.versionId).body),
        ),
      );
      if (!page.isTruncated) break;
      marker = { keyMarker: page.nextKeyMarker!, versionIdMarker: page.nextVersionIdMarker! };
    }
    expect(seen).toEqual([
      'a/1#2',
      'a/1#1',
      'a/1#0',
      'a/2#2',
      'a/2#1',
      'a/2#0',
      'b/1#2',
      'b/1#1',
      'b/1#0',
    ]);
    expect(b.listObjectVersions(A, 'many', { prefix: 'b/' }).versions).toHaveLength(3);
    // Prefixes compare characters, also beyond the BMP.
    b.putObject(A, 'many', '🔥/x', enc('fire'));
    b.putObject(A, 'many', '🔥y', enc('fire2'));
    expect(b.listObjectVersions(A, 'many', { prefix: '🔥/' }).versions.map((v) => v.key)).toEqual([
      '🔥/x',
    ]);
    await expectStoreError(
      () => b.getObject(A, 'many', 'a/1', 'nope'),
      'NoSuchVersion',
      /version "nope" of key "a\/1" does not exist in bucket "many"/,
    );
    await expectStoreError(
      () => b.getObject(A, 'many', 'zzz'),
      'NoSuchKey',
      /key "zzz" does not exist/,
    );
    await expectStoreError(
      () => b.listObjectVersions(A, 'many', { maxKeys: 0 }),
      'InvalidArgument',
      /maxKeys/,
    );
  });

  it('recovers after a crash: an uncommitted pending file is deleted, a committed one is moved into place', () => {
    const b = store.buckets;
    b.createBucket(A, 'crashy');
    const pending = join(dir, 'objects', 'pending');
    // A writer that died before its commit: pid 999999999 is no process.
    writeFileSync(join(pending, '999999999-00000000000000000000000000000000'), 'half an object');
    // A writer that committed but died before the rename.
    const seg = b.bytes.stage([enc('committed')], [etagOf(enc('committed'))]);
    const versionId = db(b).transaction(
      () => insertObjectVersion(db(b), seg.parts[0]!, A, 'crashy', 'k').versionId,
    )();
    // Readers already see it, from pending/.
    expect(new TextDecoder().decode(b.getObject(A, 'crashy', 'k', versionId).body)).toBe(
      'committed',
    );
    // Our own pid is alive, so the sweep leaves young files alone ...
    expect(b.sweepPending()).toEqual({ published: 0, deleted: 1 });
    expect(readdirSync(pending)).toEqual([seg.file]);
    const file = seg.file!;
    // ... and past the grace period treats them as a crashed writer's.
    expect(b.sweepPending(Date.now() + 3600_000)).toEqual({ published: 1, deleted: 0 });
    expect(readdirSync(pending)).toEqual([]);
    expect(existsSync(join(dir, 'objects', file.slice(-2), file))).toBe(true);
    expect(new TextDecoder().decode(b.getObject(A, 'crashy', 'k', versionId).body)).toBe(
      'committed',
    );
  });
});

/** The bucket store's database handle, to commit a row without publishing its file. */
function db(b: SignerStore['buckets']): import('better-sqlite3').Database {
  return (b as unknown as { db: import('better-sqlite3').Database }).db;
}
