import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  EngineError,
  parseSignedObject,
  resolveEffectiveConfiguration,
  signPayload,
  signerFromPrivateKey,
  verifySignedObject,
} from '../src/index.js';
import { ecKeyPair } from './helpers.js';

const enc = (v: unknown): Uint8Array =>
  new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));
const SIG = Buffer.from([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01]).toString('base64');
const good = {
  rawPayloadSize: 3,
  signature: SIG,
  signatureAlgorithm: 'SHA256withECDSA',
  payload: 'YWJj',
};
const detached = {
  rawPayloadSize: 3,
  signature: SIG,
  signatureAlgorithm: 'SHA256withECDSA',
  payloadLocation: { s3: { bucketName: 'b', key: 'fw/app.bin', version: 'v1' } },
};

function parseError(bytes: Uint8Array): string {
  try {
    parseSignedObject(bytes);
  } catch (err) {
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('MalformedSignedObject');
    return (err as EngineError).message;
  }
  throw new Error('expected parseSignedObject to throw');
}

describe('parseSignedObject', () => {
  it('parses both formats', () => {
    const e = parseSignedObject(enc(good));
    expect(e).toMatchObject({
      format: 'JSONEmbedded',
      rawPayloadSize: 3,
      signatureAlgorithm: 'SHA256withECDSA',
    });
    expect(Buffer.from(e.payload!).toString()).toBe('abc');
    const d = parseSignedObject(enc(detached));
    expect(d).toMatchObject({
      format: 'JSONDetached',
      rawPayloadSize: 3,
      payloadLocation: { bucketName: 'b', key: 'fw/app.bin', version: 'v1' },
    });
    expect(d.payload).toBeUndefined();
  });

  it('refuses unknown, missing and mistyped fields', () => {
    expect(parseError(enc({ ...good, extra: 1 }))).toBe(
      'signed object: top level has unknown field(s) "extra"; expected exactly rawPayloadSize, signature, signatureAlgorithm, payload',
    );
    const { signature: _s, ...noSig } = good;
    expect(parseError(enc(noSig))).toBe('signed object: top level is missing field(s) signature');
    expect(parseError(enc({ ...good, rawPayloadSize: '3' }))).toBe(
      'signed object: rawPayloadSize expected a non-negative integer, got "3"',
    );
    expect(parseError(enc({ ...good, rawPayloadSize: -1 }))).toContain('non-negative integer');
    expect(parseError(enc({ ...good, rawPayloadSize: 1.5 }))).toContain('non-negative integer');
    expect(parseError(enc({ ...good, signature: 5 }))).toBe(
      'signed object: signature expected a string, got number',
    );
    expect(parseError(enc({ ...good, signatureAlgorithm: 'SHA384withECDSA' }))).toBe(
      'signed object: signatureAlgorithm expected SHA256withECDSA or SHA1withRSA, got "SHA384withECDSA"',
    );
    expect(parseError(enc([good]))).toBe('signed object: top level expected an object, got array');
    expect(
      parseError(enc({ ...detached, payloadLocation: { s3: { bucketName: 'b', key: 'k' } } })),
    ).toBe('signed object: payloadLocation.s3 is missing field(s) version');
    expect(
      parseError(
        enc({ ...detached, payloadLocation: { s3: { bucketName: 'b', key: 'k', version: 1 } } }),
      ),
    ).toBe('signed object: payloadLocation.s3.version expected a string, got number');
    expect(
      parseError(
        enc({ ...detached, payloadLocation: { s3: detached.payloadLocation.s3, http: 'x' } }),
      ),
    ).toContain('payloadLocation has unknown field(s) "http"');
    expect(parseError(enc({ ...good, payloadLocation: detached.payloadLocation }))).toContain(
      'unknown field(s) "payloadLocation"',
    );
  });

  it('refuses a size mismatch, bad base64 and non-JSON', () => {
    expect(parseError(enc({ ...good, rawPayloadSize: 4 }))).toBe(
      'signed object: rawPayloadSize says 4 bytes but payload decodes to 3',
    );
    for (const bad of ['YWJ', 'YW Jj', 'YWJj\n', 'YW-j', 'YWJ=', 'YQ=', 'YR==', '====']) {
      expect(parseError(enc({ ...good, payload: bad }))).toBe(
        'signed object: payload expected canonical padded base64, got text that is not',
      );
    }
    expect(parseError(enc({ ...good, signature: '' }))).toBe(
      'signed object: signature expected at least one byte, got none',
    );
    expect(parseError(enc('{"rawPayloadSize":3,'))).toMatch(
      /^signed object: expected JSON, got text that does not parse/,
    );
    expect(parseError(Uint8Array.of(0xff, 0xfe))).toMatch(/^signed object: expected JSON/);
  });

  it('refuses a field given twice, however it is spelled, where JSON.parse would keep the last silently', () => {
    const text = new TextDecoder().decode(enc(good));
    const forged = text.replace('"signatureAlgorithm"', '"signature":"AAAA","signatureAlgorithm"');
    expect(parseError(new TextEncoder().encode(forged))).toBe(
      'signed object: field "signature" appears twice in one object; expected each field once',
    );
    const escaped = text.replace(
      '"signatureAlgorithm"',
      '"sig\\u006eature":"AAAA","signatureAlgorithm"',
    );
    expect(parseError(new TextEncoder().encode(escaped))).toBe(
      'signed object: field "signature" appears twice in one object; expected each field once',
    );
    const nested = new TextDecoder()
      .decode(enc(detached))
      .replace('"bucketName":"b"', '"bucketName":"b","bucketName":"evil"');
    expect(parseError(new TextEncoder().encode(nested))).toBe(
      'signed object: field "bucketName" appears twice in one object; expected each field once',
    );
    // The same key in two different objects, and key-like text inside a string value, are fine.
    const legit = new TextDecoder().decode(
      enc({
        ...detached,
        payloadLocation: { s3: { bucketName: '"key":', key: 'signature', version: 'a\\"b' } },
      }),
    );
    expect(parseSignedObject(new TextEncoder().encode(legit)).payloadLocation!.key).toBe(
      'signature',
    );
  });
});

