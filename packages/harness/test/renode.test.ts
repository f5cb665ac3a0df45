/**
 * The renode board: the generated script is pinned by a golden file and Renode is looked for in
 * the documented places (checked everywhere); the live board runs where a Renode is found.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  HarnessError,
  RENODE_HINT,
  RenodeBoard,
  DeviceSession,
  findRenode,
  renderResc,
  machineCommands,
  cutPoints,
  parseCutState,
  createBoard,
  cutArmCommand,
  powerOnCommands,
} from '../src/index.js';
import { CERTFILE, ecKey } from './keys.js';

const golden = new URL('./fixtures/stm32f4-discovery.resc', import.meta.url);
const sample = {
  elf: '/opt/fwsign/firmware-verifier/build/stm32f4-flash/verifier.elf',
  anchors: { path: '/tmp/fwsign-renode-x/anchors.bin', addr: 0x08008000 },
  uartPort: 3456,
};

describe('renode script', () => {
  it('matches the golden file (FWSIGN_UPDATE_GOLDEN=1 rewrites it)', () => {
    const text = renderResc(sample);
    if (process.env.FWSIGN_UPDATE_GOLDEN) writeFileSync(golden, text);
    expect(text).toBe(readFileSync(golden, 'utf8'));
  });

  it('connects USART1 to the socket terminal, loads the ELF then the anchors, and starts', () => {
    const lines = renderResc(sample).split('\n');
    const idx = (s: string): number => lines.indexOf(s);
    expect(idx('emulation CreateServerSocketTerminal 3456 "fwsign-uart" false')).toBeLessThan(
      idx('connector Connect sysbus.usart1 fwsign-uart'),
    );
    expect(idx(`sysbus LoadBinary @${sample.anchors.path} 0x08008000`)).toBeGreaterThan(
      idx(`sysbus LoadELF @${sample.elf}`),
    );
    expect(lines.filter((l) => l.trim()).at(-1)).toBe('start');
  });

  it('after a power cut loads the saved flash instead of the ELF', () => {
    const cmds = machineCommands({
      machineName: 'm',
      terminal: 't',
      flashImage: '/tmp/w/flash.bin',
    });
    expect(cmds).toContain('sysbus LoadBinary @/tmp/w/flash.bin 0x08000000');
    expect(cmds.some((c) => c.includes('LoadELF'))).toBe(false);
    expect(() => machineCommands({ machineName: 'm', terminal: 't' })).toThrow(
      /expected an ELF \(first start\) or a flash image, got neither/,
    );
  });

  it('quotes paths with spaces and refuses paths that would break the script', () => {
    expect(renderResc({ ...sample, elf: '/my builds/verifier.elf' })).toContain(
      'sysbus LoadELF @"/my builds/verifier.elf"',
    );
    expect(() =>
      renderResc({ ...sample, anchors: { path: '/tmp/a"b', addr: 0x08008000 } }),
    ).toThrow(/path expected without quotes or newlines/);
  });
});

describe('power on in place', () => {
  it('clears SRAM, puts a saved flash back when asked, plugs USART1 in, then resets', () => {
    expect(powerOnCommands({ terminal: 't' })).toEqual([
      'sysbus.sram SetRange 0 0x00040000 0x00',
      'connector Connect sysbus.usart1 t',
      'machine Reset',
    ]);
    expect(
      powerOnCommands({
        terminal: 't',
        flashImage: '/w/base.bin',
        anchors: { path: '/w/a.bin', addr: 0x08008000 },
      }).slice(1, 3),
    ).toEqual([
      'sysbus LoadBinary @/w/base.bin 0x08000000',
      'sysbus LoadBinary @/w/a.bin 0x08008000',
    ]);
  });

  it('re-arms the cut hooks by their key, refusing keys and targets that would break the script', () => {
    expect(cutArmCommand('fwsign.m-1', 7)).toContain("d.SetData('fwsign.m-1.at', 7)");
    expect(() => cutArmCommand("x'y", 1)).toThrow(/key expected/);
    expect(() => cutArmCommand('k', -1)).toThrow(/pauseAt expected an integer >= 0, got -1/);
  });
});

describe('exact cut points', () => {
  it('puts one before every erase, before every write and in the middle of a write of three words or more', () => {
    expect(cutPoints('EWPPPPEWPWPP')).toEqual([
      { op: 1, label: 'erase #1' },
      { op: 2, label: 'write #1 start' },
      { op: 4, label: 'write #1 middle' },
      { op: 6, label: 'erase #2' },
      { op: 7, label: 'write #2 start' },
      { op: 8, label: 'write #3 start' },
    ]);
    expect(() => cutPoints('EX')).toThrow(/expected E, P or W, got "X"/);
  });

  it('reads the hook state the monitor prints', () => {
    expect(parseCutState('12\nEWPPW\nTrue\n')).toEqual({ ops: 12, log: 'EWPPW', paused: true });
    expect(parseCutState('0\n-\nFalse')).toEqual({ ops: 0, log: '', paused: false });
  });
});

describe('finding Renode', () => {
  it('takes $RENODE, then PATH, then ../shared/renode/renode beside the repository', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fwsign-find-renode-'));
    try {
      mkdirSync(join(dir, 'bin'));
      mkdirSync(join(dir, 'shared', 'renode'), { recursive: true });
      mkdirSync(join(dir, 'repo'));
      for (const f of ['bin/renode', 'shared/renode/renode']) writeFileSync(join(dir, f), '');
      const repo = join(dir, 'repo');
      expect(findRenode({ RENODE: join(dir, 'bin/renode') }, repo)).toBe(join(dir, 'bin/renode'));
      expect(findRenode({ RENODE: join(dir, 'nope') }, repo)).toBeUndefined();
      expect(findRenode({ PATH: join(dir, 'bin') }, repo)).toBe(join(dir, 'bin/renode'));
      expect(findRenode({ PATH: '' }, repo)).toBe(join(dir, 'shared/renode/renode'));
      expect(findRenode({ PATH: '' }, join(dir, 'bin'))).toBe(join(dir, 'shared/renode/renode'));
      expect(findRenode({ PATH: '' }, join(dir, 'shared/renode'))).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const renode = findRenode();
if (!renode)
  console.info(
    `renode board tests skipped: no Renode found; ${RENODE_HINT}, then run pnpm exec vitest run packages/harness/test/renode.test.ts`,
  );

describe.runIf(!renode)('renode board without renode', () => {
  it('says where it looked and what to do', () => {
    expect(() => new RenodeBoard()).toThrow(HarnessError);
    expect(() => createBoard({ kind: 'renode' })).toThrow(
      /no Renode found on PATH, in \$RENODE or at \.\.\/shared\/renode\/renode; install Renode/,
    );
  });
});

describe.runIf(renode)('renode board (stm32f4_discovery, flash-slot build)', () => {
  it('boots the verifier, takes a signed image into flash over the socket terminal; it boots after a power cut and on a new machine from the saved flash', async () => {
    const key = ecKey();
    const board = new RenodeBoard();
    const other = new RenodeBoard();
    try {
      await board.start({ anchors: key.anchors });
      await board.uart.waitFor('FWV_ERR_NO_IMAGE, serving SMP', { timeoutMs: 60_000 });
      const s = new DeviceSession(board.transport(), { timeoutMs: board.linkTimeoutMs });
      const st = await s.status();
      // The flash build: 384 KiB slots less the 128 KiB trailer sector.
      expect(st.slotSize).toBe(262144);
      const image = board.firmware.app(1);
      await s.upload(image);
      expect((await s.signature(key.sign(image), 'sig-sha256-ecdsa', CERTFILE)).fwv).toBe(0);
      expect((await s.verify()).fwv).toBe(0);
      expect((await s.markBootable()).fwv).toBe(0);
      s.close();
      // Powered on again after a cut: SRAM cleared, so only what reached the flash boots.
      await board.powerCut();
      expect(board.running).toBe(false);
      expect(() => board.transport()).toThrow(/expected a started board, got a stopped one/);
      let since = board.uart.mark();
      await board.start();
      await board.uart.waitFor('fwsign-demo-app v1', { since, timeoutMs: 30_000 });
      // A new machine from the saved flash alone: the image and its trailer were really programmed.
      const saved = join(board.workDir, 'flash.bin');
      await board.saveFlash(saved);
      other.restoreFlash(saved);
      await board.stop();
      since = other.uart.mark();
      await other.start();
      await other.uart.waitFor('fwsign-demo-app v1', { since, timeoutMs: 30_000 });
    } finally {
      await board.stop();
      await other.stop();
      key.dispose();
    }
  }, 180_000);
});
