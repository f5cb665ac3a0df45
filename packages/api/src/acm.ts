import type { Identity } from './credentials.js';
import type { AcmOperations } from './operations.js';
import { ApiError } from './errors.js';
import { acmModel, shapeOf } from './model/load.js';
import { Decoder } from './model/decode.js';
import { encodeJson, lowerFirst } from './model/encode.js';
import { parseJsonBody } from './model/rest-json.js';

const ACM_TARGET_PREFIX = 'CertificateManager.';

/** The ACM operation named by `X-Amz-Target`, or undefined when it is not one we serve. */
export function acmOperation(target: string | undefined): string | undefined {
  if (!target?.startsWith(ACM_TARGET_PREFIX)) return undefined;
  return target.slice(ACM_TARGET_PREFIX.length);
}

/** Serves one awsJson1_1 ACM call: decode by ACM's model, call the store, encode its answer. */
export async function handleAcm(
  store: AcmOperations,
  id: Identity,
  operation: string,
  body: Uint8Array,
  /** Authorizes the call once its input is decoded (IAM policies); throws to refuse it. */
  gate?: (operation: string, input: Record<string, unknown>) => Promise<void>,
): Promise<string> {
  // Own properties only: 'constructor', '__proto__' or 'toString' must not reach Object.prototype.
  const op = Object.hasOwn(acmModel.operations, operation)
    ? acmModel.operations[operation]
    : undefined;
  if (!op) {
    throw new ApiError(
      'UnknownOperationException',
      400,
      `ACM operation '${operation}' is not served here; only ${Object.keys(acmModel.operations).join(', ')}`,
    );
  }
  const dec = new Decoder(acmModel);
  const input = op.input
    ? dec.structure(shapeOf(acmModel, op.input.shape), parseJsonBody(body), '', (ref, v, p) =>
        dec.json(ref, v, p),
      )
    : {};
  dec.check();
  await gate?.(op.name, input ?? {});
  const method = lowerFirst(op.name) as keyof AcmOperations;
  // The one untyped step: the input was decoded by this operation's shape in acmModel, which is
  // what operations.ts types the store's method with.
  const call = store[method] as (id: Identity, input: unknown) => unknown;
  const out = await call.call(store, id, camelCaseKeys(input ?? {}));
  return op.output ? JSON.stringify(encodeJson(acmModel, op.output, out ?? {}, true) ?? {}) : '{}';
}

/**
 * ACM's top-level members are PascalCase; the store takes the same names in camelCase. Nested
 * values (Tags: [{ Key, Value }]) keep ACM's own spelling, as the store reads them.
 */
function camelCaseKeys(v: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [lowerFirst(k), x]));
}
