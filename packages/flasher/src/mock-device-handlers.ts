/**
 * The commands the MockDevice serves, over its state. Behaviour follows Zephyr's img_mgmt and
 * MCUboot's boot_serial where they define it (wrong offset → rc 0 and the expected offset; off 0
 * restarts the upload), and fwsign's own group as the verifier firmware serves it
 * (firmware-verifier/device/smp.c, protocol.json `messages`): the same keys, the same rc for each
 * result code, the same order of checks. Once it boots an image it is the test application,
 * which answers echo and reset only (firmware-verifier/app/app.c).
 */
import {
  ALGORITHMS,
  ResultCode,
  SmpError,
  SmpFwsignCommand,
  SmpGroup,
  SmpImageCommand,
  SmpOp,
  SmpOsCommand,
} from '@fwsign/protocol';
import type { CborMap } from './cbor.js';
import { sha256 } from './digest.js';
import { verdict, verifyImage, type SlotSignature } from './mock-verify.js';
import type { TrustAnchor } from '@fwsign/protocol';

export type MockFlavour = 'fwsign' | 'mcuboot';

/** The firmware's limits (device/slots.h FWV_SIG_MAX, FWV_CERTFILE_MAX). */
const SIG_MAX = 256;
const CERTFILE_MAX = 63;

export interface SlotState {
  data: Uint8Array;
  /** Bytes of image the slot holds (the upload's `len` once complete). */
  length: number;
  sha256: Uint8Array | undefined;
  /** The trailer's signature (the active slot keeps the one it verified with). */
  signature?: SlotSignature;
}

export interface DeviceState {
  readonly flavour: MockFlavour;
  readonly slotSize: number;
  readonly bufSize: number;
  readonly bufCount: number;
  readonly writeAlign: number;
  readonly anchors: readonly TrustAnchor[];
  active: SlotState;
  staging: SlotState;
  /** RAM state, lost on reset. */
  upload: { len: number; off: number; sha: Uint8Array | undefined; complete: boolean } | undefined;
  signature: SlotSignature | undefined;
  verified: boolean;
  /** Set when a handler asks for a reset after its answer is sent. */
  resetRequested: boolean;
  /** Reset with boot_mode 1: the next boot stays in the verifier. */
  stayRequested: boolean;
  /** What runs: the verifier (serves everything) or the booted application (echo and reset). */
  running: 'verifier' | 'app';
}

export function emptySlot(size: number): SlotState {
  return { data: new Uint8Array(size), length: 0, sha256: undefined };
}

export interface HandlerResult {
  body: CborMap;
  /** For the erase MCUboot does on the first chunk. */
  slow?: boolean;
}

const rc = (code: number): HandlerResult => ({ body: { rc: code } });

/** The text SIGNATURE answers on success (device/smp.c). */
export const SIGNATURE_STORED = 'signature stored, not verified yet';

/** The firmware's SMP rc for a result code (device/smp.c out_verdict): 0 exactly when fwv is 0. */
export function rcForResult(fwv: number): number {
  if (fwv === ResultCode.OK) return SmpError.EOK;
  if (fwv === ResultCode.ERR_FLASH) return SmpError.EUNKNOWN;
  if (
    fwv === ResultCode.ERR_STATE ||
    fwv === ResultCode.ERR_NO_IMAGE ||
    fwv === ResultCode.ERR_NOT_VERIFIED ||
    fwv === ResultCode.ERR_NO_SIGNATURE
  )
    return SmpError.EBADSTATE;
  if (
    fwv === ResultCode.ERR_ARG ||
    fwv === ResultCode.ERR_UNKNOWN_ALG ||
    fwv === ResultCode.ERR_BAD_LENGTH ||
    fwv === ResultCode.ERR_TOO_LARGE
  )
    return SmpError.EINVAL;
  return SmpError.ECORRUPT;
}

function verdictBody(fwv: number): HandlerResult {
  return { body: { ...verdict(fwv), rc: rcForResult(fwv) } };
}

/** The test application's two commands; everything else is ENOTSUP, as app.c answers. */
function appRequest(
  state: DeviceState,
  write: boolean,
  group: number,
  id: number,
  req: CborMap,
): HandlerResult {
  if (group === SmpGroup.OS && id === SmpOsCommand.ECHO && typeof req.d === 'string')
    return { body: { r: req.d } };
  if (group === SmpGroup.OS && id === SmpOsCommand.RESET) return resetRequest(state, req);
  void write;
  return rc(SmpError.ENOTSUP);
}

function resetRequest(state: DeviceState, req: CborMap): HandlerResult {
  state.resetRequested = true;
  state.stayRequested = req.boot_mode === 1;
  // The verifier and the app answer a reset with an empty map; MCUboot with rc 0.
  return state.flavour === 'mcuboot' ? rc(0) : { body: {} };
}

