import { afterEach, describe, expect, it, vi } from 'vitest';
import { connect } from 'node:net';
import { signedHead, startServer, type Harness } from './helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await h?.close();
  h = undefined;
});

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
      resolve(got);
    }, opts.waitMs ?? 10_000);
    s.on('connect', () => {
      s.write(bytes, () => {
        if (opts.hangUp) s.destroy();
      });
    });
    s.on('data', (d: Buffer) => (got += d.toString('latin1')));
    s.on('error', reject);
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
