import { afterEach, describe, expect, it, vi } from 'vitest';
import { connect } from 'node:net';
import { signedFetch, signedHead, startServer, type Harness } from './helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await h?.close();
  h = undefined;
});

/** Marks an answer whose connection the server had not closed when the client gave up. */
const STILL_OPEN = '<<connection still open>>';

/** Writes raw bytes on a fresh connection; resolves with all the server sent once it closes (or after `waitMs`). */
function raw(
  url: string,
  bytes: string | Buffer,
  opts: { hangUp?: boolean; waitMs?: number } = {},
): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const s = connect(Number(u.port), u.hostname);
    let got = '';
    const timer = setTimeout(() => {
      s.destroy();
      resolve(`${got}${STILL_OPEN}`);
    }, opts.waitMs ?? 10_000);
    s.on('connect', () => {
      s.write(bytes, () => {
        if (opts.hangUp) s.destroy();
      });
    });
    s.on('data', (d: Buffer) => (got += d.toString('latin1')));
    s.on('error', (e: NodeJS.ErrnoException) =>
      // The server may close while we still write: what it answered first is what counts.
      e.code === 'ECONNRESET' || e.code === 'EPIPE' ? undefined : reject(e),
    );
    s.on('close', () => {
      clearTimeout(timer);
      resolve(got);
    });
  });
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 20));
  if (!cond()) throw new Error(`timed out waiting for ${what}`);
}

