import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignerStore } from '../src/index.js';
import type { Identity, OpenOptions } from '../src/index.js';

export const ALICE: Identity = {
  accountId: '111111111111',
  principalArn: 'arn:aws:iam::111111111111:user/alice',
};
export const BOB: Identity = {
  accountId: '222222222222',
  principalArn: 'arn:aws:iam::222222222222:user/bob',
};
export const CAROL: Identity = {
  accountId: '333333333333',
  principalArn: 'arn:aws:iam::333333333333:role/ci',
};

export const TEST_MASTER_KEY = new Uint8Array(32).fill(7);

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `fwsign-store-${label}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export function openStore(dir: string, opts: Partial<OpenOptions> = {}): SignerStore {
  return SignerStore.open({ dataDir: dir, masterKey: TEST_MASTER_KEY, ...opts });
}

export interface KeyPair {
  keyPem: string;
  certPem: string;
}

/** Key pairs made by OpenSSL's CLI, independent of the engine's certificate code. */
export function opensslPair(dir: string, name: string, keyArgs: string[], days = 365): KeyPair {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  execFileSync('openssl', ['genpkey', ...keyArgs, '-out', key], { stdio: 'pipe' });
  execFileSync(
    'openssl',
    [
      'req',
      '-new',
      '-x509',
      '-key',
      key,
      '-out',
      cert,
      '-days',
      String(days),
      '-subj',
      `/CN=${name}.fwsign.test`,
      '-addext',
      'extendedKeyUsage=codeSigning',
    ],
    { stdio: 'pipe' },
  );
  return { keyPem: readFileSync(key, 'utf8'), certPem: readFileSync(cert, 'utf8') };
}

export const EC_P256 = ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'];
export const EC_P384 = ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'];
export const RSA_2048 = ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'];
export const RSA_1024 = ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024'];

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Sets up Alice with an EC certificate, an AmazonFreeRTOS-Default profile and versioned buckets. */
export function setupAlice(
  store: SignerStore,
  pair: KeyPair,
  profileName = 'fw_profile',
): { certificateArn: string; profileVersion: string; profileArn: string } {
  const { certificateArn } = store.importCertificate(ALICE, {
    certificate: enc(pair.certPem),
    privateKey: enc(pair.keyPem),
  });
  const p = store.putSigningProfile(ALICE, {
    profileName,
    platformId: 'AmazonFreeRTOS-Default',
    signingMaterial: { certificateArn },
  });
  for (const b of ['src-bucket', 'dst-bucket']) {
    if (!store.buckets.listBuckets(ALICE.accountId).some((x) => x.name === b)) {
      store.buckets.createBucket(ALICE.accountId, b);
      store.buckets.putBucketVersioning(ALICE.accountId, b, 'Enabled');
    }
  }
  return { certificateArn, profileVersion: p.profileVersion, profileArn: p.arn };
}

export async function expectStoreError(
  fn: () => unknown,
  code: string,
  message?: RegExp,
): Promise<Error & { code: string; httpStatus: number }> {
  try {
    await fn();
  } catch (err) {
    const e = err as Error & { code: string; httpStatus: number };
    if (e.code !== code) throw new Error(`expected ${code}, got ${e.code}: ${e.message}`);
    if (message && !message.test(e.message))
      throw new Error(`expected message matching ${message}, got: ${e.message}`);
    return e;
  }
  throw new Error(`expected ${code}, but the call succeeded`);
}
