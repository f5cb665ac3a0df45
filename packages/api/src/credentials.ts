import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Who a request's access key stands for. */
export interface Identity {
  accountId: string;
  principalArn: string;
}

export interface Credential extends Identity {
  accessKeyId: string;
  secretAccessKey: string;
}

/** The identity of a credential, without its secret (what a request is served as). */
export const identityOf = (c: Credential): Identity => ({
  accountId: c.accountId,
  principalArn: c.principalArn,
});

export const CREDENTIALS_FILE = 'credentials.json';

/** The development identity written on first start (the AWS CLI's documented test values). */
export const DEV_CREDENTIAL: Credential = {
  accessKeyId: 'test',
  secretAccessKey: 'test',
  accountId: '000000000000',
  principalArn: 'arn:aws:iam::000000000000:root',
};

export class CredentialsError extends Error {
  readonly code = 'CredentialsFileInvalid';
}

/**
 * Loads `<dataDir>/credentials.json` (`{ "credentials": [Credential, ...] }`), creating it with
 * the development identity, mode 0600, when it does not exist. A file readable by others is made
 * private again, since it holds secrets.
 */
export function loadCredentials(dataDir: string): Map<string, Credential> {
  const path = join(dataDir, CREDENTIALS_FILE);
  if (!existsSync(path)) {
    try {
      writeFileSync(path, `${JSON.stringify({ credentials: [DEV_CREDENTIAL] }, null, 2)}\n`, {
        mode: 0o600,
        flag: 'wx',
      });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  return parseCredentials(readFileSync(path, 'utf8'), path);
}

export function parseCredentials(text: string, where = CREDENTIALS_FILE): Map<string, Credential> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new CredentialsError(
      `${where}: expected JSON, got a parse error: ${(e as Error).message}`,
    );
  }
  const list = (doc as { credentials?: unknown })?.credentials;
  if (!Array.isArray(list)) throw new CredentialsError(`${where}: expected {"credentials": [...]}`);
  const out = new Map<string, Credential>();
  list.forEach((c: Record<string, unknown>, i) => {
    for (const field of ['accessKeyId', 'secretAccessKey', 'accountId'] as const) {
      if (typeof c?.[field] !== 'string' || c[field] === '') {
        throw new CredentialsError(
          `${where}: credentials[${i}].${field} expected a non-empty string`,
        );
      }
    }
    const accountId = c.accountId as string;
    if (!/^\d{12}$/.test(accountId))
      throw new CredentialsError(
        `${where}: credentials[${i}].accountId expected 12 digits, got '${accountId}'`,
      );
    out.set(c.accessKeyId as string, {
      accessKeyId: c.accessKeyId as string,
      secretAccessKey: c.secretAccessKey as string,
      accountId,
      principalArn:
        typeof c.principalArn === 'string' ? c.principalArn : `arn:aws:iam::${accountId}:root`,
    });
  });
  return out;
}
