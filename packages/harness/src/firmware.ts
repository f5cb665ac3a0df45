/**
 * Where the firmware build puts the verifier, the test applications and the memory map, per QEMU
 * machine; builds them with the firmware's own Makefile when they are missing (a fresh clone).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HarnessError } from './errors.js';
import { readMemoryMap, type MemoryMap } from './memmap.js';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
export const FIRMWARE_DIR = join(REPO_ROOT, 'firmware-verifier');

export interface FirmwareLayout {
  /** QEMU machine (-M), or the Renode board (stm32f4_discovery). */
  machine: string;
  /** Directory under firmware-verifier/build. */
  buildDir: string;
  /** The C header holding the memory map, relative to firmware-verifier. */
  memmapHeader: string;
  /** make target that builds this machine's verifier and apps. */
  makeTarget: string;
  /** The -D flags the build passes, for the memory map's #ifdefs. */
  defines: readonly string[];
}

export const FIRMWARE_LAYOUTS: Record<string, FirmwareLayout> = {
  'mps2-an386': {
    machine: 'mps2-an386',
    buildDir: 'mps2',
    memmapHeader: 'ld/memmap.h',
    makeTarget: 'board-firmware',
    defines: [],
  },
  // QEMU ignores writes to the STM32 flash: this build keeps its slots in SRAM.
  netduinoplus2: {
    machine: 'netduinoplus2',
    buildDir: 'stm32f4',
    memmapHeader: 'ld/memmap-stm32f4.h',
    makeTarget: 'stm32f4-firmware',
    defines: [],
  },
  // Renode models the STM32F4 flash controller: the flash-slot build with the real flash driver.
  stm32f4_discovery: {
    machine: 'stm32f4_discovery',
    buildDir: 'stm32f4-flash',
    memmapHeader: 'ld/memmap-stm32f4.h',
    makeTarget: 'stm32f4-firmware',
    defines: ['FWV_SLOTS_IN_FLASH'],
  },
};

export interface Firmware {
  layout: FirmwareLayout;
  verifierElf: string;
  memoryMap: MemoryMap;
  /** The test application built with version `v`, as a raw binary linked for the active slot. */
  appPath(version: number): string;
  app(version: number): Uint8Array;
}

export function firmwareLayout(machine: string): FirmwareLayout {
  const layout = FIRMWARE_LAYOUTS[machine];
  if (!layout)
    throw new HarnessError(
      'FirmwareMissing',
      `firmware: expected a machine among ${Object.keys(FIRMWARE_LAYOUTS).join(', ')}, got "${machine}"`,
    );
  return layout;
}

/** The build outputs for `machine`; runs make once if they are missing (`build: false` forbids it). */
export function locateFirmware(
  machine = 'mps2-an386',
  opts: { build?: boolean; firmwareDir?: string } = {},
): Firmware {
  const layout = firmwareLayout(machine);
  const dir = opts.firmwareDir ?? FIRMWARE_DIR;
  const out = join(dir, 'build', layout.buildDir);
  const verifierElf = join(out, 'verifier.elf');
  const appPath = (v: number): string => join(out, `app-v${v}.bin`);
  const wanted = [verifierElf, appPath(1), appPath(2)];
  if (wanted.some((f) => !existsSync(f))) {
    if (opts.build === false)
      throw new HarnessError(
        'FirmwareMissing',
        `firmware for ${machine}: expected ${wanted.join(', ')}; run make -C ${dir} ${layout.makeTarget}`,
      );
    try {
      execFileSync('make', ['-C', dir, layout.makeTarget], {
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 300_000,
      });
    } catch (err) {
      const e = err as { stderr?: Buffer; message: string };
      throw new HarnessError(
        'FirmwareMissing',
        `firmware for ${machine}: make -C ${dir} ${layout.makeTarget} failed: ${e.stderr?.toString().slice(-800) ?? e.message}`,
        { cause: err },
      );
    }
    const still = wanted.filter((f) => !existsSync(f));
    if (still.length > 0)
      throw new HarnessError(
        'FirmwareMissing',
        `firmware for ${machine}: make ${layout.makeTarget} ran but ${still.join(', ')} is missing`,
      );
  }
  return {
    layout,
    verifierElf,
    memoryMap: readMemoryMap(join(dir, layout.memmapHeader), layout.defines),
    appPath,
    app: (v) => new Uint8Array(readFileSync(appPath(v))),
  };
}
