/**
 * The qemu board booting the real verifier firmware (no mocks): both UART transports, QMP reset,
 * and slot memory that survives a SIGKILL power cut.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceSession, HarnessError, QemuBoard, locateFirmware } from '../src/index.js';
import { CERTFILE, ecKey, type TestKey } from './keys.js';

const firmware = locateFirmware('mps2-an386');
let board: QemuBoard | undefined;
let key: TestKey | undefined;
let session: DeviceSession | undefined;

afterEach(async () => {
  session?.close();
  session = undefined;
  await board?.stop();
  board = undefined;
  key?.dispose();
  key = undefined;
});

async function install(s: DeviceSession, k: TestKey, image: Uint8Array): Promise<void> {
  await s.upload(image);
  expect((await s.signature(k.sign(image), 'sig-sha256-ecdsa', CERTFILE)).fwv).toBe(0);
  expect(await s.verify()).toMatchObject({ fwv: 0, name: 'FWV_OK', text: 'verified', rc: 0 });
  expect((await s.markBootable()).fwv).toBe(0);
}

describe('qemu board (mps2-an386)', () => {
  it('boots over the UART socket, installs the app, resets through QMP and keeps the slots across a SIGKILL power cut', async () => {
    key = ecKey();
    board = new QemuBoard({ uart: 'socket', firmware });
    await board.start({ anchors: key.anchors });
    expect(board.serialPath()).toMatch(/^unix:\/.*uart\.sock$/);
    // The socket loses nothing: the verifier's first line is there.
    await board.uart.waitFor('FWV_ERR_NO_IMAGE, serving SMP', { timeoutMs: 10_000 });
    session = new DeviceSession(board.transport());
    const status = await session.status();
    expect(status.slotSize).toBe(firmware.memoryMap.slotSize - firmware.memoryMap.sectorSize);
    expect(status.active.state).toBe('empty');
    await install(session, key, firmware.app(1));

    let mark = board.uart.mark();
    await board.reset();
    await board.uart.waitFor('fwsign-demo-app v1', { since: mark, timeoutMs: 10_000 });

    mark = board.uart.mark();
    await board.powerCut();
    expect(board.running).toBe(false);
    expect(() => board!.transport()).toThrow(HarnessError);
    await board.start();
    // The restored slots verify and boot without a single SMP command.
    await board.uart.waitFor('fwsign-demo-app v1', { since: mark, timeoutMs: 10_000 });
    expect(board.starts).toBe(2);
    expect(board.powerCuts).toBe(1);
  }, 60_000);

  it('a new board starts with empty slots (nothing leaks between boards)', async () => {
    key = ecKey();
    board = new QemuBoard({ uart: 'socket', firmware });
    await board.start({ anchors: key.anchors });
    await board.uart.waitFor('serving SMP', { timeoutMs: 10_000 });
    session = new DeviceSession(board.transport());
    expect((await session.status()).active.state).toBe('empty');
  }, 30_000);

  it('serves SMP over a pseudo-terminal opened as a serial port', async () => {
    key = ecKey();
    board = new QemuBoard({ uart: 'pty', firmware });
    await board.start({ anchors: key.anchors });
    expect(board.serialPath()).toMatch(/^\/dev\/pts\/\d+$/);
    session = new DeviceSession(board.transport());
    await session.sync();
    const image = firmware.app(2);
    await install(session, key, image);
    const mark = board.uart.mark();
    await session.reset();
    await board.uart.waitFor('fwsign-demo-app v2', { since: mark, timeoutMs: 10_000 });
  }, 60_000);

  it('refuses to start without a trust-anchor table and names what it expected', async () => {
    board = new QemuBoard({ firmware });
    await expect(board.start()).rejects.toMatchObject({
      code: 'BoardStartFailed',
      message: expect.stringContaining('expected a trust-anchor table'),
    });
  });

  it('reports a QEMU that cannot start with its own message', async () => {
    key = ecKey();
    board = new QemuBoard({ firmware, machine: 'no-such-machine', startTimeoutMs: 5000 });
    await expect(board.start({ anchors: key.anchors })).rejects.toMatchObject({
      code: 'BoardStartFailed',
      message: expect.stringMatching(/no-such-machine|unsupported machine/i),
    });
  });
});
