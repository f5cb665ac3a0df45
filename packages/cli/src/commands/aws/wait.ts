/** `fwsign wait successful-signing-job --job-id ID`: botocore's SuccessfulSigningJob waiter. */
import { callSigner, ServiceError } from '@fwsign/api';
import { UsageError } from '../../args.js';
import { EXIT_OK, type Command } from '../../command.js';
import { clientConfig, GLOBAL_USAGE, splitFlags } from './connection.js';
import { reportError } from './verb.js';

/** botocore waits 20 s between 25 attempts against AWS; a local server answers sooner, so poll faster. */
const DELAY_MS = 1000;
const MAX_ATTEMPTS = 300;
export const EXIT_WAITER_FAILED = 255;

export const waitSuccessfulSigningJob: Command = {
  name: 'wait successful-signing-job',
  aws: true,
  usage: `fwsign wait successful-signing-job --job-id ID [--job-owner ACCOUNT]\n${GLOBAL_USAGE}`,
  async run(args, io) {
    const flags = splitFlags(args);
    const jobId = flags.get('job-id')?.[0];
    if (!jobId) throw new UsageError('the following arguments are required: --job-id');
    for (const f of flags.keys()) {
      if (!['job-id', 'endpoint-url', 'region', 'debug', 'output'].includes(f))
        throw new UsageError(`Unknown option '--${f}'`);
    }
    const config = clientConfig(flags, io);
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      let status: unknown;
      try {
        status = (await callSigner(config, 'DescribeSigningJob', { jobId })).status;
      } catch (err) {
        if (err instanceof ServiceError && err.code === 'ResourceNotFoundException') {
          io.stderr.write(
            `Waiter SuccessfulSigningJob failed: Waiter encountered a terminal failure state: matched expected error "ResourceNotFoundException": ${err.message}\n`,
          );
          return EXIT_WAITER_FAILED;
        }
        return reportError(io, 'DescribeSigningJob', config, err);
      }
      if (status === 'Succeeded') return EXIT_OK;
      if (status === 'Failed') {
        io.stderr.write(
          'Waiter SuccessfulSigningJob failed: Waiter encountered a terminal failure state: For expression "status" we matched expected path: "Failed"\n',
        );
        return EXIT_WAITER_FAILED;
      }
      await new Promise((r) => setTimeout(r, DELAY_MS));
    }
    io.stderr.write(
      `Waiter SuccessfulSigningJob failed: Max attempts exceeded (${MAX_ATTEMPTS})\n`,
    );
    return EXIT_WAITER_FAILED;
  },
};
