/**
 * The link a scenario's flasher talks through: the board's UART, recorded, then the flasher
 * package's own decorators: faults (drop, corrupt, duplicate, stall, reset) and a baud-rate
 * throttle, so a scenario runs at 115200 baud and with a bad cable when it asks to.
 */
import { FaultyTransport, ThrottledTransport, type Fault, type Transport } from '@fwsign/flasher';
import type { Board } from './board.js';
import { RecordingTransport, type Transcript } from './transcript.js';

export interface LinkOptions {
  /** Throttle to this baud rate, 8N1 (default: no throttle). */
  baud?: number;
  /** Added per direction, like a USB-serial adapter's turnaround (ms). */
  latencyMs?: number;
  faults?: readonly Fault[];
}

export interface Link {
  transport: Transport;
  /** The fault decorator, when faults were asked for (its `fired` lists what happened). */
  faulty?: FaultyTransport;
}

export function openLink(board: Board, transcript: Transcript, opts: LinkOptions = {}): Link {
  let t: Transport = new RecordingTransport(board.transport(), transcript);
  let faulty: FaultyTransport | undefined;
  if (opts.faults && opts.faults.length > 0) {
    faulty = new FaultyTransport(t, {
      faults: opts.faults,
      resetDevice: () => void board.reset().catch(() => undefined),
    });
    t = faulty;
  }
  if (opts.baud) t = new ThrottledTransport(t, { baud: opts.baud, latencyMs: opts.latencyMs });
  return faulty ? { transport: t, faulty } : { transport: t };
}
