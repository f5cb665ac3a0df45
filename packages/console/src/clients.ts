/**
 * The AWS SDK v3 clients the console uses, pointed at the page's own origin: the API serves the
 * console, so every call is same-origin and SigV4-signed in the browser with the session's keys.
 */
import { ACMClient } from '@aws-sdk/client-acm';
import { S3Client } from '@aws-sdk/client-s3';
import { SignerClient } from '@aws-sdk/client-signer';
import type { Session } from './session.js';

export interface Clients {
  signer: SignerClient;
  acm: ACMClient;
  s3: S3Client;
  region: string;
}

export function makeClients(s: Session, origin = window.location.origin): Clients {
  const common = {
    region: s.region,
    endpoint: origin,
    credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey },
    // A console shows the answer it got; retrying a refused signature only delays the alert.
    maxAttempts: 1,
  };
  return {
    signer: new SignerClient(common),
    acm: new ACMClient(common),
    s3: new S3Client({ ...common, forcePathStyle: true }),
    region: s.region,
  };
}
