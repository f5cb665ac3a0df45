/**
 * Just enough of the GDB remote protocol to write memory into a paused QEMU: how the slot "flash"
 * saved at a power cut is put back before the board runs again. (QEMU's -device loader would do it
 * too, but QEMU re-copies loader blobs on every guest reset, which would undo later uploads.)
 */
import net from 'node:net';
import { HarnessError } from './errors.js';
import { connectWithRetry } from './unix-socket.js';

/** QEMU's gdbstub accepts packets up to 4096 bytes; 1 KiB of data is 2 KiB of hex plus the header. */
const CHUNK = 1024;

function checksum(s: string): string {
  let sum = 0;
  for (let i = 0; i < s.length; i++) sum = (sum + s.charCodeAt(i)) & 0xff;
  return sum.toString(16).padStart(2, '0');
}

export class GdbStub {
  private buffer = '';
  private waiter: ((packet: string) => void) | undefined;

  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      this.drain();
    });
    socket.on('error', () => undefined);
  }

  static connect(path: string, timeoutMs: number): Promise<GdbStub> {
    return connectWithRetry({
      path,
      timeoutMs,
      handshake: async (socket) => {
        const stub = new GdbStub(socket);
        // Without acks every reply is one packet; QEMU supports it.
        await stub.request('QStartNoAckMode');
        socket.write('+');
        return stub;
      },
      giveUp: (err) =>
        new HarnessError(
          'DebugStubError',
          `gdb stub: expected it on ${path} within ${timeoutMs} ms, got ${err.message}`,
          { cause: err },
        ),
    });
  }

  /** Writes `bytes` at `addr` through the CPU's view of memory. */
  async writeMemory(addr: number, bytes: Uint8Array): Promise<void> {
    for (let off = 0; off < bytes.length; off += CHUNK) {
      const part = bytes.subarray(off, Math.min(bytes.length, off + CHUNK));
      const reply = await this.request(
        `M${(addr + off).toString(16)},${part.length.toString(16)}:${Buffer.from(part).toString('hex')}`,
      );
      if (reply !== 'OK')
        throw new HarnessError(
          'DebugStubError',
          `gdb stub: writing ${part.length} bytes at 0x${(addr + off).toString(16)} expected OK, got "${reply}"`,
        );
    }
  }

  /**
   * Closes without a detach packet: QEMU's detach resumes the guest, a plain disconnect leaves it
   * paused until the caller's QMP `cont`.
   */
  close(): void {
    this.socket.destroy();
  }

  private request(payload: string, timeoutMs = 5000): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(
          new HarnessError(
            'Timeout',
            `gdb stub: no answer to "${payload.slice(0, 24)}" within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      this.waiter = (packet) => {
        clearTimeout(timer);
        resolve(packet);
      };
      this.socket.write(`$${payload}#${checksum(payload)}`);
    });
  }

  private drain(): void {
    for (;;) {
      // Acks ('+') from before no-ack mode took effect carry nothing.
      this.buffer = this.buffer.replace(/^[+-]+/, '');
      const start = this.buffer.indexOf('$');
      const hash = this.buffer.indexOf('#', start);
      if (start < 0 || hash < 0 || this.buffer.length < hash + 3) return;
      const packet = this.buffer.slice(start + 1, hash);
      this.buffer = this.buffer.slice(hash + 3);
      const w = this.waiter;
      this.waiter = undefined;
      w?.(packet);
    }
  }
}
