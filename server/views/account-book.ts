/**
 * The open positions of a protocol's accounts, kept in memory and changed row by row: the state the
 * head-following view service moves forward block by block, and the one a from-scratch load fills.
 * Both paths build the same book, so a followed view and a fresh view are computed by the same code.
 */

export interface BookPosition {
  marketId: string;
}

export interface BookAccount<P extends BookPosition> {
  address: string;
  /** Ordered by market id, whichever order the rows arrived in (a fresh read and a followed one agree). */
  positions: P[];
}

export class AccountBook<P extends BookPosition, A extends BookAccount<P>> {
  private readonly accounts = new Map<string, A>();
  private positionCount = 0;

  /** `blank` makes an account the book has not seen (a family adds its own account fields). */
  constructor(private readonly blank: (address: string) => A) {}

  /** Sets an account's position in a market; null (a closed position) removes it, and an account left without positions. */
  set(address: string, marketId: string, position: P | null): void {
    let account = this.accounts.get(address);
    if (!account) {
      if (position === null) return;
      account = this.blank(address);
      this.accounts.set(address, account);
    }
    const list = account.positions;
    const at = list.findIndex((p) => p.marketId >= marketId);
    const found = at >= 0 && list[at].marketId === marketId;
    if (position === null) {
      if (!found) return;
      list.splice(at, 1);
      this.positionCount--;
      if (list.length === 0) this.accounts.delete(address);
    } else if (found) {
      list[at] = position;
    } else {
      list.splice(at < 0 ? list.length : at, 0, position);
      this.positionCount++;
    }
  }

  /** Applies position rows (a fresh read or the changes since a block); a null position is a closed one. */
  apply(rows: Iterable<{ address: string; marketId: string; position: P | null }>): void {
    for (const r of rows) this.set(r.address, r.marketId, r.position);
  }

  get(address: string): A | undefined {
    return this.accounts.get(address);
  }

  /** Every account holding at least one open position. */
  all(): A[] {
    return [...this.accounts.values()];
  }

  get size(): { accounts: number; positions: number } {
    return { accounts: this.accounts.size, positions: this.positionCount };
  }
}
