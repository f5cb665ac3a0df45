/**
 * Exact memoization of verdicts. The evaluator is deterministic in its inputs — the caller's ARN,
 * its policies, the action, the resource and its policy, and the context — so a verdict can be
 * reused whenever all of them are equal. The one input that changes on every call is the time
 * (aws:CurrentTime, aws:EpochTime): it is left out of the key only when no policy involved mentions
 * either key (as a condition key or a ${…} variable), because then it cannot change the verdict.
 * Without this, each call costs the evaluator's full validation and resource-type analysis
 * (about a millisecond of CPU), far over the per-request budget.
 */
import type { ContextValue } from './access.js';
import type { PolicyKind } from './messages.js';

export interface CachedVerdict {
  result: 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';
  kind?: PolicyKind;
}

const MAX_ENTRIES = 20_000;
const TIME_KEY = /aws:(?:currenttime|epochtime)/i;
const TIME_KEYS = new Set(['aws:CurrentTime', 'aws:EpochTime']);

interface Interned {
  id: number;
  mentionsTime: boolean;
}

/** Policy documents → small ids (the same string object hashes once), with their time-dependence. */
const docs = new Map<string, Interned>();
const verdicts = new Map<string, CachedVerdict>();

function intern(doc: string): Interned {
  let d = docs.get(doc);
  if (!d) {
    if (docs.size >= MAX_ENTRIES) {
      // Ids must stay unique while verdicts keyed by them live: drop both together.
      docs.clear();
      verdicts.clear();
    }
    d = { id: nextId++, mentionsTime: TIME_KEY.test(doc) };
    docs.set(doc, d);
  }
  return d;
}
let nextId = 1;

/** The cache key of one evaluation: the caller and its policies, the request, the resource. */
export function verdictKey(
  principalArn: string,
  policyDocs: readonly (string | undefined)[],
  action: string,
  resourceArn: string,
  resourceAccount: string,
  context: Record<string, ContextValue>,
): string {
  let timed = false;
  const ids = policyDocs.map((doc) => {
    if (doc === undefined) return '-';
    const d = intern(doc);
    timed ||= d.mentionsTime;
    return d.id;
  });
  const ctx = timed
    ? context
    : Object.fromEntries(Object.entries(context).filter(([k]) => !TIME_KEYS.has(k)));
  return `${principalArn}\n${ids.join(',')}\n${action}\n${resourceArn}\n${resourceAccount}\n${JSON.stringify(ctx)}`;
}

/** Lookups answered from the cache and evaluations run since start: what the key buys, measurably. */
const stats = { hits: 0, misses: 0 };

export function verdictCacheStats(): Readonly<typeof stats> {
  return { ...stats };
}

export function cachedVerdict(key: string): CachedVerdict | undefined {
  const v = verdicts.get(key);
  if (v) stats.hits++;
  else stats.misses++;
  return v;
}

export function rememberVerdict(key: string, v: CachedVerdict): void {
  if (verdicts.size >= MAX_ENTRIES) verdicts.clear();
  verdicts.set(key, v);
}
