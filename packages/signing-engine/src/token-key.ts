/**
 * A private key in a PKCS#11 token, named by a URI: a small pool of sessions (one per concurrent
 * signature: PKCS#11 sessions run one operation at a time, and pkcs11js runs C_Sign on libuv's
 * thread pool), one login shared by them (PKCS#11 logs in per application and token), and the
 * key's handle. Stale state — a session closed or logged out under us, a token reset, the key
 * handle gone — is dropped and rebuilt once within the same call; anything else fails that call
 * with a TokenError and leaves the next call to start afresh. A refused PIN is never tried again
 * while it is unchanged: each try counts toward the token's lockout.
 */
import { createHash, createPublicKey } from 'node:crypto';
import {
  ckrOf,
  findSlot,
  loadModule,
  modulePathFor,
  pkcs11js,
  readPin,
  refreshModule,
  type Handle,
  type LoadedModule,
  type Pkcs11,
} from './pkcs11-library.js';
import { describeKeyRef, type Pkcs11Uri } from './pkcs11-uri.js';
import { TokenError } from './token-errors.js';

/** DER OID of prime256v1 (secp256r1), CKA_EC_PARAMS of a P-256 key. */
export const P256_EC_PARAMS = Buffer.from('06082a8648ce3d030107', 'hex');
/** DER OID of secp384r1, CKA_EC_PARAMS of a P-384 key (Signer-managed keys, for Lambda and Notation). */
export const P384_EC_PARAMS = Buffer.from('06052b81040022', 'hex');

/** The EC curves fwsign signs with: CKA_EC_PARAMS, JWK name, uncompressed point length. */
const CURVES = [
  { params: P256_EC_PARAMS, type: 'ec-p256', crv: 'P-256', bits: 256, point: 65 },
  { params: P384_EC_PARAMS, type: 'ec-p384', crv: 'P-384', bits: 384, point: 97 },
] as const;

/** Errors after which the session/login/handle is rebuilt and the call tried once more. */
const STALE = new Set([
  'CKR_SESSION_HANDLE_INVALID',
  'CKR_SESSION_CLOSED',
  'CKR_USER_NOT_LOGGED_IN',
  'CKR_KEY_HANDLE_INVALID',
  'CKR_OBJECT_HANDLE_INVALID',
  'CKR_TOKEN_NOT_PRESENT',
  'CKR_DEVICE_REMOVED',
  'CKR_TOKEN_NOT_RECOGNIZED',
  'CKR_CRYPTOKI_NOT_INITIALIZED',
]);
const PIN_REFUSED = new Set([
  'CKR_PIN_INCORRECT',
  'CKR_PIN_LOCKED',
  'CKR_PIN_LEN_RANGE',
  'CKR_PIN_EXPIRED',
]);

/** SHA-256 of refused PINs, by module and token: in memory only, to refuse re-tries. */
const refusedPins = new Map<string, string>();

export interface TokenKeyOptions {
  /** Defaults to process.env (FWSIGN_PKCS11_MODULE, FWSIGN_PKCS11_PIN). */
  env?: NodeJS.ProcessEnv;
  /** Sessions opened at most at once; default 4, libuv's thread-pool size. */
  maxSessions?: number;
  /** Read/write sessions, for creating objects (key generation); signing needs read-only ones. */
  readWrite?: boolean;
}

export type TokenKeyType = 'ec-p256' | 'ec-p384' | 'rsa';

export class TokenKey {
  readonly uri: Pkcs11Uri;
  private readonly env: NodeJS.ProcessEnv;
  private readonly maxSessions: number;
  private readonly flags: number;
  private module: LoadedModule | undefined;
  /** The module generation the idle sessions, login, slot and key handle belong to. */
  private generation = 0;
  private slot: Handle | undefined;
  private key: Handle | undefined;
  private loggedIn = false;
  private readonly idle: Handle[] = [];
  private open = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(uri: Pkcs11Uri, opts: TokenKeyOptions = {}) {
    this.uri = uri;
    this.env = opts.env ?? process.env;
    this.maxSessions = opts.maxSessions ?? 4;
    const p = pkcs11js();
    this.flags = p.CKF_SERIAL_SESSION | (opts.readWrite ? p.CKF_RW_SESSION : 0);
  }

  /** `token "fwsign", object "release-key"`, for messages. */
  get name(): string {
    return describeKeyRef(this.uri);
  }

