import { randomUUID } from 'node:crypto';
import {
  EngineError,
  loadPrivateKey,
  parseCertificate,
  parseCertificateChain,
  privateKeyMatchesCertificate,
  signerFromPrivateKey,
} from '@fwsign/signing-engine';
import type { ParsedCertificate } from '@fwsign/signing-engine';
import { certificateArn as makeCertificateArn, parseCertificateArn, profileArn } from './arns.js';
import type { StoreContext } from './context.js';
import { immediate, stmt } from './db.js';
import {
  InvalidParameterException,
  ResourceInUseException,
  ResourceNotFoundException,
  ValidationException,
} from './errors.js';
import { record } from './audit.js';
import { sealCurrent } from './key-check-value.js';
import type { Identity } from './validate.js';
import { checkIdentity, describe } from './validate.js';

const MIN_RSA_BITS = 2048;

export interface ImportCertificateRequest {
  certificate: Uint8Array | string;
  /** Absent when the key is in a PKCS#11 token (pkcs11Uri, token-certificates.ts). */
  privateKey?: Uint8Array | string;
  /** fwsign's extension: the RFC 7512 URI of the key in a PKCS#11 token, instead of privateKey. */
  pkcs11Uri?: string;
  certificateChain?: Uint8Array | string;
  certificateArn?: string;
  tags?: Array<{ Key: string; Value?: string }> | Record<string, string>;
}

export type KeyAlgorithm = 'EC_prime256v1' | `RSA_${number}`;

export interface CertificateDetail {
  certificateArn: string;
  domainName: string;
  subject: string;
  issuer: string;
  serial: string;
  notBefore: Date;
  notAfter: Date;
  keyAlgorithm: KeyAlgorithm;
  status: 'ISSUED' | 'EXPIRED';
  type: 'IMPORTED';
  createdAt: Date;
  importedAt: Date;
  inUseBy: string[];
  /** Hex SHA-256 of the DER certificate (what GetRevocationStatus calls a certificate hash). */
  sha256: string;
}

export interface CertificateSummary {
  certificateArn: string;
  domainName: string;
  keyAlgorithm: KeyAlgorithm;
  status: 'ISSUED' | 'EXPIRED';
  type: 'IMPORTED';
  notBefore: Date;
  notAfter: Date;
  importedAt: Date;
  inUse: boolean;
}

interface CertRow {
  arn: string;
  account: string;
  certificate_der: Buffer;
  chain_pem: string | null;
  key_type: string;
  key_bits: number;
  subject: string;
  issuer: string;
  serial: string;
  sha256: string;
  not_before: number;
  not_after: number;
  created_at: number;
  imported_at: number;
  tags: string;
}

function asText(v: Uint8Array | string): string {
  return typeof v === 'string' ? v : Buffer.from(v).toString('utf8');
}

function checkBlob(field: string, v: unknown): Uint8Array | string {
  if (typeof v === 'string' ? v.length === 0 : !(v instanceof Uint8Array) || v.length === 0) {
    throw new ValidationException(`${field}: expected a non-empty PEM, got ${describe(v)}`);
  }
  return v as Uint8Array | string;
}

function engineToValidation<T>(field: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    // Engine messages about keys never contain key bytes; pass them on with the field named.
    if (err instanceof EngineError) throw new ValidationException(`${field}: ${err.message}`);
    throw err;
  }
}

function tagsOf(tags: ImportCertificateRequest['tags']): Record<string, string> {
  if (tags === undefined) return {};
  if (Array.isArray(tags)) {
    const out: Record<string, string> = {};
    for (const t of tags) {
      if (!t || typeof t.Key !== 'string' || t.Key.length === 0)
        throw new ValidationException(`tags: expected [{ Key, Value? }], got ${describe(t)}`);
      out[t.Key] = t.Value ?? '';
    }
    return out;
  }
  if (typeof tags !== 'object' || tags === null)
    throw new ValidationException(`tags: expected [{ Key, Value? }], got ${describe(tags)}`);
  return { ...tags };
}

/** A certificate (and chain) as ImportCertificate accepts them, before the key is looked at. */
export interface CheckedCertificate {
  cert: ParsedCertificate;
  chainPem: string | null;
  tags: Record<string, string>;
}

/**
 * The certificate half of ImportCertificate: refuses what cannot sign for a FreeRTOS/IoT
 * platform (an RSA key under 2048 bits, an EC key on a curve other than P-256, an expired
 * certificate, a chain that does not parse).
 */
