/**
 * `fwsign verify --require-logged`: the signature must be one the service made and logged. An
 * image signed with a stolen key outside the service verifies against the certificate, but no
 * job of the log carries its signature, so it is refused at release time. Offline, from a copy of
 * the log's files, a checkpoint kept elsewhere and the log's key.
 */
import { readFileSync } from 'node:fs';
import {
  decodeEntry,
  openCheckpoint,
  readEntryLines,
  verifyLog,
  type AuditEntry,
} from '@fwsign/audit-log';
import { parseSignedObject } from '@fwsign/signing-engine';
import { optionalString, pathOf, requireString, type Parsed } from '../args.js';
import type { CliIo } from '../command.js';
import { auditDirOf, verifierOf } from './audit-files.js';

export type LoggedVerdict = { ok: true; entry: AuditEntry } | { ok: false; reason: string };

export function checkLogged(p: Parsed, io: CliIo, signedObject: Uint8Array): LoggedVerdict {
  const dir = auditDirOf(io, requireString(p, 'log'));
  const verifier = verifierOf(io, optionalString(p, 'log-key'), dir);
  const cpFile = requireString(p, 'checkpoint');
  const note = readFileSync(pathOf(io, cpFile), 'utf8');
  const cp = openCheckpoint(note, verifier, verifier.name);
  if (!cp.ok) return { ok: false, reason: `checkpoint ${cpFile}: ${cp.reason}` };
  const report = verifyLog(dir, { verifier, trusted: [{ name: cpFile, note }] });
  if (!report.ok)
    return {
      ok: false,
      reason: `the log does not verify${report.firstBadEntry === undefined ? '' : ` (first bad entry ${report.firstBadEntry})`}: ${report.problems[0]?.reason}`,
    };
  const signature = Buffer.from(parseSignedObject(signedObject).signature).toString('base64');
  // Only entries the checkpoint covers are proven to be in the log.
  const lines = readEntryLines(dir).lines.slice(0, cp.checkpoint.size);
  const entries = lines.map((l) => decodeEntry(l.bytes));
  // Signatures are deterministic (RFC 6979): jobs signing the same image with the same key make
  // the same one. It stands while one of them is not revoked.
  const made = entries.filter((e) => e.kind === 'job.succeed' && e.details.signature === signature);
  if (made.length === 0)
    return {
      ok: false,
      reason: `no signing job in the log's first ${cp.checkpoint.size} entries made this signature (signed outside the service?)`,
    };
  const revocation = (job: AuditEntry) =>
    entries.find((e) => e.kind === 'signature.revoke' && e.subjects[0] === job.subjects[0]);
  const standing = made.find((e) => !revocation(e));
  if (standing) return { ok: true, entry: standing };
  const r = revocation(made[0]!)!;
  return {
    ok: false,
    reason: `the signature of ${made[0]!.subjects[0]} was revoked (entry ${r.seq}: ${JSON.stringify(r.details.reason)})`,
  };
}
