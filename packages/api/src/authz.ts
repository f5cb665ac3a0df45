import { authorize, type AuthzRequest, type Principal, type ResourceFacts } from '@fwsign/iam';
import type { Identity } from './credentials.js';
import { ApiError } from './errors.js';
import type { FactsReader, ProfileFacts } from './profile-facts.js';
import type { ApiStore } from './server-options.js';
import { splitPath } from './s3.js';

export type Service = AuthzRequest['service'];

const PROFILE_ARN = /^arn:aws:signer:[^:]*:(\d{12}):\/signing-profiles\/([a-zA-Z0-9_]{2,64})$/;
const IAM_ARN = /^arn:aws:iam::(\d{12}):(user|role)\/(?:.*\/)?([\w+=,.@-]+)$/;

/** undefined where the store answers "no such thing" (any StoreError): the fact is absent. */
async function maybe<T>(f: () => T | Promise<T>): Promise<T | undefined> {
  try {
    return await f();
  } catch (err) {
    if (err && typeof err === 'object' && 'code' in err && 'httpStatus' in err) return undefined;
    throw err;
  }
}

const storeFacts =
  (store: ApiStore): FactsReader =>
  (account, name) =>
    store.profileFacts ? store.profileFacts(account, name) : Promise.resolve(undefined);

/**
 * What authorization asks of the store, answered for one caller (`id`) and one request: a
 * profile is read once however many of its facts (tags, version, policy) the evaluator asks for.
 * A class, not closures: one object per request on the path every call takes.
 */
class StoreFacts implements ResourceFacts {
  /** By ARN: a profile's facts, or null for an ARN that names no profile (each ARN parsed once). */
  private readonly profiles = new Map<string, Promise<ProfileFacts | undefined> | null>();

  constructor(
    private readonly store: ApiStore,
    private readonly id: Identity,
    private readonly region: string,
    private readonly readFacts: FactsReader,
  ) {}

  private profileOf(arn: string): Promise<ProfileFacts | undefined> | null {
    let facts = this.profiles.get(arn);
    if (facts === undefined) {
      const p = PROFILE_ARN.exec(arn);
      facts = p ? this.readFacts(p[1]!, p[2]!) : null;
      this.profiles.set(arn, facts);
    }
    return facts;
  }

  tagsOf(arn: string): Promise<Record<string, string> | undefined> {
    return this.profileOf(arn)?.then((f) => f?.tags) ?? this.iamTagsOf(arn);
  }

  private async iamTagsOf(arn: string): Promise<Record<string, string> | undefined> {
    const i = IAM_ARN.exec(arn);
    if (!i || !this.store.iam) return undefined;
    const iam = this.store.iam;
    const tags =
      i[2] === 'user'
        ? (await maybe(() => iam.listUserTags(i[1]!, { UserName: i[3]! })))?.Tags
        : ((await maybe(() => iam.getRole(i[1]!, { RoleName: i[3]! })))?.Role.Tags ?? []);
    return tags && Object.fromEntries(tags.map((t) => [t.Key, t.Value]));
  }

  resourcePolicyOf(arn: string): Promise<string | undefined> {
    return this.profileOf(arn)?.then((f) => f?.policy) ?? this.trustPolicyOf(arn);
  }

  private async trustPolicyOf(arn: string): Promise<string | undefined> {
    const i = IAM_ARN.exec(arn);
    if (i?.[2] !== 'role' || !this.store.iam) return undefined;
    const iam = this.store.iam;
    return (await maybe(() => iam.roleTrust(i[1]!, i[3]!)))?.trustPolicy;
  }

  async jobProfile(jobId: string) {
    const j = await maybe(() => this.store.describeSigningJob(this.id, { jobId }));
    if (!j?.profileName || !j.jobOwner) return undefined;
    return {
      profileArn: `arn:aws:signer:${this.region}:${j.jobOwner}:/signing-profiles/${j.profileName}`,
      ...(j.profileVersion ? { profileVersion: j.profileVersion } : {}),
    };
  }

  profileVersionOf(profileArn: string): Promise<string | undefined> {
    return this.profileOf(profileArn)?.then((f) => f?.profileVersion) ?? NOTHING;
  }

  async iamPathOf(
    kind: 'user' | 'group' | 'role' | 'policy',
    name: string,
    accountId: string,
  ): Promise<string | undefined> {
    const iam = this.store.iam;
    if (!iam) return undefined;
    switch (kind) {
      case 'user':
        return (await maybe(() => iam.getUser(accountId, { UserName: name })))?.User.Path;
      case 'role':
        return (await maybe(() => iam.getRole(accountId, { RoleName: name })))?.Role.Path;
      case 'group':
        return (await maybe(() => iam.getGroup(accountId, { GroupName: name, MaxItems: 1 })))?.Group
          .Path;
      default:
        return undefined;
    }
  }

