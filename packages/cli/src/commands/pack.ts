import { writeFile } from 'node:fs/promises';
import {
  formatVersion,
  loadFlashInput,
  packMcubootImage,
  parseMcubootImage,
  parseVersion,
} from '@fwsign/flasher';
import { optionalString, parse, pathOf, requireString, UsageError } from '../args.js';
import { EXIT_OK, type Command } from '../command.js';
import { readInput } from '../files.js';
import { DEFAULT_CERTFILE } from './flash.js';

export const pack: Command = {
  name: 'pack',
  usage: `fwsign pack --in fw.signed.json --version 1.2.3[+4] --out fw.mcuboot.bin
  --payload fw.bin              the image of a JSONDetached signed object
  --certfile ${DEFAULT_CERTFILE}  the trust anchor's name on the device (the job document's certfile)
The result goes through stock tools: mcumgr image upload fw.mcuboot.bin, image test <hash>, reset.`,
  async run(args, io) {
    const p = parse(args, {
      in: { type: 'string' },
      payload: { type: 'string' },
      version: { type: 'string' },
      certfile: { type: 'string' },
      out: { type: 'string' },
    });
    const file = new Uint8Array(await readInput('--in', pathOf(io, requireString(p, 'in'))));
    const payloadPath = optionalString(p, 'payload');
    let version;
    try {
      version = parseVersion(requireString(p, 'version'));
    } catch (err) {
      if (err instanceof RangeError) throw new UsageError(`--${err.message}`);
      throw err;
    }
    const input = loadFlashInput({
      file,
      ...(payloadPath
        ? { payload: new Uint8Array(await readInput('--payload', pathOf(io, payloadPath))) }
        : {}),
    });
    const certfile = optionalString(p, 'certfile') ?? DEFAULT_CERTFILE;
    const image = packMcubootImage({
      payload: input.image,
      signature: input.signature,
      alg: input.alg,
      certfile,
      version,
    });
    await writeFile(pathOf(io, requireString(p, 'out')), image);
    const { hash } = parseMcubootImage(image);
    io.stdout.write(
      `packed ${input.image.length} bytes (${input.alg}, ${certfile}) as MCUboot image version ${formatVersion(version)}, ${image.length} bytes, hash ${Buffer.from(hash).toString('hex')}\n`,
    );
    return EXIT_OK;
  },
};
