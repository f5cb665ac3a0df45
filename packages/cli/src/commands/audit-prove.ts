/** `fwsign audit prove`: an entry and its inclusion proof against the latest checkpoint, as JSON. */
import { integer, optionalString, parse, UsageError } from '../args.js';
import { EXIT_FAILURE, EXIT_OK, type Command } from '../command.js';
import { withAuditStore } from './audit-files.js';
import { STORE_FLAGS } from '../store-location.js';

export const auditProve: Command = {
  name: 'audit prove',
  usage: `fwsign audit prove (--data-dir DIR | --database postgres://… [--data-dir DIR]) (--job-id ID | --index N)
  Prints { entry, index, treeSize, inclusionPath, checkpoint } as JSON: for a job, its outcome
  entry (job.succeed, job.fail or payload.sign). \`fwsign audit check-proof\` checks it offline with
  the log's public key alone.`,
  async run(args, io) {
    const p = parse(args, {
      ...STORE_FLAGS,
      'job-id': { type: 'string' },
      index: { type: 'string' },
    });
    const jobId = optionalString(p, 'job-id');
    const index = integer(p, 'index', 0, Number.MAX_SAFE_INTEGER);
    if ((jobId === undefined) === (index === undefined))
      throw new UsageError('give one of --job-id or --index');
    return withAuditStore(io, p, async (store) => {
      const seq =
        index ?? (await store.audit.entriesOfJob(jobId!)).find((e) => e.kind !== 'job.start')?.seq;
      const bundle = seq === undefined ? undefined : await store.audit.prove(seq);
      if (!bundle) {
        io.stderr.write(
          `fwsign audit prove: ${jobId !== undefined ? `no entry for job ${jobId}` : `no entry ${index}`} in the log\n`,
        );
        return EXIT_FAILURE;
      }
      io.stdout.write(`${JSON.stringify(bundle, null, 2)}\n`);
      return EXIT_OK;
    });
  },
};
