/**
 * A real board on a serial port (FWSIGN_PORT=/dev/ttyUSB0) running the verifier: the same
 * scenarios, by hand. The board is already powered and flashed with the verifier and its trust
 * anchors (see firmware-verifier's README for openocd / st-flash), so start() only opens the port.
 */
import { SerialTransport, SmpClient, type Transport } from '@fwsign/flasher';
import { SmpGroup, SmpOsCommand } from '@fwsign/protocol';
import { SharedLink, type Board, type BoardStartOptions } from './board.js';
import { HarnessError } from './errors.js';
import { UartLog } from './uart-log.js';

export interface SerialBoardOptions {
  port: string;
  baudRate?: number;
}

export class SerialBoard implements Board {
  readonly kind = 'serial' as const;
  readonly uart = new UartLog();
  private link: SharedLink | undefined;

  constructor(private readonly opts: SerialBoardOptions) {
    if (!opts.port)
      throw new HarnessError(
        'BoardStartFailed',
        'serial board: expected a port (FWSIGN_PORT=/dev/ttyUSB0), got none',
      );
  }

  get description(): string {
    return `serial ${this.opts.port} @ ${this.opts.baudRate ?? 115200}`;
  }

  get running(): boolean {
    return this.link !== undefined;
  }

  serialPath(): string {
    return this.opts.port;
  }

  transport(): Transport {
    if (!this.link)
      throw new HarnessError(
        'BoardNotRunning',
        `${this.description}: transport() expected an open port, got none`,
      );
    return this.link;
  }

  /** Opens the port. The anchors of a real board are provisioned when it is flashed, not here. */
  async start(_opts: BoardStartOptions = {}): Promise<void> {
    if (this.link) return;
    this.link = new SharedLink(
      await SerialTransport.open({ path: this.opts.port, baudRate: this.opts.baudRate ?? 115200 }),
    );
    this.link.subscribe({ data: (b) => this.uart.push(b) });
  }

  /** Resets through SMP (OS reset), which both the verifier and the test application serve. */
  async reset(): Promise<void> {
    const client = new SmpClient(this.transport(), { timeoutMs: 2000, retries: 0 });
    try {
      await client.write('reset', SmpGroup.OS, SmpOsCommand.RESET, {});
    } catch {
      // The board may reset before its answer leaves.
    } finally {
      client.close();
    }
  }

  async powerCut(): Promise<void> {
    throw new HarnessError(
      'NotSupported',
      `${this.description}: a real board's power is not under the harness's control; cut it by hand`,
    );
  }

  async stop(): Promise<void> {
    const link = this.link;
    this.link = undefined;
    await link?.closeInner().catch(() => undefined);
  }
}
