/**
 * Signer-managed keys, for the Lambda and Notation platforms: per account and region, one fwsign
 * root CA and one intermediate CA, created the first time they are needed; per profile version,
 * one ECDSA P-384 key and code-signing certificate issued by the intermediate. Every private key
 * is sealed under the master key like an imported one (AES-256-GCM, the AAD naming its owner).
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { certificateHashes, issueCertificate, newP384Key } from '@fwsign/signing-engine';
import type { StoreContext } from './context.js';
import type { Db } from './db.js';
import { immediate, stmt } from './db.js';
import { InternalServiceErrorException } from './errors.js';
import { assertCurrentMasterKey } from './key-check-value.js';
import { MasterKeyError, seal, unseal } from './master-key.js';
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
  privateKey: KeyObject;
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

function openKey(ctx: StoreContext, sealed: Uint8Array, aad: string): KeyObject {
  let der: Uint8Array;
  try {
    der = unseal(ctx.masterKey, sealed, aad);
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
    assertCurrentMasterKey(ctx.db, ctx.masterKey);
    const now = ctx.now();
    const notBefore = new Date(now.getTime() - SKEW_MS);
    const rootKey = newP384Key();
    const interKey = newP384Key();
    const org = `O=fwsign, OU=${account}, L=${ctx.region}`;
    const root = issueCertificate({
      subject: `CN=fwsign Signer root CA, ${org}`,
      subjectKey: rootKey,
      role: 'root',
      notBefore,
      notAfter: addPeriod(now, ROOT_YEARS, 'YEARS'),
    });
    const intermediate = issueCertificate({
      subject: `CN=fwsign Signer intermediate CA, ${org}`,
      subjectKey: interKey,
      role: 'intermediate',
      issuer: { certificateDer: root, privateKey: rootKey },
      notBefore,
      notAfter: addPeriod(now, INTERMEDIATE_YEARS, 'YEARS'),
    });
    const row: CaRow = {
      root_der: Buffer.from(root),
      root_key: Buffer.from(
        seal(ctx.masterKey, pkcs8(rootKey), caAad(ctx.region, account, 'root')),
      ),
      intermediate_der: Buffer.from(intermediate),
      intermediate_key: Buffer.from(
        seal(ctx.masterKey, pkcs8(interKey), caAad(ctx.region, account, 'intermediate')),
      ),
    };
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

/** Generates and stores the key and certificate of a new profile version (inside PutSigningProfile's transaction). */
export function issueProfileKey(
  ctx: StoreContext,
  account: string,
  name: string,
  version: string,
): void {
  const ca = ensureCa(ctx, account);
  assertCurrentMasterKey(ctx.db, ctx.masterKey);
  const now = ctx.now();
  const key = newP384Key();
  const interNotAfter = issuerNotAfter(ca.intermediate_der);
  const notAfter = Math.min(addPeriod(now, LEAF_MONTHS, 'MONTHS').getTime(), interNotAfter);
  const der = issueCertificate({
    subject: `CN=${name} ${version}, O=fwsign, OU=${account}, L=${ctx.region}`,
    subjectKey: key,
    role: 'code-signing',
    issuer: {
      certificateDer: ca.intermediate_der,
      privateKey: openKey(ctx, ca.intermediate_key, caAad(ctx.region, account, 'intermediate')),
    },
    notBefore: new Date(now.getTime() - SKEW_MS),
    notAfter: new Date(notAfter),
  });
  stmt(
    ctx.db,
    'INSERT INTO profile_keys (account, profile_name, profile_version, certificate_der, key_ciphertext, not_after) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(
    account,
    name,
    version,
    Buffer.from(der),
    Buffer.from(seal(ctx.masterKey, pkcs8(key), profileAad(account, name, version))),
    notAfter,
  );
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

/** How many Signer-managed private keys the database holds sealed (two per CA pair, one per profile version). */
export function managedKeyCount(db: Db): number {
  return (
    stmt(
      db,
      'SELECT (SELECT 2 * count(*) FROM managed_ca) + (SELECT count(*) FROM profile_keys) AS n',
    ).get() as { n: number }
  ).n;
}

/** Master-key rotation: re-seals every Signer-managed key from `current` to `next` (inside the caller's transaction). */
export function resealManagedKeys(db: Db, current: Uint8Array, next: Uint8Array): number {
  const reseal = (sealed: Buffer, aad: string): Buffer => {
    const plain = unseal(current, sealed, aad);
    try {
      return Buffer.from(seal(next, plain, aad));
    } finally {
      plain.fill(0);
    }
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
      reseal(c.root_key, caAad(c.region, c.account, 'root')),
      reseal(c.intermediate_key, caAad(c.region, c.account, 'intermediate')),
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
      reseal(k.key_ciphertext, profileAad(k.account, k.profile_name, k.profile_version)),
      k.account,
      k.profile_name,
      k.profile_version,
    );
  return 2 * cas.length + keys.length;
}
