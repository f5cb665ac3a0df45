/**
 * One entry of the log: what changed, when, by whom, on what. Its leaf data is its canonical JSON
 * (object keys sorted by code unit, no whitespace, integers only), one line of the log's files.
 * `prev` is the previous entry's leaf hash: the tree proves the whole log, the chain names the
 * first entry that was changed. Entries never carry secrets: digests, signatures, fingerprints
 * and ARNs only.
 */
import { AuditError, describe } from './errors.js';
import { leafHash } from './merkle.js';

export const ENTRY_KINDS = [
  'certificate.import',
  'certificate.delete',
  'profile.put',
  'profile.cancel',
  'profile.revoke',
  'permission.add',
  'permission.remove',
  'tags.add',
  'tags.remove',
  'job.start',
  'job.succeed',
  'job.fail',
  'payload.sign',
  'signature.revoke',
  'master-key.rotate',
  // IAM and STS (the store's iam-*.ts): who may call what is state a signing history depends on.
  'iam.user.create',
  'iam.user.delete',
  'iam.user.tag',
  'iam.user.untag',
  'iam.access-key.create',
  'iam.access-key.update',
  'iam.access-key.delete',
  'iam.group.create',
  'iam.group.delete',
  'iam.group.add-user',
  'iam.group.remove-user',
  'iam.policy.put',
  'iam.policy.delete',
  'iam.managed-policy.create',
  'iam.managed-policy.delete',
  'iam.policy-version.create',
  'iam.policy-version.delete',
  'iam.policy-version.set-default',
  'iam.policy.attach',
  'iam.policy.detach',
  'iam.role.create',
  'iam.role.delete',
  'iam.role.update-trust',
  'iam.permissions-boundary.put',
  'iam.permissions-boundary.delete',
  'sts.assume-role',
] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

export interface AuditEntry {
  seq: number;
  /** ISO 8601, UTC, milliseconds. */
  time: string;
  kind: EntryKind;
  /** The caller's ARN, or `fwsign:operator` for what an operator did on the data dir. */
  actor: string;
  /** ARNs (or ids) of what changed. */
  subjects: string[];
  details: { [k: string]: JsonValue };
  /** Hex leaf hash of entry seq - 1; absent on entry 0. */
  prev?: string;
}

export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string')
    return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value))
      throw new AuditError('MalformedEntry', `canonical JSON holds integers only, got ${value}`);
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object')
    return `{${Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k]!)}`)
      .join(',')}}`;
  throw new AuditError('MalformedEntry', `canonical JSON: unsupported value ${describe(value)}`);
}

/** The entry's leaf data: its canonical JSON in UTF-8. */
export function encodeEntry(e: AuditEntry): Uint8Array {
  return Buffer.from(canonicalJson(e as unknown as JsonValue), 'utf8');
}

export function entryLeafHash(e: AuditEntry): Uint8Array {
  return leafHash(encodeEntry(e));
}

/**
 * Reads one line of a log file back into an entry, refusing anything whose bytes are not exactly
 * its canonical form (so the bytes hashed are the bytes read).
 */
export function decodeEntry(line: string | Uint8Array): AuditEntry {
  const text = typeof line === 'string' ? line : Buffer.from(line).toString('utf8');
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new AuditError('MalformedEntry', `entry: expected a JSON object, got ${describe(text)}`);
  }
  const e = v as AuditEntry;
  if (
    !e ||
    typeof e !== 'object' ||
    Array.isArray(e) ||
    !Number.isSafeInteger(e.seq) ||
    e.seq < 0 ||
    typeof e.time !== 'string' ||
    Number.isNaN(Date.parse(e.time)) ||
    !(ENTRY_KINDS as readonly string[]).includes(e.kind) ||
    typeof e.actor !== 'string' ||
    !Array.isArray(e.subjects) ||
    !e.subjects.every((s) => typeof s === 'string') ||
    !e.details ||
    typeof e.details !== 'object' ||
    Array.isArray(e.details) ||
    (e.prev !== undefined && !/^[0-9a-f]{64}$/.test(e.prev))
  )
    throw new AuditError(
      'MalformedEntry',
      `entry: expected seq, time, kind, actor, subjects, details, got ${describe(text)}`,
    );
  if (canonicalJson(v as JsonValue) !== text)
    throw new AuditError('MalformedEntry', `entry ${e.seq}: its bytes are not in canonical form`);
  return e;
}
