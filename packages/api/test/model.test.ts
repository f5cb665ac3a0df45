import { describe, expect, it } from 'vitest';
import { signerModel, acmModel } from '../src/model/load.js';
import { compileRoutes, decodeInput, encodeOutput, matchRoute } from '../src/model/rest-json.js';
import { ApiError } from '../src/errors.js';

const routes = compileRoutes(signerModel);
const wire = (
  over: Partial<Parameters<typeof decodeInput>[2]> = {},
): Parameters<typeof decodeInput>[2] => ({
  labels: {},
  query: {},
  headers: {},
  body: new Uint8Array(),
  ...over,
});
const op = (name: string) => signerModel.operations[name]!;
const json = (v: unknown): Uint8Array => Buffer.from(JSON.stringify(v));

function validationMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).code).toBe('ValidationException');
    return (e as ApiError).message;
  }
  throw new Error('expected a ValidationException');
}

describe('the vendored models', () => {
  it('hold all 19 Signer operations of the current botocore model, GetRevocationStatus and SignPayload among them', () => {
    expect(Object.keys(signerModel.operations)).toHaveLength(19);
    expect(signerModel.operations.GetRevocationStatus?.http).toEqual({
      method: 'GET',
      requestUri: '/revocations',
    });
    expect(signerModel.operations.SignPayload?.http).toEqual({
      method: 'POST',
      requestUri: '/signing-jobs/with-payload',
    });
    expect(Object.keys(acmModel.operations).sort()).toEqual([
      'DeleteCertificate',
      'DescribeCertificate',
      'ImportCertificate',
      'ListCertificates',
    ]);
  });

  it('routes every operation from its own requestUri, labels decoded', () => {
    for (const o of Object.values(signerModel.operations)) {
      const path = o.http.requestUri.replace(/\{(\w+)\}/g, (_, n: string) =>
        encodeURIComponent(`${n}:/x`),
      );
      const m = matchRoute(routes, o.http.method, path);
      expect(m?.op.name, `${o.http.method} ${path}`).toBe(o.name);
      for (const label of Object.keys(m!.labels)) expect(m!.labels[label]).toBe(`${label}:/x`);
    }
    expect(matchRoute(routes, 'GET', '/signing-profiles/a/b/c')).toBeUndefined();
  });
});