export function checkCertificate(
  ctx: StoreContext,
  input: Pick<ImportCertificateRequest, 'certificate' | 'certificateChain' | 'tags'>,
): CheckedCertificate {
  const certBlob = checkBlob('certificate', input?.certificate);
  const cert: ParsedCertificate = engineToValidation('certificate', () =>
    parseCertificate(certBlob),
  );
  let chainPem: string | null = null;
  if (input.certificateChain !== undefined) {
    chainPem = asText(checkBlob('certificateChain', input.certificateChain));
    engineToValidation('certificateChain', () => parseCertificateChain(chainPem!));
  }
  if (cert.publicKey.type === 'ec-other')
    throw new ValidationException(
      'certificate: the key is on an EC curve other than P-256; the ECDSA platforms sign with P-256 only',
    );
  if (cert.publicKey.type === 'rsa' && cert.publicKey.bits < MIN_RSA_BITS) {
    throw new ValidationException(
      `certificate: RSA key of ${cert.publicKey.bits} bits, expected at least ${MIN_RSA_BITS}`,
    );
  }
  const now = ctx.now();
  if (cert.notAfter.getTime() < now.getTime()) {
    throw new ValidationException(
      `certificate: expired at ${cert.notAfter.toISOString()} (now ${now.toISOString()})`,
    );
  }
  return { cert, chainPem, tags: tagsOf(input.tags) };
}

/**
 * Writes (or, with `reimport`, replaces) a certificate row with its key: sealed PKCS#8 bytes, or
 * the URI of a key in a PKCS#11 token (the key itself never reaches the store).
 */
