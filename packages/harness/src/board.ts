/**
 * A board under test, whatever it is (QEMU, Renode, a real board on a serial port): start it, give
 * the flasher a link to its UART, reset it, cut its power (flash kept for the next start), stop it,
 * and read what it printed.
 */
import type { Transport, TransportListener } from '@fwsign/flasher';
import type { UartLog } from './uart-log.js';

export type BoardKind = 'qemu' | 'renode' | 'serial';

export interface BoardStartOptions {
  /** The trust-anchor table to provision (encodeTrustAnchorTable's bytes); absent: keep the last one. */
  anchors?: Uint8Array;
}

export interface Board {
  readonly kind: BoardKind;
  /** A one-line description for logs: machine, UART path. */
  readonly description: string;
  /** Boots the board (after a power cut: with the flash it had). */
  start(opts?: BoardStartOptions): Promise<void>;
  /** What a flasher opens: a serial device path (/dev/pts/N, /dev/ttyUSB0) or unix:/path. */
  serialPath(): string;
  /** The board's UART as a flasher Transport; everything it carries is also logged. */
  transport(): Transport;
  /** A hardware reset (the reset button). */
  reset(): Promise<void>;
  /** Stops the board at an arbitrary instant, keeping its flash for the next start. */
  powerCut(): Promise<void>;
  /** Stops the board for good and releases everything it holds. */
  stop(): Promise<void>;
  /** The board's console output, frame lines left out. */
  readonly uart: UartLog;
  readonly running: boolean;
  /**
   * How long one SMP request may take on this board's link (default: the client's own). A Renode
   * on a loaded host can stall for seconds.
   */
  readonly linkTimeoutMs?: number;
  /** What the emulator can say about the board's state (registers, run state), for failure reports. */
  diagnose?(): Promise<string>;
}

/**
 * The board's own UART link handed to clients: many subscribers, and a client's close() only
 * detaches it (the board keeps the line open across flasher runs and resets).
 */
export class SharedLink implements Transport {
  private readonly subs = new Set<TransportListener>();

  constructor(private readonly inner: Transport) {
    inner.subscribe({
      data: (bytes) => {
        for (const s of [...this.subs]) s.data(bytes);
      },
      closed: (error) => {
        for (const s of [...this.subs]) s.closed?.(error);
      },
    });
  }

  write(bytes: Uint8Array): Promise<void> {
    return this.inner.write(bytes);
  }

  subscribe(listener: TransportListener): () => void {
    this.subs.add(listener);
    return () => this.subs.delete(listener);
  }

  async close(): Promise<void> {
    // Owned by the board: stop() closes the line.
  }

  closeInner(): Promise<void> {
    return this.inner.close();
  }
}
