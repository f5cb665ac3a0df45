/**
 * The batched writers (to a stream, and to a file through two reused buffers) write exactly the
 * bytes of the signed object as one text: the whole payload's base64 between the header and the
 * trailer, as AWS Signer lays it out. ECDSA (RFC 6979) and RSA PKCS#1 v1.5 are deterministic, so
 * every path must agree byte for byte.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import {
  EngineError,
  resolveEffectiveConfiguration,
  signPayload,
  signPayloadToFile,
  signPayloadToStream,
  signerFromPrivateKey,
  type SignOptions,
  type SignToFileOptions,
  type Signer,
} from '../src/index.js';
import { chunked, ecKeyPair, rsaKeyPair, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(tmp.cleanup);

const ecdsa = {
  config: resolveEffectiveConfiguration('AmazonFreeRTOS-Default'),
  signer: signerFromPrivateKey(ecKeyPair().privateKeyPem),
};
const rsa = {
  config: resolveEffectiveConfiguration('AmazonFreeRTOS-TI-CC3220SF'),
  signer: signerFromPrivateKey(rsaKeyPair().privateKeyPem),
};

/** The object as one text, built the obvious way: the old writer's output, by definition. */
function wholeText(payload: Uint8Array, signature: Uint8Array, alg: string): Buffer {
  const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');
  return Buffer.from(
    `{"rawPayloadSize":${payload.length},"signature":"${b64(signature)}","signatureAlgorithm":"${alg}","payload":"${b64(payload)}"}`,
    'latin1',
  );
}

async function toFile(opts: SignToFileInput, name: string): Promise<Buffer> {
  const path = join(tmp.dir, name);
  const file = await open(path, 'w+');
  try {
    const r = await signPayloadToFile({ ...opts, file });
    const bytes = readFileSync(path);
    expect(r.signedObjectSize).toBe(bytes.length);
    return bytes;
  } finally {
    await file.close();
  }
}

type SignToFileInput = Omit<SignToFileOptions, 'file'>;

/** The payload as a file opened for reading: the engine reads it through one reused buffer. */
async function fromFile(
  payload: Uint8Array,
  name: string,
  sign: (input: FileHandle) => Promise<Buffer>,
): Promise<Buffer> {
  const path = join(tmp.dir, `${name}.bin`);
  writeFileSync(path, payload);
  const input = await open(path, 'r');
  try {
    return await sign(input);
  } finally {
    await input.close();
  }
}

async function toStream(opts: SignOptions): Promise<Buffer> {
  const out = new PassThrough({ highWaterMark: 1024 });
  const parts: Buffer[] = [];
  out.on('data', (b: Buffer) => parts.push(b));
  await signPayloadToStream({ ...opts, out });
  out.end();
  return Buffer.concat(parts);
}

const MIB = 1024 * 1024;
const ENCODE_SLICE = 3 * 16 * 1024;
/** Payload bytes whose base64 fills one 1 MiB write. */
const BATCH_OF_PAYLOAD = 3 * 256 * 1024;

