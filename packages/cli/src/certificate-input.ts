/**
 * A certificate named on the command line, refused as such (not as a bad key or image) when it is
 * not one. node:crypto's X509Certificate reads it, so verbs that only check it (sign, verify) do
 * not load the engine's certificate parser.
 */
import { X509Certificate } from 'node:crypto';
import { InputError } from './failure.js';
import { readInput } from './files.js';

export async function readCertificate(flag: string, path: string): Promise<X509Certificate> {
  const bytes = await readInput(flag, path);
  try {
    return new X509Certificate(bytes);
  } catch (err) {
    throw new InputError(
      'InvalidCertificate',
      `${flag} ${path}: expected an X.509 certificate (a PEM "CERTIFICATE" block or DER), got a file that is not one (${(err as Error).message}); \`fwsign keys create\` makes a key and its certificate`,
    );
  }
}
