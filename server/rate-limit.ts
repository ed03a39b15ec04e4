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
  /**
   * Proxies in front of the gateway that append the address they saw to `X-Forwarded-For` (a load
   * balancer: 1). The client is then the address the outermost of them saw; entries before it are
   * whatever the client wrote and are never trusted. Default 0: the connection's own address.
   */
  trustedProxies?: number;
}

/** The address a request is limited by (see RateLimitOptions.trustedProxies). */
export function clientAddress(socketAddress: string | undefined, forwardedFor: string | string[] | undefined, trustedProxies = 0): string {
  const direct = socketAddress ?? 'unknown';
  if (trustedProxies <= 0) return direct;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor ?? '')).split(',').map((a) => a.trim()).filter(Boolean);
  // Each trusted proxy appended one entry: the client's is the trustedProxies-th from the end.
  return hops[hops.length - trustedProxies] ?? hops[0] ?? direct;
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
