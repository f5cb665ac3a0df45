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
  --board renode           Renode's stm32f4_discovery, flash-slot build (Renode on PATH, in $RENODE or ../shared/renode/renode)
  --board serial --port P  a real board already running the verifier; give the key it trusts:
      --key signer.key --cert signer.crt [--certfile ${CERTFILE}] --image app.bin
  --baud N                 throttle the link to N baud 8N1 (default 115200; 0 = unthrottled)`,
  async run(args, io) {
    const o = demoOptions(args);
    const { step, say, elapsed } = narrator(io);

    step(
      o.kind === 'serial'
        ? 'load the key and certificate the board trusts'
        : 'create a development key and code-signing certificate (ECDSA P-256)',
    );
    const material = await signingMaterial(o, io);
    const cert = parseCertificate(material.certificatePem);
    say(
      `certificate: ${cert.subject}, sha256 ${Buffer.from(cert.sha256).toString('hex').slice(0, 16)}…`,
    );

    const image = o.image
      ? new Uint8Array(await readFile(pathOf(io, o.image)))
      : locateFirmware(o.machine).app(1);
    step(`sign the test application (${image.length} bytes) for ${PLATFORM}`);
    const file = await signedJobFile(image, material.privateKeyPem, o.certfile, say, step);

    const anchors = encodeTrustAnchorTable([trustAnchorFromCertificate(cert, o.certfile)]);
    step(
      o.kind === 'serial'
        ? `open the board on ${o.port}`
        : `provision the board's trust anchor "${o.certfile}" from the certificate (${anchors.length} bytes) and boot it`,
    );
    const board = createBoard({
      kind: o.kind,
      machine: o.machine,
      ...(o.port ? { port: o.port } : {}),
    });
    const transcript = new Transcript();
    let session: DeviceSession | undefined;
    try {
      await board.start({ anchors });
      say(`board: ${board.description}, UART at ${board.serialPath()}`);
      session = new DeviceSession(
        openLink(board, transcript, o.baud > 0 ? { baud: o.baud } : {}).transport,
        board.linkTimeoutMs ? { timeoutMs: board.linkTimeoutMs } : {},
      );
      await flashVerifyBoot(board, session, image, file, o.baud, step, say);
      io.stdout.write(`\ndemo: OK in ${elapsed()} s\n`);
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

interface DemoOptions {
  kind: BoardKind;
  machine: string;
  port?: string;
  baud: number;
  certfile: string;
  /** A real board's key, certificate and image (--board serial); the rest make their own. */
  key?: string;
  cert?: string;
  image?: string;
}

function demoOptions(args: string[]): DemoOptions {
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
  const kind = choice<BoardKind>(p, 'board', ['qemu', 'renode', 'serial'], 'qemu');
  const port = optionalString(p, 'port');
  const key = optionalString(p, 'key');
  const cert = optionalString(p, 'cert');
  const image = optionalString(p, 'image');
  if (kind === 'serial' && (!port || !key || !cert || !image)) {
    throw new UsageError(
      '--board serial expected --port, --key, --cert and --image (the board is provisioned already), got some missing',
    );
  }
  return {
    kind,
    machine:
      optionalString(p, 'machine') ?? (kind === 'renode' ? 'stm32f4_discovery' : 'mps2-an386'),
    baud: integer(p, 'baud', 0, 4_000_000) ?? 115200,
    certfile: optionalString(p, 'certfile') ?? CERTFILE,
    ...(port ? { port } : {}),
    ...(kind === 'serial' ? { key, cert, image } : {}),
  };
}

/** Numbered steps with the time since the start, and indented detail lines. */
function narrator(io: CliIo) {
  const t0 = performance.now();
  const elapsed = (): string => ((performance.now() - t0) / 1000).toFixed(1);
  let n = 0;
  return {
    elapsed,
    step: (text: string): void => void io.stdout.write(`\n== ${++n}. ${text}  (${elapsed()} s)\n`),
    say: (text: string): void => void io.stdout.write(`   ${text}\n`),
  };
}

/** The key and certificate the board trusts (--board serial), or a fresh development pair. */
async function signingMaterial(
  o: DemoOptions,
  io: CliIo,
): Promise<{ privateKeyPem: string; certificatePem: string }> {
  if (o.key && o.cert)
    return {
      privateKeyPem: await readFile(pathOf(io, o.key), 'utf8'),
      certificatePem: await readFile(pathOf(io, o.cert), 'utf8'),
    };
  return createDevelopmentCertificate({
    algorithm: 'ecdsa-p256',
    subject: 'CN=fwsign demo signer, O=fwsign',
  });
}

type JobFile = ReturnType<typeof parseOtaJobDocument>['files'][number];

/** Signs the image and returns its entry in the OTA job document built around the signature. */
async function signedJobFile(
  image: Uint8Array,
  privateKeyPem: string,
  certfile: string,
  say: (text: string) => void,
  step: (text: string) => void,
): Promise<JobFile> {
  const signed = await signPayload({
    config: resolveEffectiveConfiguration(PLATFORM),
    signer: signerFromPrivateKey(privateKeyPem),
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
  say(`${JSON.stringify(doc).slice(0, 240)}…`);
  return parseOtaJobDocument(doc).files[0]!;
}

/** The device's part: upload, its own verdict on the signature, mark bootable, reset, banner. */
async function flashVerifyBoot(
  board: Board,
  session: DeviceSession,
  image: Uint8Array,
  file: JobFile,
  baud: number,
  step: (text: string) => void,
  say: (text: string) => void,
): Promise<void> {
  await session.sync(60_000);
  const status = await verifierStatus(session, say);
  say(`verifier answers: slot size ${status.slotSize} bytes, active slot ${status.active.state}`);

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
  if (mark.fwv !== 0) throw new Error(`the device refused to mark the slot bootable: ${mark.text}`);
  const since = board.uart.mark();
  await session.reset();
  const banner = await board.uart.waitFor(/fwsign-demo-app v\d+/, { since, timeoutMs: 20_000 });
  step('the application runs');
  say(`banner: ${banner}`);
}

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
