/**
 * How to start one of the store's worker threads (the commit worker, the PostgreSQL connection).
 * Bundled, the CLI's build emits each as the package export of the same name, `<name>.mjs`,
 * beside the chunk holding this code; from source, tsx compiles `<name>.ts`, registered through
 * tsx's public `tsx/esm/api` entry (resolved by its package exports) because a worker does not
 * inherit the parent's loader on Node 20.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface WorkerEntry {
  code: string;
  eval: boolean;
}

export type StoreWorker = 'commit-worker' | 'pg-sync-worker';

/** Undefined where it cannot start: from source without tsx installed. */
export function workerEntry(name: StoreWorker): WorkerEntry | undefined {
  const here = import.meta.url;
  if (!here.endsWith('.ts'))
    return { code: fileURLToPath(new URL(`./${name}.mjs`, here)), eval: false };
  let tsxApi: string;
  try {
    tsxApi = tsxEsmApi(createRequire(here));
  } catch {
    return undefined;
  }
  const entry = new URL(`./${name}.ts`, here).href;
  return {
    code: `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`,
    eval: true,
  };
}

/**
 * The file URL of tsx's `./esm/api` export under the `import` condition, read from its package
 * exports. require.resolve would pick the `require` flavour, whose register() fails in a worker.
 */
export function tsxEsmApi(require: NodeJS.Require): string {
  const manifest = require.resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as {
    exports: Record<string, { import?: { default?: string } }>;
  };
  const target = pkg.exports['./esm/api']?.import?.default;
  if (!target) throw new Error('tsx exports no ./esm/api for import');
  return pathToFileURL(join(dirname(manifest), target)).href;
}
