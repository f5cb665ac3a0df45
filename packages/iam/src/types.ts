/**
 * The contract between the API server (which knows who is calling and what the store holds) and
 * this package (which decides). The server resolves the access key to a `Principal`, describes the
 * call as an `AuthzRequest`, answers `ResourceFacts` from the store, and enforces the `Decision`.
 */

/** The caller, with every policy in force for it already gathered by the server. */
export interface Principal {
  /** arn:aws:iam::ACCT:root | arn:aws:iam::ACCT:user/path/name | arn:aws:sts::ACCT:assumed-role/Role/session */
  arn: string;
  accountId: string;
  kind: 'root' | 'user' | 'assumed-role';
  /**
   * JSON policy documents in force: a user's inline policies, its groups' inline policies and the
   * default versions of the managed policies attached to either; for a role session, the role's.
   */
  identityPolicies: string[];
  /** The permissions boundary's policy document (the default version of the managed policy). */
  permissionsBoundary?: string;
  /** The session policy passed to AssumeRole (Policy and/or PolicyArns, merged by the server). */
  sessionPolicy?: string;
  /** aws:PrincipalTag/…: the user's tags, or the role's tags overlaid with the session tags. */
  tags: Record<string, string>;
  /**
   * For an assumed-role session, the role's own ARN with its path (arn:aws:iam::ACCT:role/path/Role):
   * what aws:PrincipalArn holds and what resource policies name. The session ARN drops the path, so
   * without this the role ARN is rebuilt from the session ARN with the path `/`.
   */
  roleArn?: string;
}

/** The call to decide on, as the server parsed it. */
export interface AuthzRequest {
  /** AWS's services, and `fwsign` for fwsign's own routes (its transparency log: own-actions.ts). */
  service: 'signer' | 'acm' | 's3' | 'iam' | 'sts' | 'fwsign';
  /** The wire operation name: 'StartSigningJob', 'PutObject', 'CreateUser', 'AssumeRole'. */
  operation: string;
  /** Parsed request members under the model's member names (S3: Bucket, Key, VersionId…). */
  input: Record<string, unknown>;
  region: string;
  /**
   * The account that owns the addressed resources: the caller's unless cross-account ARNs or
   * profileOwner say otherwise (an ARN in the input names its own account, which wins).
   */
  accountId: string;
  /** aws:SecureTransport: whether the request came over TLS. */
  secureTransport: boolean;
  /** aws:CurrentTime / aws:EpochTime. */
  now: Date;
  /** aws:RequestTag/… and aws:TagKeys: the tags sent with a create or tag call. */
  requestTags?: Record<string, string>;
}

/** Async lookups the API answers from the store. */
export interface ResourceFacts {
  /** aws:ResourceTag/…: the tags of a taggable resource, or undefined when it does not exist. */
  tagsOf(arn: string): Promise<Record<string, string> | undefined>;
  /** A resource's policy document (a signing profile's permissions as a policy), if any. */
  resourcePolicyOf(arn: string): Promise<string | undefined>;
  /** The profile a signing job was made with, for signer:ProfileVersion and cross-account jobs. */
  jobProfile(
    jobId: string,
    jobOwner?: string,
  ): Promise<{ profileArn: string; profileVersion?: string } | undefined>;
  /**
   * A profile's current version, for signer:ProfileVersion on the profile operations (StartSigningJob,
   * SignPayload, GetSigningProfile, CancelSigningProfile). Optional: without it, or for a profile that
   * does not exist, the key is absent and conditions on it see it missing (…IfExists matches).
   */
  profileVersionOf?(profileArn: string): Promise<string | undefined>;
  /**
   * The path of an IAM user, group, role or customer managed policy ('/' or '/team/'), which its ARN
   * carries. Optional: without it, or for an entity that does not exist, the path is '/'.
   */
  iamPathOf?(
    kind: 'user' | 'group' | 'role' | 'policy',
    name: string,
    accountId: string,
  ): Promise<string | undefined>;
  /**
   * The ARN of the permissions boundary a user or role has now (iam:PermissionsBoundary on calls
   * that change an existing one). Optional: without it, or for one without a boundary, the key is absent.
   */
  permissionsBoundaryOf?(
    kind: 'user' | 'role',
    name: string,
    accountId: string,
  ): Promise<string | undefined>;
}

export type DenyReason = 'explicit-deny' | 'implicit-deny';

export type Decision =
  | { allowed: true; action: string; resources: string[] }
  | {
      allowed: false;
      action: string;
      resource: string;
      reason: DenyReason;
      /** AWS's own wording: "User: arn:… is not authorized to perform: … because …". */
      message: string;
    };