describe('decodeInput', () => {
  it('builds the input from labels, repeated query keys and the JSON body', () => {
    const input = decodeInput(
      signerModel,
      op('GetRevocationStatus'),
      wire({
        query: {
          signatureTimestamp: '2024-01-02T03:04:05Z',
          platformId: 'AmazonFreeRTOS-Default',
          profileVersionArn: 'arn:aws:signer:us-east-1:000000000000:/signing-profiles/P/ABCDEFGHIJ',
          jobArn: 'arn:aws:signer:us-east-1:000000000000:/signing-jobs/j',
          certificateHashes: ['aa', 'bb'],
        },
      }),
    );
    expect(input.signatureTimestamp).toEqual(new Date('2024-01-02T03:04:05Z'));
    expect(input.certificateHashes).toEqual(['aa', 'bb']);
    const list = decodeInput(
      signerModel,
      op('ListSigningJobs'),
      wire({ query: { isRevoked: 'true', maxResults: '5', signatureExpiresBefore: '1700000000' } }),
    );
    expect(list).toEqual({
      isRevoked: true,
      maxResults: 5,
      signatureExpiresBefore: new Date(1_700_000_000_000),
    });
    const revoke = decodeInput(
      signerModel,
      op('RevokeSigningProfile'),
      wire({
        labels: { profileName: 'P1' },
        body: json({ profileVersion: 'ABCDEFGHIJ', reason: 'r', effectiveTime: 1700000000.5 }),
      }),
    );
    expect(revoke).toEqual({
      profileName: 'P1',
      profileVersion: 'ABCDEFGHIJ',
      reason: 'r',
      effectiveTime: new Date(1_700_000_000_500),
    });
  });

  it('reports every violation, each naming its member path', () => {
    const msg = validationMessage(() =>
      decodeInput(
        signerModel,
        op('PutSigningProfile'),
        wire({
          labels: { profileName: 'x' },
          body: json({
            signatureValidityPeriod: { value: 'ten', type: 'WEEKS' },
            signingMaterial: {},
          }),
        }),
      ),
    );
    expect(msg).toMatch(/^6 validation errors detected: /);
    expect(msg).toContain(
      "Value 'x' at 'profileName' failed to satisfy constraint: Member must have length greater than or equal to 2",
    );
    expect(msg).toContain(
      "at 'signatureValidityPeriod.value' failed to satisfy constraint: Member must be of type integer, got string",
    );
    expect(msg).toContain(
      "Value 'WEEKS' at 'signatureValidityPeriod.type' failed to satisfy constraint: Member must satisfy enum value set: [DAYS, MONTHS, YEARS]",
    );
    expect(msg).toContain(
      "Value null at 'signingMaterial.certificateArn' failed to satisfy constraint: Member must not be null",
    );
    expect(msg).toContain(
      "Value null at 'platformId' failed to satisfy constraint: Member must not be null",
    );
  });

  it('refuses a body that is not a JSON object, out-of-range integers and bad query booleans', () => {
    expect(
      validationMessage(() =>
        decodeInput(signerModel, op('StartSigningJob'), wire({ body: Buffer.from('[1]') })),
      ),
    ).toMatch(/must be a JSON object, got an array/);
    expect(
      validationMessage(() =>
        decodeInput(signerModel, op('StartSigningJob'), wire({ body: Buffer.from('{"a":') })),
      ),
    ).toMatch(/not valid JSON/);
    expect(
      validationMessage(() =>
        decodeInput(signerModel, op('ListSigningProfiles'), wire({ query: { maxResults: '26' } })),
      ),
    ).toMatch(/'maxResults'.*less than or equal to 25/);
    expect(
      validationMessage(() =>
        decodeInput(signerModel, op('ListSigningJobs'), wire({ query: { isRevoked: 'yes' } })),
      ),
    ).toMatch(/'isRevoked'.*boolean/);
  });
});

describe('encodeOutput', () => {
  it('writes timestamps as epoch seconds, blobs as base64, and drops members the model does not name', () => {
    const body = JSON.parse(
      encodeOutput(signerModel, op('DescribeSigningJob'), {
        jobId: 'j',
        createdAt: new Date(1_700_000_000_250),
        secretKey: 'never',
        signedObject: { s3: { bucketName: 'b', key: 'k', extra: 1 } },
      }),
    );
    expect(body).toEqual({
      jobId: 'j',
      createdAt: 1_700_000_000.25,
      signedObject: { s3: { bucketName: 'b', key: 'k' } },
    });
    const signed = JSON.parse(
      encodeOutput(signerModel, op('SignPayload'), {
        jobId: 'j',
        signature: new Uint8Array([1, 2, 255]),
      }),
    );
    expect(signed.signature).toBe('AQL/');
  });
});

describe('toApiError', () => {
  it('keeps AWS-shaped codes and statuses, hides system errors behind InternalServiceErrorException', async () => {
    const { toApiError } = await import('../src/errors.js');
    expect(
      toApiError(
        Object.assign(new Error('gone'), { code: 'ResourceNotFoundException', httpStatus: 404 }),
      ),
    ).toMatchObject({ code: 'ResourceNotFoundException', status: 404, message: 'gone' });
    const sys = toApiError(Object.assign(new Error('ENOENT: /secret/path'), { code: 'ENOENT' }));
    expect([sys.code, sys.status]).toEqual(['InternalServiceErrorException', 500]);
    expect(sys.message).not.toContain('/secret/path');
  });
});
