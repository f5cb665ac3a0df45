/**
 * What the flasher needs from a link to the device: bytes out, bytes in, close. The serial port,
 * a socket, the in-memory MockDevice and the decorators (throttle, faults) all implement it, and
 * one contract test suite runs against each.
 */
export interface TransportListener {
  data(bytes: Uint8Array): void;
  /** The link closed (error set when it failed rather than being closed by us). */
  closed?(error?: Error): void;
}

export interface Transport {
  /** Queues bytes for the device; resolves once the link has taken them. */
  write(bytes: Uint8Array): Promise<void>;
  /** Adds a listener for incoming bytes; returns its removal. */
  subscribe(listener: TransportListener): () => void;
  close(): Promise<void>;
}

/** The listener bookkeeping every transport shares. */
export class Listeners {
  private readonly set = new Set<TransportListener>();
  private closedWith: { error?: Error } | undefined;

  add(listener: TransportListener): () => void {
    this.set.add(listener);
    if (this.closedWith) listener.closed?.(this.closedWith.error);
    return () => this.set.delete(listener);
  }

  data(bytes: Uint8Array): void {
    for (const l of [...this.set]) l.data(bytes);
  }

  closed(error?: Error): void {
    if (this.closedWith) return;
    this.closedWith = error ? { error } : {};
    for (const l of [...this.set]) l.closed?.(error);
  }

  get isClosed(): boolean {
    return this.closedWith !== undefined;
  }
}

/** Base for decorators: passes everything through to the inner transport. */
export abstract class TransportDecorator implements Transport {
  protected readonly listeners = new Listeners();
  private readonly unsubscribe: () => void;

  constructor(protected readonly inner: Transport) {
    this.unsubscribe = inner.subscribe({
      data: (bytes) => this.fromDevice(bytes),
      closed: (error) => this.listeners.closed(error),
    });
  }

  abstract write(bytes: Uint8Array): Promise<void>;
  protected abstract fromDevice(bytes: Uint8Array): void;

  subscribe(listener: TransportListener): () => void {
    return this.listeners.add(listener);
  }

  async close(): Promise<void> {
    this.unsubscribe();
    await this.inner.close();
    this.listeners.closed();
  }
}
