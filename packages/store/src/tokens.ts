import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ValidationException } from './errors.js';
import type { Db } from './db.js';
import { immediate } from './db.js';

/**
 * Pagination tokens are opaque to callers and tamper-proof: a JSON cursor plus an
 * HMAC-SHA256 under a key kept in the database (so it is shared by every process
 * on the data dir and survives restarts). The cursor names the operation, the
 * account and a digest of the filters, so a token cannot be replayed against
 * another listing or another account.
 */
export class TokenSealer {
  private readonly key: Buffer;

  constructor(db: Db) {
    this.key = loadTokenKey(db);
  }

  seal(scope: TokenScope, cursor: unknown): string {
    const body = Buffer.from(JSON.stringify({ s: scopeString(scope), c: cursor }), 'utf8');
    return `${body.toString('base64url')}.${this.mac(body).toString('base64url')}`;
  }

  open<T>(scope: TokenScope, token: unknown): T {
    if (typeof token !== 'string' || token.length > 4096) {
      throw new ValidationException(
        `nextToken: expected a token returned by a previous ${scope.op} call, got ${typeof token}`,
      );
    }
    const bad = new ValidationException(
      `nextToken: invalid token for ${scope.op} (altered, or issued for another request)`,
    );
    const dot = token.indexOf('.');
    if (dot <= 0) throw bad;
    const body = Buffer.from(token.slice(0, dot), 'base64url');
    const mac = Buffer.from(token.slice(dot + 1), 'base64url');
    const want = this.mac(body);
    if (mac.length !== want.length || !timingSafeEqual(mac, want)) throw bad;
    const parsed = JSON.parse(body.toString('utf8')) as { s: string; c: T };
    if (parsed.s !== scopeString(scope)) throw bad;
    return parsed.c;
  }

  private mac(body: Buffer): Buffer {
    return createHmac('sha256', this.key).update('fwsign-next-token-v1\0').update(body).digest();
  }
}

export interface TokenScope {
  op: string;
  account: string;
  filters: unknown;
}

function scopeString(scope: TokenScope): string {
  return JSON.stringify([scope.op, scope.account, scope.filters ?? null]);
}

function loadTokenKey(db: Db): Buffer {
  const get = db.prepare("SELECT value FROM meta WHERE key = 'token_hmac_key'");
  let row = get.get() as { value: Buffer } | undefined;
  if (!row) {
    immediate(db, () => {
      db.prepare(
        "INSERT INTO meta (key, value) VALUES ('token_hmac_key', ?) ON CONFLICT DO NOTHING",
      ).run(randomBytes(32));
    });
    row = get.get() as { value: Buffer };
  }
  return Buffer.from(row.value);
}
