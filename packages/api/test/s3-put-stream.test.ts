/**
 * PutObject bodies go to disk as they arrive (issue 17, defect 5): whatever the client or the
 * body's checks do, an object is either kept whole or not at all, with no file left behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { SignatureV4 } from '@smithy/signature-v4';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { chunkSignature, NodeSha256, verifyRequest } from '../src/sigv4.js';
import {
  awsCliEnv,
  DEV,
  REGION,
  s3Client,
  signedHead,
  signHeaders,
  startServer,
  type Harness,
} from './helpers.js';

const AWS = existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws';
const run = promisify(execFile);
const MiB = 1024 * 1024;

let h: Harness;
let tmp: string;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'fwsign-put-'));
  h = await startServer();
  const s3 = s3Client(h.url);
  for (const Bucket of ['plain', 'versioned']) await s3.send(new CreateBucketCommand({ Bucket }));
  await s3.send(
    new PutBucketVersioningCommand({
      Bucket: 'versioned',
      VersioningConfiguration: { Status: 'Enabled' },
    }),
  );
});
afterAll(async () => {
  await h?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Every segment file in the data dir, pending or published. */
function segmentFiles(): string[] {
  const root = join(h.dataDir, 'objects');
  return readdirSync(root).flatMap((d) => readdirSync(join(root, d)).map((f) => `${d}/${f}`));
}

async function getBytes(key: string, bucket = 'plain', versionId?: string): Promise<Buffer> {
  const out = await s3Client(h.url).send(
    new GetObjectCommand({
      Bucket: bucket,
      Key: key,
      ...(versionId ? { VersionId: versionId } : {}),
    }),
  );
  return Buffer.from(await out.Body!.transformToByteArray());
}

async function errorOf(key: string): Promise<string> {
  return getBytes(key).then(
    () => 'found',
    (e: { name: string }) => e.name,
  );
}

/** Sends raw bytes on a fresh connection; resolves with the answer once the server closes it. */
function raw(bytes: Buffer, opts: { hangUpAfter?: boolean } = {}): Promise<string> {
  const u = new URL(h.url);
  return new Promise((resolve, reject) => {
    const s = connect(Number(u.port), u.hostname);
    let got = '';
    s.on('connect', () =>
      s.write(bytes, () => {
        if (opts.hangUpAfter) s.destroy();
      }),
    );
    s.on('data', (d: Buffer) => (got += d.toString('latin1')));
    s.on('error', (e: NodeJS.ErrnoException) =>
      e.code === 'ECONNRESET' || e.code === 'EPIPE' ? undefined : reject(e),
    );
    s.on('close', () => resolve(got));
  });
}

