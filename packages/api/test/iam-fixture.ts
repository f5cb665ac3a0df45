/** What the IAM suites share: SDK clients for any credentials, made for one server and closed together. */
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { SignerClient } from '@aws-sdk/client-signer';
import { DEV, REGION } from './helpers.js';

export const ACCOUNT = '000000000000';
export type Creds = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

/** A policy document of these statements. */
export const policy = (...statements: object[]): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements });

/** IAM, STS and Signer clients for the server at `url()` (no retries: a refusal is the answer). */
export function iamClients(url: () => string) {
  const made: Array<{ destroy(): void }> = [];
  const keep = <T extends { destroy(): void }>(c: T): T => (made.push(c), c);
  const opts = (credentials: Creds) => ({
    endpoint: url(),
    region: REGION,
    credentials,
    maxAttempts: 1,
  });
  return {
    iam: (c: Creds = DEV) => keep(new IAMClient(opts(c))),
    sts: (c: Creds = DEV) => keep(new STSClient(opts(c))),
    signer: (c: Creds = DEV) => keep(new SignerClient({ ...opts(c), disableHostPrefix: true })),
    destroy: () => made.forEach((c) => c.destroy()),
  };
}
