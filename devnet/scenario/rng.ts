// Seeded PRNG for scenarios: same seed, same choices. Never Math.random.
// sfc32 (Chris Doty-Humphrey's Small Fast Counter, as in PractRand): 128-bit state, 32-bit output,
// passes PractRand/BigCrush, fast in plain JS. Seeds are hashed with keccak256 so any string works
// and forks ("account 7") give independent streams.
import { keccak256, stringToBytes } from 'viem';

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(readonly seed: string) {
    const h = keccak256(stringToBytes(`rng:${seed}`));
    const w = (i: number) => parseInt(h.slice(2 + i * 8, 10 + i * 8), 16) >>> 0;
    this.a = w(0);
    this.b = w(1);
    this.c = w(2);
    this.d = w(3) | 1; // sfc32 counter
    for (let i = 0; i < 12; i++) this.u32(); // warm-up, as recommended for sfc32
  }

  /** An independent stream derived from this seed and a label. */
  fork(label: string | number): Rng {
    return new Rng(`${this.seed}/${label}`);
  }

  u32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** uniform in [0, 1) */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** integer in [min, max] */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** float in [min, max) */
  float(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Rng.pick on an empty list');
    return items[Math.floor(this.next() * items.length)];
  }

  /** Fisher-Yates on a copy */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
}
