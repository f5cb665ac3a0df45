/** What a twinned verb prints: its result, through `--query` (JMESPath), in the `--output` format. */
import { search } from 'jmespath';
import { UsageError } from '../../args.js';
import type { CliIo } from '../../command.js';
import { outputFormat } from './connection.js';
import { formatOutput, toPlain } from './output.js';

/** The terminal's width for `--output table`, as the AWS CLI finds it (80 when not a terminal). */
function terminalWidth(io: CliIo): number {
  const columns = (io.stdout as { columns?: number; isTTY?: boolean }).columns;
  const env = Number(io.env.COLUMNS);
  return Number.isInteger(env) && env > 0 ? env : (columns ?? 80);
}

export function printResult(
  io: CliIo,
  flags: Map<string, string[]>,
  title: string,
  result: unknown,
): void {
  let value = toPlain(result);
  const query = flags.get('query');
  if (query !== undefined) {
    if (query.length !== 1)
      throw new UsageError(`--query expected one expression, got ${query.length}`);
    try {
      value = search(value, query[0]!);
    } catch (err) {
      throw new UsageError(`Bad value for --query ${query[0]}: ${(err as Error).message}`);
    }
    // A query's null prints as "null" in JSON, as the AWS CLI does; other formats print nothing.
    if (value === null && outputFormat(flags) === 'json') {
      io.stdout.write('null\n');
      return;
    }
  }
  io.stdout.write(formatOutput(title, value, outputFormat(flags), terminalWidth(io)));
}
