/** The e2e scenario: a board plus a running fwsign service per scenario (torn down after it). */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  createScenario,
  FIRMWARE_DIR,
  findRenode,
  locateFirmware,
  RENODE_HINT,
  RENODE_MACHINE,
  type BoardChoice,
  type Firmware,
} from '@fwsign/harness';
import { FwsignService } from './service.js';

export const scenario = createScenario({ fwsign: () => FwsignService.start() });

/**
 * The boards the device scenarios run on, by firmware layout: QEMU's mps2-an386 and netduinoplus2
 * (the STM32F4 port with slots in SRAM), and Renode's stm32f4_discovery (the STM32F4 port with
 * its slots in flash, through the real flash driver) where a Renode is found. One setting picks:
 * FWSIGN_BOARD=renode runs Renode only, FWSIGN_BOARD=qemu QEMU only; FWSIGN_QEMU_MACHINE one
 * QEMU machine.
 */
const renode = findRenode();
const wanted = process.env.FWSIGN_BOARD;
const qemuMachines = process.env.FWSIGN_QEMU_MACHINE
  ? [process.env.FWSIGN_QEMU_MACHINE]
  : ['mps2-an386', ...(existsSync(join(FIRMWARE_DIR, 'port/stm32f4')) ? ['netduinoplus2'] : [])];
export const MACHINES: string[] = [
  ...(wanted === 'renode' ? [] : qemuMachines),
  ...(renode && wanted !== 'qemu' ? [RENODE_MACHINE] : []),
];
if (!renode && wanted !== 'qemu')
  console.info(
    `e2e on Renode skipped: no Renode found; ${RENODE_HINT} (FWSIGN_BOARD=renode runs the suite on Renode only)`,
  );
if (MACHINES.length === 0)
  throw new Error(`e2e: FWSIGN_BOARD=renode expected a Renode, found none; ${RENODE_HINT}`);

const located = new Map<string, Firmware>();
/** The verifier firmware and its test applications for `machine` (built by make if missing). */
export function firmwareFor(machine: string): Firmware {
  if (!located.has(machine)) located.set(machine, locateFirmware(machine));
  return located.get(machine)!;
}

export function boardFor(machine: string, uart: 'socket' | 'pty' = 'socket'): BoardChoice {
  // Renode's board has one UART kind (a socket terminal), so a pty scenario runs on it as is.
  return machine === RENODE_MACHINE ? { kind: 'renode' } : { kind: 'qemu', machine, uart };
}

/** The default machine's firmware, for scenarios that run on one board. */
export const firmware = firmwareFor(MACHINES[0]!);

export const BANNER = (v: number): string => `fwsign-demo-app v${v}`;
