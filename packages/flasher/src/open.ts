/** `--port` to a Transport: a device path opens the serial port, tcp:/unix: a socket. */
import { SerialTransport } from './serial-transport.js';
import { SocketTransport } from './socket-transport.js';
import type { Transport } from './transport.js';

export async function openTransport(port: string, baudRate = 115200): Promise<Transport> {
  if (port.startsWith('tcp:') || port.startsWith('unix:'))
    return SocketTransport.connect(SocketTransport.parseAddress(port));
  return SerialTransport.open({ path: port, baudRate });
}
