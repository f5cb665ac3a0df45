/** Waits `ms` with sub-millisecond precision (setTimeout alone is late by a millisecond or more). */
export async function preciseDelay(ms: number): Promise<void> {
  const end = performance.now() + ms;
  if (ms > 3) await new Promise((r) => setTimeout(r, ms - 2));
  while (performance.now() < end) await new Promise((r) => setImmediate(r));
}
