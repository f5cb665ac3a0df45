/** A serial port (USB-serial adapter, on-board debugger, or a pseudo-terminal) through `serialport`. */
import type { SerialPort as SerialPortType } from 'serialport';
import { existsSync, readdirSync } from 'node:fs';
import { FlasherError } from './errors.js';
import { Listeners, type Transport, type TransportListener } from './transport.js';

export interface SerialTransportOptions {
  path: string;
  baudRate?: number;
}

export class SerialTransport implements Transport {
  private readonly listeners = new Listeners();

  private constructor(private readonly port: SerialPortType) {
    port.on('data', (chunk: Buffer) =>
      this.listeners.data(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)),
    );
    port.on('close', (err?: Error | null) => this.listeners.closed(err ?? undefined));
    port.on('error', (err: Error) =>
      this.listeners.closed(
        new FlasherError('TransportError', `serial port ${port.path}: ${err.message}`, {
          cause: err,
        }),
      ),
    );
  }

  /** Opens the port 8N1, no flow control: what MCUboot and Zephyr consoles expect. */
  static async open(opts: SerialTransportOptions): Promise<SerialTransport> {
    // Loaded on use: the native binding is only needed when a port is opened.
    const { SerialPort } = await import('serialport');
    return new Promise((resolve, reject) => {
      const port = new SerialPort({
        path: opts.path,
        baudRate: opts.baudRate ?? 115200,
        dataBits: 8,
        parity: 'none',
        stopBits: 1,
        rtscts: false,
        autoOpen: false,
      });
      port.open((err) => {
        if (err)
          reject(
            new FlasherError(
              'TransportError',
              `serial port ${opts.path}: cannot open (${err.message})`,
              { cause: err },
            ),
          );
        else resolve(new SerialTransport(port));
      });
    });
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.listeners.isClosed)
      return Promise.reject(
        new FlasherError('TransportClosed', `serial port ${this.port.path}: write after close`),
      );
    return new Promise((resolve, reject) => {
      this.port.write(Buffer.from(bytes), (err) => {
        if (err)
          reject(
            new FlasherError(
              'TransportError',
              `serial port ${this.port.path}: write failed (${err.message})`,
              { cause: err },
            ),
          );
      });
      this.port.drain((err) =>
        err
          ? reject(
              new FlasherError(
                'TransportError',
                `serial port ${this.port.path}: drain failed (${err.message})`,
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
      if (!this.port.isOpen) {
        this.listeners.closed();
        resolve();
        return;
      }
      this.port.close(() => {
        this.listeners.closed();
        resolve();
      });
    });
  }
}

/** Serial ports the OS knows (USB adapters with their vendor/product ids); pseudo-terminals are not listed. */
export async function listSerialPorts(): Promise<
  Array<{
    path: string;
    manufacturer?: string;
    serialNumber?: string;
    vendorId?: string;
    productId?: string;
  }>
> {
  const { SerialPort } = await import('serialport');
  let ports;
  try {
    ports = await SerialPort.list();
  } catch {
    // serialport lists through udevadm, which containers and minimal systems lack: fall back to sysfs.
    return ttysFromSysfs();
  }
  return ports.map((p) => ({
    path: p.path,
    manufacturer: p.manufacturer,
    serialNumber: p.serialNumber,
    vendorId: p.vendorId,
    productId: p.productId,
  }));
}

/** TTYs backed by a device (USB adapters, on-board UARTs), as /sys/class/tty lists them. */
function ttysFromSysfs(): Array<{ path: string }> {
  const root = '/sys/class/tty';
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter(
      (name) => /^tty(USB|ACM|AMA|S)\d+$/.test(name) && existsSync(`${root}/${name}/device/driver`),
    )
    .map((name) => ({ path: `/dev/${name}` }));
}
