/**
 * The chain reads Morpho Blue needs at the pinned block: oracles emit no events, so IOracle.price()
 * is read live; IIrm.borrowRateView gives the rate interest accrues at since the last accrual. All
 * of a protocol's reads go out as one multicall; a read that reverts or answers nothing (`0x`)
 * leaves that one market without the figure, with a warning, and never fails the others.
 */
import { parseAbi } from 'viem';
import { gatewayError } from '../../errors';
import type { ChainReader, ContractRead } from '../../sources/chain';
import type { MorphoMarketRow } from './source';

/** Morpho IOracle and IIrm (morpho-blue v1.0 src/interfaces). */
export const MORPHO_ORACLE_ABI = parseAbi(['function price() view returns (uint256)']);
export const MORPHO_IRM_ABI = parseAbi([
  'struct MarketParams { address loanToken; address collateralToken; address oracle; address irm; uint256 lltv; }',
  'struct Market { uint128 totalSupplyAssets; uint128 totalSupplyShares; uint128 totalBorrowAssets; uint128 totalBorrowShares; uint128 lastUpdate; uint128 fee; }',
  'function borrowRateView(MarketParams marketParams, Market market) view returns (uint256)',
]);

const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';

export function requireChain(chain: ChainReader | undefined, what: string): ChainReader {
  if (!chain) throw gatewayError('CHAIN_REQUIRED', `${what} needs an Ethereum RPC (GATEWAY_RPC_URL): Morpho Blue oracles and IRMs are read at the queried block`);
  return chain;
}

export interface MorphoChainReads {
  /** IOracle.price() by market id; null without an oracle or when the read failed */
  oraclePrices: Map<string, bigint | null>;
  /** IIrm.borrowRateView by market id; null when no interest can accrue or the read failed */
  borrowRates: Map<string, bigint | null>;
  /** markets whose oracle could not be read (no Morpho health, no collateral value) */
  oracleFailed: Set<string>;
  warnings: string[];
}

/** MorphoBalancesLib reads the IRM only when interest can accrue: time passed, debt, and an IRM. */
const needsRate = (m: MorphoMarketRow, timestamp: bigint) => m.irm !== ZERO_ADDRESS && m.totalBorrowAssets > 0n && timestamp > m.lastUpdate;

export async function readMorphoChain(chain: ChainReader, markets: MorphoMarketRow[], block: number, timestamp: bigint): Promise<MorphoChainReads> {
  const reads: { marketId: string; kind: 'price' | 'rate'; read: ContractRead }[] = [];
  for (const m of markets) {
    if (m.oracle !== ZERO_ADDRESS) reads.push({ marketId: m.id, kind: 'price', read: { address: m.oracle, abi: MORPHO_ORACLE_ABI, functionName: 'price' } });
    if (needsRate(m, timestamp)) reads.push({ marketId: m.id, kind: 'rate', read: { address: m.irm, abi: MORPHO_IRM_ABI, functionName: 'borrowRateView', args: irmArgs(m) } });
  }
  const results = await chain.readAll(reads.map((r) => r.read), block);
  const out: MorphoChainReads = { oraclePrices: new Map(markets.map((m) => [m.id, null])), borrowRates: new Map(markets.map((m) => [m.id, null])), oracleFailed: new Set(), warnings: [] };
  reads.forEach((r, k) => {
    const res = results[k];
    if (res.ok) (r.kind === 'price' ? out.oraclePrices : out.borrowRates).set(r.marketId, res.value as bigint);
    else if (r.kind === 'price') {
      out.oracleFailed.add(r.marketId);
      out.warnings.push(`Morpho Blue market ${r.marketId}: oracle ${r.read.address} price() failed at block ${block} (${res.error}); its health and collateral value are unknown and it is left out of USD figures`);
    } else {
      out.warnings.push(`Morpho Blue market ${r.marketId}: IRM ${r.read.address} borrowRateView failed at block ${block} (${res.error}); interest since the last accrual is not counted`);
    }
  });
  return out;
}

function irmArgs(m: MorphoMarketRow): readonly unknown[] {
  return [
    { loanToken: m.loan.address, collateralToken: m.collateral?.address ?? ZERO_ADDRESS, oracle: m.oracle, irm: m.irm, lltv: m.lltv },
    { totalSupplyAssets: m.totalSupplyAssets, totalSupplyShares: m.totalSupplyShares, totalBorrowAssets: m.totalBorrowAssets, totalBorrowShares: m.totalBorrowShares, lastUpdate: m.lastUpdate, fee: m.fee },
  ];
}
