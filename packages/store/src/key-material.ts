import { stmt } from './db.js';
import { signerFromPrivateKey } from '@fwsign/signing-engine';
import type { Signer } from '@fwsign/signing-engine';
import type { StoreContext } from './context.js';
import { unseal } from './master-key.js';

/**
 * Decrypted signers, cached per certificate import so a job does not pay an
 * AES-GCM decrypt and a key parse each time. The cache holds key objects only in
 * this process's memory; nothing here is ever serialized or logged.
 */
export class SignerCache {
  private readonly cache = new Map<string, { importedAt: number; signer: Signer }>();

  constructor(private readonly ctx: StoreContext) {}

  get(account: string, certificateArn: string): { signer: Signer; notAfter: number } | undefined {
    // The ciphertext is read only on a cache miss; a hit costs one small indexed read.
    const row = stmt(
      this.ctx.db,
      'SELECT imported_at, not_after FROM certificates WHERE account = ? AND arn = ?',
    ).get(account, certificateArn) as { imported_at: number; not_after: number } | undefined;
    if (!row) return undefined;
    const hit = this.cache.get(certificateArn);
    if (hit && hit.importedAt === row.imported_at)
      return { signer: hit.signer, notAfter: row.not_after };
    const sealed = stmt(this.ctx.db, 'SELECT key_ciphertext FROM certificates WHERE arn = ?').get(
      certificateArn,
    ) as { key_ciphertext: Buffer } | undefined;
    if (!sealed) return undefined;
    const pkcs8 = unseal(this.ctx.masterKey, sealed.key_ciphertext, certificateArn);
    try {
      const signer = signerFromPrivateKey(pkcs8);
      this.cache.set(certificateArn, { importedAt: row.imported_at, signer });
      return { signer, notAfter: row.not_after };
    } finally {
      pkcs8.fill(0);
    }
  }

  forget(certificateArn: string): void {
    this.cache.delete(certificateArn);
  }
}
