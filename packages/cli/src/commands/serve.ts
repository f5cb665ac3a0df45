/** `fwsign serve`: the AWS-Signer-compatible server in the foreground until SIGTERM or SIGINT. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { AccessLog, CONSOLE_PATH, SignerServer } from '@fwsign/api';
import { redactUrl } from '@fwsign/store';
import { InputError } from '../failure.js';
import { databaseOf, STORE_FLAGS } from '../store-location.js';
import { choice, integer, optionalString, parse, pathOf, requireString } from '../args.js';
import { EXIT_OK, type Command } from '../command.js';

export const serve: Command = {
  name: 'serve',
  usage:
    'fwsign serve --data-dir DIR [--database postgres://USER:PASSWORD@HOST:PORT/DB] [--port 8080] [--host 127.0.0.1] [--region us-east-1] [--rate-limit REQUESTS_PER_SECOND] [--console-dir DIR] [--quiet]\n' +
    '             [--audit-log on|off] [--audit-origin NAME] [--checkpoint-interval SECONDS] [--managed-keys-pkcs11-uri URI]\n' +
    '  The web console is served at /console/ from --console-dir (default: the built console beside the bundle, or packages/console/dist).\n' +
    '  Store engine: SQLite in DIR/signer.db (the default), or PostgreSQL with --database URL (or FWSIGN_DATABASE):\n' +
    '  several servers on one database serve the same profiles, jobs and objects. Every one of them needs the same master\n' +
    '  key (FWSIGN_MASTER_KEY, or the same DIR/master.key); one with another key refuses to start.\n' +
    '  Credentials: DIR/credentials.json (created with access key "test", secret "test", account 000000000000).\n' +
    '  Transparency log (on by default): every change is an entry under DIR/audit/; a signed checkpoint is made every\n' +
    '  --checkpoint-interval SECONDS (default 60) when the log grew. --audit-origin NAME names the log when it is first made;\n' +
    '  --audit-log off records nothing (changes made meanwhile are missing from the log for good).\n' +
    '  --managed-keys-pkcs11-uri URI (or FWSIGN_MANAGED_KEYS_PKCS11_URI), e.g. pkcs11:token=fwsign-managed: the Lambda and\n' +
    '  Notation keys Signer manages are made in that PKCS#11 token (module and PIN: FWSIGN_PKCS11_MODULE, FWSIGN_PKCS11_PIN,\n' +
    "  or the URI's module-path and pin-source); the database keeps their URIs only.\n" +
    '  SIGHUP re-reads credentials.json. SIGTERM/SIGINT stop gracefully: in-flight requests finish, the database closes.',
  async run(args, io) {
    const p = parse(args, {
      ...STORE_FLAGS,
      port: { type: 'string' },
      host: { type: 'string' },
      region: { type: 'string' },
      'rate-limit': { type: 'string' },
      quiet: { type: 'boolean' },
      'console-dir': { type: 'string' },
      'audit-log': { type: 'string' },
      'audit-origin': { type: 'string' },
      'checkpoint-interval': { type: 'string' },
      'managed-keys-pkcs11-uri': { type: 'string' },
    });
    const managedKeysUri =
      optionalString(p, 'managed-keys-pkcs11-uri') ??
      (process.env.FWSIGN_MANAGED_KEYS_PKCS11_URI || undefined);
    const auditLog = choice(p, 'audit-log', ['on', 'off'] as const, 'on');
    const auditOrigin = optionalString(p, 'audit-origin');
    const checkpointSeconds = integer(p, 'checkpoint-interval', 1, 86_400) ?? 60;
    const given = optionalString(p, 'console-dir');
    const consoleDir = given !== undefined ? pathOf(io, given) : defaultConsoleDir();
    const dataDir = pathOf(io, requireString(p, 'data-dir'));
    const database = databaseOf(io, p);
    const port = integer(p, 'port', 0, 65535) ?? 8080;
    const rate = integer(p, 'rate-limit', 1, 10_000_000);
    // One stderr write per event-loop turn rather than per request (see AccessLog).
    const log = new AccessLog((text) => void io.stderr.write(text));
    const host = optionalString(p, 'host') ?? '127.0.0.1';
    // A port in use is found before the data folder is made, so a failed start leaves nothing.
    await checkPortFree(host, port);
    const created = !existsSync(dataDir);
    // A start refused (a database unreachable, another master key) leaves no folder it made.
    const undo = async (): Promise<void> => {
      if (created) await rm(dataDir, { recursive: true, force: true });
    };
    const server = await SignerServer.open({
      dataDir,
      port,
      host,
      region: optionalString(p, 'region') ?? 'us-east-1',
      ...(database !== undefined ? { database } : {}),
      ...(rate !== undefined ? { rateLimit: { ratePerSecond: rate, burst: rate * 2 } } : {}),
      accessLog: p.values.quiet === true ? false : log.line,
      ...(consoleDir !== undefined ? { consoleDir } : {}),
      auditLog: auditLog === 'on',
      ...(auditOrigin !== undefined ? { auditOrigin } : {}),
      checkpointIntervalMs: checkpointSeconds * 1000,
      ...(managedKeysUri !== undefined ? { managedKeysPkcs11Uri: managedKeysUri } : {}),
    }).catch(async (err: unknown) => {
      await undo();
      throw err;
    });
    let url: string;
    try {
      ({ url } = await server.listen());
    } catch (err) {
      // Taken between the check and now: undo the start.
      await server.close();
      await undo();
      throw portError(host, port, err);
    }
    io.stderr.write(
      `fwsign serve: listening on ${url} (region ${server.region}, data ${dataDir}, store ${
        database !== undefined ? `PostgreSQL ${redactUrl(database)}` : 'SQLite'
      })\n`,
    );
    io.stderr.write(
      consoleDir !== undefined
        ? `fwsign serve: console at ${url}${CONSOLE_PATH}\n`
        : 'fwsign serve: no console (not built: pnpm --filter @fwsign/console build)\n',
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

/** The CLI bundle ships the console in dist/console; from source it is packages/console/dist. */
function defaultConsoleDir(): string | undefined {
  for (const rel of ['./console/', '../../../console/dist/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(`${dir}index.html`)) return dir;
  }
  return undefined;
}

function portError(host: string, port: number, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE')
    return new InputError(
      code,
      `port ${port} on ${host} is in use (EADDRINUSE): pass --port with a free port (--port 0 picks one), or stop what listens there`,
    );
  if (code === 'EACCES')
    return new InputError(
      code,
      `port ${port} on ${host} needs privileges (EACCES): pass --port 1024 or above`,
    );
  return err as Error;
}

/** Binds and releases the port, so a port in use is reported before anything is created. */
function checkPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err) => reject(portError(host, port, err)));
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}
