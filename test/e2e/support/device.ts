/**
 * The device half of the chain: the board's trust-anchor table made from the certificates (what a
 * provisioning station writes), and the image plus the job document's signature sent to the board.
 */
import { flashImage, type FlashResult, type Transport } from '@fwsign/flasher';
import { encodeTrustAnchorTable } from '@fwsign/protocol';
import { parseCertificate, trustAnchorFromCertificate } from '@fwsign/signing-engine';
import type { Board, DeviceSession, DeviceVerdict } from '@fwsign/harness';
import type { JobDocumentResult } from './job-document.js';

export const CERTFILE = '/certs/codesign.crt';
export const RSA_CERTFILE = '/certs/codesign-cc3220.crt';

export function provisionAnchors(
  certs: Array<{ certificatePem: string; certfile: string }>,
): Uint8Array {
  return encodeTrustAnchorTable(
    certs.map((c) => trustAnchorFromCertificate(parseCertificate(c.certificatePem), c.certfile)),
  );
}

/** What an OTA agent takes from the job document: the signature, its algorithm, the certfile. */
export function deviceSignature(doc: JobDocumentResult): {
  signature: Uint8Array;
  alg: string;
  certfile: string;
} {
  const f = doc.parsed.files[0]!;
  if (!f.signature || !f.signatureKey || !f.certfile)
    throw new Error(`job document: expected a signature, its key and a certfile, got ${doc.json}`);
  return { signature: f.signature, alg: f.signatureKey, certfile: f.certfile };
}

/**
 * The flasher's flow (`fwsign flash`): upload, signature, verify and, with `boot`, mark bootable,
 * reset, and the verifier's boot line naming the image's SHA-256 (the test application that runs
 * afterwards serves echo and reset only, so the verifier, not the app, confirms what booted).
 */
export async function flashWithFlasher(
  transport: Transport,
  image: Uint8Array,
  doc: JobDocumentResult,
  opts: { timeoutMs?: number; boot?: boolean } = {},
): Promise<FlashResult> {
  return flashImage({
    transport,
    image,
    ...deviceSignature(doc),
    boot: opts.boot ?? false,
    timeoutMs: opts.timeoutMs ?? 3000,
  });
}

/** Resets a board running the application back into the verifier (boot_mode 1) and waits for it. */
export async function enterVerifier(board: Board, session: DeviceSession): Promise<void> {
  const mark = board.uart.mark();
  await session.reset(1);
  await board.uart.waitFor('staying on request, serving SMP', { since: mark, timeoutMs: 15_000 });
}

/** Resets (SMP) and returns once `banner` is on the UART. */
export async function resetInto(
  board: Board,
  session: DeviceSession,
  banner: string,
): Promise<void> {
  const mark = board.uart.mark();
  await session.reset();
  await board.uart.waitFor(banner, { since: mark, timeoutMs: 15_000 });
}

/** Marks the verified slot bootable, resets, and returns once `banner` is on the UART. */
export async function bootVerified(
  board: Board,
  session: DeviceSession,
  banner: string,
): Promise<DeviceVerdict> {
  const mark = board.uart.mark();
  const verdict = await session.markBootable();
  if (verdict.fwv !== 0) return verdict;
  await session.reset();
  await board.uart.waitFor(banner, { since: mark, timeoutMs: 15_000 });
  return verdict;
}

export interface StepVerdicts {
  signature: DeviceVerdict;
  verify: DeviceVerdict;
  mark: DeviceVerdict;
}

/** Upload, hand over the signature, verify, mark bootable: each verdict as the device gave it. */
export async function installStepwise(
  session: DeviceSession,
  image: Uint8Array,
  sig: { signature: Uint8Array; alg: string; certfile: string },
): Promise<StepVerdicts> {
  await session.upload(image);
  const signature = await session.signature(sig.signature, sig.alg, sig.certfile);
  const verify = await session.verify();
  const mark = await session.markBootable();
  return { signature, verify, mark };
}
