import { describe, expect, it } from 'vitest';
import { createProgress } from '../src/index.js';

function sink(isTTY: boolean): {
  out: NodeJS.WritableStream & { isTTY?: boolean };
  text: () => string;
} {
  let text = '';
  const out = {
    isTTY,
    write: (s: string) => ((text += s), true),
  } as unknown as NodeJS.WritableStream & { isTTY?: boolean };
  return { out, text: () => text };
}

describe('progress', () => {
  it('draws a bar with bytes, rate and ETA on a TTY, and ends the line when done', () => {
    const s = sink(true);
    const p = createProgress('bar', s.out);
    p.event({ kind: 'progress', acked: 262144, total: 262144 });
    p.done();
    expect(s.text()).toMatch(/^\r\[#{30}\] 256\.0 KiB\/256\.0 KiB [0-9.]+ (KiB|MiB)\/s ETA 0s \n$/);
  });

  it('draws nothing when the output is not a TTY, and nothing at all when quiet', () => {
    for (const [mode, tty] of [
      ['bar', false],
      ['quiet', true],
    ] as const) {
      const s = sink(tty);
      const p = createProgress(mode, s.out);
      p.event({ kind: 'progress', acked: 10, total: 10 });
      p.event({ kind: 'verify', fwv: 0, text: 'verified' });
      p.done();
      expect(s.text()).toBe('');
    }
  });

  it('writes one JSON object per line with a time stamp, always including the final progress', () => {
    const s = sink(false);
    const p = createProgress('json', s.out);
    p.event({ kind: 'progress', acked: 1, total: 10 });
    p.event({ kind: 'progress', acked: 2, total: 10 });
    p.event({ kind: 'progress', acked: 10, total: 10 });
    p.event({ kind: 'verify', fwv: 0, text: 'verified' });
    const lines = s
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.kind)).toEqual(['progress', 'progress', 'verify']);
    expect(lines[1]).toMatchObject({ acked: 10, total: 10 });
    expect(typeof lines[0]!.t).toBe('number');
  });
});
