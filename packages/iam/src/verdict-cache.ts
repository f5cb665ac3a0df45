/**
 * Exact memoization of verdicts. The evaluator is deterministic in its inputs — the caller's ARN,
 * its policies, the action, the resource and its policy, and the context — so a verdict can be
 * reused whenever all of them are equal. The one input that changes on every call is the time
 * (aws:CurrentTime, aws:EpochTime): it is left out of the key only when no policy involved mentions
 * either key (as a condition key or a ${…} variable), because then it cannot change the verdict.
 * Without this, each call costs the evaluator's full validation and resource-type analysis
 * (about a millisecond of CPU), far over the per-request budget.
 */
import type { ContextValue, ResourceAccess } from './access.js';
import { principalContext } from './context.js';
import type { PolicyKind } from './messages.js';
import type { AuthzRequest, Principal } from './types.js';

export interface CachedVerdict {
  result: 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';
  kind?: PolicyKind;
}

const MAX_ENTRIES = 20_000;
const TIME_KEY = /aws:(?:currenttime|epochtime)/i;

interface Interned {
  id: number;
  mentionsTime: boolean;
}

/** Policy documents → small ids (the same string object hashes once), with their time-dependence. */
const docs = new Map<string, Interned>();
/**
 * Verdicts by the principal's part of the key, then the request's: the principal's part is one
 * string kept with the principal (its hash computed once), the request's part a short one.
 */
const verdicts = new Map<string, Map<string, CachedVerdict>>();
let verdictCount = 0;

function intern(doc: string): Interned {
  let d = docs.get(doc);
  if (!d) {
    if (docs.size >= MAX_ENTRIES) {
      // Ids must stay unique while verdicts keyed by them live: drop both together.
      docs.clear();
      verdicts.clear();
      verdictCount = 0;
    }
    d = { id: nextId++, mentionsTime: TIME_KEY.test(doc) };
    docs.set(doc, d);
  }
  return d;
}
let nextId = 1;

/** Every policy document in force for `p`, in a fixed order. */
function docsOf(p: Principal): (string | undefined)[] {
  if (p.kind === 'root') return ['root'];
  return [
    ...p.identityPolicies,
    p.permissionsBoundary,
    p.kind === 'assumed-role' ? p.sessionPolicy : undefined,
  ];
}

/** What a verdict's key takes from the principal alone, with the principal's condition keys. */
export interface PrincipalPart {
  key: string;
  /** Whether one of its policies names aws:CurrentTime or aws:EpochTime. */
  timed: boolean;
  context: Record<string, ContextValue>;
  /** The principal it was made from, shallowly: checked on each use, though the store makes a new principal for each IAM generation. */
  from: Principal;
}

const sameFields = (a: Principal, b: Principal): boolean =>
  a.arn === b.arn &&
  a.accountId === b.accountId &&
  a.kind === b.kind &&
  a.identityPolicies === b.identityPolicies &&
  a.permissionsBoundary === b.permissionsBoundary &&
  a.sessionPolicy === b.sessionPolicy &&
  a.tags === b.tags &&
  a.roleArn === b.roleArn;

/**
 * Kept per principal object: its policies interned and its keys listed once, not on each request
 * (on a busy server that work cost more than the rest of a cached decision).
 */
const parts = new WeakMap<Principal, PrincipalPart>();

export function principalPart(p: Principal): PrincipalPart {
  const hit = parts.get(p);
  if (hit && sameFields(hit.from, p)) return hit;
  let timed = false;
  const ids = docsOf(p).map((doc) => {
    if (doc === undefined) return '-';
    const d = intern(doc);
    timed ||= d.mentionsTime;
    return d.id;
  });
  const context = principalContext(p);
  const part = {
    key: `${p.arn}\n${ids.join(',')}\n${JSON.stringify(context)}`,
    timed,
    context,
    from: { ...p },
  };
  parts.set(p, part);
  return part;
}

/**
 * The request's part of the cache key of one evaluation (with the principal's part: the caller
 * and its policies): the resource's policy, the request's transport, the action, the resource and
 * the keys the check and the resource bring. The context evaluated is made of exactly these
 * parts, so equal keys mean equal evaluations.
 */
export function verdictKey(
  principal: PrincipalPart,
  r: Pick<AuthzRequest, 'region' | 'secureTransport' | 'now'>,
  action: string,
  res: ResourceAccess,
  checkContext: Record<string, ContextValue>,
): string {
  const policy = res.policy === undefined ? undefined : intern(res.policy);
  const timed = principal.timed || policy?.mentionsTime === true;
  // aws:CurrentTime and aws:EpochTime are to the second.
  const time = timed ? Math.floor(r.now.getTime() / 1000) : '';
  return `${policy?.id ?? '-'}\n${r.region}\n${r.secureTransport}\n${time}\n${action}\n${res.arn}\n${res.accountId}\n${JSON.stringify(checkContext)}\n${JSON.stringify(res.context)}`;
}

/** Lookups answered from the cache and evaluations run since start: what the key buys, measurably. */
const stats = { hits: 0, misses: 0 };

export function verdictCacheStats(): Readonly<typeof stats> {
  return { ...stats };
}

export function cachedVerdict(principal: PrincipalPart, key: string): CachedVerdict | undefined {
  const v = verdicts.get(principal.key)?.get(key);
  if (v) stats.hits++;
  else stats.misses++;
  return v;
}

export function rememberVerdict(principal: PrincipalPart, key: string, v: CachedVerdict): void {
  if (verdictCount >= MAX_ENTRIES) {
    verdicts.clear();
    verdictCount = 0;
  }
  let mine = verdicts.get(principal.key);
  if (!mine) verdicts.set(principal.key, (mine = new Map<string, CachedVerdict>()));
  if (!mine.has(key)) verdictCount++;
  mine.set(key, v);
}
