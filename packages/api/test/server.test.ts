import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ListSigningProfilesCommand,
  PutSigningProfileCommand,
  SignerClient,
} from '@aws-sdk/client-signer';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../src/sigv4.js';
import { DEV, REGION, startServer, type Harness } from './helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const client = (url: string, creds = DEV): SignerClient =>
  new SignerClient({ endpoint: url, region: REGION, credentials: creds, maxAttempts: 1 });

describe('SignerServer', () => {
  it('creates the credentials file with the development identity, mode 0600', async () => {
    h = await startServer();
    expect(statSync(join(h.dataDir, 'credentials.json')).mode & 0o777).toBe(0o600);
    expect(
      (await client(h.url).send(new ListSigningProfilesCommand({}))).$metadata.httpStatusCode,
    ).toBe(200);
  });

  it('takes a credential added to the file after reloadCredentials()', async () => {
    h = await startServer();
    const newcomer = client(h.url, { accessKeyId: 'new', secretAccessKey: 'new-secret' });
    expect(
      (
        (await newcomer.send(new ListSigningProfilesCommand({})).catch((x: unknown) => x)) as {
          name: string;
        }
      ).name,
    ).toBe('UnrecognizedClientException');
    writeFileSync(
      join(h.dataDir, 'credentials.json'),
      JSON.stringify({
        credentials: [
          { accessKeyId: 'new', secretAccessKey: 'new-secret', accountId: '333333333333' },
        ],
      }),
    );
    expect(h.server.reloadCredentials()).toBe(1);
    expect((await newcomer.send(new ListSigningProfilesCommand({}))).$metadata.httpStatusCode).toBe(
      200,
    );
    writeFileSync(join(h.dataDir, 'credentials.json'), '{ not json');
    expect(() => h!.server.reloadCredentials()).toThrow(/credentials.json: expected JSON/);
    expect((await newcomer.send(new ListSigningProfilesCommand({}))).$metadata.httpStatusCode).toBe(
      200,
    );
  });

  it('answers TooManyRequestsException (429) once an account exceeds its rate, without slowing other accounts', async () => {
    h = await startServer({
      rateLimit: { ratePerSecond: 0.001, burst: 3 },
      credentials: [
        { accessKeyId: 'test', secretAccessKey: 'test', accountId: '000000000000' },
        { accessKeyId: 'b', secretAccessKey: 'b', accountId: '222222222222' },
      ],
    });
    const c = client(h.url);
    for (let i = 0; i < 3; i++) await c.send(new ListSigningProfilesCommand({}));
    const e = (await c.send(new ListSigningProfilesCommand({})).catch((x: unknown) => x)) as {
      name: string;
      message: string;
      $metadata: { httpStatusCode: number };
    };
    expect([e.name, e.$metadata.httpStatusCode, e.message]).toEqual([
      'TooManyRequestsException',
      429,
      'Rate exceeded for account 000000000000',
    ]);
    expect(
      (
        await client(h.url, { accessKeyId: 'b', secretAccessKey: 'b' }).send(
          new ListSigningProfilesCommand({}),
        )
      ).$metadata.httpStatusCode,
    ).toBe(200);
  });

  it('refuses bodies over the limit (413; S3: EntityTooLarge) before reading them', async () => {
    h = await startServer({ maxJsonBytes: 2048, maxObjectBytes: 4096 });
    const big = (await client(h.url)
      .send(
        new PutSigningProfileCommand({
          profileName: 'Big',
          platformId: 'AmazonFreeRTOS-Default',
          tags: { k: 'v'.repeat(4000) },
        }),
      )
      .catch((x: unknown) => x)) as { name: string; $metadata: { httpStatusCode: number } };
    expect([big.name, big.$metadata.httpStatusCode]).toEqual([
      'RequestEntityTooLargeException',
      413,
    ]);
    const s3 = new S3Client({
      endpoint: h.url,
      region: REGION,
      credentials: DEV,
      forcePathStyle: true,
      maxAttempts: 1,
    });
    await s3.send(new CreateBucketCommand({ Bucket: 'limits' }));
    const obj = (await s3
      .send(new PutObjectCommand({ Bucket: 'limits', Key: 'k', Body: Buffer.alloc(5000) }))
      .catch((x: unknown) => x)) as { name: string; $metadata: { httpStatusCode: number } };
    // S3's own code and status for an object over the limit.
    expect([obj.name, obj.$metadata.httpStatusCode]).toEqual(['EntityTooLarge', 400]);
  });

  it('lets an in-flight request finish when closed, then refuses new connections', async () => {
    h = await startServer();
    const { url } = h;
    const u = new URL(url);
    await new S3Client({
      endpoint: url,
      region: REGION,
      credentials: DEV,
      forcePathStyle: true,
    }).send(new CreateBucketCommand({ Bucket: 'inflight' }));
    const body = Buffer.alloc(64 * 1024, 1);
    const signer = new SignatureV4({
      credentials: DEV,
      region: REGION,
      service: 's3',
      sha256: NodeSha256,
      uriEscapePath: false,
    });
    const signed = await signer.sign({
      method: 'PUT',
      protocol: 'http:',
      hostname: u.hostname,
      port: Number(u.port),
      path: '/inflight/slow.bin',
      query: {},
      headers: {
        host: u.host,
        'content-length': String(body.length),
        'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
      },
    });
    const status = new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: u.hostname,
          port: u.port,
          method: 'PUT',
          path: '/inflight/slow.bin',
          headers: signed.headers,
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write(body.subarray(0, 1000));
      setTimeout(() => req.end(body.subarray(1000)), 300);
    });
    await new Promise((r) => setTimeout(r, 100));
    const closing = h.server.close();
    expect(await status).toBe(200);
    await closing;
    const after = await fetch(`${url}/`).then(
      () => 'answered',
      () => 'refused',
    );
    expect(after).toBe('refused');
    rmSync(h.dataDir, { recursive: true, force: true });
    h = undefined;
  });
});