export function handleRequest(
  state: DeviceState,
  op: number,
  group: number,
  id: number,
  req: CborMap,
): HandlerResult {
  const write = op === SmpOp.WRITE;
  if (state.running === 'app') return appRequest(state, write, group, id, req);
  if (group === SmpGroup.OS) {
    if (id === SmpOsCommand.ECHO && write) {
      if (state.flavour === 'mcuboot') return rc(SmpError.ENOTSUP); // MCUBOOT_BOOT_MGMT_ECHO is off by default
      return typeof req.d === 'string' ? { body: { r: req.d } } : rc(SmpError.EINVAL);
    }
    if (id === SmpOsCommand.RESET && write) return resetRequest(state, req);
    if (id === SmpOsCommand.MCUMGR_PARAMS && !write) {
      if (state.flavour === 'mcuboot') return rc(SmpError.ENOTSUP);
      return { body: { buf_size: state.bufSize, buf_count: state.bufCount } };
    }
    return rc(SmpError.ENOTSUP);
  }
  if (group === SmpGroup.IMAGE) {
    if (id === SmpImageCommand.UPLOAD && write) return upload(state, req);
    if (id === SmpImageCommand.STATE && !write) return imageState(state);
    return rc(SmpError.ENOTSUP);
  }
  if (group === SmpGroup.FWSIGN && state.flavour === 'fwsign') return fwsign(state, write, id, req);
  return rc(SmpError.ENOTSUP);
}

function upload(state: DeviceState, req: CborMap): HandlerResult {
  const { off, data } = req;
  if (typeof off !== 'number' || !(data instanceof Uint8Array)) return rc(SmpError.EINVAL);
  let slow = false;
  if (off === 0) {
    const len = req.len;
    if (typeof len !== 'number' || len <= 0) return rc(SmpError.EINVAL);
    // Zephyr resumes an interrupted upload when the first chunk carries the same image's SHA-256.
    const cur = state.upload;
    if (
      state.flavour === 'fwsign' &&
      cur &&
      !cur.complete &&
      cur.off > 0 &&
      cur.len === len &&
      cur.sha &&
      req.sha instanceof Uint8Array &&
      Buffer.compare(cur.sha, req.sha) === 0
    ) {
      return { body: { off: cur.off } };
    }
    if (len > state.slotSize) {
      if (state.flavour === 'mcuboot')
        return {
          body: {
            rc: SmpError.EINVAL,
            rsn: `image of ${len} bytes exceeds the slot (${state.slotSize})`,
          },
        };
      // As Zephyr answers an SMP v1 client: IMG_MGMT_ERR_INVALID_IMAGE_TOO_LARGE translated.
      return { body: { rc: SmpError.EUNKNOWN, rsn: 'image larger than the slot' } };
    }
    const sha =
      state.flavour === 'mcuboot'
        ? undefined
        : req.sha instanceof Uint8Array
          ? req.sha.slice()
          : undefined;
    state.upload = { len, off: 0, sha, complete: false };
    state.staging.data.fill(0xff);
    state.staging.length = 0;
    state.staging.sha256 = undefined;
    state.signature = undefined;
    state.verified = false;
    slow = true;
  }
  const up = state.upload;
  // MCUboot answers rc 0 with every success; the verifier, as Zephyr, no rc at all.
  const ok = (body: CborMap): CborMap => (state.flavour === 'mcuboot' ? { rc: 0, ...body } : body);
  if (!up) return { body: ok({ off: 0 }) };
  if (off !== up.off) return { body: ok({ off: up.off }) };
  if (off + data.length > up.len)
    return state.flavour === 'mcuboot'
      ? rc(SmpError.EINVAL)
      : { body: { rc: SmpError.EUNKNOWN, rsn: 'data past the image length' } };
  let take = data.length;
  // Flash writes are aligned; the tail of a non-final chunk is asked for again (MCUboot does this).
  if (off + take < up.len) take -= take % state.writeAlign;
  state.staging.data.set(data.subarray(0, take), off);
  up.off += take;
  if (up.off === up.len && !up.complete) {
    up.complete = true;
    state.staging.length = up.len;
    state.staging.sha256 = sha256(state.staging.data.subarray(0, up.len));
  }
  if (state.flavour === 'mcuboot' || !up.complete) return { body: ok({ off: up.off }), slow };
  // The firmware compares the final hash with the `sha` prefix it was given (none: a match) and
  // says so in `match`, as Zephyr does.
  const match =
    !up.sha || Buffer.compare(up.sha, state.staging.sha256!.subarray(0, up.sha.length)) === 0;
  return { body: { off: up.off, match }, slow };
}

