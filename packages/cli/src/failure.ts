/**
 * What a failed command prints and exits with: one line naming the problem and the next step, no
 * stack trace. Twinned verbs use the AWS CLI's return codes, fwsign's own verbs 1 and 2.
 */
import { UsageError } from './args.js';
import { AWS_EXIT, EXIT_FAILURE, EXIT_USAGE } from './command.js';

/** Something the command line named is unusable (a file, a port): says which flag named it and why. */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The configuration or credentials are unusable; the request was never sent (AWS CLI: 253). */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'ConfigError';
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/** The network code when `err` is fetch failing to reach the server, else undefined. */
export function unreachableCode(err: unknown): string | undefined {
  const e = err as { cause?: { code?: unknown; errors?: Array<{ code?: unknown }> } } | undefined;
  const code = e?.cause?.code ?? e?.cause?.errors?.[0]?.code;
  return err instanceof TypeError && typeof code === 'string' && NETWORK_CODES.has(code)
    ? code
    : undefined;
}

/** The line for an endpoint that does not answer, with the command that starts one. */
export const unreachableMessage = (endpoint: string | undefined, code: string): string => {
  const port = endpoint && /:(\d+)\/?$/.exec(endpoint)?.[1];
  return `cannot reach ${endpoint ?? 'the endpoint'} (${code}): is \`fwsign serve\` running? start it with \`fwsign serve --data-dir ./fwsign-data${port && port !== '8080' ? ` --port ${port}` : ''}\`, or pass --endpoint-url`;
};

export interface Failure {
  exit: number;
  line: string;
  /** Print the verb's usage after the line (for command-line mistakes). */
  usage: boolean;
}

/** Classifies an error thrown by a command's run. */
export function describeFailure(err: unknown, aws: boolean): Failure {
  if (err instanceof UsageError)
    return { exit: aws ? AWS_EXIT.usage : EXIT_USAGE, line: err.message, usage: true };
  if (err instanceof InputError)
    return { exit: aws ? AWS_EXIT.usage : EXIT_USAGE, line: err.message, usage: false };
  if (err instanceof ConfigError)
    return { exit: aws ? AWS_EXIT.config : EXIT_FAILURE, line: err.message, usage: false };
  const e = err as (Error & { code?: unknown; endpoint?: string }) | undefined;
  const net = unreachableCode(err);
  if (net)
    return {
      exit: aws ? AWS_EXIT.other : EXIT_FAILURE,
      line: unreachableMessage(e?.endpoint, net),
      usage: false,
    };
  const message = e instanceof Error ? e.message : String(err);
  const code =
    typeof e?.code === 'string' && !message.startsWith(e.code) ? `${String(e.code)}: ` : '';
  return { exit: aws ? AWS_EXIT.other : EXIT_FAILURE, line: `${code}${message}`, usage: false };
}
