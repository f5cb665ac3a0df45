/**
 * File helpers for commands: atomic writes, key files created 0600 without clobbering by default,
 * and reads that name the flag a missing or unreadable file came from.
 */
import { constants } from 'node:fs';
import { access, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { InputError } from './failure.js';

/** Writes next to the target then renames, so a reader never sees half a file. */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  mode = 0o644,
): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, data, { mode });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** A private key file: mode 0600 from the first byte, refused when the file exists unless `overwrite`. */
export async function writeSecretFile(
  path: string,
  data: string,
  overwrite: boolean,
): Promise<void> {
  const flags =
    constants.O_WRONLY | constants.O_CREAT | (overwrite ? constants.O_TRUNC : constants.O_EXCL);
  const fh = await open(path, flags, 0o600);
  try {
    await fh.chmod(0o600);
    await fh.writeFile(data);
  } finally {
    await fh.close();
  }
}

const WHY: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a folder, not a file',
  ENOTDIR: 'a part of the path is not a folder',
};

/** The error for a file a flag named that cannot be read: the flag, the path, and why. */
export function unreadable(flag: string, path: string, err: unknown): InputError {
  const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
  return new InputError(
    code,
    `${flag} ${path}: cannot read it: ${WHY[code] ?? (err as Error).message} (${code})`,
  );
}

/** Reads a file named by `flag` (`--key`, or "the image" for a positional), naming it on failure. */
export async function readInput(flag: string, path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw unreadable(flag, path, err);
  }
}

/** Checks that a file a command will stream can be read, before any output is made. */
export async function checkReadable(flag: string, path: string): Promise<void> {
  try {
    await access(path, constants.R_OK);
    if ((await stat(path)).isDirectory())
      throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
  } catch (err) {
    throw unreadable(flag, path, err);
  }
}
