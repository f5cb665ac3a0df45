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

/**
 * Why fetch could not reach the server (a network code such as ECONNREFUSED, or undici's "bad
 * port" for the ports browsers block), else undefined: `err` is then not a connection failure.
 */
function unreachableCode(err: unknown): string | undefined {
  const e = err as
    | { cause?: { code?: unknown; message?: unknown; errors?: Array<{ code?: unknown }> } }
    | undefined;
  if (!(err instanceof TypeError)) return undefined;
  if (e?.cause?.message === 'bad port') return 'bad port';
  const code = e?.cause?.code ?? e?.cause?.errors?.[0]?.code;
  return typeof code === 'string' && NETWORK_CODES.has(code) ? code : undefined;
}

/** The line for an endpoint that does not answer, with the command that starts one. */
const unreachableMessage = (endpoint: string | undefined, code: string): string => {
  const port = endpoint && /:(\d+)\/?$/.exec(endpoint)?.[1];
  if (code === 'bad port')
    return `cannot reach ${endpoint ?? 'the endpoint'}: fetch refuses port ${port ?? '?'} (one of the ports browsers block); run \`fwsign serve --port 8080\` (or another port) and pass that --endpoint-url`;
  return `cannot reach ${endpoint ?? 'the endpoint'} (${code}): is \`fwsign serve\` running? start it with \`fwsign serve --data-dir ./fwsign-data${port && port !== '8080' ? ` --port ${port}` : ''}\`, or pass --endpoint-url`;
};

/** The server at `endpoint` did not answer: the message names it and how to start one. */
class UnreachableError extends Error {
  override readonly name = 'UnreachableError';
  readonly code = 'EndpointUnreachable';
  constructor(
    readonly endpoint: string,
    reason: string,
  ) {
    super(unreachableMessage(endpoint, reason));
  }
}

/** `err` as an UnreachableError naming `endpoint` when it is a connection failure, else `err`. */
export function namingEndpoint(endpoint: string, err: unknown): unknown {
  const reason = unreachableCode(err);
  return reason === undefined ? err : new UnreachableError(endpoint, reason);
}

/**
 * Every request a verb sends goes through here (directly, or through the AWS verbs'
 * reportError): a server that does not answer becomes one line naming its URL.
 */
export async function reaching<T>(endpoint: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (err) {
    throw namingEndpoint(endpoint, err);
  }
}

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
  const e = err as (Error & { code?: unknown }) | undefined;
  if (err instanceof UnreachableError || unreachableCode(err))
    return {
      exit: aws ? AWS_EXIT.other : EXIT_FAILURE,
      line:
        err instanceof UnreachableError
          ? err.message
          : unreachableMessage(undefined, unreachableCode(err)!),
      usage: false,
    };
  const message = e instanceof Error ? e.message : String(err);
  const code =
    typeof e?.code === 'string' && !message.startsWith(e.code) ? `${String(e.code)}: ` : '';
  return { exit: aws ? AWS_EXIT.other : EXIT_FAILURE, line: `${code}${message}`, usage: false };
}
