/** The e2e scenario: a board plus a running fwsign service per scenario (torn down after it). */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  FIRMWARE_DIR,
  findRenode,
  locateFirmware,
  RENODE_HINT,
  RENODE_MACHINE,
  type BoardChoice,
  type Firmware,
} from '@fwsign/harness';
import { createScenario } from '@fwsign/harness/vitest';
import { FwsignService } from './service.js';

export const scenario = createScenario({ fwsign: () => FwsignService.start() });

/**
 * The boards the device scenarios run on, by firmware layout: QEMU's mps2-an386 and netduinoplus2
 * (the STM32F4 port with slots in SRAM), and Renode's stm32f4_discovery (the STM32F4 port with
 * its slots in flash, through the real flash driver) wherever a Renode is found ($RENODE, PATH,
 * ../shared/renode). One setting narrows it: FWSIGN_BOARD=qemu runs QEMU only, FWSIGN_BOARD=renode
 * Renode only (FWSIGN_QEMU_MACHINE: one QEMU machine); renode or all without a Renode is an error.
 */
const renode = findRenode();
const wanted = process.env.FWSIGN_BOARD || undefined;
const onRenode =
  wanted === 'renode' || wanted === 'all' || (wanted === undefined && renode !== undefined);
const qemuMachines = process.env.FWSIGN_QEMU_MACHINE
  ? [process.env.FWSIGN_QEMU_MACHINE]
  : ['mps2-an386', ...(existsSync(join(FIRMWARE_DIR, 'port/stm32f4')) ? ['netduinoplus2'] : [])];
export const MACHINES: string[] = [
  ...(wanted === 'renode' ? [] : qemuMachines),
  ...(onRenode ? [RENODE_MACHINE] : []),
];
/** The QEMU machines among MACHINES, for scenarios that need QEMU itself (its gdbstub, a pty). */
export const QEMU_MACHINES: string[] = MACHINES.filter((m) => m !== RENODE_MACHINE);
if (!onRenode)
  console.info(
    renode
      ? `e2e on Renode skipped: FWSIGN_BOARD=${wanted} picks QEMU only (unset it, or set renode or all)`
      : `e2e on Renode skipped: no Renode found; ${RENODE_HINT}`,
  );
if (onRenode && !renode)
  throw new Error(`e2e: FWSIGN_BOARD=${wanted} expected a Renode, found none; ${RENODE_HINT}`);

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

/**
 * One machine per emulator, for scenarios whose subject is the link or the service rather than
 * the port (the link faults): the first QEMU machine and, where it runs, Renode's.
 */
export const PER_EMULATOR: string[] = [
  ...(wanted === 'renode' ? [] : qemuMachines.slice(0, 1)),
  ...(onRenode ? [RENODE_MACHINE] : []),
];

/** Test applications for scenarios with no board (revocation): the first machine's. */
export const firmware = firmwareFor(MACHINES[0]!);

export const BANNER = (v: number): string => `fwsign-demo-app v${v}`;