  async permissionsBoundaryOf(
    kind: 'user' | 'role',
    name: string,
    accountId: string,
  ): Promise<string | undefined> {
    const iam = this.store.iam;
    if (!iam) return undefined;
    const entity =
      kind === 'user'
        ? (await maybe(() => iam.getUser(accountId, { UserName: name })))?.User
        : (await maybe(() => iam.getRole(accountId, { RoleName: name })))?.Role;
    return entity?.PermissionsBoundary?.PermissionsBoundaryArn;
  }
}

const NOTHING = Promise.resolve(undefined);

/** The tags a create or tag call sends: IAM's `Tags: [{Key, Value}]` or Signer's `tags: {k: v}`. */
function requestTags(input: Record<string, unknown>): Record<string, string> | undefined {
  const t = input.Tags ?? input.tags;
  if (Array.isArray(t))
    return Object.fromEntries(
      (t as Array<{ Key: string; Value: string }>).map((x) => [x.Key, x.Value]),
    );
  if (t && typeof t === 'object') return t as Record<string, string>;
  return undefined;
}

/**
 * Authorizes one call of a principal with `@fwsign/iam`, throwing the protocol's AccessDenied
 * with the evaluator's message. The account's root skips evaluation: it may do everything in
 * its own account, and the store itself enforces the profile permissions cross-account calls need.
 */
export async function enforce(
  store: ApiStore,
  p: Principal,
  id: Identity,
  call: {
    service: Service;
    operation: string;
    input: Record<string, unknown>;
    region: string;
    /** Where profile facts come from (default: the store, read on this call). */
    facts?: FactsReader;
    /** The account owning the resources, when the input does not say (an S3 object read for another route). */
    accountId?: string;
    /** The service whose protocol answers a denial, when the route is not the action's service's. */
    answeredAs?: Service;
  },
): Promise<void> {
  if (p.kind === 'root') return;
  const owner = call.input.profileOwner ?? call.input.jobOwner;
  const tags = requestTags(call.input);
  const d = await authorize(
    p,
    {
      service: call.service,
      operation: call.operation,
      input: call.input,
      region: call.region,
      accountId: call.accountId ?? (typeof owner === 'string' ? owner : id.accountId),
      secureTransport: false,
      now: new Date(),
      ...(tags ? { requestTags: tags } : {}),
    },
    new StoreFacts(store, id, call.region, call.facts ?? storeFacts(store)),
  );
  if (!d.allowed) throw accessDenied(call.answeredAs ?? call.service, d.message);
}

/** AccessDeniedException for the JSON services (Signer, ACM, fwsign's own routes); AccessDenied for S3, IAM and STS. */
export const accessDenied = (service: Service, message: string): ApiError =>
  new ApiError(
    service === 's3' || service === 'iam' || service === 'sts'
      ? 'AccessDenied'
      : 'AccessDeniedException',
    403,
    message,
  );

/** A Signer or ACM operation's authorization, run by its handler once the input is decoded. */
export const gateFor =
  (
    store: ApiStore,
    p: Principal,
    id: Identity,
    service: 'signer' | 'acm',
    region: string,
    facts?: FactsReader,
  ) =>
  (operation: string, input: Record<string, unknown>): Promise<void> =>
    enforce(store, p, id, { service, operation, input, region, ...(facts ? { facts } : {}) });

/** S3's members for authorization come from the path and query: Bucket, Key, VersionId. */
export function enforceS3(
  store: ApiStore,
  p: Principal,
  id: Identity,
  operation: string,
  r: { rawPath: string; query: Record<string, string | string[]> },
  region: string,
): Promise<void> {
  if (p.kind === 'root') return Promise.resolve();
  const { bucket, key } = splitPath(r.rawPath);
  const input: Record<string, unknown> = {};
  if (bucket) input.Bucket = bucket;
  if (key) input.Key = key;
  if (typeof r.query.versionId === 'string') input.VersionId = r.query.versionId;
  return enforce(store, p, id, { service: 's3', operation, input, region });
}

/**
 * fwsign's own routes (the transparency log's reads, audit-routes.ts): `fwsign:<operation>` on the
 * account's log, arn:aws:fwsign:<region>:<account>:audit-log/default.
 */
export const ownGate =
  (store: ApiStore, p: Principal, id: Identity, region: string) =>
  (operation: string): Promise<void> =>
    enforce(store, p, id, { service: 'fwsign', operation, input: {}, region });

/**
 * A read of an S3 object a Signer-shaped route makes for the caller (the OTA document's signed
 * object): s3:GetObject on it, refused as that route's protocol refuses (AccessDeniedException).
 */
export const s3ReadGate =
  (store: ApiStore, p: Principal, id: Identity, region: string) =>
  (owner: string, bucket: string, key: string): Promise<void> =>
    enforce(store, p, id, {
      service: 's3',
      operation: 'GetObject',
      input: { Bucket: bucket, Key: key },
      region,
      accountId: owner,
      answeredAs: 'signer',
    });
