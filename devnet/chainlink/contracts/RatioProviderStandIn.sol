// SPDX-License-Identifier: MIT
pragma solidity 0.8.19;

/// @notice Stand-in for the exchange-rate source a CAPO adapter reads (e.g. wstETH.stEthPerToken(),
/// rETH.getExchangeRate(), sDAI.convertToAssets(1e18)): a view the adapter calls on every price
/// read. Written for this devnet (the real sources are token contracts, not on npm in usable form).
/// On mainnet such a rate moves with rebases, oracle reports or slashing, and no price event
/// announces it; so `setRatio` deliberately emits NO event.
contract RatioProviderStandIn {
    address public immutable owner;
    uint256 private ratio;

    constructor(uint256 initialRatio) {
        owner = msg.sender;
        ratio = initialRatio;
    }

    function getRatio() external view returns (uint256) {
        return ratio;
    }

    function setRatio(uint256 newRatio) external {
        require(msg.sender == owner, "RatioProviderStandIn: not owner");
        ratio = newRatio;
    }
}
