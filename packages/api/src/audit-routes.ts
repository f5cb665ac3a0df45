/**
 * The transparency log over HTTP, read-only, authenticated (a release pipeline or a witness
 * keeping checkpoints). Under `/_fwsign/audit/`: an underscore is not allowed in an S3 bucket
 * name and no Signer route starts so, so these paths collide with neither.
 *
 *   GET /_fwsign/audit/checkpoint                  { checkpoint, treeSize, publicKey }
 *   GET /_fwsign/audit/consistency?from=M&to=N     { from, to, consistencyPath }
 *   GET /_fwsign/audit/proof?jobId=ID | ?index=N   { entry, index, treeSize, inclusionPath, checkpoint }
 *   GET /_fwsign/audit/entries[?from=N][&maxResults=M]   { entries: [{ index, entry }], nextIndex? }
 *
 * Per account, as CloudTrail's trails are: an entry is shown only to the accounts it concerns —
 * the caller's account (the actor's ARN) and the accounts owning what it changed (its subjects'
 * ARNs), so a cross-account job is the invoker's and the profile owner's. Checkpoints and
 * consistency proofs cover the one global tree and carry only its size and hashes, so every
 * authenticated caller gets them (a witness needs nothing more to check that the log only grows);
 * an inclusion proof carries the caller's entry and the hashes of others, never their contents.
 * Entries of no account (what the operator did on the data dir) are read from the files.
 *
 * An IAM principal needs fwsign's own action for each read — fwsign:GetAuditCheckpoint,
 * fwsign:GetAuditConsistencyProof, fwsign:GetAuditInclusionProof, fwsign:ListAuditEntries — on its
 * account's log, arn:aws:fwsign:<region>:<account>:audit-log/default (@fwsign/iam's own-actions.ts);
 * the account's root keys need none.
 */
import type { AuditEntry, InclusionBundle } from '@fwsign/audit-log';
import { ApiError } from './errors.js';

const AUDIT_PREFIX = '/_fwsign/audit/';

/** What the routes need of the store's log. */
export interface AuditService {
  size(): Promise<number>;
  publicKey(): Promise<string>;
  checkpoint(): Promise<{ size: number; note: string }>;
  checkpointIfGrown(): Promise<unknown>;
  latestCheckpoint(): Promise<{ size: number; note: string } | undefined>;
  prove(seq: number): Promise<InclusionBundle | undefined>;
  entry(seq: number): Promise<AuditEntry | undefined>;
  entriesOfJob(jobId: string): Promise<AuditEntry[]>;
  consistency(from: number, to: number): Promise<string[]>;
}

export const isAuditPath = (rawPath: string): boolean => rawPath.startsWith(AUDIT_PREFIX);

/** The operation name the access log shows. */
export function auditOperation(rawPath: string): string {
  const op = rawPath.slice(AUDIT_PREFIX.length);
  return op === 'checkpoint'
    ? 'GetAuditCheckpoint'
    : op === 'proof'
      ? 'GetAuditInclusionProof'
      : op === 'consistency'
        ? 'GetAuditConsistencyProof'
        : op === 'entries'
          ? 'ListAuditEntries'
          : 'Unknown';
}

/** The account of an ARN (`arn:partition:service:region:account:resource`), if it names one. */
function accountOf(arn: string): string | undefined {
  const parts = arn.split(':');
  return parts[0] === 'arn' && parts.length >= 6 && /^\d{12}$/.test(parts[4]!)
    ? parts[4]
    : undefined;
}

/** Whether `account` may read `entry`: it made the call, or owns something the call changed. */
function entryConcerns(entry: AuditEntry, account: string): boolean {
  return accountOf(entry.actor) === account || entry.subjects.some((s) => accountOf(s) === account);
}

/** Entries scanned at most per ListAuditEntries call, so one call stays cheap however sparse the caller's entries are. */
const MAX_SCAN = 5000;
const MAX_RESULTS = 100;

function one(query: Record<string, string | string[]>, name: string): string | undefined {
  const v = query[name];
  if (Array.isArray(v))
    throw new ApiError('ValidationException', 400, `${name}: expected one value, got ${v.length}`);
  return v;
}

