/** Board choice from the environment, the serial board's errors, and the real board when FWSIGN_PORT is set. */
import { describe, expect, it } from 'vitest';
import {
  boardChoiceFromEnv,
  createBoard,
  DeviceSession,
  QemuBoard,
  SerialBoard,
} from '../src/index.js';

describe('board choice', () => {
  it('defaults to qemu, takes FWSIGN_BOARD, FWSIGN_QEMU_MACHINE, and a FWSIGN_PORT means serial', () => {
    expect(boardChoiceFromEnv({})).toEqual({ kind: 'qemu' });
    expect(boardChoiceFromEnv({ FWSIGN_QEMU_MACHINE: 'netduinoplus2' })).toEqual({
      kind: 'qemu',
      machine: 'netduinoplus2',
    });
    expect(boardChoiceFromEnv({ FWSIGN_PORT: '/dev/ttyUSB0' })).toEqual({
      kind: 'serial',
      port: '/dev/ttyUSB0',
    });
    expect(boardChoiceFromEnv({ FWSIGN_BOARD: 'renode' })).toEqual({ kind: 'renode' });
    expect(() => createBoard({ kind: 'jtag' as never })).toThrow(
      /expected one of qemu, renode, serial, got "jtag"/,
    );
  });

  it('creates a qemu board for the default choice without starting anything', async () => {
    const b = createBoard({ kind: 'qemu' });
    expect(b).toBeInstanceOf(QemuBoard);
    expect(b.running).toBe(false);
    await b.stop();
  });
});

describe('serial board', () => {
  it('fails to start on a port that does not exist, naming it', async () => {
    const b = new SerialBoard({ port: '/dev/fwsign-no-such-port' });
    await expect(b.start()).rejects.toMatchObject({
      code: 'TransportError',
      message: expect.stringContaining('/dev/fwsign-no-such-port'),
    });
    expect(b.running).toBe(false);
    await expect(b.powerCut()).rejects.toMatchObject({ code: 'NotSupported' });
  });
});

const port = process.env.FWSIGN_PORT;
if (!port)
  console.info(
    'real-board test skipped: connect a board running the verifier and run FWSIGN_PORT=/dev/ttyUSB0 pnpm exec vitest run packages/harness/test/boards.test.ts',
  );
describe.runIf(port)('a real board on FWSIGN_PORT', () => {
  it('answers echo and status', async () => {
    const b = new SerialBoard({ port: port! });
    await b.start();
    const s = new DeviceSession(b.transport());
    try {
      await s.sync();
      expect((await s.status()).slotSize).toBeGreaterThan(0);
    } finally {
      s.close();
      await b.stop();
    }
  });
});
