/**
 * The transparency log over HTTP, read-only, for any authenticated caller (a release pipeline or
 * a witness keeping checkpoints). Under `/_fwsign/audit/`: an underscore is not allowed in an S3
 * bucket name and no Signer route starts so, so these paths collide with neither.
 *
 *   GET /_fwsign/audit/checkpoint                  { checkpoint, treeSize, publicKey }
 *   GET /_fwsign/audit/proof?jobId=ID | ?index=N   { entry, index, treeSize, inclusionPath, checkpoint }
 *   GET /_fwsign/audit/consistency?from=M&to=N     { from, to, consistencyPath }
 */
import type { InclusionBundle } from '@fwsign/audit-log';
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
  entriesOfJob(jobId: string): Promise<Array<{ seq: number; kind: string }>>;
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
        : 'Unknown';
}

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
  method: string,
  rawPath: string,
  query: Record<string, string | string[]>,
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
    const seq =
      index ?? (await audit.entriesOfJob(jobId!)).find((e) => e.kind !== 'job.start')?.seq;
    const bundle = seq === undefined ? undefined : await audit.prove(seq);
    if (!bundle)
      throw new ApiError(
        'ResourceNotFoundException',
        404,
        jobId !== undefined
          ? `jobId: no log entry for job ${jobId}`
          : `index: the log holds ${await audit.size()} entries, none at ${index}`,
      );
    return bundle;
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
