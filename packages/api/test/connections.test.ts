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
    await until(() => h!.log.length > 0, 'the access-log line');
    expect(h.log[0]).toMatch(/ s3:PutObject 499 .* client closed the connection/);
    expect(stderr.join('')).not.toMatch(/internal error|\n\s+at /);
  });
});
