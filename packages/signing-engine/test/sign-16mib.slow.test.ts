/** The real 16 MiB limit of the FreeRTOS platforms, streamed from and to files, checked by OpenSSL. */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  EngineError,
  embeddedSignedObjectSize,
  parseSignedObject,
  resolveEffectiveConfiguration,
  signPayloadToStream,
  signerFromPrivateKey,
  verifySignedObject,
} from '../src/index.js';
import { ecKeyPair, opensslSign, opensslVerify, rsaKeyPair, tempDir } from './helpers.js';

const MIB = 1024 * 1024;
const tmp = tempDir();
afterAll(tmp.cleanup);

describe.each([
  { platformId: 'AmazonFreeRTOS-Default', keys: ecKeyPair(), hash: 'sha256' as const },
  { platformId: 'AmazonFreeRTOS-TI-CC3220SF', keys: rsaKeyPair(), hash: 'sha1' as const },
])('$platformId at 16 MiB', ({ platformId, keys, hash }) => {
  const config = resolveEffectiveConfiguration(platformId);
  const signer = signerFromPrivateKey(keys.privateKeyPem);

  it('signs exactly 16 MiB from a file stream to a file; OpenSSL and the engine verify it', async () => {
    const image = new Uint8Array(randomBytes(16 * MIB));
    const inPath = join(tmp.dir, `${platformId}.bin`);
    const outPath = join(tmp.dir, `${platformId}.signed.json`);
    writeFileSync(inPath, image);
    const out = createWriteStream(outPath);
    const r = await signPayloadToStream({
      config,
      signer,
      payload: createReadStream(inPath, { highWaterMark: 64 * 1024 }),
      out,
    });
    out.end();
    await once(out, 'finish');
    expect(r.rawPayloadSize).toBe(16 * MIB);
    const signed = new Uint8Array(readFileSync(outPath));
    expect(signed.length).toBe(
      embeddedSignedObjectSize(16 * MIB, r.signature.length, config.signatureAlgorithm),
    );
    expect(opensslVerify(tmp.dir, hash, keys.publicKeyPem, image, r.signature)).toBe(true);
    const obj = parseSignedObject(signed);
    expect(Buffer.from(obj.payload!).equals(Buffer.from(image))).toBe(true);
    const verdict = await verifySignedObject({
      signedObject: signed,
      publicKey: keys.publicKeyPem,
    });
    expect(verdict).toMatchObject({
      ok: true,
      payloadSize: 16 * MIB,
      algorithm: config.signatureAlgorithm,
    });
  });

  it("verifies OpenSSL's own signature over a 16 MiB image", async () => {
    const image = new Uint8Array(randomBytes(16 * MIB));
    const signature = opensslSign(tmp.dir, hash, keys.privateKeyPem, image);
    const text = `{"rawPayloadSize":${image.length},"signature":"${Buffer.from(signature).toString('base64')}","signatureAlgorithm":"${config.signatureAlgorithm}","payload":"${Buffer.from(image).toString('base64')}"}`;
    const verdict = await verifySignedObject({
      signedObject: Buffer.from(text, 'latin1'),
      publicKey: keys.publicKeyPem,
    });
    expect(verdict).toMatchObject({ ok: true, payloadSize: 16 * MIB });
  });

  it('refuses 16 MiB + 1 byte, naming the limit and the platform', async () => {
    const inPath = join(tmp.dir, `${platformId}-over.bin`);
    writeFileSync(inPath, new Uint8Array(16 * MIB + 1));
    const out = createWriteStream(join(tmp.dir, `${platformId}-over.json`));
    const e = await signPayloadToStream({
      config,
      signer,
      payload: createReadStream(inPath),
      out,
    }).catch((x: unknown) => x as EngineError);
    out.destroy();
    expect(e).toBeInstanceOf(EngineError);
    expect((e as EngineError).code).toBe('PayloadTooLarge');
    expect((e as EngineError).message).toContain(
      `expected at most ${16 * MIB} bytes (16 MiB, the limit of platform ${platformId})`,
    );
  });
});
