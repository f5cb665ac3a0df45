/**
 * fwsign's own SMP group as the verifier firmware serves it (protocol.json `messages`):
 * STATUS `{slot_size, active, staging, received, stack_peak, rc}`, the verdict
 * `{rc, fwv, text}` of SIGNATURE / VERIFY / MARK_BOOTABLE, and the line the verifier prints on
 * the console just before it jumps to a verified image.
 */
import { SmpFwsignCommand, SmpGroup, SmpOp } from '@fwsign/protocol';
import type { CborMap } from './cbor.js';
import { FlasherError } from './errors.js';
import { rcError, smpRc, type SmpClient } from './smp-client.js';

export interface SlotStatus {
  /** `bootable`/`empty` for the active slot; `empty`, `uploading`, `complete`, `hash-mismatch`, `verified` for staging. */
  state: string;
  /** Image bytes; 0 when the slot holds no complete image. */
  len: number;
  sha256: Uint8Array | undefined;
}

export interface DeviceStatus {
  /** The largest image a slot takes. */
  slotSize: number;
  active: SlotStatus;
  staging: SlotStatus;
  /** Bytes of the current upload received so far. */
  received: number;
  /** The verifier's stack high-water mark in bytes, when it reports one. */
  stackPeak: number | undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined;
}

function isMap(v: unknown): v is CborMap {
  return Boolean(v) && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array);
}

function slot(v: unknown, name: string): SlotStatus {
  if (!isMap(v) || typeof v.state !== 'string')
    throw new FlasherError(
      'ProtocolError',
      `fwsign status: expected ${name} as {state, len?, sha256?}, got ${JSON.stringify(v)}`,
    );
  return {
    state: v.state,
    len: num(v.len) ?? 0,
    sha256: v.sha256 instanceof Uint8Array && v.sha256.length > 0 ? v.sha256 : undefined,
  };
}

export async function readStatus(client: SmpClient): Promise<DeviceStatus> {
  const rsp = await client.read('fwsign status', SmpGroup.FWSIGN, SmpFwsignCommand.STATUS);
  const slotSize = num(rsp.slot_size);
  if (slotSize === undefined)
    throw new FlasherError(
      'ProtocolError',
      `fwsign status: expected slot_size, got ${JSON.stringify(rsp)}`,
    );
  return {
    slotSize,
    active: slot(rsp.active, 'active'),
    staging: slot(rsp.staging, 'staging'),
    received: num(rsp.received) ?? 0,
    stackPeak: num(rsp.stack_peak),
  };
}

export interface DeviceVerdict {
  /** The SMP rc: 0 exactly when fwv is 0. */
  rc: number;
  /** The verifier's result code (protocol.json resultCodes); 0 = OK. */
  fwv: number;
  /** The device's text, unchanged. */
  text: string;
}

/**
 * A fwsign write (SIGNATURE, VERIFY, MARK_BOOTABLE) and the device's verdict. A refusal comes
 * back as `{rc ≠ 0, fwv ≠ 0, text}` and is returned, not thrown: the caller reports the device's
 * own code. An answer without `fwv` and a non-zero rc (ENOTSUP from a device without the group)
 * is thrown as the rc.
 */
export async function fwsignStep(
  client: SmpClient,
  what: string,
  id: number,
  body: CborMap,
): Promise<DeviceVerdict> {
  const { body: rsp } = await client.request(SmpOp.WRITE, SmpGroup.FWSIGN, id, body);
  const rc = smpRc(rsp);
  const fwv = num(rsp.fwv);
  if (fwv === undefined) {
    if (rc !== 0) throw rcError(what, rc, rsp);
    throw new FlasherError(
      'ProtocolError',
      `${what}: expected {rc, fwv, text} in the answer, got ${JSON.stringify(rsp)}`,
    );
  }
  if ((rc === 0) !== (fwv === 0)) {
    throw new FlasherError(
      'ProtocolError',
      `${what}: expected rc 0 exactly when fwv is 0, got rc ${rc} with fwv ${fwv}`,
      { smpRc: rc, fwv },
    );
  }
  return { rc, fwv, text: typeof rsp.text === 'string' ? rsp.text : '' };
}

export const BOOT_LINE_PREFIX = 'fwsign-verifier: ';

export interface BootLine {
  /** What the verifier concluded: `FWV_OK`, a result name, or `staying on request`. */
  result: string;
  /** The SHA-256 (hex) of the image it is about to run; only with FWV_OK. */
  sha256: string | undefined;
}

/**
 * The verifier's boot line: `fwsign-verifier: FWV_OK, booting sha256 <hex>` before it jumps, or
 * `fwsign-verifier: <reason>, serving SMP` when it does not. Anything else is undefined.
 */
export function parseBootLine(line: string): BootLine | undefined {
  const at = line.indexOf(BOOT_LINE_PREFIX);
  if (at < 0) return undefined;
  const rest = line.slice(at + BOOT_LINE_PREFIX.length);
  const booting = /^FWV_OK, booting sha256 ([0-9a-f]{64})$/.exec(rest);
  if (booting) return { result: 'FWV_OK', sha256: booting[1] };
  const serving = /^(.+), serving SMP$/.exec(rest);
  return serving ? { result: serving[1]!, sha256: undefined } : undefined;
}

/** The line MockDevice prints, as the firmware does (device/device.c). */
export function bootLineFor(sha256: Uint8Array | undefined, result: string): string {
  return sha256 && result === 'FWV_OK'
    ? `${BOOT_LINE_PREFIX}FWV_OK, booting sha256 ${Buffer.from(sha256).toString('hex')}`
    : `${BOOT_LINE_PREFIX}${result}, serving SMP`;
}