describe('PutObject streamed to disk', { timeout: 120_000 }, () => {
  it('round-trips a 24 MiB object from the SDK (Buffer and stream bodies) with its hash intact', async () => {
    const s3 = s3Client(h.url);
    const bytes = randomBytes(24 * MiB);
    const put = await s3.send(new PutObjectCommand({ Bucket: 'plain', Key: 'big', Body: bytes }));
    expect(put.ETag).toBe(`"${createHash('md5').update(bytes).digest('hex')}"`);
    expect(sha256(await getBytes('big'))).toBe(sha256(bytes));
    // A stream of unknown content goes out aws-chunked: decoded as it arrives.
    await s3.send(
      new PutObjectCommand({
        Bucket: 'plain',
        Key: 'streamed',
        Body: Readable.from(
          (function* () {
            for (let at = 0; at < bytes.length; at += 3 * MiB)
              yield bytes.subarray(at, at + 3 * MiB);
          })(),
        ),
        ContentLength: bytes.length,
      }),
    );
    expect(sha256(await getBytes('streamed'))).toBe(sha256(bytes));
    expect(readdirSync(join(h.dataDir, 'objects', 'pending'))).toEqual([]);
  });

  it('takes `aws s3 cp` and `aws s3api put-object` of a 20 MiB file', async () => {
    const file = join(tmp, 'firmware.bin');
    const bytes = randomBytes(20 * MiB);
    writeFileSync(file, bytes);
    const env = awsCliEnv(tmp);
    // One PUT, not a multipart upload (which this S3 subset does not serve).
    writeFileSync(join(tmp, 'no-config'), '[default]\ns3 =\n  multipart_threshold = 1GB\n');
    const cli = (...args: string[]) =>
      run(AWS, [...args, '--endpoint-url', h.url], { env, timeout: 90_000 });
    await cli('s3', 'cp', file, 's3://plain/cli/cp.bin');
    await cli('s3api', 'put-object', '--bucket', 'plain', '--key', 'cli/api.bin', '--body', file);
    expect(sha256(await getBytes('cli/cp.bin'))).toBe(sha256(bytes));
    expect(sha256(await getBytes('cli/api.bin'))).toBe(sha256(bytes));
  });

  it('keeps nothing when the body does not match x-amz-content-sha256 or Content-MD5', async () => {
    const before = segmentFiles();
    const body = randomBytes(3 * MiB);
    const other = randomBytes(3 * MiB);
    const put = async (key: string, headers: Record<string, string>): Promise<string> =>
      raw(
        Buffer.concat([
          Buffer.from(
            await signedHead(h.url, {
              method: 'PUT',
              path: `/plain/${key}`,
              service: 's3',
              // Closed after the answer, so `raw` resolves without waiting out keep-alive.
              headers: { 'content-length': String(body.length), connection: 'close', ...headers },
            }),
          ),
          body,
        ]),
      );
    const sha = await put('bad-sha', { 'x-amz-content-sha256': sha256(other) });
    expect(sha).toMatch(/^HTTP\/1\.1 400 [^]*<Code>XAmzContentSHA256Mismatch<\/Code>/);
    const md5 = await put('bad-md5', {
      'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
      'content-md5': createHash('md5').update(other).digest('base64'),
    });
    expect(md5).toMatch(/^HTTP\/1\.1 400 [^]*<Code>BadDigest<\/Code>/);
    const notMd5 = await put('bad-md5', {
      'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
      'content-md5': 'not base64 of 16 bytes',
    });
    expect(notMd5).toMatch(/^HTTP\/1\.1 400 [^]*<Code>InvalidDigest<\/Code>/);
    expect([await errorOf('bad-sha'), await errorOf('bad-md5')]).toEqual([
      'NoSuchKey',
      'NoSuchKey',
    ]);
    expect(segmentFiles()).toEqual(before);
  });

  it('checks a signature over the body itself (no signed x-amz-content-sha256) before keeping it', async () => {
    const signer = new SignatureV4({
      credentials: DEV,
      region: REGION,
      service: 's3',
      sha256: NodeSha256,
      uriEscapePath: false,
      applyChecksum: false,
    });
    const u = new URL(h.url);
    const body = randomBytes(2 * MiB);
    const signed = await signer.sign({
      method: 'PUT',
      protocol: 'http:',
      hostname: u.hostname,
      port: Number(u.port),
      path: '/plain/body-signed',
      query: {},
      headers: { host: u.host, 'content-length': String(body.length) },
      body,
    });
    expect(String(signed.headers['authorization'])).not.toContain('x-amz-content-sha256');
    const send = (b: Buffer) =>
      fetch(`${h.url}/plain/body-signed`, { method: 'PUT', headers: signed.headers, body: b });
    const before = segmentFiles();
    const tampered = Buffer.from(body);
    tampered[MiB] = tampered[MiB]! ^ 1;
    const refused = await send(tampered);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    expect(await errorOf('body-signed')).toBe('NoSuchKey');
    expect(segmentFiles()).toEqual(before);
    expect((await send(body)).status).toBe(200);
    expect(sha256(await getBytes('body-signed'))).toBe(sha256(body));
  });

  it('takes a STREAMING-AWS4-HMAC-SHA256-PAYLOAD body chunk by chunk, and nothing of one with a bad chunk', async () => {
    const chunks = [randomBytes(MiB), randomBytes(MiB), randomBytes(100_000), Buffer.alloc(0)];
    const size = chunks.reduce((n, c) => n + c.length, 0);
    const encoded = chunks.reduce(
      (n, c) => n + c.length.toString(16).length + ';chunk-signature='.length + 64 + 4 + c.length,
      0,
    );
    const send = async (key: string, tamper: boolean): Promise<string> => {
      const headers = await signHeaders(h.url, {
        method: 'PUT',
        path: `/plain/${key}`,
        service: 's3',
        headers: {
          'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
          'content-encoding': 'aws-chunked',
          'x-amz-decoded-content-length': String(size),
          'content-length': String(encoded),
          connection: 'close',
        },
      });
      // The chunk signatures chain from the request's: computed as a client does.
      const v = await verifyRequest(
        { method: 'PUT', rawPath: `/plain/${key}`, query: {}, headers, body: new Uint8Array(0) },
        () => ({
          ...DEV,
          accountId: '000000000000',
          principalArn: 'arn:aws:iam::000000000000:root',
        }),
        { region: REGION },
      );
      let previous = v.auth.signature;
      const framed: Buffer[] = [];
      for (const [i, c] of chunks.entries()) {
        previous = await chunkSignature(v, previous, sha256(c));
        const data = tamper && i === 1 ? Buffer.from(c.map((b, j) => (j === 7 ? b ^ 1 : b))) : c;
        framed.push(Buffer.from(`${c.length.toString(16)};chunk-signature=${previous}\r\n`), data);
        framed.push(Buffer.from('\r\n'));
      }
      const head = `PUT /plain/${key} HTTP/1.1\r\n${Object.entries(headers)
        .map(([k, val]) => `${k}: ${val}`)
        .join('\r\n')}\r\n\r\n`;
      return raw(Buffer.concat([Buffer.from(head), ...framed]));
    };
    const before = segmentFiles();
    expect(await send('chunked-bad', true)).toMatch(
      /^HTTP\/1\.1 403 [^]*<Message>The signature of chunk 1 of the aws-chunked body/,
    );
    expect(await errorOf('chunked-bad')).toBe('NoSuchKey');
    expect(segmentFiles()).toEqual(before);
    expect(await send('chunked', false)).toMatch(/^HTTP\/1\.1 200 /);
    expect(sha256(await getBytes('chunked'))).toBe(sha256(Buffer.concat(chunks)));
  });

  it('keeps nothing of an upload whose client hangs up mid-body', async () => {
    const before = segmentFiles();
    const head = await signedHead(h.url, {
      method: 'PUT',
      path: '/plain/cut',
      service: 's3',
      headers: { 'content-length': String(8 * MiB), 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    });
    await raw(Buffer.concat([Buffer.from(head), randomBytes(3 * MiB)]), { hangUpAfter: true });
    for (let i = 0; i < 500 && !h.log.some((l) => / s3:PutObject 499 /.test(l)); i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(h.log.join('\n')).toMatch(/ s3:PutObject 499 .*client closed the connection/);
    expect(await errorOf('cut')).toBe('NoSuchKey');
    expect(segmentFiles()).toEqual(before);
  });

  it('versions concurrent puts of one key: each its own version, each readable', async () => {
    const s3 = s3Client(h.url);
    const bodies = Array.from({ length: 8 }, () => randomBytes(MiB + 17));
    const puts = await Promise.all(
      bodies.map((Body) => s3.send(new PutObjectCommand({ Bucket: 'versioned', Key: 'fw', Body }))),
    );
    const ids = puts.map((p) => p.VersionId!);
    expect(new Set(ids).size).toBe(bodies.length);
    for (const [i, id] of ids.entries())
      expect(sha256(await getBytes('fw', 'versioned', id))).toBe(sha256(bodies[i]!));
    const listed = await s3.send(
      new ListObjectVersionsCommand({ Bucket: 'versioned', Prefix: 'fw' }),
    );
    expect(listed.Versions!.map((v) => v.VersionId).sort()).toEqual([...ids].sort());
  });
});
