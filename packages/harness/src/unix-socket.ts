import net from 'node:net';

/**
 * Connects to a Unix socket that QEMU creates a moment after it starts, retrying every 30 ms, and
 * runs `handshake` on each connection until one succeeds. `giveUp(err)` returns the error to throw
 * once the deadline has passed (or `alive()` says the process is gone).
 */
export async function connectWithRetry<T>(opts: {
  path: string;
  timeoutMs: number;
  handshake: (socket: net.Socket, deadline: number) => Promise<T>;
  giveUp: (err: Error) => Error;
  alive?: () => boolean;
}): Promise<T> {
  const deadline = performance.now() + opts.timeoutMs;
  for (;;) {
    try {
      const socket = await new Promise<net.Socket>((resolve, reject) => {
        const s = net.connect({ path: opts.path });
        s.once('connect', () => resolve(s));
        s.once('error', reject);
      });
      return await opts.handshake(socket, deadline);
    } catch (err) {
      if ((opts.alive && !opts.alive()) || performance.now() > deadline)
        throw opts.giveUp(err as Error);
      await new Promise((r) => setTimeout(r, 30));
    }
  }
}
