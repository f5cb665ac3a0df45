/**
 * The firmware's memory map as the board needs it (where the trust anchors go, which memory is the
 * slot "flash" that must survive a power cut), read from the C header the linker script also uses,
 * so the harness never disagrees with the firmware about an address.
 */
import { readFileSync } from 'node:fs';
import { HarnessError } from './errors.js';

export interface MemoryMap {
  anchorsAddr: number;
  anchorsSize: number;
  activeAddr: number;
  stagingAddr: number;
  slotSize: number;
  sectorSize: number;
  /** The one sector a test swap parks the running image's sectors in (FWV_SCRATCH_ADDR), when the map has one. */
  scratchAddr?: number;
  /** The application's RAM: where an image's initial stack pointer must point. */
  appRamAddr: number;
  appRamSize: number;
}

export interface MemoryRegion {
  addr: number;
  size: number;
}

/**
 * Reads the #defines of a memory-map header, following #ifdef / #ifndef / #else / #endif with
 * `defined` as the build's -D flags (the STM32F4 header has a slots-in-flash variant).
 */
export function parseMemoryMap(
  headerText: string,
  source = 'memmap.h',
  defined: readonly string[] = [],
): MemoryMap {
  const defs = new Map<string, number>();
  const names = new Set(defined);
  const stack: boolean[] = [];
  const active = (): boolean => stack.every(Boolean);
  for (const raw of headerText.split('\n')) {
    const line = raw.replace(/\/\*.*?\*\//g, '').trim();
    let m: RegExpExecArray | null;
    if ((m = /^#\s*ifdef\s+(\w+)/.exec(line))) stack.push(names.has(m[1]!));
    else if ((m = /^#\s*ifndef\s+(\w+)/.exec(line))) stack.push(!names.has(m[1]!));
    else if (/^#\s*else\b/.test(line)) stack.push(!stack.pop()!);
    else if (/^#\s*endif\b/.test(line)) stack.pop();
    else if (
      active() &&
      (m = /^#\s*define\s+(\w+)(?:\s+\(?\s*(0x[0-9A-Fa-f]+|\d+)[uUlL]*\s*\)?)?/.exec(line))
    ) {
      names.add(m[1]!);
      if (m[2] !== undefined) defs.set(m[1]!, Number(m[2]));
    }
  }
  const need = (name: string): number => {
    const v = defs.get(name);
    if (v === undefined)
      throw new HarnessError(
        'FirmwareMissing',
        `memory map ${source}: expected #define ${name}, got none`,
      );
    return v;
  };
  return {
    anchorsAddr: need('FWV_ANCHORS_ADDR'),
    anchorsSize: need('FWV_ANCHORS_SIZE'),
    activeAddr: need('FWV_ACTIVE_ADDR'),
    stagingAddr: need('FWV_STAGING_ADDR'),
    slotSize: need('FWV_SLOT_SIZE'),
    sectorSize: need('FWV_SECTOR_SIZE'),
    appRamAddr: need('FWV_APP_RAM_ADDR'),
    appRamSize: need('FWV_APP_RAM_SIZE'),
    ...(defs.has('FWV_SCRATCH_ADDR') ? { scratchAddr: defs.get('FWV_SCRATCH_ADDR')! } : {}),
  };
}

export function readMemoryMap(path: string, defined: readonly string[] = []): MemoryMap {
  return parseMemoryMap(readFileSync(path, 'utf8'), path, defined);
}

/**
 * The slot memory (both slots, trailers included, and the scratch sector of a test swap: all that a
 * power cut must keep) as few regions as adjacency allows.
 */
export function slotRegions(map: MemoryMap): MemoryRegion[] {
  const parts: MemoryRegion[] = [
    { addr: map.activeAddr, size: map.slotSize },
    { addr: map.stagingAddr, size: map.slotSize },
  ];
  if (map.scratchAddr !== undefined) parts.push({ addr: map.scratchAddr, size: map.sectorSize });
  parts.sort((a, b) => a.addr - b.addr);
  const out: MemoryRegion[] = [];
  for (const r of parts) {
    const last = out[out.length - 1];
    if (last && last.addr + last.size === r.addr) last.size += r.size;
    else out.push({ ...r });
  }
  return out;
}

/**
 * A Cortex-M vector table's first two words (initial SP, reset handler) that the verifier's
 * runnability check accepts for this map: the stack at the top of the application's RAM, the reset
 * handler (Thumb bit set) just past the table in the active slot. Test images that are not real
 * programs start with it so that they reach the signature check.
 */
export function runnableVectorTable(map: MemoryMap): Uint8Array {
  const vt = new DataView(new ArrayBuffer(8));
  vt.setUint32(0, map.appRamAddr + map.appRamSize, true);
  vt.setUint32(4, (map.activeAddr + 8) | 1, true);
  return new Uint8Array(vt.buffer);
}
