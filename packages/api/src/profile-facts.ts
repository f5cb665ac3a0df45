import type { ApiStore } from './server-options.js';

export type ProfileFacts = NonNullable<Awaited<ReturnType<NonNullable<ApiStore['profileFacts']>>>>;

/** A profile's facts by account and name: the store's, or the server's cache of them. */
export type FactsReader = (account: string, name: string) => Promise<ProfileFacts | undefined>;

/** Bounds the cache: cleared when full (profiles are few; a flood of made-up names is not kept). */
const MAX_PROFILES = 10_000;

/**
 * A signing profile's facts for authorization (tags, version, resource policy), read from the store
 * once per IAM generation rather than on every request: the store bumps the generation in the
 * same transaction as any change to them (a tag, a permission) or to IAM. A request takes the
 * generation once, when its access key is resolved, before any fact is read; facts read after
 * that are at least as new as it, so keeping them under it is safe. The generation is the store's
 * recent one: a change made by this process is seen by the next request, one committed by another
 * process within OTHER_PROCESS_WRITES_SEEN_WITHIN_MS (1 s). An absent profile is not kept: one
 * made since is seen at once.
 */
export class ProfileFactsCache {
  private readonly entries = new Map<
    string,
    { generation: number; facts: Promise<ProfileFacts | undefined> }
  >();

  constructor(private readonly store: ApiStore) {}

  /** What one request reads facts with: current as of its generation. */
  reader(generation: number | undefined): FactsReader {
    return (account, name) => this.read(generation, account, name);
  }

  /** The facts of `account`'s profile `name`, current as of `generation` (undefined: read them now). */
  read(
    generation: number | undefined,
    account: string,
    name: string,
  ): Promise<ProfileFacts | undefined> {
    if (!this.store.profileFacts) return Promise.resolve(undefined);
    const read = (): Promise<ProfileFacts | undefined> => this.store.profileFacts!(account, name);
    if (generation === undefined) return read();
    const key = `${account}/${name}`;
    const hit = this.entries.get(key);
    // Facts of a later generation than the request's are newer than it needs: as good.
    if (hit && hit.generation >= generation) return hit.facts;
    const facts = read();
    if (this.entries.size >= MAX_PROFILES) this.entries.clear();
    this.entries.set(key, { generation, facts });
    // Neither a refusal nor an absence is kept.
    const forget = () => {
      if (this.entries.get(key)?.facts === facts) this.entries.delete(key);
    };
    facts.then((f) => f === undefined && forget(), forget);
    return facts;
  }
}
