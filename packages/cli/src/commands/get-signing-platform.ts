import { getSigningPlatform as get } from '@fwsign/signing-engine/platforms';
import { parse, requireString } from '../args.js';
import { EXIT_FAILURE, EXIT_OK, type Command } from '../command.js';

export const getSigningPlatform: Command = {
  name: 'get-signing-platform',
  usage: 'fwsign get-signing-platform --platform-id ID',
  async run(args, io) {
    const id = requireString(parse(args, { 'platform-id': { type: 'string' } }), 'platform-id');
    const platform = get(id);
    if (!platform) {
      io.stderr.write(
        `fwsign: ResourceNotFoundException: no signing platform ${JSON.stringify(id)}; see fwsign list-signing-platforms\n`,
      );
      return EXIT_FAILURE;
    }
    io.stdout.write(`${JSON.stringify(platform, null, 4)}\n`);
    return EXIT_OK;
  },
};
