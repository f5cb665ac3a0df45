/** `fwsign audit log`: the log's entries, filtered, from its files or table. */
import { decodeEntry, type AuditEntry } from '@fwsign/audit-log';
import { choice, optionalString, parse, UsageError } from '../args.js';
import { EXIT_OK, type Command } from '../command.js';
import { readLogOf } from './audit-files.js';
import { STORE_FLAGS } from '../store-location.js';

function time(p: string | undefined, flag: string): number | undefined {
  if (p === undefined) return undefined;
  const t = Date.parse(p);
  if (Number.isNaN(t))
    throw new UsageError(`--${flag} expected an ISO 8601 time, got ${JSON.stringify(p)}`);
  return t;
}

export const auditLog: Command = {
  name: 'audit log',
  usage: `fwsign audit log (--data-dir DIR | --database postgres://…) [--profile NAME] [--job-id ID] [--caller ARN] [--kind KIND]
                 [--since TIME] [--until TIME] [--output text|json]
  Lists the entries of DIR/audit/entries/ (or a copy of the audit/ folder), or of a PostgreSQL
  store's table (--database, or FWSIGN_DATABASE), oldest first, one line
  each: sequence number, time, kind, caller, subjects. Filters combine; TIME is ISO 8601.
  Offline: run \`fwsign audit verify\` to know the files are the log.`,
  async run(args, io) {
    const p = parse(args, {
      ...STORE_FLAGS,
      profile: { type: 'string' },
      'job-id': { type: 'string' },
      caller: { type: 'string' },
      kind: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      output: { type: 'string' },
    });
    const output = choice(p, 'output', ['text', 'json'] as const, 'text');
    const log = readLogOf(io, p);
    const profile = optionalString(p, 'profile');
    const jobId = optionalString(p, 'job-id');
    const caller = optionalString(p, 'caller');
    const kind = optionalString(p, 'kind');
    const since = time(optionalString(p, 'since'), 'since');
    const until = time(optionalString(p, 'until'), 'until');
    const keep = (e: AuditEntry): boolean =>
      (profile === undefined ||
        e.subjects.some((s) => s.split('/signing-profiles/')[1]?.split('/')[0] === profile)) &&
      (jobId === undefined || e.subjects.some((s) => s.endsWith(`/signing-jobs/${jobId}`))) &&
      (caller === undefined || e.actor === caller) &&
      (kind === undefined || e.kind === kind) &&
      (since === undefined || Date.parse(e.time) >= since) &&
      (until === undefined || Date.parse(e.time) <= until);
    const entries = log.source.lines.map((l) => decodeEntry(l.bytes)).filter(keep);
    if (output === 'json') io.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
    else
      for (const e of entries)
        io.stdout.write(`${e.seq}\t${e.time}\t${e.kind}\t${e.actor}\t${e.subjects.join(' ')}\n`);
    return EXIT_OK;
  },
};
