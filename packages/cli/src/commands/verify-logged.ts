/**
 * `fwsign verify --require-logged`: the signature must be one the service made and logged. An
 * image signed with a stolen key outside the service verifies against the certificate, but no
 * job of the log carries its signature, so it is refused at release time. Offline, from a copy of
 * the log's files (or a PostgreSQL store's table), a checkpoint kept elsewhere and the log's key.
 */
import { readFileSync } from 'node:fs';
import { decodeEntry, openCheckpoint, verifyLog, type AuditEntry } from '@fwsign/audit-log';
import { parseSignedObject } from '@fwsign/signing-engine';
import { optionalString, pathOf, requireString, type Parsed } from '../args.js';
import { EXIT_FAILURE, EXIT_OK, type CliIo } from '../command.js';
import { readLogAt, verifierOf } from './audit-files.js';

type LoggedVerdict = { ok: true; entry: AuditEntry } | { ok: false; reason: string };

/** The signature of an IoT signed object, as the log's entries hold it (base64). */
export const signedObjectSignature = (signedObject: Uint8Array): string =>
  Buffer.from(parseSignedObject(signedObject).signature).toString('base64');

/** The ES384 signature (r || s) of a JWS envelope's JSON text, as the log's entries hold it (base64). */
export const envelopeSignature = (envelope: string): string =>
  Buffer.from((JSON.parse(envelope) as { signature: string }).signature, 'base64url').toString(
    'base64',
  );

/** Entries that record a signature the service made: a signing job's success, a SignPayload. */
const SIGNED = new Set(['job.succeed', 'payload.sign']);

/** `signature` (base64, as entries hold it) must be one a logged job made and nobody revoked. */
function checkLogged(p: Parsed, io: CliIo, signature: string): LoggedVerdict {
  const log = readLogAt(io, requireString(p, 'log'));
  const verifier = verifierOf(io, optionalString(p, 'log-key'), log.publicKey);
  const cpFile = requireString(p, 'checkpoint');
  const note = readFileSync(pathOf(io, cpFile), 'utf8');
  const cp = openCheckpoint(note, verifier, verifier.name);
  if (!cp.ok) return { ok: false, reason: `checkpoint ${cpFile}: ${cp.reason}` };
  const report = verifyLog(log.source, { verifier, trusted: [{ name: cpFile, note }] });
  if (!report.ok)
    return {
      ok: false,
      reason: `the log does not verify${report.firstBadEntry === undefined ? '' : ` (first bad entry ${report.firstBadEntry})`}: ${report.problems[0]?.reason}`,
    };
  // Only entries the checkpoint covers are proven to be in the log.
  const lines = log.source.lines.slice(0, cp.checkpoint.size);
  const entries = lines.map((l) => decodeEntry(l.bytes));
  // IoT signatures are deterministic (RFC 6979): jobs signing the same image with the same key
  // make the same one. It stands while one of them is not revoked.
  const made = entries.filter((e) => SIGNED.has(e.kind) && e.details.signature === signature);
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

/** Prints the verdict of a valid signature that must also be logged; returns the exit code. */
export function reportLogged(p: Parsed, io: CliIo, signature: string, detail: string): number {
  const logged = checkLogged(p, io, signature);
  if (!logged.ok) {
    io.stdout.write(
      `invalid: not provably in the transparency log: ${logged.reason}\n  ${detail}\n`,
    );
    return EXIT_FAILURE;
  }
  io.stdout.write(
    `valid: ${detail}\n  logged: ${logged.entry.subjects[0]}, entry ${logged.entry.seq}\n`,
  );
  return EXIT_OK;
}
