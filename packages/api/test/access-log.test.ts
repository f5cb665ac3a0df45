import { describe, expect, it } from 'vitest';
import { AccessLog } from '../src/access-log.js';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('AccessLog', () => {
  it('writes the lines of one event-loop turn in one call, in order, each ending in a newline', async () => {
    const writes: string[] = [];
    const log = new AccessLog((text) => writes.push(text));
    log.line('a 200');
    log.line('b 404');
    expect(writes).toEqual([]);
    await nextTurn();
    expect(writes).toEqual(['a 200\nb 404\n']);
    log.line('c 500');
    await nextTurn();
    expect(writes).toEqual(['a 200\nb 404\n', 'c 500\n']);
  });

  it('flush() writes queued lines at once, and writes nothing when none are queued', async () => {
    const writes: string[] = [];
    const log = new AccessLog((text) => writes.push(text));
    log.flush();
    log.line('x 200');
    log.flush();
    expect(writes).toEqual(['x 200\n']);
    await nextTurn();
    expect(writes).toEqual(['x 200\n']);
  });
});
