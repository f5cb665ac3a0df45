import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../src/sigv4.js';
import {
  acm,
  DEV,
  makeCertificate,
  REGION,
  signedFetch,
  startServer,
  type Harness,
  s3Client,
} from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await startServer();
});
afterAll(() => h.close());

/** A signed Signer (rest-json) request; returns the status, the error code and message. */
async function signer(
  method: string,
  path: string,
  opts: { body?: unknown; query?: Record<string, string> } = {},
): Promise<{ status: number; code: string | null; message: string }> {
  const res = await signedFetch(h.url, {
    method,
    path,
    service: 'signer',
    ...(opts.body !== undefined
      ? { body: JSON.stringify(opts.body), headers: { 'content-type': 'application/json' } }
      : {}),
    ...(opts.query ? { query: opts.query } : {}),
  });
  const json = (await res.json()) as { message?: string };
  return {
    status: res.status,
    code: res.headers.get('x-amzn-errortype'),
    message: json.message ?? '',
  };
}

describe('out-of-range input is a 4xx naming the field, never a 500 (defect 2)', () => {
  it('refuses timestamps a Date cannot hold in bodies and query strings', async () => {
    const revoke = await signer('PUT', '/signing-profiles/p1/revoke', {
      body: { profileVersion: 'abcdefghij', reason: 'r', effectiveTime: 1e300 },
    });
    expect([revoke.status, revoke.code]).toEqual([400, 'ValidationException']);
    expect(revoke.message).toContain("'effectiveTime'");
    for (const v of ['99999999999999', '-99999999999999']) {
      const list = await signer('GET', '/signing-jobs', { query: { signatureExpiresBefore: v } });
      expect([list.status, list.code]).toEqual([400, 'ValidationException']);
      expect(list.message).toContain("'signatureExpiresBefore'");
      const status = await signer('GET', '/revocations', {
        query: {
          signatureTimestamp: v,
          platformId: 'AmazonFreeRTOS-Default',
          profileVersionArn: 'arn:aws:signer:us-east-1:000000000000:/signing-profiles/p/abc',
          jobArn: 'arn:aws:signer:us-east-1:000000000000:/signing-jobs/x',
          certificateHashes: 'aa',
        },
      });
      expect([status.status, status.code]).toEqual([400, 'ValidationException']);
      expect(status.message).toContain("'signatureTimestamp'");
    }
  });

  it('answers UnknownOperationException for targets that name Object.prototype members', async () => {
    for (const op of ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty']) {
      const r = await acm(h.url, op, {});
      expect([op, r.status, r.json['__type']]).toEqual([op, 400, 'UnknownOperationException']);
      expect(String(r.json['message'])).toContain(`'${op}'`);
    }
  });

  it('imports DER private keys in SEC1 (EC) and PKCS#1 (RSA) form, as the README says', async () => {
    for (const [kind, tool, algorithm] of [
      ['ec', 'ec', 'EC_prime256v1'],
      ['rsa', 'rsa', 'RSA_2048'],
    ] as const) {
      const c = makeCertificate(h.dataDir, kind, `der ${kind}`);
      // openssl ec / rsa -traditional write SEC1 and PKCS#1, not PKCS#8.
      const der = execFileSync('openssl', [
        tool,
        ...(tool === 'rsa' ? ['-traditional'] : []),
        '-in',
        c.keyFile,
        '-outform',
        'DER',
      ]);
      const r = await acm(h.url, 'ImportCertificate', {
        Certificate: Buffer.from(c.certificate).toString('base64'),
        PrivateKey: der.toString('base64'),
      });
      expect([kind, r.status, r.json['message']]).toEqual([kind, 200, undefined]);
      const d = await acm(h.url, 'DescribeCertificate', {
        CertificateArn: r.json['CertificateArn'],
      });
      expect((d.json['Certificate'] as { KeyAlgorithm: string }).KeyAlgorithm).toBe(algorithm);
    }
  });
});

