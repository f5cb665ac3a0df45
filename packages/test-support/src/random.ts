/**
 * A seeded PRNG (mulberry32: small, fast, and the same sequence for the same seed everywhere), so
 * a failing fuzz, power-cut or link-fault run can be replayed from the seed it printed.
 */
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

/** The positive integer in the environment variable `name` (default FWSIGN_SEED), or a fresh seed (printed by the caller). */
export function seedFromEnv(name = 'FWSIGN_SEED'): number {
  const s = Number(process.env[name]);
  return Number.isInteger(s) && s > 0 ? s : Math.floor(Math.random() * 2 ** 31) + 1;
}
