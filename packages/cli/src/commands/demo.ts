/**
 * `fwsign demo`: the good-image scenario on an emulated board, every step printed. A development
 * key and certificate, the test application signed for AmazonFreeRTOS-Default, the OTA job
 * document, the board's trust anchor provisioned from the certificate, the flasher's upload over
 * the board's UART, the device's own verdict, mark bootable, reset, and the application's banner.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { encodeTrustAnchorTable } from '@fwsign/protocol';
import {
  buildOtaJobDocument,
  createDevelopmentCertificate,
  parseCertificate,
  parseOtaJobDocument,
  resolveEffectiveConfiguration,
  signerFromPrivateKey,
  signPayload,
  trustAnchorFromCertificate,
} from '@fwsign/signing-engine';
import {
  createBoard,
  DeviceSession,
  locateFirmware,
  openLink,
  Transcript,
  type Board,
  type BoardKind,
} from '@fwsign/harness';
import { FlasherError } from '@fwsign/flasher';
import { choice, integer, optionalString, parse, pathOf, UsageError } from '../args.js';
import { EXIT_FAILURE, EXIT_OK, type CliIo, type Command } from '../command.js';

const PLATFORM = 'AmazonFreeRTOS-Default';
const CERTFILE = '/certs/codesign.crt';

export const demo: Command = {
  name: 'demo',
  usage: `fwsign demo [--board qemu|renode|serial] [--machine mps2-an386|netduinoplus2] [--port /dev/ttyUSB0] [--baud 115200]
  --board qemu (default)   QEMU running the verifier firmware (built with make if missing)
  --board renode           Renode's stm32f4_discovery (needs renode on PATH)
  --board serial --port P  a real board already running the verifier; give the key it trusts:
      --key signer.key --cert signer.crt [--certfile ${CERTFILE}] --image app.bin
  --baud N                 throttle the link to N baud 8N1 (default 115200; 0 = unthrottled)`,
  async run(args, io) {
    const p = parse(args, {
      board: { type: 'string' },
      machine: { type: 'string' },
      port: { type: 'string' },
      baud: { type: 'string' },
      key: { type: 'string' },
      cert: { type: 'string' },
      certfile: { type: 'string' },
      image: { type: 'string' },
    });
    const kind = choice(p, 'board', ['qemu', 'renode', 'serial'] as const, 'qemu') as BoardKind;
    const port = optionalString(p, 'port');
    if (
      kind === 'serial' &&
      (!port ||
        !optionalString(p, 'key') ||
        !optionalString(p, 'cert') ||
        !optionalString(p, 'image'))
    ) {
      throw new UsageError(
        '--board serial expected --port, --key, --cert and --image (the board is provisioned already), got some missing',
      );
    }
    const baud = integer(p, 'baud', 0, 4_000_000) ?? 115200;
    const machine =
      optionalString(p, 'machine') ?? (kind === 'renode' ? 'stm32f4_discovery' : 'mps2-an386');
    const certfile = optionalString(p, 'certfile') ?? CERTFILE;
    const t0 = performance.now();
    let n = 0;
    const step = (text: string): void =>
      void io.stdout.write(
        `\n== ${++n}. ${text}  (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`,
      );
    const say = (text: string): void => void io.stdout.write(`   ${text}\n`);

    step(
      kind === 'serial'
        ? 'load the key and certificate the board trusts'
        : 'create a development key and code-signing certificate (ECDSA P-256)',
    );
    const material =
      kind === 'serial'
        ? {
            privateKeyPem: await readFile(pathOf(io, optionalString(p, 'key')!), 'utf8'),
            certificatePem: await readFile(pathOf(io, optionalString(p, 'cert')!), 'utf8'),
          }
        : await createDevelopmentCertificate({
            algorithm: 'ecdsa-p256',
            subject: 'CN=fwsign demo signer, O=fwsign',
          });
    const cert = parseCertificate(material.certificatePem);
    say(
      `certificate: ${cert.subject}, sha256 ${Buffer.from(cert.sha256).toString('hex').slice(0, 16)}…`,
    );

    const image =
      kind === 'serial'
        ? new Uint8Array(await readFile(pathOf(io, optionalString(p, 'image')!)))
        : locateFirmware(machine).app(1);
    step(`sign the test application (${image.length} bytes) for ${PLATFORM}`);
    const signed = await signPayload({
      config: resolveEffectiveConfiguration(PLATFORM),
      signer: signerFromPrivateKey(material.privateKeyPem),
      payload: image,
    });
    say(
      `${signed.signatureAlgorithm}, ${signed.format}: signed object of ${signed.signedObject.length} bytes, signature ${signed.signature.length} bytes`,
    );

    step('build the OTA job document');
    const doc = buildOtaJobDocument({
      // The stream AWS IoT would create for an MQTT download (the demo flashes over the UART).
      files: [
        {
          signedObject: {
            format: signed.format,
            rawPayloadSize: signed.rawPayloadSize,
            signature: signed.signature,
            signatureAlgorithm: signed.signatureAlgorithm,
          },
          filepath: '/ota/app.bin',
          certfile,
          streamname: `AFR_OTA-${randomUUID()}`,
        },
      ],
    });
    const file = parseOtaJobDocument(doc).files[0]!;
    say(`${JSON.stringify(doc).slice(0, 240)}…`);

    const anchors = encodeTrustAnchorTable([trustAnchorFromCertificate(cert, certfile)]);
    step(
      kind === 'serial'
        ? `open the board on ${port}`
        : `provision the board's trust anchor "${certfile}" from the certificate (${anchors.length} bytes) and boot it`,
    );
    const board = createBoard({ kind, machine, ...(port ? { port } : {}) });
    const transcript = new Transcript();
    let session: DeviceSession | undefined;
    try {
      await board.start({ anchors });
      say(`board: ${board.description}, UART at ${board.serialPath()}`);
      session = new DeviceSession(
        openLink(board, transcript, baud > 0 ? { baud } : {}).transport,
        board.linkTimeoutMs ? { timeoutMs: board.linkTimeoutMs } : {},
      );
      await session.sync(60_000);
      const status = await verifierStatus(session, say);
      say(
        `verifier answers: slot size ${status.slotSize} bytes, active slot ${status.active.state}`,
      );

      step(`flash over the UART${baud > 0 ? ` at ${baud} baud` : ''} with the flasher`);
      const stats = await session.upload(image);
      say(
        `${stats.bytes} bytes in ${(stats.ms / 1000).toFixed(2)} s (${Math.round(stats.bytes / (stats.ms / 1000))} B/s), ${stats.chunks} chunks, ${stats.resent} resent`,
      );

      step("hand the job document's signature to the device and ask it to verify");
      const handed = await session.signature(file.signature!, file.signatureKey!, file.certfile!);
      const verdict = handed.fwv === 0 ? await session.verify() : handed;
      say(`device verdict: ${verdict.name} (fwv ${verdict.fwv}) "${verdict.text}"`);
      if (verdict.fwv !== 0) throw new Error(`the device refused the image: ${verdict.text}`);

      step('mark the slot bootable and reset');
      const mark = await session.markBootable();
      say(`device: ${mark.name} "${mark.text}"`);
      if (mark.fwv !== 0)
        throw new Error(`the device refused to mark the slot bootable: ${mark.text}`);
      const since = board.uart.mark();
      await session.reset();
      const banner = await board.uart.waitFor(/fwsign-demo-app v\d+/, { since, timeoutMs: 20_000 });
      step('the application runs');
      say(`banner: ${banner}`);
      io.stdout.write(`\ndemo: OK in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
      return EXIT_OK;
    } catch (err) {
      failure(io, board, transcript, err);
      return EXIT_FAILURE;
    } finally {
      session?.close();
      await board.stop();
    }
  },
};

/** The verifier's status; a board running an application is reset into the verifier first (boot_mode 1). */
async function verifierStatus(
  session: DeviceSession,
  say: (text: string) => void,
): Promise<Awaited<ReturnType<DeviceSession['status']>>> {
  try {
    return await session.status();
  } catch (err) {
    if (!(err instanceof FlasherError) || err.code !== 'NotSupported') throw err;
    say('the board runs an application: resetting it into the verifier (boot_mode 1)');
    await session.reset(1);
    await new Promise((r) => setTimeout(r, 500));
    await session.sync();
    return session.status();
  }
}

function failure(io: CliIo, board: Board, transcript: Transcript, err: unknown): void {
  io.stderr.write(`\nfwsign demo: FAILED: ${err instanceof Error ? err.message : String(err)}\n`);
  io.stderr.write(`--- ${board.description} UART ---\n${board.uart.textSince().slice(-1500)}\n`);
  io.stderr.write(
    `--- link transcript (last lines) ---\n${transcript.lines.slice(-20).join('\n')}\n`,
  );
}
