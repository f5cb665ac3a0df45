import { listSigningPlatforms as list } from '@fwsign/signing-engine/platforms';
import { optionalString, parse } from '../args.js';
import { EXIT_OK, type Command } from '../command.js';

export const listSigningPlatforms: Command = {
  name: 'list-signing-platforms',
  usage: 'fwsign list-signing-platforms [--category AWS|AWSIoT] [--partner P] [--target T]',
  async run(args, io) {
    const p = parse(args, {
      category: { type: 'string' },
      partner: { type: 'string' },
      target: { type: 'string' },
    });
    const filter: { category?: string; partner?: string; target?: string } = {};
    for (const k of ['category', 'partner', 'target'] as const) {
      const v = optionalString(p, k);
      if (v !== undefined) filter[k] = v;
    }
    io.stdout.write(`${JSON.stringify({ platforms: list(filter) }, null, 4)}\n`);
    return EXIT_OK;
  },
};
