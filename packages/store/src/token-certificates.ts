/**
 * ImportCertificate by reference (fwsign's extension `pkcs11Uri`): the certificate's key stays in
 * a PKCS#11 token and the store keeps the key's URI. At import the token is asked for the key's
 * public half, which must be the certificate's. Only the URI's path (token, object, id …) is
 * stored: the module and the PIN are the server's configuration (FWSIGN_PKCS11_MODULE,
 * FWSIGN_PKCS11_PIN), never an account's input — a client must not make the server load a
 * library of its choosing, read a file of its choosing as a PIN, or store a PIN in the database.
 */
import {
  describeKeyRef,
  formatPkcs11UriPath,
  parsePkcs11Uri,
  publicKeyMatchesCertificate,
  TokenError,
  TokenKey,
  type Pkcs11Uri,
} from '@fwsign/signing-engine';
import {
  checkCertificate,
  storeCertificate,
  type ImportCertificateRequest,
} from './certificates.js';
import type { StoreContext } from './context.js';
import { ValidationException } from './errors.js';
import type { Identity } from './validate.js';
import { checkIdentity, describe } from './validate.js';

const SERVER_SIDE = ['modulePath', 'moduleName', 'pinSource', 'pinValue'] as const;
const QUERY_NAME: Record<(typeof SERVER_SIDE)[number], string> = {
  modulePath: 'module-path',
  moduleName: 'module-name',
  pinSource: 'pin-source',
  pinValue: 'pin-value',
};

function tokenUri(text: unknown): Pkcs11Uri {
  if (typeof text !== 'string' || text.length === 0)
    throw new ValidationException(
      `pkcs11Uri: expected a PKCS#11 URI such as pkcs11:token=fwsign;object=release-key, got ${describe(text)}`,
    );
  let uri: Pkcs11Uri;
  try {
    uri = parsePkcs11Uri(text);
  } catch (err) {
    if (err instanceof TokenError) throw new ValidationException(`pkcs11Uri: ${err.message}`);
    throw err;
  }
  const given = SERVER_SIDE.filter((k) => uri[k] !== undefined).map((k) => QUERY_NAME[k]);
  if (given.length > 0)
    throw new ValidationException(
      `pkcs11Uri: ${given.join(', ')} cannot be given to the server: its operator sets the module and the PIN (FWSIGN_PKCS11_MODULE, FWSIGN_PKCS11_PIN); name the key by its path only (token=…;object=…)`,
    );
  if (uri.type !== undefined && uri.type !== 'private')
    throw new ValidationException(
      `pkcs11Uri: expected a private key (type=private or no type), got type=${uri.type}`,
    );
  if (uri.object === undefined && uri.id === undefined)
    throw new ValidationException(
      'pkcs11Uri: name the key with object= (its label) or id= (its CKA_ID)',
    );
  return uri;
}

export async function importTokenCertificate(
  ctx: StoreContext,
  id: Identity,
  input: ImportCertificateRequest,
): Promise<{ certificateArn: string }> {
  checkIdentity(id);
  if (input.privateKey !== undefined && input.privateKey !== null)
    throw new ValidationException(
      'privateKey: give either privateKey or pkcs11Uri (a key in a PKCS#11 token), not both',
    );
  const uri = tokenUri(input.pkcs11Uri);
  const checked = checkCertificate(ctx, input);
  let key: TokenKey | undefined;
  let spki: Uint8Array;
  try {
    key = new TokenKey(uri, { maxSessions: 1 });
    spki = await key.publicKeySpki();
  } catch (err) {
    if (err instanceof TokenError) throw new ValidationException(`pkcs11Uri: ${err.message}`);
    throw err;
  } finally {
    key?.close();
  }
  const { cert } = checked;
  if (!publicKeyMatchesCertificate(spki, cert))
    throw new ValidationException(
      `pkcs11Uri: the key ${describeKeyRef(uri)} in the token is not the key of certificate ${cert.subject} (serial ${cert.serialNumber})`,
    );
  return storeCertificate(
    ctx,
    id,
    checked,
    { pkcs11Uri: formatPkcs11UriPath(uri) },
    input.certificateArn,
  );
}
