import { randomBytes } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignerStore } from '../src/index.js';
import { ALICE, expectStoreError, openStore, removeDir, tempDir } from './helpers.js';
import { md5, pieces } from './stream-pieces.js';

let dir: string;
let store: SignerStore;
const A = ALICE.accountId;

beforeAll(() => {
  dir = tempDir('stream');
  store = openStore(dir);
  store.buckets.createBucket(A, 'plain');
  store.buckets.createBucket(A, 'versioned');
  store.buckets.putBucketVersioning(A, 'versioned', 'Enabled');
});
afterAll(() => {
  store.close();
  removeDir(dir);
});

/** Every segment file of the data dir, pending or published. */
function segmentFiles(): string[] {
  const root = join(dir, 'objects');
  return readdirSync(root).flatMap((d) => readdirSync(join(root, d)).map((f) => join(root, d, f)));
}

describe('putObjectStream', () => {
  it('writes the bytes as they come to a 0600 file and reads them back, with the MD5 ETag', async () => {
    const bytes = randomBytes(5 * 1024 * 1024 + 123);
    const before = segmentFiles().length;
    const put = await store.buckets.putObjectStream(A, 'plain', 'big.bin', pieces(bytes), {
      maxBytes: bytes.length,
      contentMd5: md5(bytes),
    });
    expect(put).toEqual({ versionId: 'null', etag: `"${md5(bytes).toString('hex')}"` });
    const got = store.buckets.getObject(A, 'plain', 'big.bin');
    expect(Buffer.from(got.body).equals(bytes)).toBe(true);
    expect(got.etag).toBe(put.etag);
    const files = segmentFiles();
    expect(files.length).toBe(before + 1);
    expect(readdirSync(join(dir, 'objects', 'pending'))).toEqual([]);
    for (const f of files) expect(statSync(f).mode & 0o777).toBe(0o600);
  });

  it('keeps nothing when the body fails, is too large or does not match its Content-MD5', async () => {
    const bytes = randomBytes(3 * 1024 * 1024);
    const before = segmentFiles();
    await expect(
      store.buckets.putObjectStream(
        A,
        'plain',
        'cut.bin',
        pieces(bytes, 64 * 1024, (at) => {
          if (at >= 2_000_000) throw new Error('the client went away');
        }),
      ),
    ).rejects.toThrow('the client went away');
    await expectStoreError(
      () =>
        store.buckets.putObjectStream(A, 'plain', 'cut.bin', pieces(bytes), {
          maxBytes: 1_000_000,
        }),
      'EntityTooLarge',
      /exceeds the maximum allowed object size of 1000000 bytes/,
    );
    await expectStoreError(
      () =>
        store.buckets.putObjectStream(A, 'plain', 'cut.bin', pieces(bytes), {
          contentMd5: md5(Buffer.from('something else')),
        }),
      'BadDigest',
      /did not match what we received/,
    );
    expect(() => store.buckets.getObject(A, 'plain', 'cut.bin')).toThrow(/does not exist/);
    expect(segmentFiles()).toEqual(before);
  });

  it('answers NoSuchBucket and a bad key before taking a byte', async () => {
    let pulled = false;
    async function* watched(): AsyncGenerator<Uint8Array> {
      pulled = true;
      yield new Uint8Array(1);
    }
    await expectStoreError(
      () => store.buckets.putObjectStream(A, 'no-such-bucket', 'k', watched()),
      'NoSuchBucket',
      /no-such-bucket/,
    );
    await expectStoreError(
      () => store.buckets.putObjectStream(A, 'plain', 'k'.repeat(2000), watched()),
      'KeyTooLongError',
      /1-1024 bytes/,
    );
    expect(pulled).toBe(false);
  });

  it('versions concurrent puts of one key: each its own version in a versioned bucket, the last one kept otherwise', async () => {
    const bodies = Array.from({ length: 6 }, (_, i) => randomBytes(300_000 + i));
    const versioned = await Promise.all(
      bodies.map((b) => store.buckets.putObjectStream(A, 'versioned', 'same', pieces(b, 50_000))),
    );
    expect(new Set(versioned.map((v) => v.versionId)).size).toBe(bodies.length);
    for (const [i, v] of versioned.entries())
      expect(
        Buffer.from(store.buckets.getObject(A, 'versioned', 'same', v.versionId).body).equals(
          bodies[i]!,
        ),
      ).toBe(true);

    const before = segmentFiles().length;
    await Promise.all(
      bodies.map((b) => store.buckets.putObjectStream(A, 'plain', 'same', pieces(b, 50_000))),
    );
    const { versions } = store.buckets.listObjectVersions(A, 'plain', { prefix: 'same' });
    expect(versions.map((v) => v.versionId)).toEqual(['null']);
    const latest = store.buckets.getObject(A, 'plain', 'same');
    expect(bodies.some((b) => Buffer.from(latest.body).equals(b))).toBe(true);
    // The replaced null versions' files are gone: one file holds the key.
    expect(segmentFiles().length).toBe(before + 1);
  });

  it('leaves a live upload to the sweep at open, which deletes it only once it is stale', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    async function* stalled(): AsyncGenerator<Uint8Array> {
      yield randomBytes(2 * 1024 * 1024);
      await gate;
      throw new Error('the client went away');
    }
    const put = store.buckets.putObjectStream(A, 'plain', 'stalled', stalled());
    const pending = join(dir, 'objects', 'pending');
    while (readdirSync(pending).length === 0) await new Promise((r) => setTimeout(r, 10));
    const [file] = readdirSync(pending);
    expect(file).toMatch(new RegExp(`^${process.pid}-`));
    expect(store.buckets.sweepPending()).toEqual({ published: 0, deleted: 0 });
    // A crashed process's upload, or one past the grace period, has no row: deleted.
    expect(store.buckets.sweepPending(Date.now() + 3600_000)).toEqual({
      published: 0,
      deleted: 1,
    });
    release();
    await expect(put).rejects.toThrow('the client went away');
    expect(readdirSync(pending)).toEqual([]);
  });
});
