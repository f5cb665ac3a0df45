import { SmpGroup, SmpOsCommand } from '@fwsign/protocol';
import {
  listSerialPorts,
  openTransport,
  readParams,
  readStatus,
  requestBootloader,
  SmpClient,
} from '@fwsign/flasher';
import { flag, integer, optionalString, parse, requireString, UsageError } from '../args.js';
import { EXIT_OK, type CliIo, type Command } from '../command.js';
import { checkSerialPort } from './serial-port-input.js';

const hex = (b: Uint8Array | undefined): string => (b ? Buffer.from(b).toString('hex') : '-');

async function withDevice<T>(
  args: string[],
  extra: Parameters<typeof parse>[1],
  fn: (client: SmpClient, p: ReturnType<typeof parse>) => Promise<T>,
): Promise<T> {
  const p = parse(args, {
    port: { type: 'string' },
    baud: { type: 'string' },
    timeout: { type: 'string' },
    ...extra,
  });
  const port = requireString(p, 'port');
  await checkSerialPort(port);
  const transport = await openTransport(port, integer(p, 'baud', 50, 4_000_000) ?? 115200);
  const client = new SmpClient(transport, {
    timeoutMs: integer(p, 'timeout', 10, 600_000) ?? 3000,
  });
  try {
    return await fn(client, p);
  } finally {
    client.close();
    await transport.close();
  }
}

async function list(io: CliIo): Promise<number> {
  const ports = await listSerialPorts();
  if (ports.length === 0)
    io.stdout.write(
      'no serial ports found (pseudo-terminals and sockets are not listed; pass them to --port directly)\n',
    );
  for (const port of ports) {
    const ids = port.vendorId ? ` ${port.vendorId}:${port.productId ?? '????'}` : '';
    io.stdout.write(
      `${port.path}${ids}${port.manufacturer ? ` ${port.manufacturer}` : ''}${port.serialNumber ? ` serial ${port.serialNumber}` : ''}\n`,
    );
  }
  return EXIT_OK;
}

export const device: Command = {
  name: 'device',
  usage: `fwsign device list | echo [--text hello] | reset [--bootloader] | status  --port /dev/ttyUSB0|tcp:host:port|unix:/path [--baud 115200] [--timeout ms]
  list    serial ports the OS knows (no --port)
  echo    sends --text and prints the device's reply (MCUboot often has echo disabled: rc 8)
  reset   asks the device to reset; --bootloader: and to stay in the bootloader (boot_mode 1, as
          MCUboot, Zephyr and fwsign's verifier and demo app take it) so a running board can be flashed
  status  MCUmgr parameters (buf_size, buf_count) and fwsign's slot status`,
  async run(args, io) {
    const [sub, ...rest] = args;
    switch (sub) {
      case 'list':
        parse(rest, {});
        return list(io);
      case 'echo':
        return withDevice(rest, { text: { type: 'string' } }, async (client, p) => {
          const text = optionalString(p, 'text') ?? 'hello';
          const rsp = await client.write('echo', SmpGroup.OS, SmpOsCommand.ECHO, { d: text });
          io.stdout.write(`${typeof rsp.r === 'string' ? rsp.r : JSON.stringify(rsp)}\n`);
          return EXIT_OK;
        });
      case 'reset':
        return withDevice(rest, { bootloader: { type: 'boolean' } }, async (client, p) => {
          if (flag(p, 'bootloader')) {
            await requestBootloader(client); // the answer may be lost in the reset
            io.stdout.write('reset into the bootloader requested (boot_mode 1)\n');
            return EXIT_OK;
          }
          await client.write('reset', SmpGroup.OS, SmpOsCommand.RESET, {});
          io.stdout.write('reset requested; the device acknowledged\n');
          return EXIT_OK;
        });
      case 'status':
        return withDevice(rest, {}, async (client) => {
          const params = await readParams(client);
          io.stdout.write(
            `buffers: ${params.bufCount} × ${params.bufSize} bytes${params.reported ? '' : ' (not reported; MCUboot defaults assumed)'}\n`,
          );
          const status = await readStatus(client);
          io.stdout.write(
            `slots: ${status.slotSize} bytes each${status.stackPeak !== undefined ? `; stack peak ${status.stackPeak} bytes` : ''}\n`,
          );
          for (const [name, s] of [
            ['active', status.active],
            ['staging', status.staging],
          ] as const) {
            io.stdout.write(`${name}: ${s.state}, ${s.len} bytes, sha256 ${hex(s.sha256)}\n`);
          }
          return EXIT_OK;
        });
      default:
        throw new UsageError(
          `expected a subcommand list, echo, reset or status, got ${JSON.stringify(sub ?? '')}`,
        );
    }
  },
};
