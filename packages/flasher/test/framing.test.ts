import { describe, expect, it } from 'vitest';
import { SmpGroup, SmpOp, SmpOsCommand } from '@fwsign/protocol';
import {
  ConsoleFrameDecoder,
  consoleFrameWireSize,
  crc16Xmodem,
  decodeConsoleFrame,
  decodeSmpHeader,
  decodeSmpPacket,
  encodeCbor,
  encodeConsoleFrame,
  encodeSmpHeader,
  encodeSmpPacket,
  FlasherError,
} from '../src/index.js';
import { makeImage } from './helpers.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('CRC16/XMODEM', () => {
  it('has the catalogue check value 0x31C3 for "123456789"', () => {
    expect(crc16Xmodem(ascii('123456789'))).toBe(0x31c3);
  });
  it('matches Python binascii.crc_hqx(…, 0) on other strings', () => {
    // Values computed with CPython's binascii.crc_hqx, an independent implementation.
    expect(crc16Xmodem(ascii('A'))).toBe(0x58e5);
    expect(crc16Xmodem(Uint8Array.from({ length: 256 }, (_, i) => i))).toBe(0x7e55);
    expect(crc16Xmodem(new Uint8Array(0))).toBe(0);
  });
  it('continues across pieces and yields 0 over data followed by its CRC', () => {
    const data = makeImage(1000);
    expect(crc16Xmodem(data.subarray(400), crc16Xmodem(data.subarray(0, 400)))).toBe(
      crc16Xmodem(data),
    );
    const crc = crc16Xmodem(data);
    expect(crc16Xmodem(Uint8Array.from([crc >> 8, crc & 0xff]), crc)).toBe(0);
  });
});

describe('SMP header', () => {
  it('lays out op, flags, length, group, seq and id big-endian', () => {
    const h = encodeSmpHeader({
      op: SmpOp.WRITE,
      version: 0,
      flags: 0,
      length: 0x0109,
      group: 0x0040,
      seq: 0xfe,
      id: 2,
    });
    expect(hex(h)).toBe('0200010900 40fe02'.replace(' ', ''));
    expect(decodeSmpHeader(h)).toEqual({
      op: 2,
      version: 0,
      flags: 0,
      length: 0x0109,
      group: 64,
      seq: 0xfe,
      id: 2,
    });
  });
  it('puts the SMP v2 version in bits 3-4 of the first byte', () => {
    expect(
      encodeSmpHeader({
        op: SmpOp.READ_RSP,
        version: 1,
        flags: 0,
        length: 0,
        group: 1,
        seq: 0,
        id: 0,
      })[0],
    ).toBe(0x09);
  });
  it('rejects out-of-range fields and length mismatches with messages that name them', () => {
    expect(() =>
      encodeSmpHeader({ op: 2, version: 0, flags: 0, length: 0, group: 0x10000, seq: 0, id: 0 }),
    ).toThrow(/"group" expected an integer 0..65535, got 65536/);
    try {
      decodeSmpPacket(Uint8Array.from([2, 0, 0, 5, 0, 0, 0, 0, 0xa0]));
      expect.unreachable();
    } catch (err) {
      expect((err as FlasherError).code).toBe('ProtocolError');
      expect((err as Error).message).toBe('SMP packet: header says 5 payload bytes, got 1');
    }
  });
});

