/** The same bytes over TCP or a Unix socket: QEMU's socket chardev, network serial servers. */
import net from 'node:net';
import { FlasherError } from './errors.js';
import { Listeners, type Transport, type TransportListener } from './transport.js';

export type SocketAddress = { host?: string; port: number } | { path: string };

export class SocketTransport implements Transport {
  private readonly listeners = new Listeners();

  constructor(
    private readonly socket: net.Socket,
    private readonly label: string,
  ) {
    socket.setNoDelay?.(true);
    socket.on('data', (chunk: Buffer) =>
      this.listeners.data(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)),
    );
    socket.on('error', (err) =>
      this.listeners.closed(
        new FlasherError('TransportError', `socket ${label}: ${err.message}`, { cause: err }),
      ),
    );
    socket.on('close', () =>
      this.listeners.closed(
        new FlasherError('TransportClosed', `socket ${label}: closed by the other end`),
      ),
    );
  }

  /** Connects, failing after `timeoutMs` (default 5 s) rather than waiting on the OS. */
  static connect(address: SocketAddress, timeoutMs = 5000): Promise<SocketTransport> {
    const label =
      'path' in address ? address.path : `${address.host ?? '127.0.0.1'}:${address.port}`;
    return new Promise((resolve, reject) => {
      const socket =
        'path' in address
          ? net.connect({ path: address.path })
          : net.connect({ host: address.host ?? '127.0.0.1', port: address.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(
          new FlasherError('Timeout', `socket ${label}: no connection within ${timeoutMs} ms`),
        );
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new SocketTransport(socket, label));
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(
          new FlasherError('TransportError', `socket ${label}: cannot connect (${err.message})`, {
            cause: err,
          }),
        );
      });
    });
  }

  /** Parses `tcp:host:port`, `host:port` or `unix:/path` (what --port takes for sockets). */
  static parseAddress(spec: string): SocketAddress {
    if (spec.startsWith('unix:')) return { path: spec.slice(5) };
    const m = /^(?:tcp:)?(?:([^:]+):)?(\d+)$/.exec(spec);
    if (!m)
      throw new FlasherError(
        'InvalidInput',
        `socket address: expected tcp:host:port or unix:/path, got "${spec}"`,
      );
    return { host: m[1] ?? '127.0.0.1', port: Number(m[2]) };
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.listeners.isClosed || this.socket.destroyed)
      return Promise.reject(
        new FlasherError('TransportClosed', `socket ${this.label}: write after close`),
      );
    return new Promise((resolve, reject) => {
      this.socket.write(bytes, (err) =>
        err
          ? reject(
              new FlasherError(
                'TransportError',
                `socket ${this.label}: write failed (${err.message})`,
              ),
            )
          : resolve(),
      );
    });
  }

  subscribe(listener: TransportListener): () => void {
    return this.listeners.add(listener);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) {
        this.listeners.closed();
        resolve();
        return;
      }
      this.socket.once('close', () => resolve());
      this.listeners.closed();
      this.socket.end();
      this.socket.destroySoon?.();
      setTimeout(() => this.socket.destroy(), 200).unref();
    });
  }
}
