// SPDX-License-Identifier: GPL-2.0-or-later
pragma solidity 0.8.19;

import {IOracle} from "@morpho-org/morpho-blue/src/interfaces/IOracle.sol";

interface IChainlinkFeed {
    function decimals() external view returns (uint8);
    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80);
}

/// @notice Minimal stand-in for MorphoChainlinkOracleV2 (morpho-org/morpho-blue-oracles; not on
/// npm, written here, no code copied), the oracle most mainnet Morpho markets use, reduced to one
/// base and one quote feed and no ERC-4626 vaults:
///   price() = SCALE_FACTOR * baseFeed.answer / quoteFeed.answer
///   SCALE_FACTOR = 10**(36 + loanDecimals + quoteFeedDecimals - collateralDecimals - baseFeedDecimals)
/// It reads the feeds live (no state, no event), as the real one does; a negative answer reverts.
contract ChainlinkOracleStandIn is IOracle {
    IChainlinkFeed public immutable BASE_FEED_1;
    IChainlinkFeed public immutable QUOTE_FEED_1;
    uint256 public immutable SCALE_FACTOR;

    constructor(IChainlinkFeed baseFeed, IChainlinkFeed quoteFeed, uint256 collateralDecimals, uint256 loanDecimals) {
        BASE_FEED_1 = baseFeed;
        QUOTE_FEED_1 = quoteFeed;
        SCALE_FACTOR = 10 ** (36 + loanDecimals + quoteFeed.decimals() - collateralDecimals - baseFeed.decimals());
    }

    function price() external view returns (uint256) {
        return (SCALE_FACTOR * answer(BASE_FEED_1)) / answer(QUOTE_FEED_1);
    }

    function answer(IChainlinkFeed feed) private view returns (uint256) {
        (, int256 a,,,) = feed.latestRoundData();
        require(a >= 0, "negative answer");
        return uint256(a);
    }
}
