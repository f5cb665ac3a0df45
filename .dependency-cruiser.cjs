// The dependency arrows of README.md, enforced (`pnpm arrows`, part of scripts/test.sh):
//
//   cli → api → store → signing-engine → protocol
//   store → audit-log;  cli → audit-log (the transparency log's formats, pure)
//   api → iam, store → iam (the authorization decision and policy grammar, pure)
//   cli → flasher → signing-engine;  cli → harness → flasher
//   everything may use protocol; nothing imports the cli; console talks to the API over HTTP only.
//
// A package may import what lies downstream of it (the arrows are transitive), never upstream.
// Production code (packages/*/src) never loads vitest or a test file; the one exception is the
// harness's test-only entry point, `@fwsign/harness/vitest` (packages/harness/src/vitest.ts).

/** Packages each package must not import (everything not downstream of it). */
const upstreamOf = {
  protocol: [
    'signing-engine',
    'audit-log',
    'iam',
    'store',
    'api',
    'flasher',
    'harness',
    'cli',
    'console',
  ],
  'signing-engine': ['audit-log', 'iam', 'store', 'api', 'flasher', 'harness', 'cli', 'console'],
  'audit-log': ['signing-engine', 'iam', 'store', 'api', 'flasher', 'harness', 'cli', 'console'],
  iam: ['signing-engine', 'audit-log', 'store', 'api', 'flasher', 'harness', 'cli', 'console'],
  store: ['api', 'flasher', 'harness', 'cli', 'console'],
  api: ['flasher', 'harness', 'cli', 'console'],
  flasher: ['audit-log', 'iam', 'store', 'api', 'harness', 'cli', 'console'],
  harness: ['audit-log', 'iam', 'store', 'api', 'cli', 'console'],
  // What several packages' tests share (a seeded PRNG, OpenSSL-made certificates): it stands alone.
  'test-support': [
    'protocol',
    'signing-engine',
    'audit-log',
    'iam',
    'store',
    'api',
    'flasher',
    'harness',
    'cli',
    'console',
  ],
};

const arrowRules = Object.entries(upstreamOf).map(([pkg, banned]) => ({
  name: `arrow-${pkg}`,
  comment: `${pkg} may not import ${banned.join(', ')}: that arrow points the wrong way (README.md)`,
  severity: 'error',
  from: { path: `^packages/${pkg}/` },
  to: { path: `^packages/(${banned.join('|')})/` },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...arrowRules,
    {
      name: 'nothing-imports-cli',
      comment:
        'The CLI is the top of the graph: no package or script imports it (the end-to-end suite ' +
        'under test/ drives it as a user does, through runCli)',
      severity: 'error',
      from: { pathNot: '^(packages/cli/|test/)' },
      to: { path: '^packages/cli/' },
    },
    {
      name: 'console-over-http-only',
      comment:
        'packages/console talks to the API over HTTP only: nothing but its tests imports another ' +
        'workspace package (@fwsign/*), not even the engine (the OTA job document comes from the ' +
        "API's /_fwsign/ route); its tests start a real server and may",
      severity: 'error',
      from: { path: '^packages/console/', pathNot: '^packages/console/test/' },
      to: { path: '^packages/(?!console/)' },
    },
    {
      name: 'no-vitest-in-production',
      comment:
        'Production code never loads vitest (test-only code lives in @fwsign/harness/vitest)',
      severity: 'error',
      from: { path: '^packages/[^/]+/src/', pathNot: '^packages/harness/src/vitest\\.ts$' },
      to: { path: 'node_modules/(vitest|@vitest)/' },
    },
    {
      name: 'no-test-code-in-production',
      comment:
        'Production code never imports a test file, a test helper, @fwsign/test-support or the ' +
        'vitest entry point',
      severity: 'error',
      from: {
        path: '^packages/[^/]+/src/',
        pathNot: '^packages/(harness/src/vitest\\.ts$|test-support/)',
      },
      to: {
        path: '(^packages/[^/]+/test/|^test/|\\.test\\.ts$|^packages/harness/src/vitest\\.ts$|^packages/test-support/)',
      },
    },
    {
      name: 'no-circular',
      comment: 'A cycle makes load order matter and hides which module owns what',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to nothing fails at run time',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(packages|test)/[^/]+/dist/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
