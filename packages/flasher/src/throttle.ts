/**
 * Models a UART at `baud` 8N1 (10 bit times per byte) in both directions, plus a fixed latency per
 * direction such as a USB-serial adapter's turnaround (~16 ms). Bytes leave in order; a frame is
 * delivered once its last byte has crossed the line and the latency has passed.
 */
import { type Transport, TransportDecorator } from './transport.js';

export interface ThrottleOptions {
  baud: number;
  /** Added to every delivery in each direction, in ms (0 = a native UART). */
  latencyMs?: number;
}

/** A one-way line: FIFO, each chunk occupies the line for its bit time, then waits out the latency. */
export class DelayLine {
  private freeAt = 0;
  private readonly queue: Array<{ at: number; bytes: Uint8Array }> = [];
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private holdUntil = 0;

  constructor(
    private readonly msPerByte: number,
    private readonly latencyMs: number,
    private readonly deliver: (bytes: Uint8Array) => void,
  ) {}

  /** Returns the time the last byte leaves the sender. */
  send(bytes: Uint8Array): number {
    const now = performance.now();
    const start = Math.max(now, this.freeAt);
    this.freeAt = start + bytes.length * this.msPerByte;
    this.queue.push({ at: this.freeAt + this.latencyMs, bytes });
    this.schedule();
    return this.freeAt;
  }

  /** Holds every delivery until `ms` from now (a stalled link). */
  hold(ms: number): void {
    this.holdUntil = Math.max(this.holdUntil, performance.now() + ms);
    this.schedule();
  }

  /** Forgets what is on the line (the far end reset). */
  clear(): void {
    this.queue.length = 0;
  }

  stop(): void {
    if (this.timer) clearTimer(this.timer);
    this.timer = undefined;
    this.queue.length = 0;
  }

  private schedule(): void {
    if (this.timer || this.queue.length === 0) return;
    const due = Math.max(this.queue[0]!.at, this.holdUntil);
    const fire = (): void => {
      this.timer = undefined;
      const now = performance.now();
      while (this.queue.length > 0 && this.queue[0]!.at <= now && this.holdUntil <= now)
        this.deliver(this.queue.shift()!.bytes);
      this.schedule();
    };
    // setTimeout has millisecond granularity and fires late; the last stretch is polled so that
    // short bit times and latencies (time-scaled benchmarks) are modelled to well under 1 ms.
    const wait = due - performance.now();
    this.timer = wait > 2 ? setTimeout(fire, wait - 1.5) : setImmediate(fire);
  }
}

export class ThrottledTransport extends TransportDecorator {
  private readonly out: DelayLine;
  private readonly back: DelayLine;

  constructor(inner: Transport, opts: ThrottleOptions) {
    super(inner);
    if (!(opts.baud > 0))
      throw new RangeError(
        `ThrottledTransport: "baud" expected a positive number, got ${opts.baud}`,
      );
    const msPerByte = 10_000 / opts.baud;
    const latency = opts.latencyMs ?? 0;
    this.out = new DelayLine(
      msPerByte,
      latency,
      (bytes) => void inner.write(bytes).catch(() => undefined),
    );
    this.back = new DelayLine(msPerByte, latency, (bytes) => this.listeners.data(bytes));
  }

  write(bytes: Uint8Array): Promise<void> {
    const leaves = this.out.send(bytes);
    // Resolve when the UART has shifted the bytes out, as a drained serial port would.
    return new Promise((resolve) => setTimeout(resolve, Math.max(0, leaves - performance.now())));
  }

  protected fromDevice(bytes: Uint8Array): void {
    this.back.send(bytes);
  }

  override async close(): Promise<void> {
    this.out.stop();
    this.back.stop();
    await super.close();
  }
}

function clearTimer(t: NodeJS.Timeout | NodeJS.Immediate): void {
  if ('hasRef' in t && 'refresh' in t) clearTimeout(t);
  else clearImmediate(t);
}
