/**
 * Serves the web console's static files (built by packages/console) under /console/ on the API's
 * port. The files are found by path at run time: the api knows nothing of the console's code, and
 * the console talks to the API only over HTTP, signing its requests like any other client.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const CONSOLE_PATH = '/console/';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
};

/**
 * Scripts only from files of this origin (none inline, no eval); Cloudscape sets element styles
 * from script, which 'unsafe-inline' for styles allows; API calls go to this origin only.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

interface StaticFile {
  body: Buffer;
  type: string;
  etag: string;
  cacheControl: string;
}

/** A file name carrying an esbuild content hash, e.g. `console-4GX2JQ7M.js`: safe to cache forever. */
const HASHED = /-[A-Z0-9]{8}\.[a-z0-9]+$/;

export class ConsoleStatic {
  private files: Map<string, StaticFile> | undefined;

  constructor(private readonly dir: string) {}

  /**
   * Whether a request is for the console: an unsigned GET or HEAD under /console (a signed one
   * is S3's, for a bucket that may well be named "console"). A browser's unsigned GET / is sent
   * to the console too; every other client keeps S3's answer there.
   */
  claims(req: IncomingMessage): boolean {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    if (req.headers.authorization !== undefined) return false;
    const url = req.url ?? '/';
    if (url.includes('X-Amz-Credential=')) return false;
    const path = url.split('?')[0]!;
    if (path === '/') return (req.headers.accept ?? '').includes('text/html');
    return path === '/console' || path.startsWith(CONSOLE_PATH);
  }

  serve(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0]!;
    const common = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };
    if (path === '/' || path === '/console') {
      res.writeHead(302, { ...common, location: CONSOLE_PATH, 'content-length': '0' }).end();
      return;
    }
    const name = path === CONSOLE_PATH ? 'index.html' : safeDecode(path.slice(CONSOLE_PATH.length));
    const files = this.load();
    const file = name === undefined ? undefined : files.get(name);
    if (!file) {
      const text =
        files.size === 0
          ? `The console is not built: expected its files in ${this.dir} (pnpm --filter @fwsign/console build).\n`
          : `No console file ${path}\n`;
      res.writeHead(404, {
        ...common,
        'content-type': 'text/plain; charset=utf-8',
        'cache-control': 'no-cache',
        'content-length': String(Buffer.byteLength(text)),
      });
      res.end(req.method === 'HEAD' ? undefined : text);
      return;
    }
    const headers = {
      ...common,
      'content-type': file.type,
      'cache-control': file.cacheControl,
      etag: file.etag,
      ...(file.type.startsWith('text/html')
        ? { 'content-security-policy': CONSOLE_CSP, 'x-frame-options': 'DENY' }
        : {}),
    };
    if (req.headers['if-none-match'] === file.etag) {
      res.writeHead(304, headers).end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-length': String(file.body.length) });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  }

  /** Reads the whole directory once: the console is a few files that change only with a build. */
  private load(): Map<string, StaticFile> {
    if (this.files) return this.files;
    const files = new Map<string, StaticFile>();
    let names: string[] = [];
    try {
      names = readdirSync(this.dir, { recursive: true, encoding: 'utf8' });
    } catch {
      // Not built: every request answers 404 saying so, until a restart after the build.
    }
    for (const name of names) {
      const full = join(this.dir, name);
      let body: Buffer;
      try {
        body = readFileSync(full);
      } catch {
        continue; // a directory
      }
      const rel = relative(this.dir, full).split(sep).join('/');
      files.set(rel, {
        body,
        type: TYPES[extname(rel)] ?? 'application/octet-stream',
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
        cacheControl: HASHED.test(rel) ? 'public, max-age=31536000, immutable' : 'no-cache',
      });
    }
    this.files = files;
    return files;
  }
}

function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}
