// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

interface IBaseFeed {
    function latestAnswer() external view returns (int256);
}

interface IRatioProvider {
    function getRatio() external view returns (uint256);
}

/// @notice The smallest stand-in for Aave's price-cap adapters ("CAPO", bgd-labs/aave-capo; not on
/// npm, so this project wrote its own; no code copied). What it reproduces, because it is what a
/// price indexer meets on mainnet (48 of Aave Core's 67 oracle sources are such adapters):
///   latestAnswer() = baseFeed.latestAnswer() * min(ratio, cappedRatio) / 10**ratioDecimals
///   cappedRatio    = snapshotRatio + snapshotRatio * maxYearlyGrowthBps * (now - snapshotTimestamp)
///                    / (10_000 * 365 days)
/// The ratio is read live from the ratio provider, so the price moves with no event from this
/// contract, nor from the ratio provider. Left out: the real adapters' snapshot updates by a risk
/// admin, their minimum snapshot delay, and descriptions.
contract PriceCapAdapterStandIn {
    uint256 private constant PERCENTAGE_FACTOR = 10_000;
    uint256 private constant SECONDS_PER_YEAR = 365 days;

    IBaseFeed public immutable BASE_TO_USD_AGGREGATOR;
    IRatioProvider public immutable RATIO_PROVIDER;
    uint8 public immutable RATIO_DECIMALS;
    uint256 public immutable MAX_YEARLY_GROWTH_BPS;
    uint256 public immutable SNAPSHOT_RATIO;
    uint256 public immutable SNAPSHOT_TIMESTAMP;
    /// Same decimals as the USD base feed (Chainlink USD feeds: 8).
    uint8 public constant decimals = 8;

    constructor(IBaseFeed baseFeed, IRatioProvider ratioProvider, uint8 ratioDecimals, uint256 maxYearlyGrowthBps) {
        BASE_TO_USD_AGGREGATOR = baseFeed;
        RATIO_PROVIDER = ratioProvider;
        RATIO_DECIMALS = ratioDecimals;
        MAX_YEARLY_GROWTH_BPS = maxYearlyGrowthBps;
        SNAPSHOT_RATIO = ratioProvider.getRatio();
        SNAPSHOT_TIMESTAMP = block.timestamp;
    }

    function cappedRatio() public view returns (uint256) {
        return SNAPSHOT_RATIO
            + (SNAPSHOT_RATIO * MAX_YEARLY_GROWTH_BPS * (block.timestamp - SNAPSHOT_TIMESTAMP)) / (PERCENTAGE_FACTOR * SECONDS_PER_YEAR);
    }

    function latestAnswer() public view returns (int256) {
        int256 base = BASE_TO_USD_AGGREGATOR.latestAnswer();
        uint256 ratio = RATIO_PROVIDER.getRatio();
        if (base <= 0 || ratio == 0) return 0;
        uint256 capped = cappedRatio();
        if (ratio > capped) ratio = capped;
        return (base * int256(ratio)) / int256(10 ** RATIO_DECIMALS);
    }

    /// For readers that use the AggregatorV3 interface; the round fields are not tracked.
    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        return (0, latestAnswer(), block.timestamp, block.timestamp, 0);
    }
}
