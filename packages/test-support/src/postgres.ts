/**
 * A throw-away PostgreSQL server for tests, from Debian's `postgresql` package (scripts/setup.sh
 * installs it): `initdb` into a temp dir, the server on a free loopback port with its unix socket
 * in that dir, stopped and deleted by `stop()`. No system service is assumed or touched.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PostgresServer {
  /** `postgres://fwsign@127.0.0.1:<port>/postgres`: trust authentication, loopback only. */
  readonly url: string;
  readonly port: number;
  /** The temp dir holding the cluster and the unix socket. */
  readonly dir: string;
  /**
   * A further empty database on this server, by its URL (one per suite keeps suites apart).
   * `icuLocale` gives it that ICU locale's text ordering rather than the cluster's C, as an
   * operator's database may well have.
   */
  createDatabase(name: string, opts?: { icuLocale?: string }): string;
  /** Fast shutdown and a start again on the same port and data: every connection is cut, as by a restart or failover. */
  restart(): Promise<void>;
  /** Fast shutdown, then the temp dir is deleted. */
  stop(): Promise<void>;
}

const DEBIAN_ROOT = '/usr/lib/postgresql';

/** The folder holding initdb and postgres: $FWSIGN_PG_BIN, else Debian's newest version; undefined when absent. */
export function postgresBinDir(): string | undefined {
  const fromEnv = process.env['FWSIGN_PG_BIN'];
  if (fromEnv) return existsSync(join(fromEnv, 'initdb')) ? fromEnv : undefined;
  if (!existsSync(DEBIAN_ROOT)) return undefined;
  const versions = readdirSync(DEBIAN_ROOT)
    .filter((v) => /^[0-9]+$/.test(v) && existsSync(join(DEBIAN_ROOT, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(DEBIAN_ROOT, versions[0], 'bin');
}

/** Why PostgreSQL tests are skipped here, or undefined when they can run. */
export function postgresSkipReason(): string | undefined {
  return postgresBinDir()
    ? undefined
    : `PostgreSQL tests skipped: no initdb under ${DEBIAN_ROOT}/<version>/bin (apt-get install postgresql, as scripts/setup.sh does, or set FWSIGN_PG_BIN)`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * initdb and postgres refuse to run as root; as root (CI, containers) they run as the `postgres`
 * user that Debian's package creates, owning the temp dir.
 */
function asUser(dir: string): { wrap: (cmd: string, args: string[]) => [string, string[]] } {
  if (process.getuid?.() !== 0) return { wrap: (cmd, args) => [cmd, args] };
  const ids = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gids = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (ids.status !== 0)
    throw new Error('startPostgres: running as root and there is no "postgres" user to run as');
  chownSync(dir, Number(ids.stdout.trim()), Number(gids.stdout.trim()));
  // setpriv execs the command itself (no parent in between), so a signal to the child reaches it.
  return {
    wrap: (cmd, args) => [
      'setpriv',
      ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', cmd, ...args],
    ],
  };
}

async function waitReady(
  bin: string,
  dir: string,
  port: number,
  child: ChildProcess,
  log: () => string,
) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`startPostgres: the server exited (${child.exitCode}): ${log()}`);
    const r = spawnSync(join(bin, 'pg_isready'), ['-q', '-h', dir, '-p', String(port)]);
    if (r.status === 0) return;
    if (Date.now() > deadline) throw new Error(`startPostgres: not ready after 60 s: ${log()}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

/** Starts a fresh server; the caller stops it (afterAll). */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBinDir();
  if (!bin) throw new Error(postgresSkipReason());
  const dir = mkdtempSync(join(tmpdir(), 'fwsign-pg-'));
  const data = join(dir, 'data');
  try {
    const user = asUser(dir);
    const [initCmd, initArgs] = user.wrap(join(bin, 'initdb'), [
      '-D',
      data,
      '-U',
      'fwsign',
      '--auth=trust',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
    ]);
    const init = spawnSync(initCmd, initArgs, { encoding: 'utf8' });
    if (init.status !== 0)
      throw new Error(`startPostgres: initdb failed (${init.status}): ${init.stderr}`);
    const port = await freePort();
    // The proofs kill fwsign servers, never PostgreSQL, so its own fsync proves nothing here and
    // only costs time on a shared disk; a commit is still in the server before it answers.
    const [cmd, args] = user.wrap(join(bin, 'postgres'), [
      '-D',
      data,
      '-p',
      String(port),
      '-k',
      dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=100',
    ]);
    let stderr = '';
    const launch = async (): Promise<ChildProcess> => {
      const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr.on('data', (d: Buffer) => {
        stderr = (stderr + d.toString()).slice(-4000);
      });
      await waitReady(bin, dir, port, child, () => stderr);
      return child;
    };
    const shutdown = async (child: ChildProcess): Promise<void> => {
      if (child.exitCode !== null) return;
      const exited = new Promise((res) => child.once('exit', res));
      // SIGINT is PostgreSQL's fast shutdown: sessions are ended, nothing waits for clients.
      child.kill('SIGINT');
      await exited;
    };
    // A test process that dies without stop() takes its server with it, not leaving it running.
    let child: ChildProcess | undefined;
    const orphaned = () => child?.kill('SIGINT');
    process.once('exit', orphaned);
    child = await launch();
    const urlOf = (db: string) => `postgres://fwsign@127.0.0.1:${port}/${db}`;
    return {
      url: urlOf('postgres'),
      port,
      dir,
      createDatabase(name, opts = {}) {
        if (!/^[a-z_][a-z0-9_]*$/.test(name))
          throw new RangeError(
            `createDatabase: "name" expected [a-z_][a-z0-9_]*, got ${JSON.stringify(name)}`,
          );
        const r = spawnSync(
          join(bin, 'createdb'),
          [
            ...['-h', dir, '-p', String(port), '-U', 'fwsign'],
            ...(opts.icuLocale
              ? ['-T', 'template0', '--locale-provider=icu', `--icu-locale=${opts.icuLocale}`]
              : []),
            name,
          ],
          { encoding: 'utf8' },
        );
        if (r.status !== 0) throw new Error(`createdb ${name} failed: ${r.stderr}`);
        return urlOf(name);
      },
      async restart() {
        await shutdown(child!);
        child = await launch();
      },
      async stop() {
        process.removeListener('exit', orphaned);
        await shutdown(child!);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
