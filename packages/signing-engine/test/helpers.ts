/** Test helpers: temp dirs, key pairs and OpenSSL's CLI as the independent signer/verifier. */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempDir(prefix = 'fwsign-engine-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface KeyPairPem {
  privateKeyPem: string;
  publicKeyPem: string;
}

export function ecKeyPair(curve = 'prime256v1'): KeyPairPem {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
  return {
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
}

export function rsaKeyPair(bits = 2048): KeyPairPem {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return {
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
}

function openssl(args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync('openssl', args, { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** `openssl dgst -<hash> -verify pub.pem -signature sig in`: true when OpenSSL prints "Verified OK". */
export function opensslVerify(
  dir: string,
  hash: 'sha256' | 'sha1',
  publicKeyPem: string,
  payload: Uint8Array,
  signature: Uint8Array,
): boolean {
  const tag = randomBytes(6).toString('hex');
  const pub = join(dir, `${tag}.pub.pem`);
  const sig = join(dir, `${tag}.sig`);
  const input = join(dir, `${tag}.bin`);
  writeFileSync(pub, publicKeyPem);
  writeFileSync(sig, signature);
  writeFileSync(input, payload);
  const r = openssl(['dgst', `-${hash}`, '-verify', pub, '-signature', sig, input]);
  return r.status === 0 && r.stdout.includes('Verified OK');
}

/** `openssl dgst -<hash> -sign key.pem`: OpenSSL's own signature over the payload. */
export function opensslSign(
  dir: string,
  hash: 'sha256' | 'sha1',
  privateKeyPem: string,
  payload: Uint8Array,
): Uint8Array {
  const tag = randomBytes(6).toString('hex');
  const key = join(dir, `${tag}.key.pem`);
  const sig = join(dir, `${tag}.sig`);
  const input = join(dir, `${tag}.bin`);
  writeFileSync(key, privateKeyPem, { mode: 0o600 });
  writeFileSync(input, payload);
  const r = openssl(['dgst', `-${hash}`, '-sign', key, '-out', sig, input]);
  if (r.status !== 0) throw new Error(`openssl dgst -sign failed: ${r.stderr}`);
  return new Uint8Array(readFileSync(sig));
}

/** Splits bytes into chunks of the given sizes, cycling, as an async stream. */
export async function* chunked(
  bytes: Uint8Array,
  sizes: readonly number[],
): AsyncGenerator<Uint8Array> {
  let at = 0;
  let i = 0;
  while (at < bytes.length) {
    const n = Math.max(1, sizes[i++ % sizes.length]!);
    yield bytes.subarray(at, Math.min(at + n, bytes.length));
    at += n;
  }
}

export function flipBit(bytes: Uint8Array, index: number, bit = 0): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[index] = copy[index]! ^ (1 << bit);
  return copy;
}