describe('console framing', () => {
  // Echo "hello", seq 0x42: header 02 00 0009 0000 42 00, CBOR a1 61 64 65 68656c6c6f;
  // frame length 0x0013 (17 + 2), CRC16 0xC109 (binascii.crc_hqx), base64 of the 21 bytes.
  const echoPacket = '0200000900004200a161646568656c6c6f';
  const echoFrame = `0609${Buffer.from('ABMCAAAJAABCAKFhZGVoZWxsb8EJ').toString('hex')}0a`;

  it('encodes a known echo request to the hand-checked bytes', () => {
    const packet = encodeSmpPacket(
      {
        op: SmpOp.WRITE,
        version: 0,
        flags: 0,
        group: SmpGroup.OS,
        seq: 0x42,
        id: SmpOsCommand.ECHO,
      },
      encodeCbor({ d: 'hello' }),
    );
    expect(hex(packet)).toBe(echoPacket);
    expect(hex(encodeConsoleFrame(packet))).toBe(echoFrame);
  });

  it('decodes the hand-checked frame back to the packet', () => {
    expect(hex(decodeConsoleFrame(Buffer.from(echoFrame, 'hex')))).toBe(echoPacket);
  });

  it('cuts long packets into lines of at most 127 bytes: 06 09 first, 04 14 after, 124 base64 chars each but the last', () => {
    const body = makeImage(1000);
    const frame = encodeConsoleFrame(body);
    const lines: Uint8Array[] = [];
    let start = 0;
    for (let i = 0; i < frame.length; i++)
      if (frame[i] === 0x0a) {
        lines.push(frame.subarray(start, i + 1));
        start = i + 1;
      }
    expect(start).toBe(frame.length);
    // 1004 bytes -> 1340 base64 characters -> 10 full lines of 124 and one of 100.
    expect(lines.length).toBe(11);
    lines.forEach((line, i) => {
      expect(line.length).toBeLessThanOrEqual(127);
      expect([line[0], line[1]]).toEqual(i === 0 ? [6, 9] : [4, 20]);
      if (i < lines.length - 1) expect(line.length).toBe(127);
    });
    expect(frame.length).toBe(consoleFrameWireSize(1000));
    // Concatenated base64 of all lines is base64 of length + body + CRC.
    const b64 = lines
      .map((l) => Buffer.from(l.subarray(2, l.length - 1)).toString('latin1'))
      .join('');
    const raw = Buffer.from(b64, 'base64');
    expect(raw.readUInt16BE(0)).toBe(1002);
    expect(hex(raw.subarray(2, 1002))).toBe(hex(body));
    expect(raw.readUInt16BE(1002)).toBe(crc16Xmodem(body));
  });

  it('decodes a stream cut anywhere, with console text and garbage between frames', () => {
    const bodies = [makeImage(10, 1), makeImage(500, 2), makeImage(93, 3), makeImage(2000, 4)];
    const parts: Uint8Array[] = [ascii('*** Booting Zephyr OS ***\r\n')];
    for (const b of bodies)
      parts.push(
        encodeConsoleFrame(b),
        ascii('log: tick\n'),
        Uint8Array.from([0xff, 0x00, 0x13, 0x0a]),
      );
    const stream = Buffer.concat(parts);
    for (const cut of [1, 7, 64, 1000]) {
      const decoder = new ConsoleFrameDecoder();
      const events = [];
      for (let i = 0; i < stream.length; i += cut)
        events.push(...decoder.push(stream.subarray(i, i + cut)));
      const packets = events
        .filter((e) => e.kind === 'packet')
        .map((e) => (e.kind === 'packet' ? hex(e.body) : ''));
      expect(packets).toEqual(bodies.map(hex));
      expect(
        events.filter((e) => e.kind === 'text').map((e) => (e.kind === 'text' ? e.line : '')),
      ).toContain('*** Booting Zephyr OS ***');
    }
  });

  it('finds a frame glued to console text printed without a newline', () => {
    const frame = encodeConsoleFrame(makeImage(20));
    const events = new ConsoleFrameDecoder().push(Buffer.concat([ascii('uart:~$ '), frame]));
    expect(events.map((e) => e.kind)).toEqual(['text', 'packet']);
  });

  it('drops a frame with a flipped bit (CRC), a missing line, or bad base64, and recovers on the next frame', () => {
    const good = encodeConsoleFrame(makeImage(300, 9));
    const flipped = good.slice();
    flipped[200] = flipped[200] === 0x41 ? 0x42 : 0x41;
    const firstNl = good.indexOf(0x0a);
    const missingLine = Buffer.concat([
      good.subarray(0, firstNl + 1),
      good.subarray(good.indexOf(0x0a, firstNl + 1) + 1),
    ]);
    const badB64 = good.slice();
    badB64[10] = 0x2a; // '*'
    for (const damaged of [flipped, missingLine, badB64]) {
      const events = new ConsoleFrameDecoder().push(Buffer.concat([damaged, good]));
      expect(events.filter((e) => e.kind === 'error').length).toBeGreaterThan(0);
      const packets = events.filter((e) => e.kind === 'packet');
      expect(packets).toHaveLength(1);
    }
  });

  it('refuses bodies whose length does not fit the 16-bit length field', () => {
    expect(() => encodeConsoleFrame(new Uint8Array(0))).toThrow(RangeError);
    expect(() => encodeConsoleFrame(new Uint8Array(0xffff))).toThrow(
      /"body" expected 1..65533 bytes, got 65535/,
    );
  });
});
