/** The e2e scenario: a board plus a running fwsign service per scenario (torn down after it). */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FIRMWARE_DIR, locateFirmware, type BoardChoice, type Firmware } from '@fwsign/harness';
import { createScenario } from '@fwsign/harness/vitest';
import { FwsignService } from './service.js';

export const scenario = createScenario({ fwsign: () => FwsignService.start() });

/**
 * The QEMU machines the device scenarios run on: the MPS2 build and the STM32F4 port (when its
 * sources are in the tree); FWSIGN_QEMU_MACHINE picks one.
 */
export const MACHINES: string[] = process.env.FWSIGN_QEMU_MACHINE
  ? [process.env.FWSIGN_QEMU_MACHINE]
  : ['mps2-an386', ...(existsSync(join(FIRMWARE_DIR, 'port/stm32f4')) ? ['netduinoplus2'] : [])];

const located = new Map<string, Firmware>();
/** The verifier firmware and its test applications for `machine` (built by make if missing). */
export function firmwareFor(machine: string): Firmware {
  if (!located.has(machine)) located.set(machine, locateFirmware(machine));
  return located.get(machine)!;
}

export function boardFor(machine: string, uart: 'socket' | 'pty' = 'socket'): BoardChoice {
  return { kind: 'qemu', machine, uart };
}

/** The default machine's firmware, for scenarios that run on one board. */
export const firmware = firmwareFor(MACHINES[0]!);

export const BANNER = (v: number): string => `fwsign-demo-app v${v}`;
