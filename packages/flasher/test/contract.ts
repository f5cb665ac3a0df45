/**
 * The transport contract: the scenarios every link to a device must pass, whatever carries the
 * bytes (in-memory MockDevice, a socket, a pseudo-terminal, QEMU, a real board).
 */
import { describe, expect, it } from 'vitest';
import { ResultCode, SmpError, SmpFwsignCommand, SmpGroup, SmpOsCommand } from '@fwsign/protocol';
import {
  FaultyTransport,
  FlasherError,
  flashImage,
  fwsignStep,
  readParams,
  readStatus,
  SmpClient,
  type Transport,
} from '../src/index.js';
import { makeImage } from './helpers.js';

export interface ContractTarget {
  /** A fresh link to the device; closed by the suite. */
  open(): Promise<Transport>;
  /** Signs an image with a key the device trusts under `certfile`. */
  sign(image: Uint8Array): Uint8Array;
  certfile: string;
  alg: string;
  timeoutMs: number;
  /**
   * Image bytes this device would accept as runnable: a real board checks the vector table at
   * verify time (initial SP in its RAM, reset handler in its active slot), so its target puts one
   * in front. The default is plain pseudo-random bytes.
   */
  image?(size: number, seed: number): Uint8Array;
}

export function transportContract(
  name: string,
  target: () => Promise<ContractTarget>,
  enabled = true,
): void {
  describe.runIf(enabled)(`transport contract: ${name}`, () => {
    const withClient = async <T>(
      fn: (client: SmpClient, t: ContractTarget) => Promise<T>,
    ): Promise<T> => {
      const t = await target();
      const transport = await t.open();
      const client = new SmpClient(transport, { timeoutMs: t.timeoutMs });
      try {
        return await fn(client, t);
      } finally {
        client.close();
        await transport.close();
      }
    };

    it('answers MCUmgr parameters with a usable buffer size and count', async () => {
      const params = await withClient((c) => readParams(c));
      expect(params.bufSize).toBeGreaterThanOrEqual(128);
      expect(params.bufCount).toBeGreaterThanOrEqual(1);
    });

    it('echoes, or says echo is disabled (rc 8) as MCUboot may', async () => {
      await withClient(async (c) => {
        const rsp = await c
          .write('echo', SmpGroup.OS, SmpOsCommand.ECHO, { d: 'fwsign contract' })
          .catch((e: unknown) => e);
        if (rsp instanceof FlasherError) expect(rsp.smpRc).toBe(8);
        else expect(rsp).toMatchObject({ r: 'fwsign contract' });
      });
    });

    it('reports its slot size and both slots through fwsign status', async () => {
      const status = await withClient((c) => readStatus(c));
      expect(status.slotSize).toBeGreaterThan(0);
      expect(['bootable', 'empty']).toContain(status.active.state);
      expect(status.staging.state).toMatch(/^(empty|uploading|complete|hash-mismatch|verified)$/);
    });

    it('verifies a correctly signed image', async () => {
      const t = await target();
      const image = (t.image ?? makeImage)(6000, 21);
      const transport = await t.open();
      try {
        const result = await flashImage({
          transport,
          image,
          signature: t.sign(image),
          alg: t.alg,
          certfile: t.certfile,
          timeoutMs: t.timeoutMs,
        });
        expect(result).toMatchObject({ verified: true, fwv: ResultCode.OK });
        expect(result.bytesPerSecond).toBeGreaterThan(0);
      } finally {
        await transport.close();
      }
    });

    it("refuses a tampered image, and the flash fails with the device's own code", async () => {
      const t = await target();
      const image = makeImage(6000, 22);
      const signature = t.sign(image);
      image[100]! ^= 0x80;
      const transport = await t.open();
      try {
        const err = (await flashImage({
          transport,
          image,
          signature,
          alg: t.alg,
          certfile: t.certfile,
          timeoutMs: t.timeoutMs,
        }).catch((e: unknown) => e)) as FlasherError;
        expect(err.code).toBe('NotVerified');
        expect(err.fwv).toBe(ResultCode.ERR_SIGNATURE);
      } finally {
        await transport.close();
      }
    });

    it('refuses an image larger than the slot before sending it', async () => {
      const t = await target();
      const transport = await t.open();
      try {
        const client = new SmpClient(transport, { timeoutMs: t.timeoutMs });
        const size = (await readStatus(client)).slotSize;
        client.close();
        const image = makeImage(size + 1, 23);
        const err = (await flashImage({
          transport,
          image,
          signature: t.sign(image),
          alg: t.alg,
          certfile: t.certfile,
          timeoutMs: t.timeoutMs,
        }).catch((e: unknown) => e)) as FlasherError;
        expect(err.code).toBe('ImageTooLarge');
      } finally {
        await transport.close();
      }
    });

    it('recovers from a lost chunk and a corrupted answer on this link', async () => {
      const t = await target();
      const image = (t.image ?? makeImage)(6000, 24);
      const transport = new FaultyTransport(await t.open(), {
        faults: [
          { kind: 'drop', direction: 'to-device', at: 3 },
          { kind: 'corrupt', direction: 'to-host', at: 5 },
        ],
      });
      try {
        const result = await flashImage({
          transport,
          image,
          signature: t.sign(image),
          alg: t.alg,
          certfile: t.certfile,
          timeoutMs: t.timeoutMs,
        });
        expect(result.verified).toBe(true);
        expect(transport.fired).toHaveLength(2);
      } finally {
        await transport.close();
      }
    });

    it('does not mark a slot bootable after a failed verification', async () => {
      await withClient(async (c, t) => {
        expect(
          await fwsignStep(c, 'signature', SmpFwsignCommand.SIGNATURE, {
            alg: t.alg,
            sig: new Uint8Array(71),
            certfile: t.certfile,
          }),
        ).toMatchObject({ rc: 0, fwv: ResultCode.OK });
        const v = await fwsignStep(c, 'verify', SmpFwsignCommand.VERIFY, {});
        expect(v.fwv).not.toBe(ResultCode.OK);
        expect(v.rc).not.toBe(0);
        const m = await fwsignStep(c, 'mark', SmpFwsignCommand.MARK_BOOTABLE, {});
        expect(m).toMatchObject({
          fwv: ResultCode.ERR_NOT_VERIFIED,
          rc: SmpError.EBADSTATE,
          text: 'slot has not been verified',
        });
      });
    });
  });
}
