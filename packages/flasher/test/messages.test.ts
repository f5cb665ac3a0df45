/**
 * protocol.json's `messages` section is the one description of fwsign's group both sides are held
 * to: every request the flasher sends and every answer MockDevice gives carries exactly the keys
 * listed there (the firmware's device/smp.c writes the same; the hardware contract runs the
 * flasher against it).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ResultCode, SmpFwsignCommand, SmpGroup } from '@fwsign/protocol';
import {
  ConsoleFrameDecoder,
  decodeCborMap,
  decodeSmpPacket,
  flashImage,
  fwsignStep,
  MockDevice,
  readStatus,
  SmpClient,
  type CborMap,
  type Transport,
  type TransportListener,
} from '../src/index.js';
import { anchorTable, CERTFILE, ecKey, makeImage, signEc } from './helpers.js';

interface CommandSpec {
  op: 'read' | 'write';
  request: string[];
  response: string[];
  slot?: {
    required: string[];
    optional: string[];
    states: { active: string[]; staging: string[] };
  };
}
const spec = JSON.parse(
  readFileSync(new URL('../../protocol/protocol.json', import.meta.url), 'utf8'),
) as { messages: { fwsign: Record<string, CommandSpec>; bootLine: { format: string } } };
const commands = spec.messages.fwsign;
const NAME_OF = Object.fromEntries(
  Object.entries(SmpFwsignCommand).map(([name, id]) => [id, name]),
) as Record<number, string>;

interface Seen {
  command: string;
  request: boolean;
  body: CborMap;
}

/** Decodes the fwsign frames crossing the link in both directions. */
class Tap implements Transport {
  readonly seen: Seen[] = [];
  private readonly out = new ConsoleFrameDecoder();
  private readonly back = new ConsoleFrameDecoder();

  constructor(private readonly inner: Transport) {}

  private record(decoder: ConsoleFrameDecoder, bytes: Uint8Array, request: boolean): void {
    for (const e of decoder.push(bytes)) {
      if (e.kind !== 'packet') continue;
      const { header, payload } = decodeSmpPacket(e.body);
      if (header.group === SmpGroup.FWSIGN)
        this.seen.push({
          command: NAME_OF[header.id] ?? `id ${header.id}`,
          request,
          body: payload.length ? decodeCborMap(payload) : {},
        });
    }
  }

  write(bytes: Uint8Array): Promise<void> {
    this.record(this.out, bytes, true);
    return this.inner.write(bytes);
  }

  subscribe(listener: TransportListener): () => void {
    return this.inner.subscribe({
      data: (b) => (this.record(this.back, b, false), listener.data(b)),
      closed: (err) => listener.closed?.(err),
    });
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

const key = ecKey();
const image = makeImage(9000, 31);
const keysOf = (m: CborMap): string[] => Object.keys(m).sort();

describe('protocol.json messages', () => {
  it('lists every fwsign command of the shared ids, with request and response keys', () => {
    expect(Object.keys(commands).sort()).toEqual(Object.keys(SmpFwsignCommand).sort());
    expect(commands.STATUS!.slot).toBeDefined();
  });

  it('the flasher sends, and MockDevice answers, exactly the listed keys through a whole flash with --boot', async () => {
    const device = new MockDevice({
      trustAnchorTable: anchorTable(key),
      slotSize: 64 * 1024,
      resetDelayMs: 5,
    });
    const tap = new Tap(device.connect());
    try {
      await flashImage({
        transport: tap,
        image,
        signature: signEc(key, image),
        alg: 'sig-sha256-ecdsa',
        certfile: CERTFILE,
        boot: true,
        timeoutMs: 500,
      });
    } finally {
      device.stop();
    }
    const names = new Set(tap.seen.map((s) => s.command));
    expect([...names].sort()).toEqual(['MARK_BOOTABLE', 'SIGNATURE', 'STATUS', 'VERIFY']);
    for (const s of tap.seen) {
      const c = commands[s.command]!;
      expect(keysOf(s.body), `${s.command} ${s.request ? 'request' : 'response'}`).toEqual(
        [...(s.request ? c.request : c.response)].sort(),
      );
    }
  });

  it('STATUS slots carry the required keys, and the optional ones exactly when the slot holds an image', async () => {
    const slotSpec = commands.STATUS!.slot!;
    const device = new MockDevice({ trustAnchorTable: anchorTable(key), slotSize: 64 * 1024 });
    const tap = new Tap(device.connect());
    const client = new SmpClient(tap, { timeoutMs: 500 });
    try {
      await readStatus(client);
      await flashImage({
        transport: tap,
        image,
        signature: signEc(key, image),
        alg: 'sig-sha256-ecdsa',
        certfile: CERTFILE,
        timeoutMs: 500,
      });
      await readStatus(client);
      // Refusals carry the same keys as successes: rc and fwv non-zero together.
      const refused = await fwsignStep(client, 'signature', SmpFwsignCommand.SIGNATURE, {
        alg: 'sig-sha999',
        sig: new Uint8Array(8),
        certfile: CERTFILE,
      });
      expect(refused.fwv).toBe(ResultCode.ERR_UNKNOWN_ALG);
      expect(refused.rc).not.toBe(0);
    } finally {
      client.close();
      device.stop();
    }
    const statuses = tap.seen
      .filter((s) => s.command === 'STATUS' && !s.request)
      .map((s) => s.body);
    expect(statuses.length).toBeGreaterThanOrEqual(3);
    const slots = statuses.flatMap(
      (b) =>
        [
          ['active', b.active],
          ['staging', b.staging],
        ] as const,
    );
    for (const [name, slot] of slots) {
      const m = slot as CborMap;
      expect(slotSpec.states[name]).toContain(m.state);
      const full = [...slotSpec.required, ...slotSpec.optional].sort();
      expect(keysOf(m)).toEqual(
        m.state === 'empty' || m.state === 'uploading' ? slotSpec.required : full,
      );
    }
    // The last status, after the verify: the staging slot holds the image.
    expect((statuses.at(-1)!.staging as CborMap).state).toBe('verified');
    const refusal = tap.seen.filter((s) => s.command === 'SIGNATURE' && !s.request).at(-1)!;
    expect(keysOf(refusal.body)).toEqual([...commands.SIGNATURE!.response].sort());
  });

  it('MockDevice prints the boot line in the documented format before the application runs', async () => {
    const device = new MockDevice({
      trustAnchorTable: anchorTable(key),
      slotSize: 64 * 1024,
      resetDelayMs: 5,
      bootBanner: 'app v9',
    });
    const lines: string[] = [];
    try {
      await flashImage({
        transport: device.connect(),
        image,
        signature: signEc(key, image),
        alg: 'sig-sha256-ecdsa',
        certfile: CERTFILE,
        boot: true,
        timeoutMs: 500,
        client: { onText: (l) => lines.push(l) },
      });
    } finally {
      device.stop();
    }
    const sha = Buffer.from(await crypto.subtle.digest('SHA-256', image)).toString('hex');
    expect(spec.messages.bootLine.format.replace('<64 lowercase hex digits>', sha)).toBe(
      `fwsign-verifier: FWV_OK, booting sha256 ${sha}`,
    );
    expect(lines).toEqual([`fwsign-verifier: FWV_OK, booting sha256 ${sha}`, 'app v9']);
  });
});
