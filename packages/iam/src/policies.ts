/**
 * Policy documents arrive as JSON text (as the store keeps them); the evaluator takes parsed
 * objects. Parsing is memoized by the text so that the same document object comes back for the same
 * policy, which is also what lets the evaluator reuse its validation of it.
 */
import { IamAuthError } from './errors.js';

const MAX_CACHED = 2_000;
const parsed = new Map<string, object>();

/** The parsed policy document, or MalformedPolicyDocument when it is not a JSON object. */
export function parsePolicy(doc: string, what: string): object {
  const hit = parsed.get(doc);
  if (hit) return hit;
  let v: unknown;
  try {
    v = JSON.parse(doc);
  } catch (e) {
    throw new IamAuthError(
      'MalformedPolicyDocument',
      `${what}: expected a JSON policy document, got text that does not parse (${(e as Error).message})`,
    );
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new IamAuthError(
      'MalformedPolicyDocument',
      `${what}: expected a JSON object with Version and Statement, got ${Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v}`,
    );
  // A plain bound: documents are few (one per managed policy version and inline policy), so
  // dropping them all when full is simpler than an LRU and costs a re-parse at worst.
  if (parsed.size >= MAX_CACHED) parsed.clear();
  parsed.set(doc, v);
  return v;
}

/** An identity-based policy granting everything: what the account root holds without policies. */
export const ROOT_POLICY: object = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};