  /** Runs `fn` on a logged-in session with the key's handle, rebuilding stale state once. */
  withKey<T>(
    what: string,
    fn: (session: Handle, key: Handle, lib: Pkcs11) => Promise<T> | T,
  ): Promise<T> {
    return this.withSession(what, (session, lib) => fn(session, this.keyHandle(session), lib));
  }

  /** withKey for callers inside a synchronous transaction (issuing certificates): no waiting for a session. */
  withKeySync<T>(what: string, fn: (session: Handle, key: Handle, lib: Pkcs11) => T): T {
    return this.withSessionSync(what, (session, lib) => fn(session, this.keyHandle(session), lib));
  }

  /** Runs `fn` on a logged-in session, rebuilding stale state once. */
  async withSession<T>(
    what: string,
    fn: (session: Handle, lib: Pkcs11) => Promise<T> | T,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const session = await this.acquire();
      const module = this.module!;
      let healthy = true;
      module.inFlight++;
      try {
        return await fn(session, module.lib);
      } catch (err) {
        healthy = false;
        if (this.retryAfter(err, what, attempt)) continue;
      } finally {
        module.inFlight--;
        this.release(session, healthy);
      }
    }
  }

  /**
   * withSession, synchronously: opens a session beyond maxSessions rather than wait (nothing else
   * runs meanwhile, and it goes back to the idle pool after).
   */
  withSessionSync<T>(what: string, fn: (session: Handle, lib: Pkcs11) => T): T {
    for (let attempt = 0; ; attempt++) {
      const session = this.take(true)!;
      const module = this.module!;
      let healthy = true;
      try {
        return fn(session, module.lib);
      } catch (err) {
        healthy = false;
        if (this.retryAfter(err, what, attempt)) continue;
      } finally {
        this.release(session, healthy);
      }
    }
  }

  /** After a failed call: true to try once more (stale state, rebuilt), otherwise throws a TokenError. */
  private retryAfter(err: unknown, what: string, attempt: number): true {
    if (err instanceof TokenError) {
      if (err.code === 'TokenNotFound' || err.code === 'TokenFailure') this.reset();
      throw err;
    }
    const ckr = ckrOf(err);
    if (ckr && STALE.has(ckr)) {
      this.reset();
      if (attempt === 0) return true;
    }
    throw new TokenError(
      'TokenFailure',
      `PKCS#11: ${what} with ${this.name} failed (${ckr ?? (err as Error).message})`,
      ckr,
    );
  }

  private keyHandle(session: Handle): Handle {
    return (this.key ??= this.findKey(session, pkcs11js().CKO_PRIVATE_KEY));
  }

  /** Key type and size as the token reports them; refuses what fwsign does not sign with. */
  async keyType(): Promise<{ type: TokenKeyType; bits: number }> {
    return this.withKey('reading the key type', (session, key, lib) =>
      this.readKeyType(session, key, lib),
    );
  }

  /** keyType, synchronously (inside a transaction). */
  keyTypeSync(): { type: TokenKeyType; bits: number } {
    return this.withKeySync('reading the key type', (session, key, lib) =>
      this.readKeyType(session, key, lib),
    );
  }

  /** The key's public half as SPKI DER, from its public key object (EC) or the private key (RSA). */
  async publicKeySpki(): Promise<Uint8Array> {
    return this.withKey('reading the public key', (session, key, lib) =>
      this.readSpki(session, key, lib),
    );
  }

  /** publicKeySpki, synchronously (inside a transaction). */
  publicKeySpkiSync(): Uint8Array {
    return this.withKeySync('reading the public key', (session, key, lib) =>
      this.readSpki(session, key, lib),
    );
  }

  private readKeyType(
    session: Handle,
    key: Handle,
    lib: Pkcs11,
  ): { type: TokenKeyType; bits: number } {
    const p = pkcs11js();
    const [kt] = lib.C_GetAttributeValue(session, key, [{ type: p.CKA_KEY_TYPE }]);
    const keyType = kt!.value.readUInt32LE(0);
    if (keyType === p.CKK_EC) {
      const [params] = lib.C_GetAttributeValue(session, key, [{ type: p.CKA_EC_PARAMS }]);
      const curve = CURVES.find((c) => c.params.equals(params!.value));
      if (!curve)
        throw new TokenError(
          'UnsupportedKey',
          `PKCS#11: ${this.name} is an EC key on a curve other than P-256 and P-384 (EC params ${params!.value.toString('hex')})`,
        );
      return { type: curve.type, bits: curve.bits };
    }
    if (keyType === p.CKK_RSA) {
      const [n] = lib.C_GetAttributeValue(session, key, [{ type: p.CKA_MODULUS }]);
      const bits = stripZeros(n!.value).length * 8;
      if (bits < 2048)
        throw new TokenError(
          'UnsupportedKey',
          `PKCS#11: ${this.name} is an RSA key of ${bits} bits, expected at least 2048`,
        );
      return { type: 'rsa' as const, bits };
    }
    throw new TokenError(
      'UnsupportedKey',
      `PKCS#11: ${this.name} is of key type ${keyType}, expected EC (P-256, P-384) or RSA`,
    );
  }

  private readSpki(session: Handle, key: Handle, lib: Pkcs11): Uint8Array {
    const p = pkcs11js();
    const { type } = this.readKeyType(session, key, lib);
    if (type === 'rsa') {
      const [n, e] = lib.C_GetAttributeValue(session, key, [
        { type: p.CKA_MODULUS },
        { type: p.CKA_PUBLIC_EXPONENT },
      ]);
      return spkiOf({ kty: 'RSA', n: b64u(stripZeros(n!.value)), e: b64u(stripZeros(e!.value)) });
    }
    const curve = CURVES.find((c) => c.type === type)!;
    const pub = this.findKey(session, p.CKO_PUBLIC_KEY);
    const [point] = lib.C_GetAttributeValue(session, pub, [{ type: p.CKA_EC_POINT }]);
    // CKA_EC_POINT is DER OCTET STRING { 04 || X || Y } (some tokens give the bare point); both
    // curves' points are under 128 bytes, so the DER length is one byte.
    const raw = point!.value;
    const q =
      raw.length === curve.point + 2 && raw[0] === 0x04 && raw[1] === curve.point
        ? raw.subarray(2)
        : raw;
    if (q.length !== curve.point || q[0] !== 0x04)
      throw new TokenError(
        'UnsupportedKey',
        `PKCS#11: the public key of ${this.name} is not an uncompressed ${curve.crv} point (${raw.length} bytes)`,
      );
    const half = (curve.point - 1) / 2;
    return spkiOf({
      kty: 'EC',
      crv: curve.crv,
      x: b64u(q.subarray(1, 1 + half)),
      y: b64u(q.subarray(1 + half)),
    });
  }

  /** Closes every idle session; in-flight ones close as they finish. */
  close(): void {
    this.reset();
  }

  /** The one object of class `cls` matching the URI's object and id. */
  findKey(session: Handle, cls: number): Handle {
    const p = pkcs11js();
    const lib = this.module!.lib;
    const template: Array<{ type: number; value: number | string | Buffer }> = [
      { type: p.CKA_CLASS, value: cls },
    ];
    if (this.uri.object !== undefined) template.push({ type: p.CKA_LABEL, value: this.uri.object });
    if (this.uri.id !== undefined)
      template.push({ type: p.CKA_ID, value: Buffer.from(this.uri.id) });
    lib.C_FindObjectsInit(session, template);
    let found: Handle[];
    try {
      found = lib.C_FindObjects(session, 2);
    } finally {
      lib.C_FindObjectsFinal(session);
    }
    const what = cls === p.CKO_PRIVATE_KEY ? 'private key' : 'public key';
    if (found.length === 0)
      throw new TokenError('KeyNotFound', `PKCS#11: no ${what} matches ${this.name}`);
    if (found.length > 1)
      throw new TokenError(
        'KeyNotFound',
        `PKCS#11: several ${what}s match ${this.name}; name one by object= and id=`,
      );
    return found[0]!;
  }

  private async acquire(): Promise<Handle> {
    for (;;) {
      const session = this.take(false);
      if (session !== undefined) return session;
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  /** An idle or new session; undefined when maxSessions are open and `force` is not set. */
  private take(force: boolean): Handle | undefined {
    if (this.module && this.module.generation !== this.generation) {
      // The module was re-initialised: these handles are void, and closing them could close
      // another key's new session of the same number.
      this.open -= this.idle.length;
      this.idle.length = 0;
      this.forgetToken();
      this.generation = this.module.generation;
    }
    const idle = this.idle.pop();
    if (idle) return idle;
    if (this.open >= this.maxSessions && !force) return undefined;
    this.open++;
    try {
      return this.openSession();
    } catch (err) {
      this.open--;
      this.waiting.shift()?.();
      throw err;
    }
  }

  private release(session: Handle, healthy: boolean): void {
    const current = this.module && this.module.generation === this.generation;
    if (healthy && current) this.idle.push(session);
    else {
      this.open--;
      try {
        if (current) this.module!.lib.C_CloseSession(session);
      } catch {
        // already gone with the token
      }
    }
    this.waiting.shift()?.();
  }

  private openSession(): Handle {
    if (!this.module) {
      this.module = loadModule(modulePathFor(this.uri, this.env));
      this.generation = this.module.generation;
    }
    const module = this.module;
    if (!this.slot) {
      try {
        this.slot = findSlot(module.lib, this.uri);
      } catch (err) {
        // A token that was pulled and is back may show only after the module looks again; a
        // module whose re-initialisation failed while the token was away (SoftHSM without its
        // token folder) answers CKR_CRYPTOKI_NOT_INITIALIZED until it is initialised again.
        const refresh =
          err instanceof TokenError &&
          (err.code === 'TokenNotFound' || err.ckr === 'CKR_CRYPTOKI_NOT_INITIALIZED');
        if (!refresh || !refreshModule(module, this.name)) throw err;
        this.forgetToken();
        this.generation = module.generation;
        this.slot = findSlot(module.lib, this.uri);
      }
    }
    const lib = module.lib;
    let session: Handle;
    try {
      session = lib.C_OpenSession(this.slot, this.flags);
    } catch (err) {
      this.slot = undefined;
      throw new TokenError(
        'TokenFailure',
        `PKCS#11: opening a session on ${this.name} failed (${ckrOf(err) ?? (err as Error).message})`,
        ckrOf(err),
      );
    }
    if (!this.loggedIn) {
      try {
        this.login(session);
      } catch (err) {
        try {
          lib.C_CloseSession(session);
        } catch {
          // nothing more to do
        }
        throw err;
      }
    }
    return session;
  }

  private login(session: Handle): void {
    const p = pkcs11js();
    const lib = this.module!.lib;
    const info = lib.C_GetTokenInfo(this.slot!);
    const tokenId = `${lib.libPath}\0${info.serialNumber}\0${info.label}`;
    const pin = readPin(this.uri, this.env);
    const fingerprint = createHash('sha256').update(tokenId).update('\0').update(pin).digest('hex');
    if (refusedPins.get(tokenId) === fingerprint)
      throw new TokenError(
        'PinIncorrect',
        `PKCS#11: the token ${JSON.stringify(info.label.trim())} refused this PIN before; fwsign does not try it again (each try counts toward the token's lockout): correct FWSIGN_PKCS11_PIN or the pin-source file`,
        'CKR_PIN_INCORRECT',
      );
    try {
      lib.C_Login(session, p.CKU_USER, pin);
    } catch (err) {
      const ckr = ckrOf(err);
      if (ckr !== 'CKR_USER_ALREADY_LOGGED_IN') {
        if (ckr && PIN_REFUSED.has(ckr)) {
          refusedPins.set(tokenId, fingerprint);
          throw new TokenError(
            'PinIncorrect',
            `PKCS#11: the token ${JSON.stringify(info.label.trim())} refused the PIN (${ckr}); fwsign will not try it again until it changes`,
            ckr,
          );
        }
        throw new TokenError(
          'TokenFailure',
          `PKCS#11: logging in to ${this.name} failed (${ckr ?? (err as Error).message})`,
          ckr,
        );
      }
    }
    refusedPins.delete(tokenId);
    this.loggedIn = true;
  }

  /** Forgets sessions, login, slot and key handle: the next call finds the token anew. */
  private reset(): void {
    const current = this.module && this.module.generation === this.generation;
    for (const s of this.idle.splice(0)) {
      this.open--;
      try {
        if (current) this.module!.lib.C_CloseSession(s);
      } catch {
        // already gone
      }
    }
    this.forgetToken();
  }

  private forgetToken(): void {
    this.loggedIn = false;
    this.slot = undefined;
    this.key = undefined;
  }
}

function stripZeros(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

const b64u = (b: Uint8Array): string => Buffer.from(b).toString('base64url');

function spkiOf(jwk: Record<string, string>): Uint8Array {
  return new Uint8Array(
    createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'der' }),
  );
}
