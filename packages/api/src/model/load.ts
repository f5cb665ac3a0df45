import signerBase from '../../model/signer-2017-08-25.json' with { type: 'json' };
import signerExtra from '../../model/signer-extra.json' with { type: 'json' };
import acmSubset from '../../model/acm-2015-12-08.subset.json' with { type: 'json' };
import type { ServiceModel, Shape } from './types.js';

/** AWS Signer: botocore's 2017-08-25 model plus the newer operations the JS SDK knows. */
export const signerModel: ServiceModel = mergeModels(
  signerBase as unknown as ServiceModel,
  signerExtra as unknown as ServiceModel,
);

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

function mergeModels(base: ServiceModel, extra: ServiceModel): ServiceModel {
  const shapes = { ...base.shapes };
  for (const [name, shape] of Object.entries(extra.shapes)) {
    // The extra file may only add; a silent redefinition would change an existing operation.
    if (shapes[name]) throw new Error(`signer-extra.json redefines shape ${name}`);
    shapes[name] = shape;
  }
  return {
    metadata: base.metadata,
    operations: { ...base.operations, ...extra.operations },
    shapes,
  };
}

export function shapeOf(model: ServiceModel, name: string): Shape {
  const shape = model.shapes[name];
  if (!shape) throw new Error(`model has no shape ${name}`);
  return shape;
}
