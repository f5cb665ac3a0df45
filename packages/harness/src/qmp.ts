/**
 * QEMU's machine protocol (QMP) over a Unix socket: JSON lines, one command at a time, each answer
 * matched by its id. Used for reset, pause (the instant of a power cut), saving the slot memory and
 * quitting; events (RESET, SHUTDOWN) are kept for waits.
 */
import net from 'node:net';
import { HarnessError } from './errors.js';
import { connectWithRetry } from './unix-socket.js';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
  command: string;
}

export class QmpClient {
  private buffer = '';
  private nextId = 1;
  private readonly pending = new Map<string, Pending>();
  readonly events: Array<{ event: string; data?: unknown }> = [];

  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('close', () =>
      this.failAll(new HarnessError('MonitorError', 'QMP: the monitor socket closed')),
    );
    socket.on('error', () => undefined);
  }

  /** Connects (retrying while QEMU creates the socket) and leaves capabilities negotiation done. */
  static connect(path: string, timeoutMs: number, alive: () => boolean): Promise<QmpClient> {
    return connectWithRetry({
      path,
      timeoutMs,
      alive,
      handshake: async (socket, deadline) => {
        const client = new QmpClient(socket);
        await client.greeting(Math.max(1000, deadline - performance.now()));
        await client.execute('qmp_capabilities');
        return client;
      },
      giveUp: (err) =>
        new HarnessError(
          'BoardStartFailed',
          `QMP: expected QEMU's monitor on ${path} within ${timeoutMs} ms, got ${err.message}`,
          { cause: err },
        ),
    });
  }

  private greetingWaiter: ((ok: boolean) => void) | undefined;
  private greeted = false;

  private greeting(timeoutMs: number): Promise<void> {
    if (this.greeted) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new HarnessError('Timeout', `QMP: no greeting within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.greetingWaiter = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Runs a command; resolves with its `return`, rejects with QEMU's error text. */
  execute(command: string, args?: Record<string, unknown>, timeoutMs = 10_000): Promise<unknown> {
    if (this.socket.destroyed)
      return Promise.reject(
        new HarnessError('MonitorError', `QMP ${command}: the monitor socket is closed`),
      );
    const id = `h${this.nextId++}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new HarnessError('Timeout', `QMP ${command}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer, command });
      this.socket.write(
        JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}), id }) + '\n',
      );
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (line) this.onMessage(JSON.parse(line) as Record<string, unknown>);
    }
  }

  private onMessage(msg: Record<string, unknown>): void {
    if ('QMP' in msg) {
      this.greeted = true;
      this.greetingWaiter?.(true);
      return;
    }
    if (typeof msg.event === 'string') {
      this.events.push({ event: msg.event, data: msg.data });
      return;
    }
    const id = typeof msg.id === 'string' ? msg.id : undefined;
    const p = id ? this.pending.get(id) : undefined;
    if (!p || !id) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    if ('error' in msg) {
      const e = msg.error as { class?: string; desc?: string };
      p.reject(
        new HarnessError(
          'MonitorError',
          `QMP ${p.command}: QEMU answered ${e.class ?? 'error'}: ${e.desc ?? JSON.stringify(e)}`,
        ),
      );
    } else p.resolve(msg.return);
  }

  private failAll(err: Error): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(err);
    }
  }
}
