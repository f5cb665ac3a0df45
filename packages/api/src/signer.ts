import type { Identity } from './credentials.js';
import { ApiError } from './errors.js';
import { signerModel } from './model/load.js';
import { lowerFirst } from './model/encode.js';
import {
  compileRoutes,
  decodeInput,
  encodeOutput,
  matchRoute,
  pathKnown,
  type Match,
  type WireRequest,
} from './model/rest-json.js';

import type {
  PlatformOperations,
  SignerOperationName,
  SignerOperations,
  StoreSignerOperations,
} from './operations.js';
import { platformOperations } from './platforms.js';

const routes = compileRoutes(signerModel);

/** Finds the Signer operation of a request, or undefined when the path is not one of Signer's. */
export function signerRoute(method: string, rawPath: string): Match | undefined {
  return matchRoute(routes, method, rawPath);
}

export function isSignerPath(rawPath: string): boolean {
  return pathKnown(routes, rawPath);
}

/** The request's Signer operation; a request that routed to none is an UnknownOperationException. */
export function knownOperation(r: {
  match?: Match | undefined;
  method: string;
  rawPath: string;
}): Match {
  if (r.match) return r.match;
  throw new ApiError(
    'UnknownOperationException',
    404,
    `No Signer operation is ${r.method} ${r.rawPath.slice(0, 200)}`,
  );
}

/**
 * Calls the store method named after the operation (camelCase) with the caller's identity and the
 * decoded input, and serializes what it returns by the operation's output shape.
 */
export async function handleSigner(
  store: StoreSignerOperations,
  id: Identity,
  match: Match,
  req: Omit<WireRequest, 'labels'>,
  /** Authorizes the call once its input is decoded (IAM policies); throws to refuse it. */
  gate?: (operation: string, input: Record<string, unknown>) => Promise<void>,
): Promise<{ status: number; body: string }> {
  let input: unknown;
  try {
    input = decodeInput(signerModel, match.op, { ...req, labels: match.labels });
  } catch (err) {
    throw tagProblemsAsBadRequest(err);
  }
  await gate?.(match.op.name, (input ?? {}) as Record<string, unknown>);
  const name = lowerFirst(match.op.name) as SignerOperationName;
  const ops: Partial<SignerOperations> = isPlatformOperation(name) ? platformOperations : store;
  // The one untyped step: `input` was decoded by this operation's own input shape, which is what
  // the compiler checked the store's method against (operations.ts).
  const op = ops[name] as (id: Identity, input: unknown) => unknown;
  const out: unknown = await op.call(ops, id, input);
  return {
    status: match.op.http.responseCode ?? 200,
    body: encodeOutput(signerModel, match.op, out),
  };
}

function isPlatformOperation(name: SignerOperationName): name is keyof PlatformOperations {
  return name in platformOperations;
}

/**
 * The Signer references list BadRequestException for invalid tags (an `aws:` key, an empty map) on
 * PutSigningProfile, TagResource and UntagResource, where the model's constraints would otherwise
 * make them a ValidationException. Only a request whose every problem is in its tags is renamed.
 */
function tagProblemsAsBadRequest(err: unknown): unknown {
  if (!(err instanceof ApiError) || err.code !== 'ValidationException') return err;
  const problems = err.message.replace(/^\d+ validation errors? detected: /, '').split('; ');
  const inTags = (p: string) => / at '(tags|tagKeys)\b/.test(p);
  return problems.length > 0 && problems.every(inTags)
    ? new ApiError('BadRequestException', 400, err.message)
    : err;
}
