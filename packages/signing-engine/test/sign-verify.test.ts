import { createHash, randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import {
  EngineError,
  embeddedSignedObjectSize,
  parseSignedObject,
  resolveEffectiveConfiguration,
  signPayload,
  signPayloadToStream,
  signerFromPrivateKey,
  verifySignedObject,
} from '../src/index.js';
import {
  chunked,
  ecKeyPair,
  flipBit,
  opensslSign,
  opensslVerify,
  rsaKeyPair,
  tempDir,
} from './helpers.js';

const tmp = tempDir();
afterAll(tmp.cleanup);

const ec = ecKeyPair();
const rsa = rsaKeyPair();
const ecdsaConfig = resolveEffectiveConfiguration('AmazonFreeRTOS-Default');
const rsaConfig = resolveEffectiveConfiguration('AmazonFreeRTOS-TI-CC3220SF');

/**
 * 0, 1, base64 group edges, the engine's 48 KiB encode and 768 KiB hash slice edges, and a few
 * random sizes drawn per run (the size is in the test name, so a failure can be replayed).
 */
const RANDOM_SIZES = Array.from({ length: 4 }, () => Math.floor(Math.random() * 2 * 1024 * 1024));
const SIZES = [
  0,
  1,
  2,
  3,
  4,
  64,
  1000,
  49151,
  49152,
  49153,
  65535,
  65536,
  65537,
  786431,
  786432,
  786433,
  1572865,
  ...RANDOM_SIZES,
];

const CASES = [
  {
    name: 'SHA256withECDSA (AmazonFreeRTOS-Default)',
    config: ecdsaConfig,
    keys: ec,
    hash: 'sha256' as const,
  },
  {
    name: 'SHA1withRSA (AmazonFreeRTOS-TI-CC3220SF)',
    config: rsaConfig,
    keys: rsa,
    hash: 'sha1' as const,
  },
];

describe.each(CASES)('$name', ({ config, keys, hash }) => {
  const signer = signerFromPrivateKey(keys.privateKeyPem);

  it.each(SIZES)('engine signs %i bytes; OpenSSL verifies; the engine verifies', async (size) => {
    const payload = new Uint8Array(randomBytes(size));
    const r = await signPayload({ config, signer, payload, reportSha256: true });
    expect(r.rawPayloadSize).toBe(size);
    expect(opensslVerify(tmp.dir, hash, keys.publicKeyPem, payload, r.signature)).toBe(true);
    const verdict = await verifySignedObject({
      signedObject: r.signedObject,
      publicKey: keys.publicKeyPem,
    });
    expect(verdict).toMatchObject({
      ok: true,
      reason: 'valid',
      algorithm: config.signatureAlgorithm,
      payloadSize: size,
    });
    expect(verdict.sha256).toBe(Buffer.from(r.payloadSha256!).toString('hex'));
    const tampered = size === 0 ? Uint8Array.of(0) : flipBit(payload, size - 1);
    expect(opensslVerify(tmp.dir, hash, keys.publicKeyPem, tampered, r.signature)).toBe(false);
  });

  it.each([0, 1, 3, 65536, 786433])(
    'OpenSSL signs %i bytes; the engine verifies it and refuses it tampered',
    async (size) => {
      const payload = new Uint8Array(randomBytes(size));
      const sig = opensslSign(tmp.dir, hash, keys.privateKeyPem, payload);
      // Wrap OpenSSL's signature in a signed object laid out as the engine writes it.
      const ours = await signPayload({ config, signer, payload });
      const obj = parseSignedObject(ours.signedObject);
      const text = JSON.stringify({
        rawPayloadSize: size,
        signature: Buffer.from(sig).toString('base64'),
        signatureAlgorithm: obj.signatureAlgorithm,
        payload: Buffer.from(payload).toString('base64'),
      });
      const verdict = await verifySignedObject({
        signedObject: new TextEncoder().encode(text),
        publicKey: keys.publicKeyPem,
      });
      expect(verdict.ok, verdict.reason).toBe(true);
      if (size > 0) {
        const bad = JSON.stringify({
          ...JSON.parse(text),
          payload: Buffer.from(flipBit(payload, size - 1, 7)).toString('base64'),
        });
        const v2 = await verifySignedObject({
          signedObject: new TextEncoder().encode(bad),
          publicKey: keys.publicKeyPem,
        });
        expect(v2.ok).toBe(false);
        expect(v2.reason).toMatch(/^signature-mismatch/);
      }
    },
  );

  it('gives the same signed object for any chunking of the same stream', async () => {
    const payload = new Uint8Array(randomBytes(100_001));
    const whole = await signPayload({ config, signer, payload, reportSha256: true });
    for (const sizes of [[997], [1, 2, 3, 5], [4096], [65536, 7], [100_001]]) {
      const streamed = await signPayload({
        config,
        signer,
        payload: chunked(payload, sizes),
        reportSha256: true,
      });
      expect(Buffer.from(streamed.signedObject).equals(Buffer.from(whole.signedObject))).toBe(true);
      // The SHA-256 reported alongside (for SHA1withRSA a second hash in the same pass).
      expect(Buffer.from(streamed.payloadSha256!).toString('hex')).toBe(
        createHash('sha256').update(payload).digest('hex'),
      );
      expect(Buffer.from(whole.payloadSha256!).toString('hex')).toBe(
        createHash('sha256').update(payload).digest('hex'),
      );
    }
  });

  it('reports the SHA-256 unasked only where it is the signed digest; SHA-1 platforms hash it on request', async () => {
    const payload = new Uint8Array(randomBytes(4097));
    const plain = await signPayload({ config, signer, payload });
    const expected = createHash('sha256').update(payload).digest('hex');
    if (config.hashAlgorithm === 'SHA256')
      expect(Buffer.from(plain.payloadSha256!).toString('hex')).toBe(expected);
    else expect(plain.payloadSha256).toBeUndefined();
    const asked = await signPayload({ config, signer, payload, reportSha256: true });
    expect(Buffer.from(asked.payloadSha256!).toString('hex')).toBe(expected);
    expect(Buffer.from(asked.signedObject).equals(Buffer.from(plain.signedObject))).toBe(true);
  });

  it.each([0, 1, 100_000, 2_621_441])(
    'signPayloadToStream writes the same %i-byte object as signPayload',
    async (size) => {
      const { PassThrough } = await import('node:stream');
      const payload = new Uint8Array(randomBytes(size));
      const whole = await signPayload({ config, signer, payload });
      const out = new PassThrough({ highWaterMark: 1024 });
      const parts: Buffer[] = [];
      out.on('data', (b: Buffer) => parts.push(b));
      const r = await signPayloadToStream({
        config,
        signer,
        payload: chunked(payload, [65536, 1000]),
        out,
      });
      out.end();
      expect(r.rawPayloadSize).toBe(size);
      expect(Buffer.concat(parts).equals(Buffer.from(whole.signedObject))).toBe(true);
    },
  );

  it('fails, not hangs, when the output stream is destroyed mid-write', async () => {
    const { Writable } = await import('node:stream');
    let writes = 0;
    const out = new Writable({
      highWaterMark: 16,
      write(_chunk, _enc, cb) {
        if (++writes === 2) {
          out.destroy(new Error('disk full'));
          return;
        }
        setImmediate(cb);
      },
    });
    out.on('error', () => {});
    const err = await signPayloadToStream({
      config,
      signer,
      payload: new Uint8Array(3 * 1024 * 1024),
      out,
    }).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/disk full|closed before the signed object was written/);
  });

  it('rejects bit flips in payload and signature, a wrong key, and a truncated signature', async () => {
    const payload = new Uint8Array(randomBytes(5000));
    const r = await signPayload({ config, signer, payload });
    const obj = parseSignedObject(r.signedObject);
    const rewrap = (o: { signature?: Uint8Array; payload?: Uint8Array }): Uint8Array =>
      new TextEncoder().encode(
        JSON.stringify({
          rawPayloadSize: 5000,
          signature: Buffer.from(o.signature ?? obj.signature).toString('base64'),
          signatureAlgorithm: obj.signatureAlgorithm,
          payload: Buffer.from(o.payload ?? payload).toString('base64'),
        }),
      );
    for (const i of [0, 2499, 4999]) {
      const v = await verifySignedObject({
        signedObject: rewrap({ payload: flipBit(payload, i, i % 8) }),
        publicKey: keys.publicKeyPem,
      });
      expect(v.ok).toBe(false);
      expect(v.reason).toMatch(/^signature-mismatch/);
    }
    for (const i of [0, 5, obj.signature.length - 1]) {
      const v = await verifySignedObject({
        signedObject: rewrap({ signature: flipBit(obj.signature, i, 3) }),
        publicKey: keys.publicKeyPem,
      });
      expect(v.ok).toBe(false);
    }
    const short = await verifySignedObject({
      signedObject: rewrap({ signature: obj.signature.subarray(0, obj.signature.length - 1) }),
      publicKey: keys.publicKeyPem,
    });
    expect(short.ok).toBe(false);
    const other = config.encryptionAlgorithm === 'ECDSA' ? ecKeyPair() : rsaKeyPair();
    const wrong = await verifySignedObject({
      signedObject: r.signedObject,
      publicKey: other.publicKeyPem,
    });
    expect(wrong).toMatchObject({ ok: false, payloadSize: 5000 });
    expect(wrong.reason).toMatch(/^signature-mismatch/);
  });
});