describe('a client that hangs up mid-body (defect 3)', () => {
  it('is logged as the client closing the connection (499), with no stack trace', async () => {
    h = await startServer();
    await signedFetch(h.url, { method: 'PUT', path: '/some-bucket', service: 's3' });
    const stderr: string[] = [];
    const real = process.stderr.write.bind(process.stderr);
    vi.spyOn(process.stderr, 'write').mockImplementation(
      (chunk: string | Uint8Array, ...rest: unknown[]) => {
        stderr.push(String(chunk));
        return (real as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
      },
    );
    const head = await signedHead(h.url, {
      method: 'PUT',
      path: '/some-bucket/key',
      service: 's3',
      headers: { 'content-length': '100000', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    });
    await raw(h.url, head + 'x'.repeat(1000), { hangUp: true });
    await until(() => h!.log.some((l) => l.includes('s3:PutObject')), 'the access-log line');
    expect(h.log.join('\n')).toMatch(/ s3:PutObject 499 .* client closed the connection/);
    expect(stderr.join('')).not.toMatch(/internal error|\n\s+at /);
  });
});

describe('malformed HTTP is answered AWS-shaped (defect 8)', () => {
  it('answers a header block over 16 KiB with 431 and a request id', async () => {
    h = await startServer();
    const got = await raw(
      h.url,
      `GET /signing-profiles HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(got).toMatch(/^HTTP\/1\.1 431 /);
    expect(got).toMatch(/\r\nx-amzn-requestid: [0-9a-f-]{36}\r\n/);
    const body = JSON.parse(got.slice(got.indexOf('\r\n\r\n') + 4)) as { __type: string };
    expect(body.__type).toBe('RequestHeaderFieldsTooLarge');
  });

  it('answers an unparsable request with a 400 body naming the fault, in XML when it was signed for S3', async () => {
    h = await startServer();
    const json = await raw(h.url, 'GET / HTTP/1.1\r\nHost x\r\n\r\n');
    expect(json).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(json.slice(json.indexOf('\r\n\r\n') + 4))).toMatchObject({
      __type: 'BadRequestException',
    });
    const xml = await raw(
      h.url,
      'GET /b HTTP/1.1\r\nAuthorization: AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, SignedHeaders=host\r\nBad Header\r\n\r\n',
    );
    expect(xml).toMatch(
      /^HTTP\/1\.1 400 [^]*<Code>InvalidRequest<\/Code>[^]*<RequestId>[0-9a-f-]{36}<\/RequestId>/,
    );
  });
});

describe('unauthenticated and oversized bodies cannot take memory (defect 5)', () => {
  const put = (
    url: string,
    path: string,
    length: number,
    headers: Record<string, string> = {},
    query?: Record<string, string>,
  ) =>
    signedHead(url, {
      method: 'PUT',
      path,
      ...(query ? { query } : {}),
      service: 's3',
      headers: {
        'content-length': String(length),
        'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
        ...headers,
      },
    });

  it('answers an unauthenticated 60 MiB PUT from its headers and closes, without reading the body', async () => {
    h = await startServer();
    const got = await raw(
      h.url,
      `PUT /b/k HTTP/1.1\r\nHost: x\r\nContent-Length: ${60 * 1024 * 1024}\r\n\r\n${'x'.repeat(64 * 1024)}`,
      { waitMs: 5000 },
    );
    expect(got).toMatch(/^HTTP\/1\.1 403 [^]*<Code>AccessDenied<\/Code>/);
    expect(got).toMatch(/\r\nconnection: close\r\n/i);
    expect(got).not.toContain(STILL_OPEN);
  });

  it('refuses a 2 GiB PUT with EntityTooLarge and closes instead of reading it', async () => {
    h = await startServer({ maxObjectBytes: 1024 * 1024 });
    const head = await put(h.url, '/b/k', 2 * 1024 ** 3);
    const got = await raw(h.url, head + 'x'.repeat(64 * 1024), { waitMs: 5000 });
    expect(got).toMatch(/^HTTP\/1\.1 400 [^]*<Code>EntityTooLarge<\/Code>/);
    expect(got).not.toContain(STILL_OPEN);
  });

  it('refuses a dribbled body with RequestTimeout once it pauses longer than the idle limit', async () => {
    h = await startServer({ bodyIdleTimeoutMs: 300 });
    await signedFetch(h.url, { method: 'PUT', path: '/idle', service: 's3' });
    const got = await raw(h.url, (await put(h.url, '/idle/k', 1000)) + 'x'.repeat(10), {
      waitMs: 5000,
    });
    expect(got).toMatch(/^HTTP\/1\.1 400 [^]*<Code>RequestTimeout<\/Code>/);
    expect(got).not.toContain(STILL_OPEN);
  });

  it('refuses a body that does not fit the in-flight budget with SlowDown, and takes it again once free', async () => {
    h = await startServer({ maxBodyBytesInFlight: 64 * 1024 });
    await signedFetch(h.url, { method: 'PUT', path: '/budget', service: 's3' });
    const u = new URL(h.url);
    // The first upload holds the whole budget while it dribbles.
    const first = connect(Number(u.port), u.hostname);
    first.on('error', () => undefined);
    first.write((await put(h.url, '/budget/a', 64 * 1024)) + 'x');
    await new Promise((r) => setTimeout(r, 200));
    const second = await raw(h.url, (await put(h.url, '/budget/b', 1000)) + 'y'.repeat(1000), {
      waitMs: 5000,
    });
    expect(second).toMatch(/^HTTP\/1\.1 503 [^]*<Code>SlowDown<\/Code>/);
    first.destroy();
    await until(() => h!.log.some((l) => l.includes('499')), 'the first upload to end');
    const third = await signedFetch(h.url, {
      method: 'PUT',
      path: '/budget/c',
      service: 's3',
      body: 'z'.repeat(1000),
    });
    expect(third.status).toBe(200);
  });

  it('takes PutObject bodies far larger than the in-flight budget, several at once: they stream to disk', async () => {
    h = await startServer({ maxBodyBytesInFlight: 4 * 1024 * 1024 });
    await signedFetch(h.url, { method: 'PUT', path: '/streamed', service: 's3' });
    const body = 'b'.repeat(8 * 1024 * 1024);
    const statuses = await Promise.all(
      [1, 2, 3].map(async (i) => {
        const r = await signedFetch(h!.url, {
          method: 'PUT',
          path: `/streamed/k${i}`,
          service: 's3',
          body,
        });
        await r.arrayBuffer();
        return r.status;
      }),
    );
    expect(statuses).toEqual([200, 200, 200]);
  });

  it('reads no large body for S3 operations other than PutObject', async () => {
    h = await startServer();
    const create = await raw(
      h.url,
      (await put(h.url, '/other-bucket', 1024 * 1024)) + 'x'.repeat(64 * 1024),
      { waitMs: 5000 },
    );
    expect(create).toMatch(/^HTTP\/1\.1 400 [^]*<Code>MaxMessageLengthExceeded<\/Code>/);
    expect(create).not.toContain(STILL_OPEN);
    const upload = await raw(
      h.url,
      (await put(
        h.url,
        '/other-bucket/k',
        8 * 1024 * 1024,
        {},
        { partNumber: '1', uploadId: 'u' },
      )) + 'x'.repeat(64 * 1024),
      { waitMs: 5000 },
    );
    expect(upload).toMatch(/^HTTP\/1\.1 501 [^]*<Code>NotImplemented<\/Code>/);
    expect(upload).toMatch(/\r\nconnection: close\r\n/i);
  });

  it('refuses connections beyond maxConnections', async () => {
    h = await startServer({ maxConnections: 2 });
    const u = new URL(h.url);
    const held = [connect(Number(u.port), u.hostname), connect(Number(u.port), u.hostname)];
    await Promise.all(held.map((c) => new Promise((r) => c.on('connect', r))));
    await new Promise((r) => setTimeout(r, 100));
    const third = await raw(h.url, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', { waitMs: 3000 });
    expect(third).toBe('');
    for (const c of held) c.destroy();
  });
});
