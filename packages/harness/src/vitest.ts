/**
 * `@fwsign/harness/vitest`: scenarios as vitest tests. Its own entry point so that nothing outside
 * a test run (the CLI, the benches) loads vitest through `@fwsign/harness`.
 *
 *   const scenario = createScenario({ fwsign: () => startFwsign() });
 *   scenario('tampered image is refused', async ({ board, link, fwsign }) => { … });
 */
import { it } from 'vitest';
import {
  runScenario,
  type Fixtures,
  type Resolved,
  type ScenarioContext,
  type ScenarioOptions,
} from './scenario.js';

/** A `scenario(name, body, opts)` registering vitest tests with the given fixtures. */
export function createScenario<F extends Fixtures>(fixtures: F) {
  return (
    name: string,
    body: (ctx: ScenarioContext & Resolved<F>) => Promise<void>,
    opts: ScenarioOptions = {},
  ): void => {
    // A Renode sharing a loaded 2-core host with other emulators runs its machines slower.
    const timeout = opts.timeoutMs ?? (opts.board?.kind === 'renode' ? 300_000 : 120_000);
    it(name, () => runScenario(name, fixtures, body, opts), timeout);
  };
}

/** Scenarios with no fixtures beyond the board. */
export const scenario = createScenario({});
