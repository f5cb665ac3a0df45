/**
 * Where a command's store is, read one way by `serve`, `master-key rotate` and every
 * `fwsign audit …` verb: `--database`, else FWSIGN_DATABASE (a postgres:// URL: the store its
 * servers share), and `--data-dir` (the SQLite store's folder; with a database, where the servers'
 * master.key is). `--database` wins over FWSIGN_DATABASE.
 */
import { isPostgresUrl, redactUrl } from '@fwsign/store';
import { optionalString, pathOf, UsageError, type Parsed } from './args.js';
import type { CliIo } from './command.js';
import { InputError } from './failure.js';

/** The flags naming the store, for parse(). */
export const STORE_FLAGS = {
  'data-dir': { type: 'string' },
  database: { type: 'string' },
} as const;

export interface StoreLocation {
  /** A postgres:// URL. */
  database?: string;
  /** Absolute. */
  dataDir?: string;
}

/** --database, else FWSIGN_DATABASE: a postgres:// URL, or undefined (SQLite in the data dir). */
export function databaseOf(io: CliIo, p: Parsed): string | undefined {
  const given = optionalString(p, 'database');
  const database = given ?? (io.env['FWSIGN_DATABASE'] || undefined);
  return database === undefined
    ? undefined
    : postgresUrl(given !== undefined ? '--database' : 'FWSIGN_DATABASE', database);
}

/** `value`, which `source` (a flag or variable) gave, once it is a postgres:// URL; a message never shows its password. */
export function postgresUrl(source: string, value: string): string {
  if (!isPostgresUrl(value))
    throw new InputError(
      'InvalidDatabase',
      `${source}: expected a postgres:// or postgresql:// URL, got ${shown(value)}`,
    );
  return value;
}

/** The database and the data dir given; at least one of them. */
export function storeLocation(io: CliIo, p: Parsed): StoreLocation {
  const database = databaseOf(io, p);
  const dataDir = optionalString(p, 'data-dir');
  if (database === undefined && dataDir === undefined)
    throw new UsageError('--data-dir or --database is required (or set FWSIGN_DATABASE)');
  return {
    ...(database !== undefined ? { database } : {}),
    ...(dataDir !== undefined ? { dataDir: pathOf(io, dataDir) } : {}),
  };
}

/** A value for a message: a URL without its password; a file path as it is; anything else with an @ not at all. */
function shown(value: string): string {
  if (URL.canParse(value)) return JSON.stringify(redactUrl(value));
  return value.includes('@')
    ? '(a value with an @, not shown: it may hold a password)'
    : JSON.stringify(value);
}
