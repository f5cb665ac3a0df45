/**
 * The transport contract against every link we can build here, and against the emulated board or
 * a real one when the environment says where it is.
 */
import { createPrivateKey, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { MockDevice, openTransport, SerialTransport, SocketTransport } from '../src/index.js';
import { transportContract, type ContractTarget } from './contract.js';
import { anchorTable, CERTFILE, ecKey, makeImage, signEc } from './helpers.js';
import { servePty, type PtyDevice } from './pty.js';

const key = ecKey();
const table = anchorTable(key);
const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

function mockTarget(
  open: (device: MockDevice) => Promise<ContractTarget['open']>,
): () => Promise<ContractTarget> {
  return async () => {
    const device = new MockDevice({
      trustAnchorTable: table,
      slotSize: 32 * 1024,
      bufSize: 1024,
      bufCount: 2,
    });
    cleanups.push(() => device.stop());
    return {
      open: await open(device),
      sign: (img) => signEc(key, img),
      certfile: CERTFILE,
      alg: 'sig-sha256-ecdsa',
      timeoutMs: 300,
    };
  };
}

transportContract(
  'MockDevice in memory',
  mockTarget(async (device) => async () => device.connect()),
);

async function listen(server: net.Server, address: net.ListenOptions): Promise<void> {
  await new Promise<void>((resolve) => server.listen(address, resolve));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
}

transportContract(
  'MockDevice over TCP (SocketTransport)',
  mockTarget(async (device) => {
    const server = net.createServer((socket) => {
      const detach = device.serve(socket);
      socket.on('close', detach);
    });
    await listen(server, { host: '127.0.0.1', port: 0 });
    const port = (server.address() as net.AddressInfo).port;
    return () => SocketTransport.connect({ host: '127.0.0.1', port });
  }),
);

transportContract(
  "MockDevice over a Unix socket (as QEMU's socket chardev)",
  mockTarget(async (device) => {
    const dir = mkdtempSync(join(tmpdir(), 'fwsign-sock-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const server = net.createServer((socket) => {
      const detach = device.serve(socket);
      socket.on('close', detach);
    });
    await listen(server, { path: join(dir, 'uart.sock') });
    return () => openTransport(`unix:${join(dir, 'uart.sock')}`);
  }),
);

transportContract(
  'MockDevice on a pseudo-terminal (SerialTransport)',
  mockTarget(async (device) => {
    const pty: PtyDevice = await servePty(device);
    cleanups.push(() => pty.close());
    return () => SerialTransport.open({ path: pty.path, baudRate: 115200 });
  }),
);

// Hardware in the loop: the emulated board (the harness sets FWSIGN_HIL=qemu and the socket
// address) or a real board on FWSIGN_PORT, with the key its trust-anchor table was provisioned for.
const hilPort =
  process.env.FWSIGN_HIL === 'qemu' ? process.env.FWSIGN_QEMU_PORT : process.env.FWSIGN_PORT;
const hilKey = process.env.FWSIGN_HIL_KEY;
// The 8-byte vector table (hex) an image needs to pass the board's runnability check; the harness
// computes it from the firmware's memory map. A real board: set it for that board's map.
const hilVectors = process.env.FWSIGN_HIL_VECTORS;
function runnable(size: number, seed: number): Uint8Array {
  const image = makeImage(size, seed);
  image.set(Buffer.from(hilVectors!, 'hex'));
  return image;
}
const hil = Boolean(hilPort && hilKey);
if (!hil) {
  console.info(
    'flasher contract on hardware skipped: set FWSIGN_HIL=qemu with FWSIGN_QEMU_PORT=tcp:host:port|unix:/path (the emulated board), ' +
      'or FWSIGN_PORT=/dev/ttyUSB0 (a real board), plus FWSIGN_HIL_KEY=<PEM private key the board trusts>, FWSIGN_HIL_VECTORS=<hex of the initial SP and reset handler words the board accepts> and optionally FWSIGN_HIL_CERTFILE',
  );
}
transportContract(
  `device at ${hilPort ?? '(not configured)'}`,
  async () => {
    const privateKey = createPrivateKey(readFileSync(hilKey!));
    return {
      open: () => openTransport(hilPort!, Number(process.env.FWSIGN_BAUD ?? 115200)),
      sign: (img) => new Uint8Array(sign('sha256', img, { key: privateKey, dsaEncoding: 'der' })),
      certfile: process.env.FWSIGN_HIL_CERTFILE ?? CERTFILE,
      alg: 'sig-sha256-ecdsa',
      timeoutMs: 3000,
      ...(hilVectors ? { image: (size: number, seed: number) => runnable(size, seed) } : {}),
    };
  },
  hil,
);
