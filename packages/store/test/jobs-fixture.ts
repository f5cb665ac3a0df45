/**
 * What the signing-job suites (jobs-*.test.ts) share: a store in a temp dir with Alice's EC
 * profile (fw_profile) and a versioned source object, an RSA pair for the TI platform, the
 * StartSigningJob input they vary, and OpenSSL's CLI as the independent verifier.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSignedObject } from '@fwsign/signing-engine';
import { afterAll, beforeAll } from 'vitest';
import type { SignerStore } from '../src/index.js';
import {
  ALICE,
  EC_P256,
  RSA_2048,
  openStore,
  opensslPair,
  removeDir,
  setupAlice,
  tempDir,
} from './helpers.js';
import type { KeyPair } from './helpers.js';

/** Job ids are UUIDs, version 7 (time-ordered; see job-id.ts). */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let dir: string;
let keys: string;
export let ec: KeyPair;
export let rsa: KeyPair;
export let store: SignerStore;
export let setup: ReturnType<typeof setupAlice>;
export let firmware: Uint8Array;
export let srcVersion: string;

export function jobInput(token: string, extra: Record<string, unknown> = {}) {
  return {
    source: { s3: { bucketName: 'src-bucket', key: 'fw/app.bin', version: srcVersion } },
    destination: { s3: { bucketName: 'dst-bucket', prefix: 'signed/' } },
    profileName: 'fw_profile',
    clientRequestToken: token,
    ...extra,
  };
}

/** Opens the store and Alice's profile before the file's tests; closes and removes them after. */
export function useJobsStore(): void {
  beforeAll(() => {
    dir = tempDir('jobs');
    keys = tempDir('jobs-keys');
    ec = opensslPair(keys, 'ec', EC_P256);
    rsa = opensslPair(keys, 'rsa', RSA_2048);
    store = openStore(dir);
    setup = setupAlice(store, ec);
    firmware = new Uint8Array(4096).map((_, i) => (i * 31 + 7) & 0xff);
    srcVersion = store.buckets.putObject(
      ALICE.accountId,
      'src-bucket',
      'fw/app.bin',
      firmware,
    ).versionId;
  });

  afterAll(() => {
    store.close();
    removeDir(dir);
    removeDir(keys);
  });
}

/** Closes the store and opens the same data dir again, as a restarted server would. */
export function reopenStore(): void {
  store.close();
  store = openStore(dir);
}

/** Verifies an embedded signed object with OpenSSL's CLI against the certificate. */
export function opensslVerifies(
  signedObject: Uint8Array,
  pair: KeyPair,
  digest: 'sha256' | 'sha1',
): { ok: boolean; payload: Uint8Array } {
  const parsed = parseSignedObject(signedObject);
  const payload = parsed.payload!;
  writeFileSync(join(keys, 'payload.bin'), payload);
  writeFileSync(join(keys, 'sig.bin'), parsed.signature);
  writeFileSync(join(keys, 'cert.pem'), pair.certPem);
  const pub = execFileSync('openssl', ['x509', '-in', join(keys, 'cert.pem'), '-pubkey', '-noout']);
  writeFileSync(join(keys, 'pub.pem'), pub);
  try {
    execFileSync(
      'openssl',
      [
        'dgst',
        `-${digest}`,
        '-verify',
        join(keys, 'pub.pem'),
        '-signature',
        join(keys, 'sig.bin'),
        join(keys, 'payload.bin'),
      ],
      { stdio: 'pipe' },
    );
    return { ok: true, payload };
  } catch {
    return { ok: false, payload };
  }
}
