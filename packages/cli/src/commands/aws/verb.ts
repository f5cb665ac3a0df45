/**
 * One `fwsign` verb per AWS Signer operation, built from the service model: the same flag names
 * (`--profile-name`), shorthand and JSON values, `--cli-input-json`, `--generate-cli-skeleton`,
 * pagination and output as `aws signer <verb>` has them.
 */
import { readFileSync } from 'node:fs';
import { callSigner, ServiceError, signerModel, type ClientConfig } from '@fwsign/api';
import { pathOf, UsageError } from '../../args.js';
import { EXIT_FAILURE, EXIT_OK, type CliIo, type Command } from '../../command.js';
import {
  clientConfig,
  GLOBAL_FLAGS,
  GLOBAL_USAGE,
  outputFormat,
  splitFlags,
} from './connection.js';
import { formatOutput } from './output.js';
import { coerce, flagName, memberValue, skeleton } from './values.js';

const MAX_PAGES = 10_000;

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
      const missing = [...required]
        .filter((m) => input[m] === undefined)
        .map((m) => `--${flagName(m)}`);
      if (missing.length)
        throw new UsageError(`the following arguments are required: ${missing.join(', ')}`);
      const config = clientConfig(flags, io);
      try {
        const out = await callPaginated(config, operation, input, flags);
        io.stdout.write(formatOutput(operation, out, outputFormat(flags)));
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

/** Lists follow nextToken until the end or `--max-items`, merging the pages' list, as the AWS CLI does. */
async function callPaginated(
  config: ClientConfig,
  operation: string,
  input: Record<string, unknown>,
  flags: Map<string, string[]>,
): Promise<Record<string, unknown>> {
  const op = signerModel.operations[operation]!;
  const inMembers = op.input ? (signerModel.shapes[op.input.shape]!.members ?? {}) : {};
  const outMembers = op.output ? (signerModel.shapes[op.output.shape]!.members ?? {}) : {};
  const listKeys = Object.entries(outMembers)
    .filter(([, r]) => signerModel.shapes[r.shape]!.type === 'list')
    .map(([k]) => k);
  const paginated =
    'nextToken' in inMembers &&
    'nextToken' in outMembers &&
    listKeys.length === 1 &&
    !flags.has('no-paginate');
  if (!paginated) return callSigner(config, operation, input);
  const listKey = listKeys[0]!;
  const maxItems = positive(flags, 'max-items');
  const pageSize = positive(flags, 'page-size');
  const starting = flags.get('starting-token')?.[0];
  let token = starting ?? (input.nextToken as string | undefined);
  const items: unknown[] = [];
  let last: Record<string, unknown> = {};
  for (let page = 0; page < MAX_PAGES; page++) {
    const want =
      maxItems === undefined ? pageSize : Math.min(pageSize ?? 25, maxItems - items.length);
    last = await callSigner(config, operation, {
      ...input,
      ...(want !== undefined && 'maxResults' in inMembers
        ? { maxResults: Math.min(want, 25) }
        : {}),
      ...(token ? { nextToken: token } : {}),
    });
    items.push(...((last[listKey] as unknown[] | undefined) ?? []));
    token = last.nextToken as string | undefined;
    if (!token || (maxItems !== undefined && items.length >= maxItems)) break;
  }
  const { nextToken: _ignored, ...rest } = last;
  return {
    ...rest,
    [listKey]: items,
    ...(token && maxItems !== undefined ? { NextToken: token } : {}),
  };
}

function positive(flags: Map<string, string[]>, name: string): number | undefined {
  const v = flags.get(name)?.[0];
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1)
    throw new UsageError(`--${name} expected a positive integer, got ${JSON.stringify(v)}`);
  return Number(v);
}

/** Prints the AWS error code and message (as the AWS CLI words it) and returns the failure exit code. */
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
    return EXIT_FAILURE;
  }
  const cause = (err as { cause?: { code?: string } }).cause;
  if (err instanceof TypeError && cause?.code) {
    io.stderr.write(
      `Could not connect to the endpoint URL: "${config.endpoint}" (${cause.code}); is \`fwsign serve\` running?\n`,
    );
    return EXIT_FAILURE;
  }
  throw err;
}
