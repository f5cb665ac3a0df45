/**
 * What the `fwsign audit …` verbs share: where the log is (a data dir's files, or a PostgreSQL
 * store's table), the log's public key, and the store the key-holding verbs open.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  parseVerifierKey,
  PUBLIC_KEY_FILE,
  readLogFiles,
  type LogSource,
  type NoteVerifier,
} from '@fwsign/audit-log';
import {
  isPostgresUrl,
  openStore,
  parseMasterKey,
  readAuditDatabase,
  type StoreContract,
} from '@fwsign/store';
import { optionalString, pathOf, UsageError, type Parsed } from '../args.js';
import type { CliIo } from '../command.js';
import { storeLocation } from '../store-location.js';

/** `--data-dir` may name the server's data dir or a copy of its `audit/` folder alone. */
function auditDirOf(io: CliIo, dataDir: string): string {
  const dir = pathOf(io, dataDir);
  const inner = join(dir, 'audit');
  if (existsSync(inner)) return inner;
  if (existsSync(join(dir, 'entries')) || existsSync(join(dir, PUBLIC_KEY_FILE))) return dir;
  throw new UsageError(`--data-dir: ${dir} holds no transparency log (no audit/ folder)`);
}

/** A log read for checking, and the public key kept beside it (log.pub, or the database's copy). */
export interface ReadLog {
  source: LogSource;
  publicKey?: string;
}

/** The log at `location`: a PostgreSQL store's table (`postgres://…`), else a data dir's files. */
export function readLogAt(io: CliIo, location: string): ReadLog {
  if (isPostgresUrl(location)) {
    const { log, publicKey } = readAuditDatabase(location);
    return { source: log, ...(publicKey !== undefined ? { publicKey } : {}) };
  }
  const dir = auditDirOf(io, location);
  const pub = join(dir, PUBLIC_KEY_FILE);
  return {
    source: readLogFiles(dir),
    ...(existsSync(pub) ? { publicKey: readFileSync(pub, 'utf8') } : {}),
  };
}

/**
 * The log `audit verify` and `audit log` read: the database's table, or the data dir's files
 * (storeLocation). Not both: which log is meant would be a guess.
 */
export function readLogOf(io: CliIo, p: Parsed): ReadLog {
  const { database, dataDir } = storeLocation(io, p);
  if (database !== undefined && dataDir !== undefined)
    throw new UsageError(
      `give --data-dir (the log in files) or --database (the log in PostgreSQL), not both${optionalString(p, 'database') === undefined ? ' (FWSIGN_DATABASE is set)' : ''}`,
    );
  return readLogAt(io, database ?? dataDir!);
}

/**
 * The log's verifier key: `--public-key` as the key text or a file holding it, else the copy
 * beside the log. A key pinned elsewhere is what makes a rewritten log fail: one read from the
 * same place only proves the log agrees with itself.
 */
export function verifierOf(io: CliIo, given: string | undefined, beside?: string): NoteVerifier {
  let text: string;
  if (given !== undefined) {
    const file = pathOf(io, given);
    text = given.includes('+') && !existsSync(file) ? given : readFileSync(file, 'utf8');
  } else if (beside !== undefined) {
    text = beside;
  } else {
    throw new UsageError(
      '--public-key is required (the log key, as `fwsign audit public-key` prints it)',
    );
  }
  return parseVerifierKey(text.trim());
}

/**
 * Runs `fn` on the store holding the log, for the verbs that need its key (checkpoint, prove,
 * public-key): `--data-dir` (its database and master key), or `--database` (or FWSIGN_DATABASE),
 * whose key is sealed under the servers' master key: FWSIGN_MASTER_KEY, or the master.key of
 * the `--data-dir` given with it.
 */
export async function withAuditStore<T>(
  io: CliIo,
  p: Parsed,
  fn: (store: StoreContract) => Promise<T>,
): Promise<T> {
  const { database, dataDir } = storeLocation(io, p);
  const envKey = io.env['FWSIGN_MASTER_KEY'] || undefined;
  if (database !== undefined && dataDir === undefined && envKey === undefined)
    throw new UsageError(
      "--database: the log's key is sealed under the servers' master key: set FWSIGN_MASTER_KEY, or give --data-dir DIR holding its master.key",
    );
  // With --database alone the store's folder holds nothing of the log's: a temporary one, removed.
  const scratch = dataDir === undefined ? mkdtempSync(join(tmpdir(), 'fwsign-audit-')) : undefined;
  try {
    const store = openStore({
      dataDir: dataDir ?? scratch!,
      ...(database !== undefined ? { database } : {}),
      ...(envKey !== undefined ? { masterKey: parseMasterKey(envKey, 'FWSIGN_MASTER_KEY') } : {}),
    });
    try {
      return await fn(store);
    } finally {
      await store.close();
    }
  } finally {
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  }
}
