/**
 * Seeded randomness: the same seed gives the same directory everywhere, so every draw must happen
 * in the same order.
 */
/** mulberry32: a small, fast, seeded PRNG; the same seed gives the same directory everywhere. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function whenCreated(random: () => number, fromYear = 2012, toYear = 2024): string {
  const year = fromYear + Math.floor(random() * (toYear - fromYear + 1));
  const month = 1 + Math.floor(random() * 12);
  const day = 1 + Math.floor(random() * 28);
  const hour = Math.floor(random() * 24);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${year}${pad(month)}${pad(day)}${pad(hour)}${pad(Math.floor(random() * 60))}00.0Z`;
}

export function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)]!;
}

/** `count` distinct indexes below `below`. */
export function sample(random: () => number, below: number, count: number): number[] {
  const chosen = new Set<number>();
  const n = Math.min(count, below);
  while (chosen.size < n) chosen.add(Math.floor(random() * below));
  return [...chosen].sort((a, b) => a - b);
}
