import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../packages/cli/src/main.ts', import.meta.url));

/**
 * `fwsign serve` from source in a child process on a free port, quiet and without a rate limit to
 * speak of; resolves once it prints its URL. The caller kills the child when done. `args` go after
 * the usual ones (`--database URL`), `env` over this process's (FWSIGN_MASTER_KEY).
 */
export async function startServe(
  dataDir: string,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      MAIN,
      'serve',
      '--data-dir',
      dataDir,
      '--port',
      '0',
      '--quiet',
      '--rate-limit',
      '10000000',
      ...args,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } },
  );
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`server did not start: ${stderr}`));
    }, 60_000);
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
  });
  return { child, url };
}
