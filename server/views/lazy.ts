/**
 * Memoized getters on a view object. Morpho Blue values in USD with another protocol's oracle, which
 * may not price every token: figures in token units and Morpho's own health flags must still be
 * served, while a USD figure that cannot be computed fails (PRICE_UNAVAILABLE) only when asked for,
 * never silently valued at zero.
 */
export function lazy<T extends object>(target: Partial<T>, getters: { [K in keyof T]?: () => T[K] }): T {
  for (const [key, compute] of Object.entries(getters) as [string, () => unknown][]) {
    let done = false;
    let value: unknown;
    Object.defineProperty(target, key, {
      enumerable: true,
      configurable: true,
      get() {
        if (!done) {
          value = compute();
          done = true;
        }
        return value;
      },
    });
  }
  return target as T;
}
