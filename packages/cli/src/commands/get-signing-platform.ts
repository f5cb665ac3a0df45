import { getSigningPlatform as get } from '@fwsign/signing-engine/platforms';
import { UsageError } from '../args.js';
import type { Command } from '../command.js';
import { GLOBAL_USAGE } from './aws/connection.js';
import { unknownPlatform } from './platform-input.js';
import { answer, one, platformFlags } from './platform-query.js';

export const getSigningPlatform: Command = {
  name: 'get-signing-platform',
  aws: true,
  usage: `fwsign get-signing-platform --platform-id ID
  Answered from fwsign's catalog; with --endpoint-url, by that server.
${GLOBAL_USAGE}`,
  async run(args, io) {
    const flags = platformFlags(args, ['platform-id']);
    const id = one(flags, 'platform-id');
    if (!id) throw new UsageError('the following arguments are required: --platform-id');
    return answer(io, flags, 'GetSigningPlatform', { platformId: id }, () => {
      const platform = get(id);
      if (!platform)
        io.stderr.write(
          `An error occurred (ResourceNotFoundException) when calling the GetSigningPlatform operation: ${unknownPlatform(id)}\n`,
        );
      return platform ? { ...platform } : undefined;
    });
  },
};