/** Signs `signedBody` with UNSIGNED-PAYLOAD declared, then sends `sentBody` in its place. */
async function unsignedPayload(
  service: 'signer' | 'acm',
  path: string,
  extra: Record<string, string>,
  signedBody: string,
  sentBody: string,
): Promise<Response> {
  const u = new URL(h.url);
  const signed = await new SignatureV4({
    credentials: DEV,
    region: REGION,
    service,
    sha256: NodeSha256,
  }).sign({
    method: service === 'acm' ? 'POST' : 'PUT',
    protocol: 'http:',
    hostname: u.hostname,
    port: Number(u.port),
    path,
    query: {},
    headers: { host: u.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...extra },
    body: signedBody,
  });
  return fetch(`${h.url}${path}`, {
    method: service === 'acm' ? 'POST' : 'PUT',
    headers: signed.headers as Record<string, string>,
    body: sentBody,
  });
}

describe('UNSIGNED-PAYLOAD is S3-only (defect 6)', () => {
  it('refuses a Signer request whose body was not signed, so a changed body cannot pass', async () => {
    const profile = (prefix: string) =>
      JSON.stringify({
        platformId: 'AmazonFreeRTOS-Default',
        signingMaterial: { certificateArn: prefix },
      });
    const res = await unsignedPayload(
      'signer',
      '/signing-profiles/unsigned_body',
      { 'content-type': 'application/json' },
      profile('legit/'),
      profile('attacker/'),
    );
    expect([res.status, res.headers.get('x-amzn-errortype')]).toEqual([
      403,
      'InvalidSignatureException',
    ]);
    expect(((await res.json()) as { message: string }).message).toContain('accepted only by S3');
  });

  it('refuses an ACM request whose body was not signed', async () => {
    const res = await unsignedPayload(
      'acm',
      '/',
      {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'CertificateManager.ListCertificates',
      },
      '{}',
      '{"MaxItems":1}',
    );
    expect(res.status).toBe(403);
    expect(((await res.json()) as { __type: string }).__type).toBe('InvalidSignatureException');
  });
});

describe("S3 answers carry S3's own error codes (defect 9)", () => {
  it('names a missing bucket NoSuchBucket on GetObject', async () => {
    const client = s3Client(h.url);
    try {
      const e = (await client
        .send(new GetObjectCommand({ Bucket: 'no-such-bucket', Key: 'k' }))
        .catch((x: unknown) => x)) as { name: string; $metadata: { httpStatusCode: number } };
      expect([e.name, e.$metadata.httpStatusCode]).toEqual(['NoSuchBucket', 404]);
    } finally {
      client.destroy();
    }
  });

  it('answers EntityTooLarge (400) for an object over the limit', async () => {
    const small = await startServer({ maxObjectBytes: 1024 });
    try {
      await signedFetch(small.url, { method: 'PUT', path: '/big-bucket', service: 's3' });
      const res = await signedFetch(small.url, {
        method: 'PUT',
        path: '/big-bucket/k',
        service: 's3',
        body: 'x'.repeat(2048),
      });
      const text = await res.text();
      expect([res.status, /<Code>(\w+)<\/Code>/.exec(text)?.[1]]).toEqual([400, 'EntityTooLarge']);
    } finally {
      await small.close();
    }
  });

  it('answers InternalError (500) when an object file is gone from the data dir', async () => {
    await signedFetch(h.url, { method: 'PUT', path: '/lost-bucket', service: 's3' });
    await signedFetch(h.url, {
      method: 'PUT',
      path: '/lost-bucket/k',
      service: 's3',
      body: 'data',
    });
    const stored = readdirSync(h.dataDir, { recursive: true, withFileTypes: true }).filter(
      (f) => f.isFile() && f.parentPath !== h.dataDir,
    );
    expect(stored.length).toBeGreaterThan(0);
    for (const f of stored) rmSync(join(f.parentPath, f.name));
    const res = await signedFetch(h.url, { method: 'GET', path: '/lost-bucket/k', service: 's3' });
    const text = await res.text();
    expect([res.status, /<Code>(\w+)<\/Code>/.exec(text)?.[1]]).toEqual([500, 'InternalError']);
  });
});
