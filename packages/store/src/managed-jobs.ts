/**
 * Signing for the Signer-managed platforms: Lambda jobs (the signed ZIP) and SignPayload
 * (Notation's JWS envelope), with the profile version's key from ManagedKeyCache. The job rows go
 * through the JobPipeline's group commit like every other job.
 */
import { createHash } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import {
  EngineError,
  keyObjectEs384Signer,
  TokenError,
  type Es384Signer,
  NOTARY_PAYLOAD_TYPE,
  type ManagedConfiguration,
  managedPlatformKind,
  signJwsEnvelope,
  signLambdaPackage,
} from '@fwsign/signing-engine';
import { jobArn, profileVersionArn } from './arns.js';
import type { StoreContext } from './context.js';
import { InternalServiceErrorException, ValidationException } from './errors.js';
import { newJobId } from './job-id.js';
import type { NewJob } from './job-row.js';
import { checkActive, jobFields, succeeded } from './job-row.js';
import { overridesOf } from './profile-row.js';
import type {
  SignPayloadRequest,
  SignPayloadResponse,
  StartSigningJobResponse,
} from './job-requests.js';
import type { ManagedKeyCache } from './managed-keys.js';
import type { ObjectRef } from './object-bytes.js';
import { authorizeRef } from './permissions.js';
import type { ProfileRow } from './profile-row.js';
import { managedConfiguration } from './profile-input.js';
import type { Identity } from './validate.js';
import {
  checkAccountId,
  checkIdentity,
  checkProfileName,
  describe,
  requireString,
} from './validate.js';
import { addPeriod } from './validity.js';

/** The SignPayload reference: payload length 1 to 4096. */
const MAX_SIGN_PAYLOAD_BYTES = 4096;

type Commit = (
  job: NewJob,
  body?: Uint8Array,
  /** For the transparency log: the SHA-256 of what was signed, and the signature (JWS ES384, r || s). */
  facts?: { payloadSha256?: Uint8Array; signature?: Uint8Array | undefined },
) => Promise<StartSigningJobResponse>;

/** An Es384Signer over the key that keeps the signature it made, for the job's log entry. */
function capturing(key: KeyObject | Es384Signer): Es384Signer & { last?: Uint8Array } {
  const inner = 'signEs384' in key ? key : keyObjectEs384Signer(key);
  const out: Es384Signer & { last?: Uint8Array } = {
    async signEs384(message) {
      return (out.last = await inner.signEs384(message));
    },
    signEs384Sync(message) {
      return (out.last = inner.signEs384Sync(message));
    },
  };
  return out;
}

export class ManagedSigning {
  /** The platform catalog is immutable, so a resolved configuration is reused per platform and overrides. */
  private readonly configs = new Map<string, ManagedConfiguration>();

  constructor(
    private readonly ctx: StoreContext,
    private readonly managedKeys: ManagedKeyCache,
    private readonly commit: Commit,
  ) {}

  /**
   * A Lambda deployment package: the signed ZIP (signature in its archive comment, see the engine's
   * lambda-package.ts) goes to prefix + jobId. An empty, already signed or malformed ZIP fails
   * the job with a statusReason, as AWS reports it, rather than the API call.
   */
  async signLambda(
    profile: ProfileRow,
    base: NewJob,
    source: ObjectRef,
    fail: (reason: string) => Promise<StartSigningJobResponse>,
  ): Promise<StartSigningJobResponse> {
    const { maxSizeBytes, platform } = this.configFor(profile);
    if (source.size > maxSizeBytes)
      return fail(
        `Source object is ${source.size} bytes, over the ${platform.platformId} platform limit of ${maxSizeBytes} bytes (${platform.maxSizeInMB} MB)`,
      );
    const key = this.managedKeyFor(profile);
    const signingTime = this.ctx.now();
    const expiry = addPeriod(signingTime, profile.validity_value, profile.validity_type);
    if (key.notAfter < signingTime.getTime())
      return fail(
        `The certificate of profile version ${profile.profile_version} expired at ${new Date(key.notAfter).toISOString()}`,
      );
    let signed: Uint8Array;
    let pkg: Uint8Array;
    const signer = capturing(key.privateKey);
    try {
      pkg = this.ctx.buckets.readBody(source);
      signed = await signLambdaPackage({
        pkg,
        attributes: {
          signingTime,
          expiry,
          profileVersionArn: profileVersionArn(
            this.ctx.region,
            profile.account,
            profile.name,
            profile.profile_version,
          ),
          jobArn: jobArn(this.ctx.region, profile.account, base.job_id),
        },
        privateKey: signer,
        chainDer: key.chainDer,
      });
    } catch (err) {
      if (err instanceof EngineError)
        return fail(`Invalid Lambda deployment package: ${err.message}`);
      // A token that is absent, pulled or erroring fails this job only.
      if (err instanceof TokenError) return fail(`Signing failed: ${err.message}`);
      if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        return fail(`Signing failed: ${(err as Error).message}`);
      throw err;
    }
    return this.commit(succeeded(base, signingTime, expiry), signed, {
      payloadSha256: createHash('sha256').update(pkg).digest(),
      signature: signer.last,
    });
  }

