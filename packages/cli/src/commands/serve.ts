/** `fwsign serve`: the AWS-Signer-compatible server in the foreground until SIGTERM or SIGINT. */
import { AccessLog, SignerServer } from '@fwsign/api';
import { integer, optionalString, parse, pathOf, requireString } from '../args.js';
import { EXIT_OK, type Command } from '../command.js';

export const serve: Command = {
  name: 'serve',
  usage:
    'fwsign serve --data-dir DIR [--port 8080] [--host 127.0.0.1] [--region us-east-1] [--rate-limit REQUESTS_PER_SECOND] [--quiet]\n' +
    '  Credentials: DIR/credentials.json (created with access key "test", secret "test", account 000000000000).\n' +
    '  SIGHUP re-reads credentials.json. SIGTERM/SIGINT stop gracefully: in-flight requests finish, the database closes.',
  async run(args, io) {
    const p = parse(args, {
      'data-dir': { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      region: { type: 'string' },
      'rate-limit': { type: 'string' },
      quiet: { type: 'boolean' },
    });
    const dataDir = pathOf(io, requireString(p, 'data-dir'));
    const port = integer(p, 'port', 0, 65535) ?? 8080;
    const rate = integer(p, 'rate-limit', 1, 10_000_000);
    // One stderr write per event-loop turn rather than per request (see AccessLog).
    const log = new AccessLog((text) => void io.stderr.write(text));
    const server = await SignerServer.open({
      dataDir,
      port,
      host: optionalString(p, 'host') ?? '127.0.0.1',
      region: optionalString(p, 'region') ?? 'us-east-1',
      ...(rate !== undefined ? { rateLimit: { ratePerSecond: rate, burst: rate * 2 } } : {}),
      accessLog: p.values.quiet === true ? false : log.line,
    });
    const { url } = await server.listen();
    io.stderr.write(
      `fwsign serve: listening on ${url} (region ${server.region}, data ${dataDir})\n`,
    );
    // SIGHUP re-reads credentials.json, so an account can be added without a restart.
    const onHup = (): void => {
      log.flush();
      try {
        io.stderr.write(`fwsign serve: SIGHUP: ${server.reloadCredentials()} access keys loaded\n`);
      } catch (err) {
        io.stderr.write(`fwsign serve: SIGHUP: credentials unchanged: ${(err as Error).message}\n`);
      }
    };
    process.on('SIGHUP', onHup);
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'));
      process.once('SIGINT', () => resolve('SIGINT'));
    });
    process.off('SIGHUP', onHup);
    log.flush();
    io.stderr.write(`fwsign serve: ${signal}: finishing in-flight requests\n`);
    await server.close();
    log.flush();
    io.stderr.write('fwsign serve: stopped, database closed\n');
    return EXIT_OK;
  },
};