function imageState(state: DeviceState): HandlerResult {
  const images: CborMap[] = [];
  if (state.active.sha256)
    images.push({
      image: 0,
      slot: 0,
      version: '0.0.0',
      hash: state.active.sha256,
      bootable: true,
      active: true,
      confirmed: true,
    });
  if (state.staging.sha256)
    images.push({
      image: 0,
      slot: 1,
      version: '0.0.0',
      hash: state.staging.sha256,
      bootable: state.verified,
      pending: false,
    });
  return { body: { images, splitStatus: 0 } };
}

function slotInfo(slot: SlotState, stateName: string): CborMap {
  // len and sha256 only for a slot holding a complete image, as device/smp.c slot_status writes them.
  return slot.sha256
    ? { state: stateName, len: slot.length, sha256: slot.sha256 }
    : { state: stateName };
}

function stagingState(state: DeviceState): string {
  const up = state.upload;
  if (state.verified) return 'verified';
  if (up?.complete)
    return !up.sha || Buffer.compare(up.sha, state.staging.sha256!.subarray(0, up.sha.length)) === 0
      ? 'complete'
      : 'hash-mismatch';
  return up ? 'uploading' : 'empty';
}

function fwsign(state: DeviceState, write: boolean, id: number, req: CborMap): HandlerResult {
  if (id === SmpFwsignCommand.STATUS && !write) {
    return {
      body: {
        slot_size: state.slotSize,
        active: slotInfo(state.active, state.active.sha256 ? 'bootable' : 'empty'),
        staging: slotInfo(
          state.upload?.complete ? state.staging : { ...state.staging, sha256: undefined },
          stagingState(state),
        ),
        received: state.upload?.off ?? 0,
        stack_peak: 0,
        rc: 0,
      },
    };
  }
  if (!write) return rc(SmpError.ENOTSUP);
  if (id === SmpFwsignCommand.SIGNATURE) {
    const { alg, sig, certfile } = req;
    state.signature = undefined;
    state.verified = false;
    if (typeof alg !== 'string' || !(sig instanceof Uint8Array) || typeof certfile !== 'string')
      return verdictBody(ResultCode.ERR_ARG);
    if (!ALGORITHMS.some((a) => a.jobDocumentKey === alg))
      return verdictBody(ResultCode.ERR_UNKNOWN_ALG);
    if (sig.length === 0 || sig.length > SIG_MAX) return verdictBody(ResultCode.ERR_BAD_LENGTH);
    if (certfile.length === 0 || Buffer.byteLength(certfile) > CERTFILE_MAX)
      return verdictBody(ResultCode.ERR_ARG);
    state.signature = { alg, sig: sig.slice(), certfile };
    // Nothing is verified yet, and the firmware does not say "verified" (device/smp.c).
    return { body: { fwv: ResultCode.OK, text: SIGNATURE_STORED, rc: SmpError.EOK } };
  }
  if (id === SmpFwsignCommand.VERIFY) {
    const v = verifyStaging(state);
    state.verified = v.fwv === ResultCode.OK;
    return verdictBody(v.fwv);
  }
  if (id === SmpFwsignCommand.MARK_BOOTABLE) {
    if (!state.verified) return verdictBody(ResultCode.ERR_NOT_VERIFIED);
    // Re-verified from the slot before anything is journalled, as the firmware does.
    const again = verifyStaging(state);
    if (again.fwv !== ResultCode.OK) return verdictBody(again.fwv);
    state.active = {
      data: state.staging.data.slice(),
      length: state.staging.length,
      sha256: state.staging.sha256,
      signature: state.signature,
    };
    // The staging trailer is erased and the verifier's staging state reset; the bytes stay in flash.
    state.staging = { data: state.staging.data, length: 0, sha256: undefined };
    state.upload = undefined;
    state.signature = undefined;
    state.verified = false;
    return verdictBody(ResultCode.OK);
  }
  return rc(SmpError.ENOTSUP);
}

/** In the firmware's order (device/slots.c fwv_verify_staging): image, its hash, the signature. */
function verifyStaging(state: DeviceState): { fwv: number; text: string } {
  if (!state.upload?.complete || !state.staging.sha256) return verdict(ResultCode.ERR_NO_IMAGE);
  if (
    state.upload.sha &&
    Buffer.compare(state.upload.sha, state.staging.sha256.subarray(0, state.upload.sha.length)) !==
      0
  )
    return verdict(ResultCode.ERR_HASH_MISMATCH);
  if (!state.signature) return verdict(ResultCode.ERR_NO_SIGNATURE);
  return verifyImage(
    state.staging.data.subarray(0, state.staging.length),
    state.signature,
    state.anchors,
  );
}

/** The verifier's boot decision over the active slot: its image must verify with its own signature. */
export function bootDecision(state: DeviceState): number {
  const a = state.active;
  if (!a.sha256 || !a.signature) return ResultCode.ERR_NO_IMAGE;
  return verifyImage(a.data.subarray(0, a.length), a.signature, state.anchors).fwv;
}
