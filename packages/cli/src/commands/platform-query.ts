/**
 * list-signing-platforms and get-signing-platform: answered from fwsign's own catalog offline, or
 * by the server given --endpoint-url, with the AWS CLI's flags either way. The server's code (and
 * the service model) loads only when there is a server to ask.
 */
import { UsageError } from '../args.js';
import { AWS_EXIT, EXIT_OK, type CliIo } from '../command.js';
import { splitFlags } from './aws/connection.js';
import { printResult } from './aws/print.js';

const OUTPUT_FLAGS = ['endpoint-url', 'region', 'output', 'query', 'debug'];

/** The flags, refusing any outside `own` and the shared ones. */
export function platformFlags(args: string[], own: readonly string[]): Map<string, string[]> {
  const flags = splitFlags(args);
  const allowed = [...own, ...OUTPUT_FLAGS];
  for (const f of flags.keys())
    if (!allowed.includes(f))
      throw new UsageError(
        `Unknown option '--${f}'; expected ${allowed.map((a) => `--${a}`).join(', ')}`,
      );
  return flags;
}

export function one(flags: Map<string, string[]>, name: string): string | undefined {
  const v = flags.get(name);
  if (v === undefined) return undefined;
  if (v.length !== 1) throw new UsageError(`--${name} expected one value, got ${v.length}`);
  return v[0];
}

/** Asks the server (with --endpoint-url) or answers locally, then prints as the AWS CLI does. */
export async function answer(
  io: CliIo,
  flags: Map<string, string[]>,
  operation: string,
  input: Record<string, unknown>,
  local: () => Record<string, unknown> | undefined,
): Promise<number> {
  if (!flags.has('endpoint-url')) {
    const out = local();
    if (out === undefined) return AWS_EXIT.service;
    printResult(io, flags, operation, out);
    return EXIT_OK;
  }
  const [{ clientConfig, outputFormat }, { callPaginated }, { reportError }] = await Promise.all([
    import('./aws/connection.js'),
    import('./aws/paginate.js'),
    import('./aws/verb.js'),
  ]);
  const config = clientConfig(flags, io);
  outputFormat(flags);
  try {
    printResult(io, flags, operation, await callPaginated(config, operation, input, flags));
    return EXIT_OK;
  } catch (err) {
    return reportError(io, operation, config, err);
  }
}
