import { listSigningPlatforms as list } from '@fwsign/signing-engine/platforms';
import type { Command } from '../command.js';
import { GLOBAL_USAGE } from './aws/connection.js';
import { answer, one, platformFlags } from './platform-query.js';

export const listSigningPlatforms: Command = {
  name: 'list-signing-platforms',
  aws: true,
  usage: `fwsign list-signing-platforms [--category AWS|AWSIoT] [--partner P] [--target T]
  Answered from fwsign's catalog; with --endpoint-url, by that server.
${GLOBAL_USAGE}`,
  async run(args, io) {
    const flags = platformFlags(args, ['category', 'partner', 'target']);
    const filter: { category?: string; partner?: string; target?: string } = {};
    for (const k of ['category', 'partner', 'target'] as const) {
      const v = one(flags, k);
      if (v !== undefined) filter[k] = v;
    }
    return answer(io, flags, 'ListSigningPlatforms', filter, () => ({ platforms: list(filter) }));
  },
};
