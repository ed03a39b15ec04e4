/**
 * Per-client rate limiting: a token bucket per client address. Each client may send `burst` requests
 * at once and `perSecond` on average. The buckets are bounded: when `maxClients` are tracked, the ones
 * that have refilled (idle clients) are dropped first, then the oldest, so a flood of new addresses
 * cannot grow memory without bound (at worst it resets some clients' buckets).
 */
export interface RateLimitOptions {
  /** Average requests per second per client; 0 turns the limit off. */
  perSecond: number;
  /** Requests a client may send at once (default: 2 seconds' worth, at least 1). */
  burst?: number;
  /** Clients tracked at once (default 100,000: ~10 MB). */
  maxClients?: number;
}

export interface RateLimiter {
  /** 0 when the request may go ahead, else the seconds until it could. */
  take(client: string, now?: number): number;
}

export function createRateLimiter(options: RateLimitOptions): RateLimiter | null {
  if (!(options.perSecond > 0)) return null;
  const rate = options.perSecond;
  const burst = Math.max(1, options.burst ?? Math.ceil(rate * 2));
  const maxClients = options.maxClients ?? 100_000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  const refill = (b: { tokens: number; at: number }, now: number) => {
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
  };
  const prune = (now: number) => {
    for (const [key, b] of buckets) {
      refill(b, now);
      if (b.tokens >= burst) buckets.delete(key);
    }
    // Still full of active clients: drop the oldest entries (Map keeps insertion order).
    for (const key of buckets.keys()) {
      if (buckets.size < maxClients) break;
      buckets.delete(key);
    }
  };
  return {
    take(client, now = Date.now()) {
      let b = buckets.get(client);
      if (!b) {
        if (buckets.size >= maxClients) prune(now);
        b = { tokens: burst, at: now };
        buckets.set(client, b);
      }
      refill(b, now);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return 0;
      }
      return Math.ceil((1 - b.tokens) / rate);
    },
  };
}
