/**
 * Signer-managed keys, for the Lambda and Notation platforms: per account and region, one fwsign
 * root CA and one intermediate CA, created the first time they are needed; per profile version,
 * one ECDSA P-384 key and code-signing certificate issued by the intermediate. Every private key
 * is sealed under the master key like an imported one (AES-256-GCM, the AAD naming its owner),
 * or, when the server keeps them in a PKCS#11 token (managed-token.ts), made there and named by
 * its URI. Each key stays where it was made: turning the token on or off affects new keys only.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import {
  certificateHashes,
  issueCertificate,
  newP384Key,
  TokenError,
  type TokenEs384Signer,
} from '@fwsign/signing-engine';
import type { StoreContext } from './context.js';
import type { Db } from './db.js';
import { immediate, stmt } from './db.js';
import { InternalServiceErrorException } from './errors.js';
import { sealCurrent, unsealCurrent } from './key-check-value.js';
import { FORMAT_V1, MasterKeyError, reseal } from './master-key.js';
import { newTokenKey, openTokenKey, tokenRefOf } from './managed-token.js';
import { addPeriod } from './validity.js';

const ROOT_YEARS = 30;
const INTERMEDIATE_YEARS = 25;
/** A profile version's certificate covers the longest signature validity AWS allows. */
const LEAF_MONTHS = 135;
/** Clock-skew slack on notBefore, so a verifier slightly behind still accepts a fresh certificate. */
const SKEW_MS = 5 * 60_000;

interface CaRow {
  root_der: Buffer;
  root_key: Buffer;
  intermediate_der: Buffer;
  intermediate_key: Buffer;
}

export interface ManagedKey {
  /** In memory (unsealed), or a token's. */
  privateKey: KeyObject | TokenEs384Signer;
  /** Leaf, intermediate, root (DER), as the envelopes carry them. */
  chainDer: Uint8Array[];
  notAfter: number;
}

const caAad = (region: string, account: string, which: string) =>
  `fwsign-ca:${region}:${account}:${which}`;
const profileAad = (account: string, name: string, version: string) =>
  `fwsign-profile-key:${account}:${name}:${version}`;

function pkcs8(key: KeyObject): Uint8Array {
  return new Uint8Array(key.export({ format: 'der', type: 'pkcs8' }));
}

/** A stored key: the token's when the column holds a URI, else unsealed. */
function openKey(ctx: StoreContext, stored: Uint8Array, aad: string): KeyObject | TokenEs384Signer {
  const ref = tokenRefOf(stored);
  return ref !== undefined ? openTokenKey(ctx.managedToken, ref) : unsealKey(ctx, stored, aad);
}

function unsealKey(ctx: StoreContext, sealed: Uint8Array, aad: string): KeyObject {
  let der: Uint8Array;
  try {
    der = unsealCurrent(ctx.db, ctx.masterKey, sealed, aad);
  } catch (err) {
    // A wrong master key is the server's fault, never the caller's.
    if (err instanceof MasterKeyError) throw new InternalServiceErrorException(err.message);
    throw err;
  }
  try {
    return createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
  } finally {
    der.fill(0);
  }
}

/** The account's CA pair in this region, created (in the caller's transaction, or its own) when missing. */
function ensureCa(ctx: StoreContext, account: string): CaRow {
  const select = () =>
    stmt(
      ctx.db,
      'SELECT root_der, root_key, intermediate_der, intermediate_key FROM managed_ca WHERE region = ? AND account = ?',
    ).get(ctx.region, account) as CaRow | undefined;
  const found = select();
  if (found) return found;
  return immediate(ctx.db, () => {
    const again = select();
    if (again) return again;
    const now = ctx.now();
    const notBefore = new Date(now.getTime() - SKEW_MS);
    const org = `O=fwsign, OU=${account}, L=${ctx.region}`;
    const rootKey = newKey(
      ctx,
      `fwsign-ca-${ctx.region}-${account}-root`,
      caAad(ctx.region, account, 'root'),
    );
    let interKey: NewKey | undefined;
    let row: CaRow;
    try {
      interKey = newKey(
        ctx,
        `fwsign-ca-${ctx.region}-${account}-intermediate`,
        caAad(ctx.region, account, 'intermediate'),
      );
      const root = issueCertificate({
        subject: `CN=fwsign Signer root CA, ${org}`,
        subjectKey: rootKey.publicKey,
        selfSigner: rootKey.signer,
        role: 'root',
        notBefore,
        notAfter: addPeriod(now, ROOT_YEARS, 'YEARS'),
      });
      const intermediate = issueCertificate({
        subject: `CN=fwsign Signer intermediate CA, ${org}`,
        subjectKey: interKey.publicKey,
        role: 'intermediate',
        issuer: { certificateDer: root, privateKey: rootKey.signer },
        notBefore,
        notAfter: addPeriod(now, INTERMEDIATE_YEARS, 'YEARS'),
      });
      row = {
        root_der: Buffer.from(root),
        root_key: rootKey.stored,
        intermediate_der: Buffer.from(intermediate),
        intermediate_key: interKey.stored,
      };
    } catch (err) {
      throw tokenFailure(err);
    } finally {
      rootKey.close();
      interKey?.close();
    }
    stmt(
      ctx.db,
      'INSERT INTO managed_ca (region, account, root_der, root_key, intermediate_der, intermediate_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(
      ctx.region,
      account,
      row.root_der,
      row.root_key,
      row.intermediate_der,
      row.intermediate_key,
      now.getTime(),
    );
    return row;
  });
}

