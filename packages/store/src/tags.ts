import { StoreError } from './errors.js';
import { TAG_KEY, describe } from './validate.js';

/** The Signer developer guide: "You can assign up to 50 tags to a profile." (The model's TagMap allows 200 per request.) */
export const MAX_TAGS_PER_PROFILE = 50;
const MAX_TAGS_PER_REQUEST = 200;

export type TagMap = Record<string, string>;

/** Checks a TagMap against the model's key/value constraints; `fail` builds the operation's exception. */
export function checkTagMap(
  field: string,
  tags: unknown,
  fail: (msg: string) => StoreError,
): TagMap {
  if (tags === null || typeof tags !== 'object' || Array.isArray(tags))
    throw fail(`${field}: expected a map of tag keys to values, got ${describe(tags)}`);
  const entries = Object.entries(tags as Record<string, unknown>);
  if (entries.length < 1 || entries.length > MAX_TAGS_PER_REQUEST)
    throw fail(`${field}: expected 1-${MAX_TAGS_PER_REQUEST} tags, got ${entries.length}`);
  const out: TagMap = {};
  for (const [k, v] of entries) {
    checkTagKey(`${field} key`, k, fail);
    if (typeof v !== 'string' || v.length > 256)
      throw fail(
        `${field}[${JSON.stringify(k)}]: expected a string of at most 256 characters, got ${describe(v)}`,
      );
    out[k] = v;
  }
  return out;
}

export function checkTagKey(field: string, k: unknown, fail: (msg: string) => StoreError): string {
  if (typeof k !== 'string' || k.length < 1 || k.length > 128 || !TAG_KEY.test(k)) {
    throw fail(
      `${field}: expected 1-128 characters matching ^(?!aws:)[a-zA-Z+-=._:/]+$, got ${describe(k)}`,
    );
  }
  return k;
}

export function checkTagCount(total: number, fail: (msg: string) => StoreError): void {
  if (total > MAX_TAGS_PER_PROFILE)
    throw fail(
      `tags: a profile can have at most ${MAX_TAGS_PER_PROFILE} tags, this change would leave ${total}`,
    );
}
