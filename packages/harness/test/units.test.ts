/** The harness's small parts: the UART log, the memory map reader, the transcript. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeCbor, encodeConsoleFrame, encodeSmpPacket } from '@fwsign/flasher';
import {
  FIRMWARE_DIR,
  parseMemoryMap,
  runnableVectorTable,
  slotRegions,
  RecordingTransport,
  Transcript,
  UartLog,
} from '../src/index.js';
import type { Transport, TransportListener } from '@fwsign/flasher';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('UartLog', () => {
  it('keeps console text, leaves SMP frame lines out and counts them', () => {
    const log = new UartLog();
    log.push(text('boot\n'));
    log.push(Uint8Array.from([0x06, 0x09, ...text('AAAA\n'), 0x04, 0x14, ...text('BBBB\n')]));
    log.push(text('app v1\r\n'));
    expect(log.textSince()).toBe('boot\napp v1\n');
    expect(log.frameLines).toBe(2);
  });

  it('resolves a wait when the text arrives in pieces after the mark, not before', async () => {
    const log = new UartLog();
    log.push(text('fwsign-demo-app v1\n'));
    const mark = log.mark();
    const wait = log.waitFor('fwsign-demo-app v1', { since: mark, timeoutMs: 2000 });
    log.push(text('fwsign-de'));
    log.push(text('mo-app v1\n'));
    await expect(wait).resolves.toBe('fwsign-demo-app v1');
  });

  it('rejects a wait past its deadline with what it saw', async () => {
    const log = new UartLog();
    log.push(text('FWV_ERR_NO_IMAGE, serving SMP\n'));
    await expect(log.waitFor(/app v\d/, { timeoutMs: 50 })).rejects.toMatchObject({
      code: 'Timeout',
      message: expect.stringContaining('serving SMP'),
    });
  });
});

describe('memory map', () => {
  it('reads the firmware header the linker script uses', () => {
    const map = parseMemoryMap(readFileSync(join(FIRMWARE_DIR, 'ld/memmap.h'), 'utf8'));
    expect(map).toEqual({
      anchorsAddr: 0x8000,
      anchorsSize: 0x1000,
      activeAddr: 0x10000,
      stagingAddr: 0x90000,
      slotSize: 0x80000,
      sectorSize: 0x1000,
      scratchAddr: 0x110000,
      appRamAddr: 0x20000000,
      appRamSize: 0x10000,
    });
    // Both slots and the scratch sector of a test swap, which a power cut must keep too.
    expect(slotRegions(map)).toEqual([{ addr: 0x10000, size: 0x101000 }]);
    // SP at the top of the application's RAM, reset handler past the table with the Thumb bit.
    expect(Buffer.from(runnableVectorTable(map)).toString('hex')).toBe('00000120' + '09000100');
  });

  it('keeps slots apart when they are not adjacent, and names a missing define', () => {
    const h =
      '#define FWV_ANCHORS_ADDR 0x1000\n#define FWV_ANCHORS_SIZE 0x100\n#define FWV_ACTIVE_ADDR 0x20010000\n#define FWV_STAGING_ADDR 0x20080000\n#define FWV_SLOT_SIZE 0x20000\n#define FWV_SECTOR_SIZE 0x400\n#define FWV_APP_RAM_ADDR 0x20000000\n#define FWV_APP_RAM_SIZE 0x4000\n';
    expect(slotRegions(parseMemoryMap(h))).toEqual([
      { addr: 0x20010000, size: 0x20000 },
      { addr: 0x20080000, size: 0x20000 },
    ]);
    expect(() => parseMemoryMap('#define FWV_ANCHORS_ADDR 0x1000\n', 'x.h')).toThrow(
      /x.h: expected #define FWV_ANCHORS_SIZE/,
    );
  });
});

describe('Transcript', () => {
  it('prints one line per SMP packet with op, group, id, seq and the body in short, and text lines', () => {
    const t = new Transcript();
    const packet = encodeSmpPacket(
      { op: 2, version: 0, flags: 0, group: 1, seq: 7, id: 1 },
      encodeCbor({ off: 0, data: new Uint8Array(100) }),
    );
    t.record('>', encodeConsoleFrame(packet));
    t.record('<', text('fwsign-demo-app v1\n'));
    expect(t.lines).toHaveLength(2);
    expect(t.lines[0]).toMatch(/> write group 1 id 1 seq 7 \{"off":0,"data":"<100 bytes>"\}$/);
    expect(t.lines[1]).toMatch(/< text "fwsign-demo-app v1"$/);
  });
});

describe('Transcript with two links open on one UART', () => {
  it("records the device's bytes once, even when a frame comes in pieces, and again after one link closes", async () => {
    // The board's UART: what the device sends goes to every subscriber.
    const subs = new Set<TransportListener>();
    const uart: Transport = {
      write: () => Promise.resolve(),
      subscribe: (l) => (subs.add(l), () => subs.delete(l)),
      close: () => Promise.resolve(),
    };
    const t = new Transcript();
    const a = new RecordingTransport(uart, t);
    const b = new RecordingTransport(uart, t);
    const frame = encodeConsoleFrame(
      encodeSmpPacket(
        { op: 3, version: 0, flags: 0, group: 1, seq: 9, id: 1 },
        encodeCbor({ off: 512 }),
      ),
    );
    const inPieces = (): void => {
      for (let i = 0; i < frame.length; i += 5)
        for (const l of [...subs]) l.data(frame.subarray(i, i + 5));
    };
    inPieces();
    expect(t.lines).toHaveLength(1);
    expect(t.lines[0]).toMatch(/< write-rsp group 1 id 1 seq 9 \{"off":512\}$/);
    await a.close();
    inPieces();
    expect(t.lines).toHaveLength(2);
    await b.close();
    inPieces();
    expect(t.lines).toHaveLength(2);
  });
});

describe('memory map with variants', () => {
  it('follows #ifdef/#else in the STM32F4 header: slots in SRAM by default, in flash with FWV_SLOTS_IN_FLASH', () => {
    const text = readFileSync(join(FIRMWARE_DIR, 'ld/memmap-stm32f4.h'), 'utf8');
    const sram = parseMemoryMap(text);
    expect(sram).toMatchObject({
      anchorsAddr: 0x08008000,
      activeAddr: 0x20004000,
      stagingAddr: 0x20010000,
      slotSize: 0xc000,
      sectorSize: 0x1000,
    });
    expect(slotRegions(sram)).toEqual([{ addr: 0x20004000, size: 0x19000 }]);
    const flash = parseMemoryMap(text, 'memmap-stm32f4.h', ['FWV_SLOTS_IN_FLASH']);
    expect(flash).toMatchObject({
      activeAddr: 0x08020000,
      stagingAddr: 0x08080000,
      slotSize: 0x60000,
      sectorSize: 0x20000,
      scratchAddr: 0x080e0000,
    });
  });
});

describe('UartLog across a power cut', () => {
  it("keeps the next boot's text when a frame line was cut short, with or without a line break", () => {
    const log = new UartLog();
    log.push(Uint8Array.from([0x06, 0x09, ...text('ACID')]));
    log.push(text('fwsign-verifier: fwsign-demo-app v1\n'));
    // Glued on without a break, the text's base64-looking start cannot be told from the frame: the rest is kept.
    expect(log.textSince()).toBe('-verifier: fwsign-demo-app v1\n');
    const mark = log.mark();
    log.push(Uint8Array.from([0x06, 0x09, ...text('ACID')]));
    log.lineBreak();
    log.push(text('fwsign-verifier: staying on request\n'));
    expect(log.textSince(mark)).toBe('fwsign-verifier: staying on request\n');
  });
});
