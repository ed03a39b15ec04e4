/** Why a metric cannot be computed; the gateway maps these codes to GraphQL error codes. */
export type MetricErrorCode =
  | 'PRICE_UNAVAILABLE' // the oracle had no price for an asset the figure needs
  | 'INCONSISTENT_DATA'; // the indexed data contradicts itself (a bug in the subgraph or a partial sync)

export class MetricError extends Error {
  constructor(
    readonly code: MetricErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MetricError';
  }
}
