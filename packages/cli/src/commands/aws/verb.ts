/**
 * One `fwsign` verb per AWS Signer operation, built from the service model: the same flag names
 * (`--profile-name`), shorthand and JSON values, `--cli-input-json`, `--generate-cli-skeleton`,
 * pagination and output as `aws signer <verb>` has them.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ServiceError, signerModel, type ClientConfig } from '@fwsign/api';
import { pathOf, UsageError } from '../../args.js';
import { AWS_EXIT, EXIT_OK, type CliIo, type Command } from '../../command.js';
import { namingEndpoint } from '../../failure.js';
import {
  clientConfig,
  GLOBAL_FLAGS,
  GLOBAL_USAGE,
  outputFormat,
  splitFlags,
} from './connection.js';
import { callPaginated } from './paginate.js';
import { printResult } from './print.js';
import { flagName } from './flag-name.js';
import { coerce, memberValue, skeleton } from './values.js';

export function awsVerb(operation: string, summary: string): Command {
  const op = signerModel.operations[operation];
  if (!op) throw new TypeError(`awsVerb: no Signer operation ${operation}`);
  const name = flagName(operation);
  const shape = op.input
    ? signerModel.shapes[op.input.shape]!
    : { type: 'structure' as const, members: {}, required: [] };
  const members = shape.members ?? {};
  const required = new Set(shape.required ?? []);
  const byFlag = new Map(Object.keys(members).map((m) => [flagName(m), m]));
  const synopsis = Object.entries(members)
    .map(([m, ref]) => {
      const t = signerModel.shapes[ref.shape]!.type;
      const f =
        t === 'boolean'
          ? `--${flagName(m)} | --no-${flagName(m)}`
          : `--${flagName(m)} ${t === 'structure' || t === 'map' ? 'k=v,...|JSON' : t === 'list' ? 'V [V ...]' : 'V'}`;
      return required.has(m) ? f : `[${f}]`;
    })
    .join(' ');
  return {
    name,
    summary,
    aws: true,
    usage: `fwsign ${name} ${synopsis}\n${GLOBAL_USAGE}`,
    async run(args, io) {
      const flags = splitFlags(args);
      if (flags.has('generate-cli-skeleton')) {
        io.stdout.write(
          `${JSON.stringify(op.input ? skeleton(signerModel, op.input) : {}, null, 4)}\n`,
        );
        return EXIT_OK;
      }
      const input = inputFrom(flags, io);
      // As the AWS CLI does for members the model marks idempotencyToken (start-signing-job's
      // --client-request-token): a fresh one per invocation when the user gives none.
      for (const [m, ref] of Object.entries(members))
        if ((ref as { idempotencyToken?: boolean }).idempotencyToken && input[m] === undefined)
          input[m] = randomUUID();
      const missing = [...required]
        .filter((m) => input[m] === undefined)
        .map((m) => `--${flagName(m)}`);
      if (missing.length)
        throw new UsageError(`the following arguments are required: ${missing.join(', ')}`);
      const config = clientConfig(flags, io);
      outputFormat(flags); // a bad --output is refused before the request, as the AWS CLI does
      try {
        const out = await callPaginated(config, operation, input, flags);
        printResult(io, flags, operation, out);
        return EXIT_OK;
      } catch (err) {
        return reportError(io, operation, config, err);
      }
    },
  };

  function inputFrom(flags: Map<string, string[]>, io: CliIo): Record<string, unknown> {
    let input: Record<string, unknown> = {};
    const cliJson = flags.get('cli-input-json');
    if (cliJson) {
      if (cliJson.length !== 1) throw new UsageError('--cli-input-json expected one value');
      const text = cliJson[0]!.startsWith('file://')
        ? readFileSync(pathOf(io, cliJson[0]!.slice(7)), 'utf8')
        : cliJson[0]!;
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch (e) {
        throw new UsageError(
          `--cli-input-json: expected JSON, got a JSON error: ${(e as Error).message}`,
        );
      }
      input = op!.input
        ? (coerce(signerModel, op!.input, doc, 'cli-input-json') as Record<string, unknown>)
        : {};
    }
    for (const [flag, words] of flags) {
      if ((GLOBAL_FLAGS as readonly string[]).includes(flag)) continue;
      const negated = flag.startsWith('no-') && byFlag.has(flag.slice(3));
      const member = byFlag.get(negated ? flag.slice(3) : flag);
      if (!member)
        throw new UsageError(
          `Unknown option '--${flag}'; ${name} takes ${[...byFlag.keys()].map((f) => `--${f}`).join(', ')}`,
        );
      const ref = members[member]!;
      if (signerModel.shapes[ref.shape]!.type === 'boolean' && words.length === 0) {
        input[member] = !negated;
        continue;
      }
      if (words.length === 0) throw new UsageError(`--${flag} expected a value`);
      input[member] = memberValue(io, ref, words, flag);
    }
    return input;
  }
}

/**
 * Prints the AWS error code and message (as the AWS CLI words it) and returns the AWS CLI's exit
 * code 254 for an error the service returned. Anything else is thrown: an endpoint that does not
 * answer as an UnreachableError naming it (exit 255 through describeFailure).
 */
export function reportError(
  io: CliIo,
  operation: string,
  config: ClientConfig,
  err: unknown,
): number {
  if (err instanceof ServiceError) {
    io.stderr.write(
      `An error occurred (${err.code}) when calling the ${operation} operation: ${err.message}\n`,
    );
    return AWS_EXIT.service;
  }
  // Not the service's answer: a connection failure names the endpoint (failure.ts), the rest as is.
  throw namingEndpoint(config.endpoint, err);
}
