/**
 * The transparency log's entries of IAM and STS writes, appended inside their iamWrite
 * transaction like every other change's (audit.ts). An entry names the account, the entity's ARN
 * and the caller; a policy document is recorded by its SHA-256, not its text: the document is
 * kept by the store (Get*Policy answers it), the digest binds the entry to those exact bytes, and
 * entries stay small whatever a policy's size (up to 10 KB each, read by every witness). Never a
 * secret access key, a session token or a digest of either: the log is read by other parties.
 */
import { sha256Hex } from './sha256-hex.js';
import type { EntryKind, JsonValue } from '@fwsign/audit-log';
import { OPERATOR, record } from './audit.js';
import type { StoreContext } from './context.js';

export const policySha256 = (document: string): string => sha256Hex(document);

export function iamRecord(
  ctx: StoreContext,
  account: string,
  kind: EntryKind,
  subjects: string[],
  details: Record<string, JsonValue | undefined> = {},
): void {
  record(ctx, { kind, actor: ctx.caller ?? OPERATOR, subjects, details: { account, ...details } });
}
