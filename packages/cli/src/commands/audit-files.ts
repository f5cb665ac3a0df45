/** What the `fwsign audit …` verbs share: where a data dir keeps its log, and the log's public key. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseVerifierKey, PUBLIC_KEY_FILE, type NoteVerifier } from '@fwsign/audit-log';
import { pathOf, UsageError } from '../args.js';
import type { CliIo } from '../command.js';

/** `--data-dir` may name the server's data dir or a copy of its `audit/` folder alone. */
export function auditDirOf(io: CliIo, dataDir: string): string {
  const dir = pathOf(io, dataDir);
  const inner = join(dir, 'audit');
  if (existsSync(inner)) return inner;
  if (existsSync(join(dir, 'entries')) || existsSync(join(dir, PUBLIC_KEY_FILE))) return dir;
  throw new UsageError(`--data-dir: ${dir} holds no transparency log (no audit/ folder)`);
}

/**
 * The log's verifier key: `--public-key` as the key text or a file holding it, else the copy
 * beside the log. A key pinned elsewhere is what makes a rewritten log fail: one read from the
 * same folder only proves the folder agrees with itself.
 */
export function verifierOf(io: CliIo, given: string | undefined, auditDir?: string): NoteVerifier {
  let text: string;
  if (given !== undefined) {
    const file = pathOf(io, given);
    text = given.includes('+') && !existsSync(file) ? given : readFileSync(file, 'utf8');
  } else if (auditDir !== undefined && existsSync(join(auditDir, PUBLIC_KEY_FILE))) {
    text = readFileSync(join(auditDir, PUBLIC_KEY_FILE), 'utf8');
  } else {
    throw new UsageError(
      '--public-key is required (the log key, as `fwsign audit public-key` prints it)',
    );
  }
  return parseVerifierKey(text.trim());
}
