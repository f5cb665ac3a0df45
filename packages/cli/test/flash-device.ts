/** A MockDevice for CLI tests, trusting the certificate the test made with `fwsign keys create`. */
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MockDevice } from '@fwsign/flasher';
import { fwsign } from './helpers.js';

export interface ServedDevice {
  device: MockDevice;
  port: string;
  close(): Promise<void>;
}

/** Builds the trust-anchor table with `fwsign trust-anchors`, as provisioning would. */
export async function provisionedDevice(
  dir: string,
  cert: string,
  opts: { slotSize?: number } = {},
): Promise<MockDevice> {
  const r = await fwsign(
    dir,
    'trust-anchors',
    '--cert',
    cert,
    '--name',
    '/certs/codesign.crt',
    '--out',
    'anchors.bin',
  );
  if (r.code !== 0) throw new Error(`trust-anchors failed: ${r.stderr}`);
  return new MockDevice({
    trustAnchorTable: new Uint8Array(readFileSync(join(dir, 'anchors.bin'))),
    slotSize: opts.slotSize ?? 64 * 1024,
    bufSize: 1024,
    bufCount: 2,
    resetDelayMs: 20,
    bootBanner: 'fwsign-mock booted',
  });
}

/** Serves the device on a TCP port; `port` is what `--port` takes. */
export async function serveTcp(device: MockDevice): Promise<ServedDevice> {
  const server = net.createServer((socket) => {
    const detach = device.serve(socket);
    socket.on('close', detach);
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    device,
    port: `tcp:127.0.0.1:${port}`,
    close: async () => {
      device.stop();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
