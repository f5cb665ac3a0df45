/** A seeded PRNG (mulberry32) so a failing power-cut or fault run can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FWSIGN_SEED, or a fresh seed (printed by the caller). */
export function seedFromEnv(): number {
  const s = Number(process.env.FWSIGN_SEED);
  return Number.isInteger(s) && s > 0 ? s : Math.floor(Math.random() * 2 ** 31) + 1;
}

/** Waits `ms` with sub-millisecond precision (setTimeout alone is late by a millisecond or more). */
export async function preciseDelay(ms: number): Promise<void> {
  const end = performance.now() + ms;
  if (ms > 3) await new Promise((r) => setTimeout(r, ms - 2));
  while (performance.now() < end) await new Promise((r) => setImmediate(r));
}