describe('JSONDetached and the size limit', () => {
  const ec = ecKeyPair();
  const signer = signerFromPrivateKey(ec.privateKeyPem);

  it('writes payloadLocation for JSONDetached and verifies with the payload given separately', async () => {
    const config = resolveEffectiveConfiguration('AWSIoTDeviceManagement-SHA256-ECDSA');
    const payload = new Uint8Array(randomBytes(4321));
    const loc = { bucketName: 'firmware', key: 'fw/ü.bin', version: '3' };
    const r = await signPayload({ config, signer, payload, payloadLocation: loc });
    expect(new TextDecoder().decode(r.signedObject)).toBe(
      `{"rawPayloadSize":4321,"signature":"${Buffer.from(r.signature).toString('base64')}","signatureAlgorithm":"SHA256withECDSA","payloadLocation":{"s3":{"bucketName":"firmware","key":"fw/ü.bin","version":"3"}}}`,
    );
    expect(r.format).toBe('JSONDetached');
    expect(parseSignedObject(r.signedObject).payloadLocation).toEqual(loc);
    expect(
      await verifySignedObject({
        signedObject: r.signedObject,
        payload,
        publicKey: ec.publicKeyPem,
      }),
    ).toMatchObject({ ok: true });
    const missing = await verifySignedObject({
      signedObject: r.signedObject,
      publicKey: ec.publicKeyPem,
    });
    expect(missing.ok).toBe(false);
    expect(missing.reason).toMatch(/^missing-payload/);
    const short = await verifySignedObject({
      signedObject: r.signedObject,
      payload: payload.subarray(1),
      publicKey: ec.publicKeyPem,
    });
    expect(short.reason).toBe(
      'payload-size-mismatch: rawPayloadSize says 4321 bytes, payload has 4320',
    );
    const e = await signPayload({ config, signer, payload }).catch(
      (x: unknown) => x as EngineError,
    );
    expect((e as EngineError).code).toBe('ValidationException');
    expect((e as EngineError).message).toContain('JSONDetached expected payloadLocation');
  });

  it('holds at exactly the limit and refuses one byte over, stopping the stream there', async () => {
    // A small limit stands in for 16 MiB (the slow suite checks the real one).
    const config = {
      ...resolveEffectiveConfiguration('AmazonFreeRTOS-Default'),
      maxSizeBytes: 1000,
    };
    const atLimit = await signPayload({ config, signer, payload: new Uint8Array(1000) });
    expect(atLimit.rawPayloadSize).toBe(1000);
    const over = await signPayload({ config, signer, payload: new Uint8Array(1001) }).catch(
      (x: unknown) => x as EngineError,
    );
    expect(over).toBeInstanceOf(EngineError);
    expect((over as EngineError).code).toBe('PayloadTooLarge');
    expect((over as EngineError).message).toContain('expected at most 1000 bytes');
    expect((over as EngineError).message).toContain('AmazonFreeRTOS-Default');
    let pulled = 0;
    let closed = false;
    const endless: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]() {
        return {
          async next() {
            pulled++;
            if (pulled > 100) throw new Error('kept reading past the limit');
            return { value: new Uint8Array(300), done: false };
          },
          async return() {
            closed = true;
            return { value: undefined, done: true };
          },
        };
      },
    };
    const e = await signPayload({ config, signer, payload: endless }).catch(
      (x: unknown) => x as EngineError,
    );
    expect((e as EngineError).code).toBe('PayloadTooLarge');
    expect(pulled).toBe(4); // 300, 600, 900, then 1200 crosses 1000
    expect(closed).toBe(true);
  });

  it('refuses a given payload that differs from the embedded one', async () => {
    const config = resolveEffectiveConfiguration('AmazonFreeRTOS-Default');
    const payload = new Uint8Array(randomBytes(64));
    const r = await signPayload({ config, signer, payload });
    expect(
      (
        await verifySignedObject({
          signedObject: r.signedObject,
          payload,
          publicKey: ec.publicKeyPem,
        })
      ).ok,
    ).toBe(true);
    const other = Uint8Array.from(payload);
    other[0] = other[0]! ^ 1;
    const v = await verifySignedObject({
      signedObject: r.signedObject,
      payload: other,
      publicKey: ec.publicKeyPem,
    });
    expect(v).toMatchObject({
      ok: false,
      reason: 'payload-mismatch: the payload given differs from the one embedded',
    });
  });

  it('checks a signature-expiry time', async () => {
    const config = resolveEffectiveConfiguration('AmazonFreeRTOS-Default');
    const r = await signPayload({ config, signer, payload: new Uint8Array(10) });
    const expiresAt = new Date('2030-01-01T00:00:00Z');
    expect(
      (
        await verifySignedObject({
          signedObject: r.signedObject,
          publicKey: ec.publicKeyPem,
          signatureExpiresAt: expiresAt,
          now: new Date('2029-12-31T23:59:59Z'),
        })
      ).ok,
    ).toBe(true);
    const late = await verifySignedObject({
      signedObject: r.signedObject,
      publicKey: ec.publicKeyPem,
      signatureExpiresAt: expiresAt,
      now: new Date('2030-01-01T00:00:01Z'),
    });
    expect(late.ok).toBe(false);
    expect(late.reason).toBe(
      'signature-expired: expired at 2030-01-01T00:00:00.000Z, now 2030-01-01T00:00:01.000Z',
    );
  });

  it('reports a malformed object and a key of the wrong kind as verdicts, misuse as TypeError', async () => {
    const v = await verifySignedObject({ signedObject: enc('{}'), publicKey: ec.publicKeyPem });
    expect(v.ok).toBe(false);
    expect(v.reason).toMatch(/^malformed-signed-object: signed object: top level is missing field/);
    const { rsaKeyPair } = await import('./helpers.js');
    const config = resolveEffectiveConfiguration('AmazonFreeRTOS-Default');
    const r = await signPayload({ config, signer, payload: new Uint8Array(10) });
    const k = await verifySignedObject({
      signedObject: r.signedObject,
      publicKey: rsaKeyPair().publicKeyPem,
    });
    expect(k.reason).toBe('key-algorithm-mismatch: SHA256withECDSA needs a ec-p256 key, got rsa');
    await expect(verifySignedObject({ signedObject: r.signedObject })).rejects.toThrow(
      new TypeError('verifySignedObject: expected "certificate" or "publicKey", got neither'),
    );
    await expect(
      verifySignedObject({
        signedObject: 'x' as unknown as Uint8Array,
        publicKey: ec.publicKeyPem,
      }),
    ).rejects.toThrow(TypeError);
  });
});
