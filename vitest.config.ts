import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// Glob-listed projects do not inherit the root's options, so each project folder without a
// config of its own is listed inline with `extends: true` and gets the timeouts below: a busy
// 2-core CI machine runs every suite at once, and the 5 s default is too tight there.
const projectDirs = ['packages', 'test'].flatMap((top) =>
  readdirSync(top, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(top, entry.name, 'package.json')))
    .map((entry) => join(top, entry.name)),
);

// The AWS SDK for JavaScript warns in every process that later versions need a newer Node; the
// tests run the SDK in workers and child processes, so it would repeat through the output. This is
// the SDK's documented switch (@aws-sdk/core emitWarningIfUnsupportedVersion); children inherit it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: projectDirs.map((dir) =>
      existsSync(join(dir, 'vitest.config.ts'))
        ? dir
        : {
            extends: true,
            test: {
              name: (
                JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string }
              ).name,
              root: `./${dir}`,
            },
          },
    ),
  },
});
