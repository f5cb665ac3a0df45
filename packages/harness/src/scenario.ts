/**
 * Scenarios: a vitest test with a board, a recorded link through the flasher's decorators, and
 * whatever fixtures the suite adds (e.g. `fwsign`, a running signing service). A failing scenario
 * reports the board's UART log and the link transcript with the error.
 *
 *   const scenario = createScenario({ fwsign: () => startFwsign() });
 *   scenario('tampered image is refused', async ({ board, link, fwsign }) => { … });
 */
import { it } from 'vitest';
import type { Board } from './board.js';
import { createBoard, type BoardChoice } from './boards.js';
import { DeviceSession } from './device-steps.js';
import { HarnessError } from './errors.js';
import { openLink, type Link, type LinkOptions } from './link.js';
import { Transcript } from './transcript.js';

export interface ScenarioContext {
  board: Board;
  /** Opens the board's UART through the recorder and the decorators (call after board.start). */
  link(opts?: LinkOptions): Link;
  /** A step-by-step device session over a link (closed with the scenario). */
  device(opts?: LinkOptions): DeviceSession;
  /** Prints a step and keeps it for the failure report. */
  step(text: string): void;
  transcript: Transcript;
}

export interface ScenarioOptions {
  board?: BoardChoice;
  timeoutMs?: number;
}

export type Fixtures = Record<string, () => Promise<{ dispose?: () => Promise<void> | void }>>;
type Resolved<F extends Fixtures> = { [K in keyof F]: Awaited<ReturnType<F[K]>> };

/** Runs `body` with a fresh board and fixtures; always stops the board and disposes fixtures. */
export async function runScenario<F extends Fixtures>(
  name: string,
  fixtures: F,
  body: (ctx: ScenarioContext & Resolved<F>) => Promise<void>,
  opts: ScenarioOptions = {},
): Promise<void> {
  const transcript = new Transcript();
  const steps: string[] = [];
  const sessions: DeviceSession[] = [];
  const made: Array<{ dispose?: () => Promise<void> | void }> = [];
  let board: Board | undefined;
  try {
    const resolved = {} as Record<string, unknown>;
    for (const [k, make] of Object.entries(fixtures)) {
      const v = await make();
      made.push(v);
      resolved[k] = v;
    }
    const b = createBoard(opts.board);
    board = b;
    const ctx: ScenarioContext = {
      board: b,
      transcript,
      link: (o) => openLink(b, transcript, o),
      device: (o) => {
        const s = new DeviceSession(
          openLink(b, transcript, o).transport,
          b.linkTimeoutMs ? { timeoutMs: b.linkTimeoutMs } : {},
        );
        sessions.push(s);
        return s;
      },
      step: (text) => {
        steps.push(text);
        if (process.env.FWSIGN_SCENARIO_VERBOSE) console.log(`[${name}] ${text}`);
      },
    };
    await body({ ...ctx, ...(resolved as Resolved<F>) });
  } catch (err) {
    const e = err instanceof Error ? err : new HarnessError('ScenarioFailed', String(err));
    const diagnosis =
      board?.running && board.diagnose ? await board.diagnose().catch((x: Error) => x.message) : '';
    const report = [
      `scenario "${name}" failed: ${e.message}`,
      `--- steps ---`,
      ...steps,
      `--- board: ${board?.description ?? 'not created'} UART log ---`,
      board?.uart.textSince().slice(-3000) ?? '',
      ...(diagnosis ? ['--- board state ---', diagnosis] : []),
      `--- flasher transcript (last ${transcript.lines.length} lines) ---`,
      transcript.lines.slice(-80).join('\n'),
    ].join('\n');
    e.message = report;
    throw e;
  } finally {
    for (const s of sessions) s.close();
    await board?.stop().catch(() => undefined);
    for (const m of made.reverse()) await m.dispose?.();
  }
}

/** A `scenario(name, body, opts)` registering vitest tests with the given fixtures. */
export function createScenario<F extends Fixtures>(fixtures: F) {
  return (
    name: string,
    body: (ctx: ScenarioContext & Resolved<F>) => Promise<void>,
    opts: ScenarioOptions = {},
  ): void => {
    // Renode boots in seconds but its UART takes host bytes at about 1 KB/s (renode-board.ts).
    const timeout = opts.timeoutMs ?? (opts.board?.kind === 'renode' ? 300_000 : 120_000);
    it(name, () => runScenario(name, fixtures, body, opts), timeout);
  };
}

/** Scenarios with no fixtures beyond the board. */
export const scenario = createScenario({});
