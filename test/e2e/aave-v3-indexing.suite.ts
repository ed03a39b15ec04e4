import { parseAbiItem, type Address, type PublicClient } from 'viem';
import { aTokenAbi, poolAbi, variableDebtTokenAbi } from '../../devnet/aave-v3/abis';
import { normalizedDebt, normalizedIncome, type ReserveIndexes } from '../../server/families/aave-v3/math';
import { AAVE_V30_RULES, AAVE_V36_RULES } from '../../server/families/aave-v3/rules';
import type { SubgraphClient } from '../../server/sources/subgraph-client';
import { readAaveMarkets } from '../support/aave-subgraph';
import { blockTimestamp, lower } from '../support/chain';
import type { ProtocolUnderTest } from '../support/stack-process';

interface IndexedMarket {
  id: string;
  inputToken: { id: string };
  supplyToken: string;
  variableDebtToken: string;
  liquidityIndex: string;
  variableBorrowIndex: string;
  liquidityRate: string;
  variableBorrowRate: string;
  lastUpdateTimestamp: string;
  scaledTotalSupply: string;
  scaledTotalVariableDebt: string;
}

interface IndexedPosition {
  id: string;
  account: { id: string };
  market: { id: string };
  scaledSupplyBalance: string;
  scaledVariableDebt: string;
}

const indexesOf = (m: IndexedMarket): ReserveIndexes => ({
  liquidityIndex: BigInt(m.liquidityIndex),
  variableBorrowIndex: BigInt(m.variableBorrowIndex),
  liquidityRate: BigInt(m.liquidityRate),
  variableBorrowRate: BigInt(m.variableBorrowRate),
  lastUpdateTimestamp: BigInt(m.lastUpdateTimestamp),
});

/**
 * Issue 2's oracle: at every checkpoint, for every account the scenario touched and every reserve, the
 * subgraph's scaled balances times the index computed at that block equal the tokens' own balanceOf
 * (exact integers), and market totals equal totalSupply. Nothing on chain is missing from the store.
 */
