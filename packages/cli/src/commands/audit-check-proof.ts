/** `fwsign audit check-proof`: checks an inclusion proof offline with the log's public key alone. */
import { readFileSync } from 'node:fs';
import { checkInclusionBundle, type InclusionBundle } from '@fwsign/audit-log';
import { parse, pathOf, requireString, UsageError } from '../args.js';
import { EXIT_FAILURE, EXIT_OK, type Command } from '../command.js';
import { verifierOf } from './audit-files.js';

export const auditCheckProof: Command = {
  name: 'audit check-proof',
  usage: `fwsign audit check-proof --proof PROOF.json --public-key KEY|FILE
  Checks what \`fwsign audit prove\` printed: the checkpoint's signature by the log key, then that
  the entry's leaf hash and the inclusion path lead to its root. Exit 0 when the entry is in the
  log, 1 when not.`,
  async run(args, io) {
    const p = parse(args, { proof: { type: 'string' }, 'public-key': { type: 'string' } });
    const verifier = verifierOf(io, requireString(p, 'public-key'));
    const file = pathOf(io, requireString(p, 'proof'));
    let bundle: InclusionBundle;
    try {
      bundle = JSON.parse(readFileSync(file, 'utf8')) as InclusionBundle;
    } catch (err) {
      throw new UsageError(`--proof: ${file} is not JSON: ${(err as Error).message}`);
    }
    const v = checkInclusionBundle(bundle, verifier);
    if (!v.ok) {
      io.stdout.write(`proof INVALID: ${v.reason}\n`);
      return EXIT_FAILURE;
    }
    io.stdout.write(
      `proof OK: entry ${v.entry.seq} (${v.entry.kind}) is in the log of ${v.treeSize} entries signed by ${verifier.name}\n`,
    );
    return EXIT_OK;
  },
};