/** The root certificate verifiers trust for this account and region (`fwsign ca export`). */
export function rootCertificate(ctx: StoreContext, account: string): Uint8Array {
  return new Uint8Array(ensureCa(ctx, account).root_der);
}

/** A new key: made in the token when the server keeps managed keys there, else in memory and sealed. */
interface NewKey {
  /** What the database keeps: the sealed key, or the token key's URI. */
  stored: Buffer;
  publicKey: KeyObject;
  signer: KeyObject | TokenEs384Signer;
  close(): void;
}

function newKey(ctx: StoreContext, label: string, aad: string): NewKey {
  if (ctx.managedToken) {
    let made;
    try {
      made = newTokenKey(ctx.managedToken, label);
    } catch (err) {
      throw tokenFailure(err);
    }
    return {
      stored: made.ref,
      publicKey: made.publicKey,
      signer: made.signer,
      close: () => made.signer.key.close(),
    };
  }
  const key = newP384Key();
  return {
    stored: sealCurrent(ctx.db, ctx.masterKey, pkcs8(key), aad),
    publicKey: key,
    signer: key,
    close: () => undefined,
  };
}

/**
 * A token that cannot make or use a key while a profile or CA is being made fails the request
 * with the token's reason: the server's configuration is at fault, not the caller's input.
 */
function tokenFailure(err: unknown): unknown {
  return err instanceof TokenError
    ? new InternalServiceErrorException(`Signer-managed keys: ${err.message}`)
    : err;
}