export function aaveV3IndexingSuite(ctx: () => { state: ProtocolUnderTest; chain: PublicClient; subgraph: SubgraphClient }) {
  const checkpoints = () => {
    const { state } = ctx();
    const named = state.scenario.checkpoints.map((c) => ({ name: c.name, block: BigInt(c.block) }));
    return [...named, { name: 'indexed head', block: BigInt(state.indexedBlock) }];
  };

  it('has checkpoints before the crash, after it and after liquidations', () => {
    const names = ctx().state.scenario.checkpoints.map((c) => c.name).join(' ');
    expect(names).toMatch(/before.?crash/i);
    expect(names).toMatch(/after.?crash/i);
    expect(names).toMatch(/after.?liquidations/i);
  });

  it('names the protocol after its market id (PoolAddressesProvider.getMarketId) and slugs it', async () => {
    const { state, chain, subgraph } = ctx();
    const pool = state.deployment.pool as Address;
    const provider = await chain.readContract({ address: pool, abi: [parseAbiItem('function ADDRESSES_PROVIDER() view returns (address)')], functionName: 'ADDRESSES_PROVIDER' });
    const marketId = await chain.readContract({ address: provider, abi: [parseAbiItem('function getMarketId() view returns (string)')], functionName: 'getMarketId' });
    const { protocol } = await subgraph.query<{ protocol: { name: string; slug: string; aavePool: { addressesProvider: string } } | null }>(
      `{ protocol(id: "${lower(pool)}") { name slug aavePool { addressesProvider } } }`,
    );
    const slug = marketId.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
    expect(protocol).toEqual({ name: marketId, slug, aavePool: { addressesProvider: lower(provider) } });
  });

  it("records each token's own revision and the rounding it implies, as the chain has them at the head", async () => {
    const { state, chain, subgraph } = ctx();
    const blockNumber = BigInt(state.indexedBlock);
    const pool = state.deployment.pool as Address;
    const read = (address: Address, signature: string) =>
      chain.readContract({ address, abi: [parseAbiItem(`function ${signature} view returns (uint256)`)], functionName: signature.slice(0, -2) as never, blockNumber }) as Promise<bigint>;
    const poolRevision = await read(pool, 'POOL_REVISION()');
    const markets = await readAaveMarkets<{ id: string; inputToken: { id: string }; supplyTokenRevision: number | null; debtTokenRevision: number | null; supplyTokenRounding: string | null; debtTokenRounding: string | null }>(subgraph, {
      market: 'inputToken { id }',
      reserve: 'supplyTokenRevision debtTokenRevision supplyTokenRounding debtTokenRounding',
    }, state.indexedBlock);
    // generation.ts: TokenMath from token revision 4 (aave-v3-origin v3.5.0) under a Pool of revision 9 or more.
    const rounding = (tokenRevision: bigint) => (poolRevision >= 9n && tokenRevision >= 4n ? 'FLOOR_CEIL' : 'HALF_UP');
    for (const reserve of state.deployment.reserves) {
      const m = markets.find((x) => lower(x.inputToken.id) === lower(reserve.underlying));
      const aRev = await read(reserve.aToken as Address, 'ATOKEN_REVISION()');
      const vRev = await read(reserve.variableDebtToken as Address, 'DEBT_TOKEN_REVISION()');
      expect({ symbol: reserve.symbol, supplyTokenRevision: m?.supplyTokenRevision, debtTokenRevision: m?.debtTokenRevision, supplyTokenRounding: m?.supplyTokenRounding, debtTokenRounding: m?.debtTokenRounding }).toEqual({
        symbol: reserve.symbol, supplyTokenRevision: Number(aRev), debtTokenRevision: Number(vRev), supplyTokenRounding: rounding(aRev), debtTokenRounding: rounding(vRev),
      });
    }
  });

  it('indexed balances equal aToken/variableDebtToken balanceOf for every account, reserve and checkpoint', async () => {
    const { state, chain, subgraph } = ctx();
    // The deployment's own generation at each block (not what the subgraph detected): the chain
    // decides. A market upgraded in place is v3.0 before its upgrade block.
    const rulesAt = (block: number) =>
      state.deployment.version === '3.6' && !(state.deployment.upgradeBlock !== undefined && block < state.deployment.upgradeBlock) ? AAVE_V36_RULES : AAVE_V30_RULES;
    let rules = AAVE_V30_RULES;
    const aTokenBalance = (scaled: bigint, r: ReserveIndexes, ts: bigint) => rules.aTokenBalance(scaled, normalizedIncome(r, ts));
    const variableDebtBalance = (scaled: bigint, r: ReserveIndexes, ts: bigint) => rules.debtBalance(scaled, normalizedDebt(r, ts, rules.compoundedInterest));
    const reserves = state.deployment.reserves;
    let compared = 0;
    const mismatches: string[] = [];
    for (const cp of checkpoints()) {
      const block = Number(cp.block);
      rules = rulesAt(block);
      const ts = await blockTimestamp(chain, cp.block);
      const markets = await readAaveMarkets<IndexedMarket>(subgraph, {
        market: 'inputToken { id }',
        reserve: 'supplyToken variableDebtToken',
        state: 'liquidityIndex variableBorrowIndex liquidityRate variableBorrowRate lastUpdateTimestamp scaledTotalSupply scaledTotalVariableDebt',
      }, block);
      const positions = await subgraph.queryAll<IndexedPosition>({
        collection: 'positions',
        fields: 'account { id } market { id } scaledSupplyBalance scaledVariableDebt',
        block,
      });
      const byKey = new Map(positions.map((p) => [`${p.market.id}:${p.account.id}`, p]));
      // Every account the scenario used, the treasury, and anyone else the store knows.
      const accounts = new Set<Address>([...state.scenario.accounts.map(lower), lower(state.deployment.treasury), ...positions.map((p) => lower(p.account.id))]);
      expect(markets).toHaveLength(reserves.length);

      for (const reserve of reserves) {
        const market = markets.find((m) => m.inputToken.id === lower(reserve.underlying));
        if (!market) {
          mismatches.push(`${cp.name}: market for ${reserve.symbol} missing`);
          continue;
        }
        expect(lower(market.supplyToken)).toBe(lower(reserve.aToken));
        expect(lower(market.variableDebtToken)).toBe(lower(reserve.variableDebtToken));
        const indexes = indexesOf(market);
        const list = [...accounts];
        const [supplied, borrowed, scaledSupplied, scaledBorrowed] = await Promise.all([
          Promise.all(list.map((a) => chain.readContract({ address: reserve.aToken, abi: aTokenAbi, functionName: 'balanceOf', args: [a], blockNumber: cp.block }))),
          Promise.all(list.map((a) => chain.readContract({ address: reserve.variableDebtToken, abi: variableDebtTokenAbi, functionName: 'balanceOf', args: [a], blockNumber: cp.block }))),
          Promise.all(list.map((a) => chain.readContract({ address: reserve.aToken, abi: aTokenAbi, functionName: 'scaledBalanceOf', args: [a], blockNumber: cp.block }))),
          Promise.all(list.map((a) => chain.readContract({ address: reserve.variableDebtToken, abi: variableDebtTokenAbi, functionName: 'scaledBalanceOf', args: [a], blockNumber: cp.block }))),
        ]);
        list.forEach((account, i) => {
          const p = byKey.get(`${market.id}:${account}`);
          const scaledSupply = p ? BigInt(p.scaledSupplyBalance) : 0n;
          const scaledDebt = p ? BigInt(p.scaledVariableDebt) : 0n;
          const checks: [string, bigint, bigint][] = [
            ['scaled supply', scaledSupply, scaledSupplied[i]],
            ['scaled debt', scaledDebt, scaledBorrowed[i]],
            ['aToken balance', aTokenBalance(scaledSupply, indexes, ts), supplied[i]],
            ['variable debt', variableDebtBalance(scaledDebt, indexes, ts), borrowed[i]],
          ];
          for (const [what, indexed, onChain] of checks) {
            compared++;
            if (indexed !== onChain) mismatches.push(`${cp.name} ${reserve.symbol} ${account} ${what}: indexed ${indexed} chain ${onChain}`);
          }
        });

        const [totalSupply, totalDebt] = await Promise.all([
          chain.readContract({ address: reserve.aToken, abi: aTokenAbi, functionName: 'totalSupply', blockNumber: cp.block }),
          chain.readContract({ address: reserve.variableDebtToken, abi: variableDebtTokenAbi, functionName: 'totalSupply', blockNumber: cp.block }),
        ]);
        compared += 2;
        const indexedSupply = aTokenBalance(BigInt(market.scaledTotalSupply), indexes, ts);
        const indexedDebt = variableDebtBalance(BigInt(market.scaledTotalVariableDebt), indexes, ts);
        if (indexedSupply !== totalSupply) mismatches.push(`${cp.name} ${reserve.symbol} totalSupply: indexed ${indexedSupply} chain ${totalSupply}`);
        if (indexedDebt !== totalDebt) mismatches.push(`${cp.name} ${reserve.symbol} total variable debt: indexed ${indexedDebt} chain ${totalDebt}`);
      }
    }
    expect(mismatches).toEqual([]);
    // 4 figures per account and reserve at each checkpoint, plus 2 totals per reserve.
    expect(compared).toBeGreaterThanOrEqual(checkpoints().length * reserves.length * (4 * state.scenario.accounts.length + 2));
  });

  it('flash loans happened and were repaid with a premium; each one is stored with its treasury part', async () => {
    const { state, chain, subgraph } = ctx();
    const flashLoan = parseAbiItem('event FlashLoan(address indexed target, address initiator, address indexed asset, uint256 amount, uint8 interestRateMode, uint256 premium, uint16 indexed referralCode)');
    const logs = await chain.getLogs({ address: state.deployment.pool, event: flashLoan, fromBlock: BigInt(state.deployment.startBlock), toBlock: BigInt(state.indexedBlock) });
    const repaid = logs.filter((l) => l.args.interestRateMode === 0 && l.args.premium! > 0n);
    expect(repaid.length).toBeGreaterThanOrEqual(4);
    const indexed = await subgraph.queryAll<{ id: string; txHash: string; logIndex: string; premium: string; premiumToProtocol: string | null; premiumToTreasuryScaled: string | null }>({
      collection: 'flashLoans', fields: 'txHash logIndex premium premiumToProtocol premiumToTreasuryScaled',
    });
    expect(indexed).toHaveLength(logs.length);
    const byLog = new Map(indexed.map((f) => [`${f.txHash}:${f.logIndex}`, f]));
    for (const l of repaid) {
      const row = byLog.get(`${l.transactionHash}:${l.logIndex}`);
      expect(row?.premium).toBe(String(l.args.premium));
      expect(BigInt(row?.premiumToTreasuryScaled ?? '0')).toBeGreaterThan(0n);
    }
  });

  it("every market's accruedToTreasuryScaled equals Pool.getReserveData(asset).accruedToTreasury at every checkpoint", async () => {
    const { state, chain, subgraph } = ctx();
    const mismatches: string[] = [];
    let compared = 0;
    for (const cp of checkpoints()) {
      const markets = await readAaveMarkets<{ id: string; inputToken: { id: string }; accruedToTreasuryScaled: string }>(subgraph, {
        market: 'inputToken { id }', state: 'accruedToTreasuryScaled',
      }, Number(cp.block));
      for (const reserve of state.deployment.reserves) {
        const m = markets.find((x) => lower(x.inputToken.id) === lower(reserve.underlying));
        // v3.0 and v3.6 getReserveData return the same ReserveData(Legacy) layout.
        const data = await chain.readContract({ address: state.deployment.pool, abi: poolAbi, functionName: 'getReserveData', args: [reserve.underlying], blockNumber: cp.block });
        compared++;
        if (!m || BigInt(m.accruedToTreasuryScaled) !== data.accruedToTreasury) {
          mismatches.push(`${cp.name} ${reserve.symbol}: indexed ${m?.accruedToTreasuryScaled} chain ${data.accruedToTreasury}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(compared).toBe(checkpoints().length * state.deployment.reserves.length);
  });

  it('stores every Pool event and every account that appears in them', async () => {
    const { state, chain, subgraph } = ctx();
    const pool = state.deployment.pool;
    const range = { address: pool, fromBlock: BigInt(state.deployment.startBlock), toBlock: BigInt(state.indexedBlock) };
    const events = {
      supplies: parseAbiItem('event Supply(address indexed reserve, address user, address indexed onBehalfOf, uint256 amount, uint16 indexed referralCode)'),
      withdraws: parseAbiItem('event Withdraw(address indexed reserve, address indexed user, address indexed to, uint256 amount)'),
      borrows: parseAbiItem('event Borrow(address indexed reserve, address user, address indexed onBehalfOf, uint256 amount, uint8 interestRateMode, uint256 borrowRate, uint16 indexed referralCode)'),
      repays: parseAbiItem('event Repay(address indexed reserve, address indexed user, address indexed repayer, uint256 amount, bool useATokens)'),
      liquidations: parseAbiItem('event LiquidationCall(address indexed collateralAsset, address indexed debtAsset, address indexed user, uint256 debtToCover, uint256 liquidatedCollateralAmount, address liquidator, bool receiveAToken)'),
    } as const;
    const onChainAccounts = new Set<string>();
    for (const [collection, event] of Object.entries(events)) {
      const logs = await chain.getLogs({ ...range, event });
      const indexed = await subgraph.queryAll<{ id: string; account: { id: string } }>({ collection, fields: 'account { id }' });
      expect({ collection, count: indexed.length }).toEqual({ collection, count: logs.length });
      for (const log of logs) {
        const args = log.args as Record<string, string>;
        onChainAccounts.add(lower(args.onBehalfOf ?? args.user));
      }
      expect(logs.length).toBeGreaterThan(0);
    }
    const indexedAccounts = new Set<string>((await subgraph.queryAll<{ id: string }>({ collection: "accounts", fields: "" })).map((a) => lower(a.id)));
    const missing = [...onChainAccounts].filter((a) => !indexedAccounts.has(a));
    expect(missing).toEqual([]);
  });

  it('records each liquidation as the chain emitted it, with the fee the treasury received', async () => {
    const { state, chain, subgraph } = ctx();
    const liquidationCall = parseAbiItem('event LiquidationCall(address indexed collateralAsset, address indexed debtAsset, address indexed user, uint256 debtToCover, uint256 liquidatedCollateralAmount, address liquidator, bool receiveAToken)');
    const logs = await chain.getLogs({ address: state.deployment.pool, event: liquidationCall, fromBlock: BigInt(state.deployment.startBlock), toBlock: BigInt(state.indexedBlock) });
    const indexed = await subgraph.queryAll<{
      id: string; txHash: string; logIndex: string; account: { id: string }; liquidator: string; debtRepaid: string;
      collateralSeized: string; protocolFee: string; receiveAToken: boolean; collateralPrice: string | null; debtPrice: string | null;
    }>({ collection: 'liquidations', fields: 'txHash logIndex account { id } liquidator debtRepaid collateralSeized protocolFee receiveAToken collateralPrice debtPrice' });
    const byLog = new Map(indexed.map((l) => [`${l.txHash}:${l.logIndex}`, l]));
    expect(logs.some((l) => l.args.receiveAToken)).toBe(true);
    expect(logs.some((l) => !l.args.receiveAToken)).toBe(true);
    let feesSeen = 0;
    for (const log of logs) {
      const row = byLog.get(`${log.transactionHash}:${log.logIndex}`);
      expect(row).toBeDefined();
      expect(lower(row!.account.id)).toBe(lower(log.args.user!));
      expect(lower(row!.liquidator)).toBe(lower(log.args.liquidator!));
      expect(BigInt(row!.debtRepaid)).toBe(log.args.debtToCover);
      expect(BigInt(row!.collateralSeized)).toBe(log.args.liquidatedCollateralAmount);
      expect(row!.receiveAToken).toBe(log.args.receiveAToken);
      // Both prices are the protocol oracle's own at the liquidation's block (state at its end).
      const getAssetPrice = parseAbiItem('function getAssetPrice(address asset) view returns (uint256)');
      const priceAt = (asset: Address) =>
        chain.readContract({ address: state.deployment.aaveOracle as Address, abi: [getAssetPrice], functionName: 'getAssetPrice', args: [asset], blockNumber: log.blockNumber! });
      expect({ log: log.logIndex, collateralPrice: row!.collateralPrice, debtPrice: row!.debtPrice }).toEqual({
        log: log.logIndex,
        collateralPrice: String(await priceAt(log.args.collateralAsset!)),
        debtPrice: String(await priceAt(log.args.debtAsset!)),
      });
      // The fee is the collateral aToken's ERC20 Transfer(user -> treasury) just before this log
      // (topic0 = keccak256("Transfer(address,address,uint256)")).
      const reserve = state.deployment.reserves.find((r) => lower(r.underlying) === lower(log.args.collateralAsset!))!;
      const receipt = await chain.getTransactionReceipt({ hash: log.transactionHash! });
      const feeLogs = receipt.logs.filter(
        (l) => lower(l.address) === lower(reserve.aToken) && l.topics[0] === '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef' &&
          l.logIndex < log.logIndex! && lower(`0x${l.topics[1]!.slice(26)}`) === lower(log.args.user!) && lower(`0x${l.topics[2]!.slice(26)}`) === lower(state.deployment.treasury),
      );
      const fee = feeLogs.length ? BigInt(feeLogs[feeLogs.length - 1].data) : 0n;
      if (fee > 0n) feesSeen++;
      expect({ log: `${log.transactionHash}:${log.logIndex}`, fee: BigInt(row!.protocolFee) }).toEqual({ log: `${log.transactionHash}:${log.logIndex}`, fee });
    }
    expect(feesSeen).toBeGreaterThan(0);
  });
}
