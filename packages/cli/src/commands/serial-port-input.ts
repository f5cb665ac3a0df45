/** `--port` for a serial device that does not exist: say so and name the command that lists ports. */
import { access } from 'node:fs/promises';
import { InputError } from '../failure.js';

/** Ports given as tcp:host:port or unix:/path are sockets, checked when connecting. */
export async function checkSerialPort(port: string): Promise<void> {
  if (port.startsWith('tcp:') || port.startsWith('unix:')) return;
  try {
    await access(port);
  } catch {
    throw new InputError(
      'NoSuchPort',
      `--port ${port}: no such serial port; \`fwsign device list\` shows the ports this machine has`,
    );
  }
}
