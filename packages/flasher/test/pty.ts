/** A pseudo-terminal whose far end is a MockDevice, through fixtures/pty-bridge.py. */
import { spawn, type ChildProcess } from 'node:child_process';
import { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { MockDevice } from '../src/index.js';

export interface PtyDevice {
  path: string;
  close(): Promise<void>;
}

export async function servePty(device: MockDevice): Promise<PtyDevice> {
  const script = fileURLToPath(new URL('./fixtures/pty-bridge.py', import.meta.url));
  const child: ChildProcess = spawn('python3', [script], { stdio: ['pipe', 'pipe', 'pipe'] });
  const path = await new Promise<string>((resolve, reject) => {
    let err = '';
    const timer = setTimeout(
      () => reject(new Error(`pty bridge: no device path within 5 s (stderr: ${err})`)),
      5000,
    );
    child.stderr!.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      const nl = err.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(err.slice(0, nl));
      }
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
  const detach = device.serve(Duplex.from({ readable: child.stdout!, writable: child.stdin! }));
  return {
    path,
    close: async () => {
      detach();
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill();
        await exited;
      }
    },
  };
}
