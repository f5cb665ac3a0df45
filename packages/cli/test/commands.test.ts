import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMMANDS, findCommand, loadCommand } from '../src/index.js';
import { fwsign } from './helpers.js';

const testDir = fileURLToPath(new URL('.', import.meta.url));
const testFileFor = (name: string): string =>
  join(testDir, 'commands', `${name.replace(/ /g, '-')}.test.ts`);

function testSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? testSources(join(dir, e.name))
      : e.name.endsWith('.test.ts')
        ? [readFileSync(join(dir, e.name), 'utf8')]
        : [],
  );
}

/**
 * A command counts as tested when test/commands/<name>.test.ts exists, or when one test file
 * names every word of the command as a quoted argument (a family of verbs tested together).
 */
function isTested(name: string, sources: readonly string[]): boolean {
  if (existsSync(testFileFor(name))) return true;
  const words = name.split(' ');
  return sources.some((src) =>
    words.every((w) => src.includes(`'${w}'`) || src.includes(`"${w}"`)),
  );
}

describe('the command table', () => {
  it('has a test for every command (test/commands/<verb>.test.ts, or a file that runs it)', () => {
    const sources = testSources(testDir).filter((src) => !src.includes('isTested('));
    const missing = COMMANDS.map((c) => c.name).filter((n) => !isTested(n, sources));
    expect(
      missing,
      `commands without a test (test/commands/<name>.test.ts, or a test file that runs them): ${missing.join(', ')}`,
    ).toEqual([]);
  });

  it('has unique names, summaries and usage lines that start with the command', async () => {
    const names = COMMANDS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const entry of COMMANDS) {
      expect(entry.summary?.length).toBeGreaterThan(10);
      const c = await loadCommand(entry);
      expect(c.name).toBe(entry.name);
      expect(c.usage.startsWith(`fwsign ${c.name}`)).toBe(true);
    }
  });

  it('dispatches multi-word names by the longest match', () => {
    expect(findCommand(['keys', 'create', '--x'])?.command.name).toBe('keys create');
    expect(findCommand(['keys'])).toBeUndefined();
  });
});

describe('fwsign dispatch', () => {
  it('prints the overview for help and with no arguments (exit 2)', async () => {
    const help = await fwsign('/', 'help');
    expect(help.code).toBe(0);
    for (const c of COMMANDS) expect(help.stdout).toContain(c.name);
    const none = await fwsign('/');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('usage: fwsign <command>');
  });

  it('prints a verb usage for help <verb> and --help', async () => {
    expect((await fwsign('/', 'help', 'keys', 'create')).stdout).toContain(
      '--algorithm ecdsa-p256|rsa-2048',
    );
    expect((await fwsign('/', 'sign', '--help')).stdout).toContain('fwsign sign --platform-id ID');
  });

  it('refuses unknown commands and flags and says why: exit 2, or 252 for a twinned AWS verb', async () => {
    const unknown = await fwsign('/', 'frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('fwsign: unknown command "frobnicate"');
    const flag = await fwsign('/', 'get-signing-platform', '--platform', 'x');
    expect(flag.code).toBe(252);
    expect(flag.stderr).toContain("fwsign get-signing-platform: Unknown option '--platform'");
    const missing = await fwsign('/', 'get-signing-platform');
    expect(missing.code).toBe(252);
    expect(missing.stderr).toContain('the following arguments are required: --platform-id');
    const own = await fwsign('/', 'verify', '--nope');
    expect(own.code).toBe(2);
  });
});