describe('signing rules', () => {
  it('ECDSA signatures are deterministic (RFC 6979), low-S and DER', async () => {
    const signer = signerFromPrivateKey(ec.privateKeyPem);
    const payload = new Uint8Array(randomBytes(777));
    const a = await signPayload({ config: ecdsaConfig, signer, payload });
    const b = await signPayload({ config: ecdsaConfig, signer, payload });
    expect(Buffer.from(a.signature).equals(Buffer.from(b.signature))).toBe(true);
    const { p256 } = await import('@noble/curves/nist.js');
    for (let i = 0; i < 20; i++) {
      const r = await signPayload({
        config: ecdsaConfig,
        signer,
        payload: new Uint8Array(randomBytes(i)),
      });
      expect(r.signature[0]).toBe(0x30);
      const sig = p256.Signature.fromBytes(r.signature, 'der');
      expect(sig.s <= p256.Point.CURVE().n / 2n).toBe(true);
    }
  });

  it('RSA signatures are the modulus length; keys under 2048 bits are refused', () => {
    expect(() => signerFromPrivateKey(rsaKeyPair(1024).privateKeyPem)).toThrow(
      new EngineError(
        'InvalidKey',
        'private key: RSA modulus expected at least 2048 bits, got 1024',
      ),
    );
  });

  it('refuses a key of the wrong kind for the platform and keys on other curves', async () => {
    const e = await signPayload({
      config: ecdsaConfig,
      signer: signerFromPrivateKey(rsa.privateKeyPem),
      payload: new Uint8Array(1),
    }).catch((x: unknown) => x as EngineError);
    expect(e).toBeInstanceOf(EngineError);
    expect((e as EngineError).code).toBe('InvalidKey');
    expect((e as EngineError).message).toBe(
      'sign: platform AmazonFreeRTOS-Default signs with SHA256withECDSA and needs a ec-p256 key, got a rsa key',
    );
    expect(() => signerFromPrivateKey(ecKeyPair('secp384r1').privateKeyPem)).toThrow(
      /expected a P-256 EC key .* got EC curve secp384r1/,
    );
    expect(() => signerFromPrivateKey('not a key')).toThrow(EngineError);
  });

  it('loads SEC1, PKCS#1 and DER private keys', async () => {
    const { createPrivateKey } = await import('node:crypto');
    const ecKey = createPrivateKey(ec.privateKeyPem);
    const rsaKey = createPrivateKey(rsa.privateKeyPem);
    const payload = new Uint8Array(randomBytes(99));
    for (const [form, cfg, pub] of [
      [ecKey.export({ format: 'pem', type: 'sec1' }), ecdsaConfig, ec.publicKeyPem],
      [new Uint8Array(ecKey.export({ format: 'der', type: 'sec1' })), ecdsaConfig, ec.publicKeyPem],
      [
        new Uint8Array(ecKey.export({ format: 'der', type: 'pkcs8' })),
        ecdsaConfig,
        ec.publicKeyPem,
      ],
      [rsaKey.export({ format: 'pem', type: 'pkcs1' }), rsaConfig, rsa.publicKeyPem],
      [
        new Uint8Array(rsaKey.export({ format: 'der', type: 'pkcs1' })),
        rsaConfig,
        rsa.publicKeyPem,
      ],
    ] as const) {
      const r = await signPayload({
        config: cfg,
        signer: signerFromPrivateKey(form),
        payload,
      });
      expect((await verifySignedObject({ signedObject: r.signedObject, publicKey: pub })).ok).toBe(
        true,
      );
    }
  });

  it('predicts the JSONEmbedded size and layout for an N-byte image', async () => {
    const signer = signerFromPrivateKey(ec.privateKeyPem);
    for (const n of [0, 1, 2, 3, 10, 999, 12345]) {
      const payload = new Uint8Array(randomBytes(n));
      const r = await signPayload({ config: ecdsaConfig, signer, payload });
      expect(r.signedObject.length).toBe(
        embeddedSignedObjectSize(n, r.signature.length, 'SHA256withECDSA'),
      );
      const expected = `{"rawPayloadSize":${n},"signature":"${Buffer.from(r.signature).toString('base64')}","signatureAlgorithm":"SHA256withECDSA","payload":"${Buffer.from(payload).toString('base64')}"}`;
      expect(Buffer.from(r.signedObject).toString('latin1')).toBe(expected);
      // 18 + 13 + 23 + 15 + 11 + 2 punctuation bytes around the variable parts.
      expect(r.signedObject.length).toBe(
        71 +
          String(n).length +
          4 * Math.ceil(r.signature.length / 3) +
          'SHA256withECDSA'.length +
          4 * Math.ceil(n / 3),
      );
    }
    const rsaSigner = signerFromPrivateKey(rsa.privateKeyPem);
    const r = await signPayload({
      config: rsaConfig,
      signer: rsaSigner,
      payload: new Uint8Array(1000),
    });
    // 256-byte signature -> 344 base64 chars; 1000 bytes -> 1336.
    expect(r.signedObject.length).toBe(71 + 4 + 344 + 11 + 1336);
  });
});