describe('hostile input', () => {
  it('answers malformed requests with AWS errors and keeps serving', async () => {
    h = await startServer();
    const { signedFetch } = await import('./helpers.js');
    const raw = async (path: string, init: RequestInit = {}): Promise<[number, string | null]> => {
      const r = await fetch(`${h!.url}${path}`, init);
      await r.arrayBuffer();
      return [r.status, r.headers.get('x-amzn-errortype')];
    };
    expect(await raw('/signing-profiles/%E0%A4%A')).toEqual([
      403,
      'MissingAuthenticationTokenException',
    ]);
    expect(
      await raw('/signing-profiles', {
        headers: { authorization: 'AWS4-HMAC-SHA256 garbage', 'x-amz-date': 'yesterday' },
      }),
    ).toEqual([403, 'IncompleteSignatureException']);
    expect((await raw('/bucket/key', { method: 'PUT', body: 'x' }))[0]).toBe(403);
    const call = async (opts: Parameters<typeof signedFetch>[1]): Promise<[number, string]> => {
      const r = await signedFetch(h!.url, opts);
      const text = await r.text();
      return [
        r.status,
        r.headers.get('x-amzn-errortype') ??
          /<Code>(\w+)</.exec(text)?.[1] ??
          JSON.parse(text).__type,
      ];
    };
    expect(
      await call({
        method: 'POST',
        path: '/signing-jobs',
        service: 'signer',
        body: '{"source":{"s3":[]},"destination":7}',
      }),
    ).toEqual([400, 'ValidationException']);
    expect(
      await call({
        method: 'GET',
        path: '/signing-jobs',
        service: 'signer',
        query: { maxResults: 'many', __proto__: 'x' },
      }),
    ).toEqual([400, 'ValidationException']);
    expect(
      await call({ method: 'PATCH', path: '/signing-profiles/P1', service: 'signer' }),
    ).toEqual([404, 'UnknownOperationException']);
    expect(
      await call({
        method: 'POST',
        path: '/',
        service: 'acm',
        body: '{}',
        headers: { 'x-amz-target': 'CertificateManager.RequestCertificate' },
      }),
    ).toEqual([400, 'UnknownOperationException']);
    expect((await signedFetch(h.url, { method: 'PUT', path: '/bkt', service: 's3' })).status).toBe(
      200,
    );
    expect(
      await call({
        method: 'PUT',
        path: '/bkt/k',
        service: 's3',
        body: 'zz\r\n',
        headers: { 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' },
      }),
    ).toEqual([400, 'IncompleteBody']);
    expect(
      await call({
        method: 'PUT',
        path: '/bkt/k',
        service: 's3',
        body: 'abc',
        headers: { 'x-amz-content-sha256': '0'.repeat(64) },
      }),
    ).toEqual([400, 'XAmzContentSHA256Mismatch']);
    expect(
      await call({
        method: 'PUT',
        path: '/signing-profiles/Tags',
        service: 'signer',
        body: '{"platformId":"AmazonFreeRTOS-Default","tags":{"__proto__":"x"}}',
      }),
    ).toEqual([400, 'ValidationException']);
    // Still alive and correct.
    expect(
      (await client(h.url).send(new ListSigningProfilesCommand({}))).$metadata.httpStatusCode,
    ).toBe(200);
  });
});
