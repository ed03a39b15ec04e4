// The dashboard's arithmetic on the API's decimal strings, exact (BigInt), with no DOM: the page loads
// it as a script (window.DashboardFigures) and the unit tests require it (module.exports).
'use strict';
(function (root) {
  /** A decimal string as an integer and its number of decimals: "-1.50" -> { n: -150n, d: 2 }. */
  function scaled(s) {
    const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(s));
    if (!m) throw new RangeError(`not a decimal string: ${s}`);
    const f = m[3] || '';
    const n = BigInt(m[2] + f);
    return { n: m[1] ? -n : n, d: f.length };
  }

  /** An integer with `d` implied decimals as a decimal string, trailing zeros of the fraction dropped. */
  function unscaled(n, d) {
    const neg = n < 0n;
    const digits = (neg ? -n : n).toString().padStart(d + 1, '0');
    const int = digits.slice(0, digits.length - d);
    const frac = digits.slice(digits.length - d).replace(/0+$/, '');
    return (neg && (int !== '0' || frac) ? '-' : '') + int + (frac ? '.' + frac : '');
  }

  /** a / b of two decimal strings, exactly, rounded toward zero to `places` decimals; null when b is 0. */
  function ratio(a, b, places) {
    const x = scaled(a);
    const y = scaled(b);
    if (y.n === 0n) return null;
    const q = (x.n * 10n ** BigInt(y.d + places)) / (y.n * 10n ** BigInt(x.d));
    const neg = q < 0n;
    const digits = (neg ? -q : q).toString().padStart(places + 1, '0');
    return (neg ? '-' : '') + digits.slice(0, -places) + '.' + digits.slice(-places);
  }

  /** The exact sum of decimal strings. */
  function sum(values) {
    const xs = values.map(scaled);
    const d = Math.max(0, ...xs.map((x) => x.d));
    return unscaled(xs.reduce((s, x) => s + x.n * 10n ** BigInt(d - x.d), 0n), d);
  }

  /** -1, 0 or 1 as decimal string a is below, equal to or above b. */
  function compare(a, b) {
    const x = scaled(a);
    const y = scaled(b);
    const d = Math.max(x.d, y.d);
    const l = x.n * 10n ** BigInt(d - x.d);
    const r = y.n * 10n ** BigInt(d - y.d);
    return l < r ? -1 : l > r ? 1 : 0;
  }

  /**
   * The main collateral assets of a protocol from its accounts' positions (the API's Account.positions):
   * per asset, the exact sum of suppliedUSD over positions counted as collateral, largest first, the
   * first `n`. Positions without a USD value (an unpriced market) are counted apart, never as zero.
   */
  function collateralAssets(accounts, n) {
    const byAsset = new Map();
    const unpriced = new Map();
    for (const a of accounts) {
      for (const p of a.positions) {
        if (!p.collateral || p.supplied === '0') continue;
        const key = p.asset.address.toLowerCase();
        if (p.suppliedUSD === null || p.suppliedUSD === undefined) {
          unpriced.set(key, p.asset.symbol || key);
          continue;
        }
        const e = byAsset.get(key) || { address: key, symbol: p.asset.symbol || key, values: [], positions: 0 };
        e.values.push(p.suppliedUSD);
        e.positions++;
        byAsset.set(key, e);
      }
    }
    const ranked = [...byAsset.values()]
      .map((e) => ({ address: e.address, symbol: e.symbol, collateralUSD: sum(e.values), positions: e.positions }))
      .sort((x, y) => compare(y.collateralUSD, x.collateralUSD) || x.address.localeCompare(y.address));
    return { top: ranked.slice(0, n), ranked: ranked.length, unpriced: [...unpriced.entries()].filter(([k]) => !byAsset.has(k)).map(([, s]) => s) };
  }

  /**
   * Blocks worth travelling to: those of realized bad-debt events and liquidations, newest first, each
   * with what happened there per protocol. `events`: [{ protocol: name, kind: 'bad debt' | 'liquidation', block }].
   */
  function checkpoints(events, max) {
    const byBlock = new Map();
    for (const e of events) {
      const at = byBlock.get(e.block) || new Map();
      const key = `${e.kind}|${e.protocol}`;
      at.set(key, (at.get(key) || 0) + 1);
      byBlock.set(e.block, at);
    }
    return [...byBlock.entries()]
      .sort((a, b) => b[0] - a[0])
      .slice(0, max)
      .map(([block, at]) => ({
        block,
        label: `block ${block}: ` + [...at.entries()].sort().map(([key, count]) => {
          const [kind, protocol] = key.split('|');
          return `${protocol} ${count} ${kind}${count > 1 && kind === 'liquidation' ? 's' : ''}`;
        }).join(', '),
      }));
  }

  const api = { ratio, sum, compare, collateralAssets, checkpoints };
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.DashboardFigures = api;
})(typeof window === 'object' ? window : globalThis);
