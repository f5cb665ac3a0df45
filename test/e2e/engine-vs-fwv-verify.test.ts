/**
 * The engine signs, the device's C verifier (built for the host as fwv-verify) checks: the same
 * bytes the OTA agent would hand it. Tampered images, signatures and wrong keys are refused.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createDevelopmentCertificate,
  parseCertificate,
  resolveEffectiveConfiguration,
  signPayload,
  signerFromPrivateKey,
} from '@fwsign/signing-engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const fwvVerify = join(repo, 'firmware-verifier', 'build', 'host', 'fwv-verify');
const dir = mkdtempSync(join(tmpdir(), 'fwsign-e2e-fwv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(() => {
  const r = spawnSync(
    'make',
    ['-s', '-C', join(repo, 'firmware-verifier'), 'build/host/fwv-verify'],
    { encoding: 'utf8', timeout: 300_000 },
  );
  expect(
    r.status,
    `make -C firmware-verifier build/host/fwv-verify failed:\n${r.stdout}\n${r.stderr}`,
  ).toBe(0);
}, 300_000);

function spkiPem(certificatePem: string): string {
  const b64 = Buffer.from(parseCertificate(certificatePem).publicKey.spkiDer).toString('base64');
  return `-----BEGIN PUBLIC KEY-----\n${b64.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END PUBLIC KEY-----\n`;
}

let n = 0;
function deviceVerifies(
  alg: string,
  pubPem: string,
  signature: Uint8Array,
  image: Uint8Array,
): { code: number | null; out: string } {
  const tag = `c${n++}`;
  writeFileSync(join(dir, `${tag}.pub.pem`), pubPem);
  writeFileSync(join(dir, `${tag}.sig`), signature);
  writeFileSync(join(dir, `${tag}.bin`), image);
  const r = spawnSync(
    fwvVerify,
    [
      '--alg',
      alg,
      '--pubkey',
      join(dir, `${tag}.pub.pem`),
      '--sig',
      join(dir, `${tag}.sig`),
      '--in',
      join(dir, `${tag}.bin`),
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  return { code: r.status, out: r.stdout.trim() };
}

const CASES = [
  {
    platformId: 'AmazonFreeRTOS-Default',
    algorithm: 'ecdsa-p256' as const,
    jobKey: 'sig-sha256-ecdsa',
  },
  {
    platformId: 'AmazonFreeRTOS-TI-CC3220SF',
    algorithm: 'rsa-2048' as const,
    jobKey: 'sig-sha1-rsa',
  },
];

describe.each(CASES)(
  'engine ($platformId) → fwv-verify ($jobKey)',
  ({ platformId, algorithm, jobKey }) => {
    const config = resolveEffectiveConfiguration(platformId);
    let signer: ReturnType<typeof signerFromPrivateKey>;
    let pub: string;
    let otherPub: string;

    beforeAll(async () => {
      const [dev, other] = await Promise.all([
        createDevelopmentCertificate({ algorithm, subject: `CN=${platformId}` }),
        createDevelopmentCertificate({ algorithm, subject: 'CN=Not The Signer' }),
      ]);
      signer = signerFromPrivateKey(dev.privateKeyPem);
      pub = spkiPem(dev.certificatePem);
      otherPub = spkiPem(other.certificatePem);
    });

    it.each([0, 1, 63, 64, 4095, 4096, 4097, 65537, 1_000_003])(
      '%i-byte image verifies on the device code',
      async (size) => {
        const image = new Uint8Array(randomBytes(size));
        const r = await signPayload({ config, signer, payload: image });
        expect(deviceVerifies(jobKey, pub, r.signature, image)).toEqual({ code: 0, out: 'FWV_OK' });
      },
    );

    it('refuses a flipped image bit, a flipped signature bit, a wrong key and the other algorithm', async () => {
      const image = new Uint8Array(randomBytes(10_000));
      const r = await signPayload({ config, signer, payload: image });
      const badImage = Uint8Array.from(image);
      badImage[5000] = badImage[5000]! ^ 0x10;
      expect(deviceVerifies(jobKey, pub, r.signature, badImage)).toEqual({
        code: 1,
        out: 'FWV_ERR_SIGNATURE',
      });
      const badSig = Uint8Array.from(r.signature);
      badSig[badSig.length - 1] = badSig[badSig.length - 1]! ^ 0x01;
      expect(deviceVerifies(jobKey, pub, badSig, image)).toEqual({
        code: 1,
        out: 'FWV_ERR_SIGNATURE',
      });
      expect(deviceVerifies(jobKey, otherPub, r.signature, image)).toEqual({
        code: 1,
        out: 'FWV_ERR_SIGNATURE',
      });
      const otherAlg = jobKey === 'sig-sha256-ecdsa' ? 'sig-sha1-rsa' : 'sig-sha256-ecdsa';
      const mismatch = deviceVerifies(otherAlg, pub, r.signature, image);
      expect(mismatch.code).toBe(1);
      expect(mismatch.out).toBe('FWV_ERR_ALG_MISMATCH');
    });
  },
);