export function storeCertificate(
  ctx: StoreContext,
  id: Identity,
  checked: CheckedCertificate,
  key: { sealedPkcs8: Uint8Array } | { pkcs11Uri: string },
  reimport: string | undefined,
): { certificateArn: string } {
  const { cert } = checked;
  const now = ctx.now();
  return immediate(ctx.db, () => {
    let arn: string;
    let createdAt = now.getTime();
    if (reimport !== undefined) {
      const prev = ownCertificate(ctx, id, reimport);
      arn = prev.arn;
      createdAt = prev.created_at;
      stmt(ctx.db, 'DELETE FROM certificates WHERE arn = ?').run(arn);
    } else {
      arn = makeCertificateArn(ctx.region, id.accountId, randomUUID());
    }
    let ciphertext: Buffer | null = null;
    if ('sealedPkcs8' in key) {
      ciphertext = sealCurrent(ctx.db, ctx.masterKey, key.sealedPkcs8, arn);
    }
    stmt(
      ctx.db,
      `INSERT INTO certificates (arn, account, certificate_der, chain_pem, key_ciphertext, pkcs11_uri, key_type, key_bits, subject, issuer, serial, sha256, not_before, not_after, created_at, imported_at, tags)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      arn,
      id.accountId,
      Buffer.from(cert.der),
      checked.chainPem,
      ciphertext,
      'pkcs11Uri' in key ? key.pkcs11Uri : null,
      cert.publicKey.type,
      cert.publicKey.bits,
      cert.subject,
      cert.issuer,
      cert.serialNumber,
      Buffer.from(cert.sha256).toString('hex'),
      cert.notBefore.getTime(),
      cert.notAfter.getTime(),
      createdAt,
      now.getTime(),
      JSON.stringify(checked.tags),
    );
    record(ctx, {
      kind: 'certificate.import',
      actor: id.principalArn,
      subjects: [arn],
      details: {
        certificateSha256: Buffer.from(cert.sha256).toString('hex'),
        subject: cert.subject,
        reimport: reimport !== undefined,
        ...('pkcs11Uri' in key ? { pkcs11Uri: key.pkcs11Uri } : {}),
      },
    });
    return { certificateArn: arn };
  });
}

/**
 * ACM ImportCertificate with a private key, for the signing material of IoT profiles: the
 * certificate checks above, and a key that is the certificate's and one the engine signs with.
 * The private key is stored only encrypted under the master key.
 */
export function importCertificate(
  ctx: StoreContext,
  id: Identity,
  input: ImportCertificateRequest,
): { certificateArn: string } {
  checkIdentity(id);
  const checked = checkCertificate(ctx, input);
  if (input.privateKey === undefined || input.privateKey === null)
    throw new ValidationException(
      "Value null at 'privateKey' failed to satisfy constraint: Member must not be null (or name a key in a PKCS#11 token with the fwsign extension Pkcs11Uri)",
    );
  const keyBlob = checkBlob('privateKey', input.privateKey);
  const { cert } = checked;
  // signerFromPrivateKey also refuses RSA under 2048 bits and keys it cannot use.
  engineToValidation('privateKey', () => signerFromPrivateKey(keyBlob));
  if (!engineToValidation('privateKey', () => privateKeyMatchesCertificate(keyBlob, cert))) {
    throw new ValidationException(
      `privateKey: the private key does not match the public key of certificate ${cert.subject} (serial ${cert.serialNumber})`,
    );
  }
  // PEM or DER in any container the engine reads (PKCS#8, SEC1, PKCS#1), sealed as PKCS#8.
  const pkcs8 = loadPrivateKey(keyBlob).export({ type: 'pkcs8', format: 'der' });
  try {
    return storeCertificate(ctx, id, checked, { sealedPkcs8: pkcs8 }, input.certificateArn);
  } finally {
    pkcs8.fill(0);
  }
}

function ownCertificate(ctx: StoreContext, id: Identity, arn: unknown): CertRow {
  if (typeof arn !== 'string' || !parseCertificateArn(arn)) {
    throw new InvalidParameterException(
      `certificateArn: expected arn:aws:acm:<region>:<account>:certificate/<uuid>, got ${describe(arn)}`,
    );
  }
  const row = stmt(ctx.db, 'SELECT * FROM certificates WHERE arn = ? AND account = ?').get(
    arn,
    id.accountId,
  ) as CertRow | undefined;
  if (!row)
    throw new ResourceNotFoundException(
      `certificateArn: certificate ${arn} does not exist in account ${id.accountId}`,
    );
  return row;
}

function keyAlgorithmOf(r: CertRow): KeyAlgorithm {
  return r.key_type === 'rsa' ? `RSA_${r.key_bits}` : 'EC_prime256v1';
}

function domainNameOf(subject: string): string {
  return /(?:^|,\s*)CN=([^,]+)/.exec(subject)?.[1] ?? subject;
}

function usersOf(ctx: StoreContext, r: CertRow): string[] {
  const rows = stmt(
    ctx.db,
    "SELECT name FROM profiles WHERE account = ? AND certificate_arn = ? AND status = 'Active' ORDER BY name",
  ).all(r.account, r.arn) as Array<{ name: string }>;
  return rows.map((p) => profileArn(ctx.region, r.account, p.name));
}

export function describeCertificate(
  ctx: StoreContext,
  id: Identity,
  input: { certificateArn: string },
): { certificate: CertificateDetail } {
  checkIdentity(id);
  const r = ownCertificate(ctx, id, input?.certificateArn);
  return {
    certificate: {
      certificateArn: r.arn,
      domainName: domainNameOf(r.subject),
      subject: r.subject,
      issuer: r.issuer,
      serial: r.serial,
      notBefore: new Date(r.not_before),
      notAfter: new Date(r.not_after),
      keyAlgorithm: keyAlgorithmOf(r),
      status: r.not_after < ctx.now().getTime() ? 'EXPIRED' : 'ISSUED',
      type: 'IMPORTED',
      createdAt: new Date(r.created_at),
      importedAt: new Date(r.imported_at),
      inUseBy: usersOf(ctx, r),
      sha256: r.sha256,
    },
  };
}

/** ACM GetCertificate: the public certificate (and chain) as PEM, for OTA job documents and verifiers. */
export function getCertificate(
  ctx: StoreContext,
  id: Identity,
  input: { certificateArn: string },
): { certificate: string; certificateChain?: string } {
  checkIdentity(id);
  const r = ownCertificate(ctx, id, input?.certificateArn);
  const b64 = r.certificate_der.toString('base64').replace(/.{1,64}/g, '$&\n');
  const out: { certificate: string; certificateChain?: string } = {
    certificate: `-----BEGIN CERTIFICATE-----\n${b64}-----END CERTIFICATE-----\n`,
  };
  if (r.chain_pem !== null) out.certificateChain = r.chain_pem;
  return out;
}

export function listCertificates(
  ctx: StoreContext,
  id: Identity,
  input: { maxItems?: number; nextToken?: string } = {},
): { certificateSummaryList: CertificateSummary[]; nextToken?: string } {
  checkIdentity(id);
  const max = input.maxItems ?? 1000;
  if (!Number.isInteger(max) || max < 1 || max > 1000)
    throw new InvalidParameterException(
      `maxItems: expected an integer from 1 to 1000, got ${describe(input.maxItems)}`,
    );
  const scope = { op: 'ListCertificates', account: id.accountId, filters: null };
  const after =
    input.nextToken === undefined ? '' : ctx.tokens.open<string>(scope, input.nextToken);
  const rows = stmt(
    ctx.db,
    'SELECT * FROM certificates WHERE account = ? AND arn > ? ORDER BY arn LIMIT ?',
  ).all(id.accountId, after, max + 1) as CertRow[];
  const page = rows.slice(0, max);
  const now = ctx.now().getTime();
  const list = page.map((r) => ({
    certificateArn: r.arn,
    domainName: domainNameOf(r.subject),
    keyAlgorithm: keyAlgorithmOf(r),
    status: r.not_after < now ? ('EXPIRED' as const) : ('ISSUED' as const),
    type: 'IMPORTED' as const,
    notBefore: new Date(r.not_before),
    notAfter: new Date(r.not_after),
    importedAt: new Date(r.imported_at),
    inUse: usersOf(ctx, r).length > 0,
  }));
  const last = page[page.length - 1];
  return rows.length > max && last
    ? { certificateSummaryList: list, nextToken: ctx.tokens.seal(scope, last.arn) }
    : { certificateSummaryList: list };
}

export function deleteCertificate(
  ctx: StoreContext,
  id: Identity,
  input: { certificateArn: string },
): void {
  checkIdentity(id);
  immediate(ctx.db, () => {
    const r = ownCertificate(ctx, id, input?.certificateArn);
    const users = usersOf(ctx, r);
    if (users.length > 0)
      throw new ResourceInUseException(
        `certificateArn: certificate ${r.arn} is in use by ${users.join(', ')}`,
      );
    stmt(ctx.db, 'DELETE FROM certificates WHERE arn = ?').run(r.arn);
    record(ctx, {
      kind: 'certificate.delete',
      actor: id.principalArn,
      subjects: [r.arn],
      details: { certificateSha256: r.sha256 },
    });
  });
}
