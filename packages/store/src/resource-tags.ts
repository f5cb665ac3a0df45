import { parseProfileArn } from './arns.js';
import { record } from './audit.js';
import type { StoreContext } from './context.js';
import { parseJson } from './context.js';
import { immediate, stmt } from './db.js';
import { bumpIamGeneration } from './iam-generation.js';
import { BadRequestException, NotFoundException } from './errors.js';
import type { ProfileRow } from './profile-row.js';
import { loadProfile } from './profile-row.js';
import type { TagMap } from './tags.js';
import { checkTagCount, checkTagKey, checkTagMap } from './tags.js';
import type { Identity } from './validate.js';
import { checkIdentity, describe } from './validate.js';

const bad = (m: string) => new BadRequestException(m);

/** Tagging works on the caller's own profiles; another account's ARN is NotFound, as it is for an unknown one. */
function taggable(
  ctx: StoreContext,
  id: Identity,
  resourceArn: unknown,
  forWrite: boolean,
): ProfileRow {
  if (typeof resourceArn !== 'string')
    throw bad(`resourceArn: expected a signing profile ARN, got ${describe(resourceArn)}`);
  const parsed = parseProfileArn(resourceArn);
  if (!parsed || parsed.version !== undefined) {
    throw bad(
      `resourceArn: expected arn:aws:signer:<region>:<account>:/signing-profiles/<name>, got ${JSON.stringify(resourceArn)}`,
    );
  }
  const p =
    parsed.region === ctx.region && parsed.account === id.accountId
      ? loadProfile(ctx, parsed.account, parsed.name)
      : undefined;
  if (!p) throw new NotFoundException(`resourceArn: signing profile ${resourceArn} was not found`);
  // The TagResource, UntagResource and ListTagsForResource references: a canceled profile is a BadRequestException.
  if (p.status === 'Canceled')
    throw bad(
      `resourceArn: signing profile ${resourceArn} is Canceled; its tags cannot ${forWrite ? 'change' : 'be listed'}`,
    );
  return p;
}

export function tagResource(
  ctx: StoreContext,
  id: Identity,
  input: { resourceArn: string; tags: TagMap },
): void {
  checkIdentity(id);
  const tags = checkTagMap('tags', input?.tags, bad);
  immediate(ctx.db, () => {
    const p = taggable(ctx, id, input.resourceArn, true);
    const merged = { ...(parseJson<TagMap>(p.tags) ?? {}), ...tags };
    checkTagCount(Object.keys(merged).length, bad);
    stmt(ctx.db, 'UPDATE profiles SET tags = ? WHERE account = ? AND name = ?').run(
      JSON.stringify(merged),
      p.account,
      p.name,
    );
    bumpIamGeneration(ctx.db); // aws:ResourceTag/… of the profile changed
    record(ctx, {
      kind: 'tags.add',
      actor: id.principalArn,
      subjects: [input.resourceArn],
      details: { tags },
    });
  });
}

export function untagResource(
  ctx: StoreContext,
  id: Identity,
  input: { resourceArn: string; tagKeys: string[] },
): void {
  checkIdentity(id);
  const keys = input?.tagKeys;
  if (!Array.isArray(keys) || keys.length < 1 || keys.length > 200)
    throw bad(`tagKeys: expected a list of 1-200 tag keys, got ${describe(keys)}`);
  for (const k of keys) checkTagKey('tagKeys', k, bad);
  immediate(ctx.db, () => {
    const p = taggable(ctx, id, input.resourceArn, true);
    const tags = parseJson<TagMap>(p.tags) ?? {};
    for (const k of keys) delete tags[k];
    stmt(ctx.db, 'UPDATE profiles SET tags = ? WHERE account = ? AND name = ?').run(
      JSON.stringify(tags),
      p.account,
      p.name,
    );
    bumpIamGeneration(ctx.db); // aws:ResourceTag/… of the profile changed
    record(ctx, {
      kind: 'tags.remove',
      actor: id.principalArn,
      subjects: [input.resourceArn],
      details: { tagKeys: keys },
    });
  });
}

export function listTagsForResource(
  ctx: StoreContext,
  id: Identity,
  input: { resourceArn: string },
): { tags: TagMap } {
  checkIdentity(id);
  const p = taggable(ctx, id, input?.resourceArn, false);
  return { tags: parseJson<TagMap>(p.tags) ?? {} };
}
