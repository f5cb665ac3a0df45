/** Each failure a user meets first: one line naming the problem and the next step, and its exit code. */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devKeys, fwsign, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(tmp.cleanup);
const run = (...argv: string[]) => fwsign(tmp.dir, ...argv);

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

beforeAll(async () => {
  expect((await devKeys(tmp.dir)).code).toBe(0);
  writeFileSync(join(tmp.dir, 'fw.bin'), Buffer.alloc(100, 1));
});

const sign = (over: Record<string, string>) =>
  run(
    'sign',
    ...Object.entries({
      '--platform-id': 'AmazonFreeRTOS-Default',
      '--key': 'k.pem',
      '--cert': 'c.pem',
      '--in': 'fw.bin',
      '--out': 'fw.signed.json',
      ...over,
    }).flat(),
  );

describe('errors that say what to do', () => {
  it('an endpoint not answering: every verb that talks to one names it and how to start the server', async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}`;
    const line = `cannot reach ${url} (ECONNREFUSED): is \`fwsign serve\` running? start it with \`fwsign serve --data-dir ./fwsign-data --port ${port}\`, or pass --endpoint-url\n`;
    // The AWS CLI's twins exit 255; fwsign's own verbs 1.
    const verbs: Array<[number, string[]]> = [
      [255, ['list-signing-profiles']],
      [255, ['list-signing-platforms']],
      [255, ['get-signing-platform', '--platform-id', 'AmazonFreeRTOS-Default']],
      [255, ['wait', 'successful-signing-job', '--job-id', 'j']],
      [255, ['import-certificate', '--certificate', 'fileb://c.pem', '--private-key', 'fileb://k.pem']], // prettier-ignore
      [1, ['ota-job-document', '--job-id', 'j', '--filepath', '/fw.bin', '--certfile', '/c.pem', '--stream', 'AFR_OTA-1']], // prettier-ignore
    ];
    for (const [code, argv] of verbs) {
      const r = await run(...argv, '--endpoint-url', url);
      const verb = argv[0] === 'wait' ? 'wait successful-signing-job' : argv[0];
      expect({ code: r.code, stderr: r.stderr }, verb).toEqual({
        code,
        stderr: `fwsign ${verb}: ${line}`,
      });
    }
    // fetch refuses the ports browsers block before connecting: said as such, not "fetch failed".
    const blocked = await run('list-signing-profiles', '--endpoint-url', 'http://127.0.0.1:1');
    expect(blocked.code).toBe(255);
    expect(blocked.stderr).toBe(
      'fwsign list-signing-profiles: cannot reach http://127.0.0.1:1: fetch refuses port 1 (one of the ports browsers block); run `fwsign serve --port 8080` (or another port) and pass that --endpoint-url\n',
    );
  });

  it('a missing or unreadable file names the flag it came from (exit 2)', async () => {
    for (const flag of ['--key', '--cert', '--in']) {
      const r = await sign({ [flag]: 'missing.pem' });
      expect(r.code, flag).toBe(2);
      expect(r.stderr).toBe(
        `fwsign sign: ${flag} ${join(tmp.dir, 'missing.pem')}: cannot read it: no such file (ENOENT)\n`,
      );
    }
    const dir = await sign({ '--in': '.' });
    expect(dir.stderr).toContain('--in');
    expect(dir.stderr).toContain('it is a folder, not a file (EISDIR)');
    expect(existsSync(join(tmp.dir, 'fw.signed.json'))).toBe(false);
  });

  it('an unknown verb or platform suggests the nearest (exit 2)', async () => {
    const verb = await run('sgin', '--in', 'x');
    expect(verb.code).toBe(2);
    expect(verb.stderr).toBe('fwsign: unknown command "sgin"; did you mean sign?\n');
    const family = await run('keys');
    expect(family.stderr).toBe('fwsign: unknown command "keys"; did you mean keys create?\n');
    const platform = await sign({ '--platform-id': 'AmazonFreeRTOS-Defualt' });
    expect(platform.code).toBe(2);
    expect(platform.stderr.split('\n')[0]).toMatch(
      /^fwsign sign: --platform-id: no signing platform "AmazonFreeRTOS-Defualt"; did you mean AmazonFreeRTOS-Default\? \(platform ids: .*AmazonFreeRTOS-TI-CC3220SF.*\)$/,
    );
  });

  it('--cert given a file that is not a certificate says so, for sign and verify (exit 2)', async () => {
    const s = await sign({ '--cert': 'fw.bin' });
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(
      /^fwsign sign: --cert \S+fw\.bin: expected an X\.509 certificate \(a PEM "CERTIFICATE" block or DER\), got a file that is not one/,
    );
    expect((await sign({})).code).toBe(0);
    const v = await run('verify', '--cert', 'k.pem', '--in', 'fw.signed.json');
    expect(v.code).toBe(2);
    expect(v.stderr).toMatch(/^fwsign verify: --cert \S+k\.pem: expected an X\.509 certificate/);
    expect(v.stdout).toBe('');
  });

  it('serve on a port in use suggests --port and creates no data folder (exit 2)', async () => {
    const busy: Server = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const { port } = busy.address() as { port: number };
    try {
      const r = await run('serve', '--data-dir', 'data', '--port', String(port));
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        `fwsign serve: port ${port} on 127.0.0.1 is in use (EADDRINUSE): pass --port with a free port (--port 0 picks one), or stop what listens there\n`,
      );
      expect(existsSync(join(tmp.dir, 'data'))).toBe(false);
    } finally {
      busy.close();
    }
  });

  it('flash with no such serial port suggests fwsign device list (exit 2)', async () => {
    const r = await run('flash', '--port', '/dev/ttyFWSIGN-NONE', 'fw.signed.json');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'fwsign flash: --port /dev/ttyFWSIGN-NONE: no such serial port; `fwsign device list` shows the ports this machine has\n',
    );
  });

  it('output piped into head ends quietly, without an EPIPE trace', () => {
    const bundle = fileURLToPath(new URL('../dist/fwsign.mjs', import.meta.url));
    // build.test.ts builds the bundle; vitest runs files in parallel, so build here when absent.
    if (!existsSync(bundle))
      spawnSync(process.execPath, [fileURLToPath(new URL('../build.mjs', import.meta.url))]);
    const r = spawnSync(
      'sh',
      ['-c', `"${process.execPath}" "${bundle}" list-signing-platforms | head -c 10 >/dev/null`],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });
});
