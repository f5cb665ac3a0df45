/** A certificate named on the command line, refused as such (not as a bad key or image) when it is not one. */
import { parseCertificate, type ParsedCertificate } from '@fwsign/signing-engine';
import { InputError } from './failure.js';
import { readInput } from './files.js';

export async function readCertificate(flag: string, path: string): Promise<ParsedCertificate> {
  const bytes = await readInput(flag, path);
  try {
    return parseCertificate(new Uint8Array(bytes));
  } catch (err) {
    throw new InputError(
      'InvalidCertificate',
      `${flag} ${path}: expected an X.509 certificate (a PEM "CERTIFICATE" block or DER), got a file that is not one (${(err as Error).message}); \`fwsign keys create\` makes a key and its certificate`,
    );
  }
}
