import signerJson from '../../model/aws-data/signer/2017-08-25/service-2.json' with { type: 'json' };
import acmSubset from '../../model/acm-2015-12-08.subset.json' with { type: 'json' };
import type { ServiceModel, Shape } from './types.js';

/**
 * AWS Signer: botocore's current 2017-08-25 model, the same file an older AWS CLI or boto3 loads
 * through AWS_DATA_PATH (model/aws-data is laid out as botocore's data directory).
 */
export const signerModel: ServiceModel = signerJson as unknown as ServiceModel;

/** ACM: the four operations that import and manage signing material. */
export const acmModel: ServiceModel = acmSubset as unknown as ServiceModel;

export function shapeOf(model: ServiceModel, name: string): Shape {
  const shape = model.shapes[name];
  if (!shape) throw new Error(`model has no shape ${name}`);
  return shape;
}
