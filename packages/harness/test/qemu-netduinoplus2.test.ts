/**
 * The qemu board with the STM32F4 port (QEMU's netduinoplus2, slots in SRAM): boot, install,
 * reset into the application, and a power cut that keeps the SRAM slots for the next start.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DeviceSession, FIRMWARE_DIR, QemuBoard, locateFirmware } from '../src/index.js';
import { CERTFILE, ecKey } from './keys.js';

// The port is built by `make -C firmware-verifier` (stm32f4-firmware); a checkout without the port's sources has nothing to run.
const hasPort = existsSync(join(FIRMWARE_DIR, 'port/stm32f4'));
if (!hasPort)
  console.info('netduinoplus2 board test skipped: firmware-verifier/port/stm32f4 is missing');

describe.runIf(hasPort)('qemu board (netduinoplus2, STM32F4 port)', () => {
  it('boots the verifier, installs the app, boots it, and keeps the slots across a power cut', async () => {
    const firmware = locateFirmware('netduinoplus2');
    const key = ecKey();
    const board = new QemuBoard({ machine: 'netduinoplus2', firmware });
    try {
      await board.start({ anchors: key.anchors });
      const s = new DeviceSession(board.transport());
      await s.sync();
      expect((await s.status()).slotSize).toBe(
        firmware.memoryMap.slotSize - firmware.memoryMap.sectorSize,
      );
      const image = firmware.app(1);
      await s.upload(image);
      expect((await s.signature(key.sign(image), 'sig-sha256-ecdsa', CERTFILE)).fwv).toBe(0);
      expect((await s.verify()).fwv).toBe(0);
      expect((await s.markBootable()).fwv).toBe(0);
      let mark = board.uart.mark();
      await s.reset();
      await board.uart.waitFor('fwsign-demo-app v1', { since: mark, timeoutMs: 15_000 });
      s.close();
      mark = board.uart.mark();
      await board.powerCut();
      await board.start();
      await board.uart.waitFor('fwsign-demo-app v1', { since: mark, timeoutMs: 15_000 });
    } finally {
      await board.stop();
      key.dispose();
    }
  }, 60_000);
});
