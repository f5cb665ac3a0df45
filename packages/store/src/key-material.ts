import { stmt } from './db.js';
import { signerFromPrivateKey, tokenSigner } from '@fwsign/signing-engine';
import type { Signer, TokenSigner } from '@fwsign/signing-engine';
import type { StoreContext } from './context.js';
import { unsealCurrent } from './key-check-value.js';

/** The read SignerCache.get makes for every job: parameters account, certificate ARN. */
export const CERTIFICATE_VALIDITY =
  'SELECT imported_at, not_after FROM certificates WHERE account = ? AND arn = ?';

/**
 * Decrypted signers, cached per certificate import so a job does not pay an
 * AES-GCM decrypt and a key parse each time. The cache holds key objects only in
 * this process's memory; nothing here is ever serialized or logged. A certificate
 * imported with a PKCS#11 URI gets a token signer instead, whose sessions (and
 * login) the cache keeps across jobs.
 */
export class SignerCache {
  private readonly cache = new Map<string, { importedAt: number; signer: Signer }>();

  constructor(private readonly ctx: StoreContext) {}

  get(account: string, certificateArn: string): { signer: Signer; notAfter: number } | undefined {
    // The ciphertext is read only on a cache miss; a hit costs one small indexed read.
    const row = stmt(this.ctx.db, CERTIFICATE_VALIDITY).get(account, certificateArn) as
      { imported_at: number; not_after: number } | undefined;
    if (!row) return undefined;
    const hit = this.cache.get(certificateArn);
    if (hit && hit.importedAt === row.imported_at)
      return { signer: hit.signer, notAfter: row.not_after };
    if (hit) this.forget(certificateArn);
    const sealed = stmt(
      this.ctx.db,
      'SELECT key_ciphertext, pkcs11_uri, key_type FROM certificates WHERE arn = ?',
    ).get(certificateArn) as
      { key_ciphertext: Buffer | null; pkcs11_uri: string | null; key_type: string } | undefined;
    if (!sealed) return undefined;
    if (sealed.pkcs11_uri !== null) {
      // The module and PIN come from the server's environment, read when the token is opened.
      const signer = tokenSigner(sealed.pkcs11_uri, sealed.key_type === 'rsa' ? 'rsa' : 'ec-p256');
      this.cache.set(certificateArn, { importedAt: row.imported_at, signer });
      return { signer, notAfter: row.not_after };
    }
    const pkcs8 = unsealCurrent(
      this.ctx.db,
      this.ctx.masterKey,
      sealed.key_ciphertext!,
      certificateArn,
    );
    try {
      const signer = signerFromPrivateKey(pkcs8);
      this.cache.set(certificateArn, { importedAt: row.imported_at, signer });
      return { signer, notAfter: row.not_after };
    } finally {
      pkcs8.fill(0);
    }
  }

  forget(certificateArn: string): void {
    const signer = this.cache.get(certificateArn)?.signer;
    if (signer && 'key' in signer) (signer as TokenSigner).key.close();
    this.cache.delete(certificateArn);
  }
}
