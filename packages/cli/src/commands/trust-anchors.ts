import { encodeTrustAnchorTable } from '@fwsign/protocol';
import { parseCertificate, trustAnchorFromCertificate } from '@fwsign/signing-engine';
import { parse, pathOf, requireString, strings, UsageError } from '../args.js';
import { EXIT_OK, type Command } from '../command.js';
import { writeFileAtomic } from '../files.js';
import { readCertificate } from '../certificate-input.js';

export const trustAnchors: Command = {
  name: 'trust-anchors',
  usage: `fwsign trust-anchors --cert c.pem --name /certs/codesign.crt [--cert … --name …] --out anchors.bin
  Each --name is the certfile path OTA job documents use for that certificate.`,
  async run(args, io) {
    const p = parse(args, {
      cert: { type: 'string', multiple: true },
      name: { type: 'string', multiple: true },
      out: { type: 'string' },
    });
    const certs = strings(p, 'cert');
    const names = strings(p, 'name');
    const out = pathOf(io, requireString(p, 'out'));
    if (certs.length === 0) throw new UsageError('--cert is required');
    if (names.length !== certs.length)
      throw new UsageError(
        `--name expected once per --cert (${certs.length}), got ${names.length}`,
      );
    const anchors = [];
    for (const [i, path] of certs.entries()) {
      anchors.push(
        trustAnchorFromCertificate(
          parseCertificate(new Uint8Array((await readCertificate('--cert', pathOf(io, path))).raw)),
          names[i]!,
        ),
      );
    }
    const table = encodeTrustAnchorTable(anchors);
    await writeFileAtomic(out, table);
    io.stdout.write(
      `wrote ${out} (${table.length} bytes, ${anchors.length} anchor${anchors.length === 1 ? '' : 's'})\n`,
    );
    for (const a of anchors)
      io.stdout.write(
        `  ${a.name}: ${a.key.type}, certificate sha256 ${Buffer.from(a.certSha256).toString('hex')}\n`,
      );
    return EXIT_OK;
  },
};
