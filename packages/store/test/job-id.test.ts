import { describe, expect, it } from 'vitest';
import { newJobId } from '../src/job-id.js';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const millisOf = (id: string): number => parseInt(id.replace(/-/g, '').slice(0, 12), 16);

describe('newJobId', () => {
  it('is an RFC 9562 version 7 UUID carrying the time it was made', () => {
    const before = Date.now();
    const id = newJobId();
    const after = Date.now();
    expect(id).toMatch(V7);
    expect(millisOf(id)).toBeGreaterThanOrEqual(before);
    expect(millisOf(id)).toBeLessThanOrEqual(after);
  });

  it('sorts in the order the ids were made, also many within one millisecond, and never repeats', () => {
    const now = Date.now() + 60_000;
    // More than the 12-bit counter holds, all in the same millisecond.
    const ids = Array.from({ length: 10_000 }, () => newJobId(now));
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
    for (const id of ids) expect(id).toMatch(V7);
    // The overflow borrowed later milliseconds rather than wrapping.
    expect(millisOf(ids[ids.length - 1]!)).toBeGreaterThan(now);
    // A clock that steps back does not break the order either.
    expect(newJobId(now - 30_000) > ids[ids.length - 1]!).toBe(true);
  });
});
