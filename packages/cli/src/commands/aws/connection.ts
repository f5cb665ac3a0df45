/** The flags every remote verb shares, and the client configuration they make. */
import type { ClientConfig } from '@fwsign/api';
import { UsageError } from '../../args.js';
import type { CliIo } from '../../command.js';
import { ConfigError } from '../../failure.js';

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:8080';

export const GLOBAL_FLAGS = [
  'endpoint-url',
  'region',
  'output',
  'query',
  'debug',
  'cli-input-json',
  'generate-cli-skeleton',
  'max-items',
  'page-size',
  'starting-token',
  'no-paginate',
] as const;

export const GLOBAL_USAGE = `  [--endpoint-url URL (default $FWSIGN_ENDPOINT or ${DEFAULT_ENDPOINT})] [--region R] [--output json|table|text]
  [--query JMESPATH] [--cli-input-json JSON|file://F] [--generate-cli-skeleton] [--debug]
  credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (default: the development identity test/test)`;

/** argv → flag → words: a flag takes every following word up to the next `--flag` (lists take several). */
export function splitFlags(args: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const a of args) {
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      if (out.has(name)) throw new UsageError(`--${name} given twice`);
      current = eq > 0 ? [a.slice(eq + 1)] : [];
      out.set(name, current);
    } else {
      if (!current)
        throw new UsageError(
          `unexpected argument ${JSON.stringify(a)}; every value follows its --flag`,
        );
      current.push(a);
    }
  }
  return out;
}

export function clientConfig(flags: Map<string, string[]>, io: CliIo): ClientConfig {
  const one = (name: string): string | undefined => {
    const v = flags.get(name);
    if (v === undefined) return undefined;
    if (v.length !== 1) throw new UsageError(`--${name} expected one value, got ${v.length}`);
    return v[0];
  };
  const endpoint = one('endpoint-url') ?? io.env.FWSIGN_ENDPOINT ?? DEFAULT_ENDPOINT;
  try {
    new URL(endpoint);
  } catch {
    throw new UsageError(
      `--endpoint-url expected a URL like ${DEFAULT_ENDPOINT}, got ${JSON.stringify(endpoint)}`,
    );
  }
  const id = io.env.AWS_ACCESS_KEY_ID;
  const secret = io.env.AWS_SECRET_ACCESS_KEY;
  // Half a key pair in the environment is a configuration mistake, as the AWS CLI treats it (253).
  if ((id === undefined) !== (secret === undefined))
    throw new ConfigError(
      `Partial credentials found in env, missing: ${id === undefined ? 'AWS_ACCESS_KEY_ID' : 'AWS_SECRET_ACCESS_KEY'}; set both, or neither for the development identity test/test`,
    );
  const debug = flags.has('debug');
  return {
    endpoint,
    region: one('region') ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    credentials: {
      accessKeyId: id ?? 'test',
      secretAccessKey: secret ?? 'test',
    },
    ...(debug ? { debug: (line: string) => void io.stderr.write(`[debug] ${line}\n`) } : {}),
  };
}

export function outputFormat(flags: Map<string, string[]>): 'json' | 'table' | 'text' {
  const v = flags.get('output')?.[0] ?? 'json';
  if (v !== 'json' && v !== 'table' && v !== 'text')
    throw new UsageError(`--output expected json, table or text, got ${JSON.stringify(v)}`);
  return v;
}