describe('the signed object writers', () => {
  it.each([
    0,
    1,
    2,
    3,
    57,
    ENCODE_SLICE - 1,
    ENCODE_SLICE + 1,
    BATCH_OF_PAYLOAD - 1,
    BATCH_OF_PAYLOAD,
    BATCH_OF_PAYLOAD + 1,
    3 * BATCH_OF_PAYLOAD + 2,
  ])(
    'write the same %i-byte JSONEmbedded object to a file and a stream as the whole text',
    async (size) => {
      const payload = new Uint8Array(randomBytes(size));
      const whole = await signPayload({ ...ecdsa, payload });
      const expected = wholeText(payload, whole.signature, 'SHA256withECDSA');
      expect(Buffer.from(whole.signedObject).equals(expected)).toBe(true);
      // Odd stream chunks: carries of 1 and 2 bytes across chunk and write boundaries.
      const sizes = [1, 2, 65537, 1 << 20];
      expect((await toFile({ ...ecdsa, payload: chunked(payload, sizes) }, `e${size}`)).equals(expected)).toBe(true); // prettier-ignore
      expect((await toFile({ ...ecdsa, payload }, `b${size}`)).equals(expected)).toBe(true);
      expect((await toStream({ ...ecdsa, payload: chunked(payload, sizes) })).equals(expected)).toBe(true); // prettier-ignore
    },
  );

  it.each([MIB + 2, 3 * MIB + 1])(
    'read a %i-byte file through one reused buffer, carrying bytes across its 1 MiB reads',
    async (size) => {
      const payload = new Uint8Array(randomBytes(size));
      const whole = await signPayload({ ...ecdsa, payload });
      const expected = wholeText(payload, whole.signature, 'SHA256withECDSA');
      const viaFile = (signer: Signer) =>
        fromFile(payload, `r${size}`, (input) =>
          toFile({ ...ecdsa, signer, payload: input }, `r${size}`),
        );
      expect((await viaFile(ecdsa.signer)).equals(expected)).toBe(true);
      // A Signer that does not say how long its signatures are (as the store's may not): the
      // payload is held and written after signing.
      const unsized: Signer = {
        keyType: 'ec-p256',
        signDigest: (digest, hash) => ecdsa.signer.signDigest(digest, hash),
      };
      expect((await viaFile(unsized)).equals(expected)).toBe(true);
    },
  );

  it('move the payload to fit a header shorter or longer than the room left for it', async () => {
    // A 69-byte ECDSA signature (its r or s one byte short, about 1 in 100) has 92 base64
    // characters where the room assumed the longest, 72 bytes and 96 characters.
    let payload = new Uint8Array(0);
    for (let i = 0; ; i++) {
      payload = new Uint8Array(Buffer.from(`short signature ${i}`));
      if ((await signPayload({ ...ecdsa, payload })).signature.length <= 69) break;
    }
    const short = await signPayload({ ...ecdsa, payload });
    const expected = wholeText(payload, short.signature, 'SHA256withECDSA');
    const file = await fromFile(payload, 'short', (input) => toFile({ ...ecdsa, payload: input }, 'short')); // prettier-ignore
    expect(file.toString('latin1')).toBe(expected.toString('latin1'));
    // A stream said to be 5 bytes that brings 100 000: its size takes 6 digits, not 1.
    const big = new Uint8Array(randomBytes(100_000));
    const sized = await signPayload({ ...ecdsa, payload: big });
    const grown = await toFile(
      { ...ecdsa, payload: chunked(big, [4096]), payloadSize: 5 },
      'grown',
    );
    expect(grown.equals(wholeText(big, sized.signature, 'SHA256withECDSA'))).toBe(true);
  });

  it('write the same SHA1withRSA and JSONDetached objects to a file as in memory', async () => {
    const payload = new Uint8Array(randomBytes(BATCH_OF_PAYLOAD + 57));
    const whole = await signPayload({ ...rsa, payload });
    expect((await toFile({ ...rsa, payload }, 'rsa')).equals(whole.signedObject)).toBe(true);

    const detached = {
      config: resolveEffectiveConfiguration('AWSIoTDeviceManagement-SHA256-ECDSA'),
      signer: ecdsa.signer,
      payload,
      payloadLocation: { bucketName: 'firmware', key: 'ünïcode/fw.bin', version: 'v1' },
    };
    const inMemory = await signPayload(detached);
    const written = await toFile(detached, 'detached');
    expect(written.equals(inMemory.signedObject)).toBe(true);
    expect(JSON.parse(written.toString('utf8')).payloadLocation.s3.key).toBe('ünïcode/fw.bin');
  });

  it('refuses a file past the platform limit (16 MiB + 1 byte) with PayloadTooLarge', async () => {
    const err = await fromFile(new Uint8Array(16 * MIB + 1), 'over', (input) =>
      toFile({ ...ecdsa, payload: input }, 'over'),
    ).catch((e: unknown) => e as EngineError);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('PayloadTooLarge');
  });

  it('rejects, not hangs, when the file cannot be written', async () => {
    const path = join(tmp.dir, 'read-only-handle');
    writeFileSync(path, '');
    const file = await open(path, 'r');
    try {
      const err = await signPayloadToFile({
        ...ecdsa,
        payload: new Uint8Array(3 * BATCH_OF_PAYLOAD),
        file,
      }).catch((e: unknown) => e as NodeJS.ErrnoException);
      expect(err).toBeInstanceOf(Error);
      expect((err as NodeJS.ErrnoException).code).toBe('EBADF');
    } finally {
      await file.close();
    }
  });
});
