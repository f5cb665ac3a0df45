import type { IamStore, ResolvedKey } from '@fwsign/store';
import type { Principal } from '@fwsign/iam';
import { createHash } from 'node:crypto';
import type { Credential } from './credentials.js';
import { AuthFailure, type Caller } from './sigv4.js';

/** Who signed a request: the credential its signature is checked with and the principal it acts as. */
export interface Signer {
  credential: Credential;
  /** Undefined for the account's root (credentials.json): its requests skip policy evaluation. */
  principal?: Principal & { userId: string; userName?: string };
  /** An access key the store issued (IAM user, STS session): checked after the signature. */
  issued?: ResolvedKey;
  /** The IAM generation read when the principal was resolved: what this request's cached facts are checked against. */
  generation?: number;
}

const ACCESS_KEY = /Credential=([^/,\s]+)\//;

/**
 * Resolves access keys to principals: credentials.json's keys are each account's root (or an IAM
 * user of the store, when their principalArn names one); other keys are looked up in the store
 * (IAM users' AKIA… keys, STS sessions' ASIA… keys).
 */
export class Principals {
  /**
   * The signer of each resolved key: the store answers a user's key with the same object until
   * the next IAM change, so its signer is made once (a session's key comes anew, with `expired`).
   */
  private readonly signers = new WeakMap<ResolvedKey, Signer>();

  constructor(
    private readonly credentials: () => Map<string, Credential>,
    private readonly iam: IamStore | undefined,
  ) {}

  /** The signer the Authorization header names; undefined when no one has that key (answered by checkCaller). */
  async lookup(headers: Record<string, string | undefined>): Promise<Signer | undefined> {
    const keyId = ACCESS_KEY.exec(headers['authorization'] ?? '')?.[1];
    if (keyId === undefined) return undefined;
    const listed = this.credentials().get(keyId);
    if (listed) {
      if (/:root$/.test(listed.principalArn) || !this.iam) return { credential: listed };
      // Read before the principal: what it and the facts read after it are current as of.
      const generation = await this.iam.generation();
      const user = await this.iam.principalOfUserArn(listed.principalArn);
      // A principalArn naming no IAM user keeps acting as the account's root, as before IAM existed.
      return user ? { credential: listed, principal: user, generation } : { credential: listed };
    }
    const issued = this.iam ? await this.iam.resolveAccessKey(keyId) : undefined;
    if (!issued) return undefined;
    let signer = this.signers.get(issued);
    if (!signer) this.signers.set(issued, (signer = signerOfKey(issued)));
    return signer;
  }
}

const signerOfKey = (issued: ResolvedKey): Signer => ({
  credential: {
    accessKeyId: issued.accessKeyId,
    secretAccessKey: issued.secretAccessKey,
    accountId: issued.accountId,
    principalArn: issued.principal.arn,
  },
  principal: issued.principal,
  issued,
  generation: issued.generation,
});

/**
 * After the signature is proven: an inactive key is refused as an unknown one (as AWS does), a
 * session's key only with its own X-Amz-Security-Token and before its expiry.
 */
export function checkIssued(
  s: Signer,
  caller: Caller,
  headers: Record<string, string | undefined>,
): void {
  const k = s.issued;
  if (!k) return;
  if (!k.active)
    throw new AuthFailure('unknown-key', 'The security token included in the request is invalid.');
  if (k.sessionTokenSha256 === undefined) return;
  const token = headers['x-amz-security-token'];
  if (
    token === undefined ||
    createHash('sha256').update(token).digest('hex') !== k.sessionTokenSha256
  )
    throw new AuthFailure('unknown-key', 'The security token included in the request is invalid.');
  if (!caller.auth.signedHeaders.includes('x-amz-security-token'))
    throw new AuthFailure(
      'bad-signature',
      'X-Amz-Security-Token must be among the signed headers.',
    );
  if (k.expired)
    throw new AuthFailure('expired', 'The security token included in the request is expired');
}

/** The principal policies are evaluated for: the store's, or the account's root. */
export function principalOf(s: Signer): Principal {
  return (
    s.principal ?? {
      arn: s.credential.principalArn,
      accountId: s.credential.accountId,
      kind: 'root',
      identityPolicies: [],
      tags: {},
    }
  );
}