function count(query: Record<string, string | string[]>, name: string): number | undefined {
  const v = one(query, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^[0-9]+$/.test(v) || !Number.isSafeInteger(n))
    throw new ApiError(
      'ValidationException',
      400,
      `${name}: expected a non-negative integer, got ${JSON.stringify(v)}`,
    );
  return n;
}

export async function handleAudit(
  audit: AuditService | undefined,
  account: string,
  method: string,
  rawPath: string,
  query: Record<string, string | string[]>,
  /** Authorizes the operation for an IAM principal (fwsign:<operation>), before anything is read. */
  gate?: (operation: string) => Promise<void>,
): Promise<unknown> {
  if (!audit)
    throw new ApiError('ResourceNotFoundException', 404, 'this server keeps no transparency log');
  const op = auditOperation(rawPath);
  if (op === 'Unknown')
    throw new ApiError(
      'UnknownOperationException',
      404,
      `No audit operation is ${method} ${rawPath.slice(0, 200)}`,
    );
  if (method !== 'GET')
    throw new ApiError('MethodNotAllowedException', 405, `${rawPath} takes GET, got ${method}`);
  await gate?.(op);
  if (op === 'GetAuditCheckpoint') {
    const cp = (await audit.latestCheckpoint()) ?? (await audit.checkpoint());
    return { checkpoint: cp.note, treeSize: cp.size, publicKey: await audit.publicKey() };
  }
  if (op === 'GetAuditInclusionProof') {
    const jobId = one(query, 'jobId');
    const index = count(query, 'index');
    if ((jobId === undefined) === (index === undefined))
      throw new ApiError(
        'ValidationException',
        400,
        'expected one of the query parameters jobId and index',
      );
    if (index !== undefined) {
      // Checked before proving: a proof may sign a new checkpoint, which a refused call must not.
      const entry = await audit.entry(index);
      if (!entry)
        throw new ApiError(
          'ResourceNotFoundException',
          404,
          `index: the log holds ${await audit.size()} entries, none at ${index}`,
        );
      if (!entryConcerns(entry, account))
        throw new ApiError(
          'AccessDeniedException',
          403,
          `index: entry ${index} does not concern account ${account}; an account reads the entries of its own calls and of its own resources`,
        );
      return (await audit.prove(index))!;
    }
    // Another account's job is answered as an unknown one: its id reveals nothing.
    const seq = (await audit.entriesOfJob(jobId!)).find(
      (e) => e.kind !== 'job.start' && entryConcerns(e, account),
    )?.seq;
    const bundle = seq === undefined ? undefined : await audit.prove(seq);
    if (!bundle)
      throw new ApiError('ResourceNotFoundException', 404, `jobId: no log entry for job ${jobId}`);
    return bundle;
  }
  if (op === 'ListAuditEntries') {
    const from = count(query, 'from') ?? 0;
    const max = count(query, 'maxResults') ?? MAX_RESULTS;
    if (max < 1 || max > MAX_RESULTS)
      throw new ApiError(
        'ValidationException',
        400,
        `maxResults: expected 1 to ${MAX_RESULTS}, got ${max}`,
      );
    const size = await audit.size();
    const entries: Array<{ index: number; entry: AuditEntry }> = [];
    let i = from;
    for (; i < size && i < from + MAX_SCAN && entries.length < max; i++) {
      const entry = (await audit.entry(i))!;
      if (entryConcerns(entry, account)) entries.push({ index: i, entry });
    }
    return i < size ? { entries, nextIndex: i } : { entries };
  }
  const from = count(query, 'from');
  const to = count(query, 'to');
  if (from === undefined || to === undefined)
    throw new ApiError('ValidationException', 400, 'expected the query parameters from and to');
  const size = await audit.size();
  if (from > to || to > size)
    throw new ApiError(
      'ValidationException',
      400,
      `expected from <= to <= ${size} (the log's size), got from=${from} to=${to}`,
    );
  return { from, to, consistencyPath: await audit.consistency(from, to) };
}