  private configFor(profile: ProfileRow): ManagedConfiguration {
    const key = `${profile.platform_id}\0${profile.overrides ?? ''}`;
    let c = this.configs.get(key);
    if (!c)
      this.configs.set(key, (c = managedConfiguration(profile.platform_id, overridesOf(profile))));
    return c;
  }

  private managedKeyFor(profile: ProfileRow) {
    let key: ReturnType<ManagedKeyCache['get']>;
    try {
      key = this.managedKeys.get(profile.account, profile.name, profile.profile_version);
    } catch (err) {
      // The PKCS#11 binding itself does not load: the server's installation is at fault.
      if (err instanceof TokenError)
        throw new InternalServiceErrorException(`Signing failed: ${err.message}`);
      throw err;
    }
    if (!key)
      throw new InternalServiceErrorException(
        `profile version ${profile.profile_version} of ${profile.name} has no Signer-managed key`,
      );
    return key;
  }

  /**
   * SignPayload: Notation profiles only, payloadFormat application/vnd.cncf.notary.payload.v1+json
   * only (the API reference: "the single valid type"). Returns the Notary JWS envelope; the job is
   * recorded, no object is written.
   */
  async signPayload(id: Identity, input: SignPayloadRequest): Promise<SignPayloadResponse> {
    checkIdentity(id);
    const name = checkProfileName(input?.profileName);
    const owner =
      input.profileOwner === undefined
        ? id.accountId
        : checkAccountId('profileOwner', input.profileOwner);
    if (!(input.payload instanceof Uint8Array) || input.payload.length === 0) {
      throw new ValidationException(
        `payload: expected non-empty bytes, got ${describe(input.payload)}`,
      );
    }
    if (input.payload.length > MAX_SIGN_PAYLOAD_BYTES)
      throw new ValidationException(
        `payload: expected at most ${MAX_SIGN_PAYLOAD_BYTES} bytes, got ${input.payload.length}`,
      );
    const payloadFormat = requireString('payloadFormat', input.payloadFormat);
    if (payloadFormat !== NOTARY_PAYLOAD_TYPE)
      throw new ValidationException(
        `payloadFormat: the single valid type is ${NOTARY_PAYLOAD_TYPE}, got ${JSON.stringify(payloadFormat)}`,
      );
    const profile = authorizeRef(this.ctx, id, 'signer:SignPayload', {
      profileName: name,
      profileOwner: owner,
    });
    checkActive(profile);
    if (managedPlatformKind(profile.platform_id) !== 'notation')
      throw new ValidationException(
        `profileName: signing profile ${profile.name} is for ${profile.platform_id}; SignPayload signs for Notation-OCI-SHA384-ECDSA profiles only`,
      );
    checkNotaryPayload(input.payload);
    const key = this.managedKeyFor(profile);
    const signingTime = this.ctx.now();
    if (key.notAfter < signingTime.getTime())
      throw new ValidationException(
        `profileName: the certificate of profile version ${profile.profile_version} expired at ${new Date(key.notAfter).toISOString()}`,
      );
    const expiry = addPeriod(signingTime, profile.validity_value, profile.validity_type);
    const jobId = newJobId();
    const pva = profileVersionArn(
      this.ctx.region,
      profile.account,
      profile.name,
      profile.profile_version,
    );
    const ja = jobArn(this.ctx.region, profile.account, jobId);
    const signer = capturing(key.privateKey);
    let envelope: string;
    try {
      envelope = await signJwsEnvelope({
        payload: input.payload,
        attributes: {
          contentType: NOTARY_PAYLOAD_TYPE,
          signingTime,
          expiry,
          profileVersionArn: pva,
          jobArn: ja,
        },
        privateKey: signer,
        chainDer: key.chainDer,
      });
    } catch (err) {
      // The caller is told; nothing is recorded (no job row, no log entry) for a signature never made.
      if (err instanceof TokenError)
        throw new InternalServiceErrorException(`Signing failed: ${err.message}`);
      throw err;
    }
    const r = await this.commit(
      succeeded(
        {
          ...jobFields(profile, id, jobId, null, signingTime),
          source_bucket: null,
          source_key: null,
          source_version: null,
          dest_bucket: null,
          dest_prefix: null,
          signed_key: null,
          signed_version: null,
        },
        signingTime,
        expiry,
      ),
      undefined,
      {
        payloadSha256: createHash('sha256').update(input.payload).digest(),
        signature: signer.last,
      },
    );
    return {
      jobId: r.jobId,
      jobOwner: r.jobOwner,
      signature: new TextEncoder().encode(envelope),
      // The names AWS's Notation plugin reads back as the signature's extended attributes.
      metadata: {
        'com.amazonaws.signer.signingProfileVersion': pva,
        'com.amazonaws.signer.signingJob': ja,
      },
    };
  }
}

/** The Notary Project payload: a JSON object naming the target artifact's descriptor. */
function checkNotaryPayload(payload: Uint8Array): void {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    doc = undefined;
  }
  const target = (doc as { targetArtifact?: Record<string, unknown> } | undefined)?.targetArtifact;
  if (
    !target ||
    typeof target !== 'object' ||
    typeof target.mediaType !== 'string' ||
    typeof target.digest !== 'string' ||
    typeof target.size !== 'number'
  )
    throw new ValidationException(
      `payload: expected a Notary payload {"targetArtifact":{"mediaType","digest","size"}} as JSON, got ${payload.length} bytes that are not one`,
    );
}
