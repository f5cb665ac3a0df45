/** Progress for humans (a bar on a TTY) and for CI logs (JSON lines); quiet prints nothing. */
import type { FlashEvent } from './flash.js';
import type { StockFlashEvent } from './stock-flash.js';

export type ProgressMode = 'bar' | 'json' | 'quiet';

export interface ProgressSink {
  event(e: FlashEvent | StockFlashEvent): void;
  done(): void;
}

function fmtBytes(n: number): string {
  return n >= 1024 * 1024
    ? `${(n / 1048576).toFixed(1)} MiB`
    : n >= 1024
      ? `${(n / 1024).toFixed(1)} KiB`
      : `${n} B`;
}

export function createProgress(
  mode: ProgressMode,
  out: NodeJS.WritableStream & { isTTY?: boolean },
): ProgressSink {
  const started = performance.now();
  let lastDraw = 0;
  let drawn = false;
  if (mode === 'quiet') return { event: () => undefined, done: () => undefined };
  if (mode === 'json') {
    let first = true;
    return {
      event(e) {
        if (e.kind === 'progress') {
          // At most four lines a second, but always the first and the last.
          const now = performance.now();
          if (!first && e.acked !== e.total && now - lastDraw < 250) return;
          first = false;
          lastDraw = now;
        }
        out.write(`${JSON.stringify({ t: Math.round(performance.now() - started), ...e })}\n`);
      },
      done: () => undefined,
    };
  }
  return {
    event(e) {
      if (e.kind !== 'progress' || !out.isTTY) return;
      const now = performance.now();
      if (now - lastDraw < 100 && e.acked !== e.total) return;
      lastDraw = now;
      const secs = (now - started) / 1000;
      const rate = e.acked / Math.max(secs, 0.001);
      const eta = rate > 0 ? (e.total - e.acked) / rate : 0;
      const width = 30;
      const filled = Math.round((e.acked / e.total) * width);
      out.write(
        `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${fmtBytes(e.acked)}/${fmtBytes(e.total)} ${fmtBytes(rate)}/s ETA ${eta.toFixed(0)}s `,
      );
      drawn = true;
    },
    done() {
      if (drawn) out.write('\n');
    },
  };
}
