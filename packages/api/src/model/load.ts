import signerJson from '../../model/aws-data/signer/2017-08-25/service-2.json' with { type: 'json' };
import iamJson from '../../model/aws-data/iam/2010-05-08/service-2.json' with { type: 'json' };
import stsJson from '../../model/aws-data/sts/2011-06-15/service-2.json' with { type: 'json' };
import acmSubset from '../../model/acm-2015-12-08.subset.json' with { type: 'json' };
import type { ServiceModel, Shape } from './types.js';

/**
 * AWS Signer: botocore's current 2017-08-25 model, the same file an older AWS CLI or boto3 loads
 * through AWS_DATA_PATH (model/aws-data is laid out as botocore's data directory).
 */
export const signerModel: ServiceModel = signerJson as unknown as ServiceModel;

/** IAM and STS (query protocol): botocore's models, kept under model/aws-data as the Signer model is. */
export const iamModel: ServiceModel = iamJson as unknown as ServiceModel;
export const stsModel: ServiceModel = stsJson as unknown as ServiceModel;

/**
 * ACM: the four operations that import and manage signing material, with one fwsign extension:
 * ImportCertificate's `Pkcs11Uri`, the RFC 7512 URI of a key in a PKCS#11 token, given instead
 * of `PrivateKey` (which becomes optional; the store requires exactly one of the two). AWS's own
 * clients never send the member, so they see ACM's behaviour unchanged.
 */
export const acmModel: ServiceModel = withTokenReference(acmSubset as unknown as ServiceModel);

function withTokenReference(model: ServiceModel): ServiceModel {
  const request = shapeOf(model, 'ImportCertificateRequest');
  return {
    ...model,
    shapes: {
      ...model.shapes,
      Pkcs11Uri: { type: 'string', min: 8, max: 2048 },
      ImportCertificateRequest: {
        ...request,
        required: (request.required ?? []).filter((m) => m !== 'PrivateKey'),
        members: { ...request.members, Pkcs11Uri: { shape: 'Pkcs11Uri' } },
      },
    },
  };
}

export function shapeOf(model: ServiceModel, name: string): Shape {
  const shape = model.shapes[name];
  if (!shape) throw new Error(`model has no shape ${name}`);
  return shape;
}
