/** `fwsign audit verify`: recomputes the log from its files or table and checks it against every checkpoint. */
import { readFileSync } from 'node:fs';
import { verifyLog } from '@fwsign/audit-log';
import { choice, optionalString, parse, pathOf, strings } from '../args.js';
import { EXIT_FAILURE, EXIT_OK, type Command } from '../command.js';
import { readLogOf, verifierOf } from './audit-files.js';
import { STORE_FLAGS } from '../store-location.js';

export const auditVerify: Command = {
  name: 'audit verify',
  usage: `fwsign audit verify (--data-dir DIR | --database postgres://…) [--checkpoint EARLIER.txt]... [--public-key KEY|FILE] [--output text|json]
  Offline, from the files alone (DIR or a copy of its audit/ folder), or from a PostgreSQL store's
  tables (--database, or FWSIGN_DATABASE; no master key needed): recomputes the Merkle tree of the
  entries, checks each entry's sequence number and link to the one before, every stored
  checkpoint's signature and root, and that the log extends each --checkpoint kept elsewhere.
  Exit 0 when all hold; 1 naming the first bad entry (edited, reordered, dropped, truncated or
  rolled back). --public-key pins the log key (default: DIR/audit/log.pub, or the database's copy).`,
  async run(args, io) {
    const p = parse(args, {
      ...STORE_FLAGS,
      checkpoint: { type: 'string', multiple: true },
      'public-key': { type: 'string' },
      output: { type: 'string' },
    });
    const output = choice(p, 'output', ['text', 'json'] as const, 'text');
    const log = readLogOf(io, p);
    const verifier = verifierOf(io, optionalString(p, 'public-key'), log.publicKey);
    const trusted = strings(p, 'checkpoint').map((f) => ({
      name: f,
      note: readFileSync(pathOf(io, f), 'utf8'),
    }));
    const report = verifyLog(log.source, { verifier, trusted });
    if (output === 'json') io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else if (report.ok)
      io.stdout.write(
        `log OK: ${report.size} entries, root ${report.root}, ${report.checkpointsVerified} checkpoint(s) verified\n`,
      );
    else {
      io.stdout.write(
        `log INVALID${report.firstBadEntry === undefined ? '' : `: first bad entry ${report.firstBadEntry}`}\n`,
      );
      for (const pr of report.problems) io.stdout.write(`  ${pr.reason}\n`);
    }
    return report.ok ? EXIT_OK : EXIT_FAILURE;
  },
};