/** Generates and stores the key and certificate of a new profile version (inside PutSigningProfile's transaction). */
export function issueProfileKey(
  ctx: StoreContext,
  account: string,
  name: string,
  version: string,
): void {
  const ca = ensureCa(ctx, account);
  const now = ctx.now();
  const key = newKey(
    ctx,
    `fwsign-${account}-${name}-${version}`,
    profileAad(account, name, version),
  );
  const interNotAfter = issuerNotAfter(ca.intermediate_der);
  const notAfter = Math.min(addPeriod(now, LEAF_MONTHS, 'MONTHS').getTime(), interNotAfter);
  let der: Uint8Array;
  let issuerKey: KeyObject | TokenEs384Signer | undefined;
  try {
    issuerKey = openKey(ctx, ca.intermediate_key, caAad(ctx.region, account, 'intermediate'));
    der = issueCertificate({
      subject: `CN=${name} ${version}, O=fwsign, OU=${account}, L=${ctx.region}`,
      subjectKey: key.publicKey,
      role: 'code-signing',
      issuer: { certificateDer: ca.intermediate_der, privateKey: issuerKey },
      notBefore: new Date(now.getTime() - SKEW_MS),
      notAfter: new Date(notAfter),
    });
  } catch (err) {
    throw tokenFailure(err);
  } finally {
    key.close();
    if (issuerKey && 'key' in issuerKey) issuerKey.key.close();
  }
  stmt(
    ctx.db,
    'INSERT INTO profile_keys (account, profile_name, profile_version, certificate_der, key_ciphertext, not_after) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(account, name, version, Buffer.from(der), key.stored, notAfter);
}

function issuerNotAfter(der: Uint8Array): number {
  return Date.parse(new X509Certificate(der).validTo);
}

/** Opened keys of profile versions, cached: a version's key never changes once issued. */
export class ManagedKeyCache {
  private readonly cache = new Map<string, ManagedKey>();
  constructor(private readonly ctx: StoreContext) {}

  get(account: string, name: string, version: string): ManagedKey | undefined {
    const id = `${account}\0${name}\0${version}`;
    const hit = this.cache.get(id);
    if (hit) return hit;
    const row = stmt(
      this.ctx.db,
      'SELECT certificate_der, key_ciphertext, not_after FROM profile_keys WHERE account = ? AND profile_name = ? AND profile_version = ?',
    ).get(account, name, version) as
      { certificate_der: Buffer; key_ciphertext: Buffer; not_after: number } | undefined;
    if (!row) return undefined;
    const ca = ensureCa(this.ctx, account);
    const m: ManagedKey = {
      privateKey: openKey(this.ctx, row.key_ciphertext, profileAad(account, name, version)),
      chainDer: [row.certificate_der, ca.intermediate_der, ca.root_der].map(
        (b) => new Uint8Array(b),
      ),
      notAfter: row.not_after,
    };
    this.cache.set(id, m);
    return m;
  }
}

/** Certificates never change once issued, so their GetRevocationStatus hashes are computed once per store. */
const hashCache = new WeakMap<StoreContext, Map<string, string>>();

/**
 * GetRevocationStatus's hashes (the certificate's TBS hash, then its issuer's) of every certificate
 * revoked for a signature made at `at`: the certificate of each profile version revoked with an
 * effective time at or before it, in any account (a verifier may check another account's
 * signature). The CA certificates are never revoked: no operation revokes them.
 */
export function revokedCertificateHashes(ctx: StoreContext, at: number): Set<string> {
  let cache = hashCache.get(ctx);
  if (!cache) hashCache.set(ctx, (cache = new Map<string, string>()));
  const rows = stmt(
    ctx.db,
    `SELECT k.account, k.profile_name, k.profile_version, k.certificate_der AS leaf, c.intermediate_der AS inter
       FROM profiles p
       JOIN profile_keys k ON k.account = p.account AND k.profile_name = p.name AND k.profile_version = p.profile_version
       JOIN managed_ca c ON c.region = ? AND c.account = k.account
      WHERE p.revoked_effective_from IS NOT NULL AND p.revoked_effective_from <= ?`,
  ).all(ctx.region, at) as Array<{
    account: string;
    profile_name: string;
    profile_version: string;
    leaf: Buffer;
    inter: Buffer;
  }>;
  const out = new Set<string>();
  for (const r of rows) {
    const id = `${r.account}\0${r.profile_name}\0${r.profile_version}`;
    let h = cache.get(id);
    if (h === undefined) cache.set(id, (h = certificateHashes([r.leaf, r.inter])[0]!));
    out.add(h);
  }
  return out;
}

/**
 * How many Signer-managed private keys the database holds sealed (two per CA pair, one per profile
 * version; keys in a token are not counted: the master key does not open them).
 */
/** A sealed key's first byte (master-key.ts); a key in a token is a `pkcs11:` URI instead. */
const SEALED = Buffer.from([FORMAT_V1]);

export function managedKeyCount(db: Db): number {
  return (
    stmt(
      db,
      `SELECT (SELECT count(*) FROM managed_ca WHERE substr(root_key, 1, 1) = ?)
            + (SELECT count(*) FROM managed_ca WHERE substr(intermediate_key, 1, 1) = ?)
            + (SELECT count(*) FROM profile_keys WHERE substr(key_ciphertext, 1, 1) = ?) AS n`,
    ).get(SEALED, SEALED, SEALED) as { n: number }
  ).n;
}

/** Master-key rotation: re-seals every Signer-managed key from `current` to `next` (inside the caller's transaction). */
export function resealManagedKeys(db: Db, current: Uint8Array, next: Uint8Array): number {
  let count = 0;
  const resealed = (sealed: Buffer, aad: string): Buffer => {
    // A key in a token is not sealed: its URI stays as it is.
    if (tokenRefOf(sealed) !== undefined) return sealed;
    count++;
    return reseal(current, next, sealed, aad);
  };
  const cas = stmt(
    db,
    'SELECT region, account, root_key, intermediate_key FROM managed_ca',
  ).all() as Array<{
    region: string;
    account: string;
    root_key: Buffer;
    intermediate_key: Buffer;
  }>;
  for (const c of cas)
    stmt(
      db,
      'UPDATE managed_ca SET root_key = ?, intermediate_key = ? WHERE region = ? AND account = ?',
    ).run(
      resealed(c.root_key, caAad(c.region, c.account, 'root')),
      resealed(c.intermediate_key, caAad(c.region, c.account, 'intermediate')),
      c.region,
      c.account,
    );
  const keys = stmt(
    db,
    'SELECT account, profile_name, profile_version, key_ciphertext FROM profile_keys',
  ).all() as Array<{
    account: string;
    profile_name: string;
    profile_version: string;
    key_ciphertext: Buffer;
  }>;
  for (const k of keys)
    stmt(
      db,
      'UPDATE profile_keys SET key_ciphertext = ? WHERE account = ? AND profile_name = ? AND profile_version = ?',
    ).run(
      resealed(k.key_ciphertext, profileAad(k.account, k.profile_name, k.profile_version)),
      k.account,
      k.profile_name,
      k.profile_version,
    );
  return count;
}
