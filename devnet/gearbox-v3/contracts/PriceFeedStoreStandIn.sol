// SPDX-License-Identifier: MIT
pragma solidity 0.8.17;

import {IPriceFeedStore, PriceUpdate} from "@gearbox-protocol/core-v3/contracts/interfaces/base/IPriceFeedStore.sol";
import {IUpdatablePriceFeed} from "@gearbox-protocol/core-v3/contracts/interfaces/base/IPriceFeed.sol";

/// @notice The smallest price feed store core-v3 can be wired to (written for this project). CreditFacadeV3
/// and AliasedLossPolicyV3 read its address from the address provider (AP_PRICE_FEED_STORE) and call
/// `updatePrices` only for on-demand (pull) feeds, e.g. Redstone/Pyth, when a multicall or liquidation
/// starts with price updates. The devnet's feeds are Chainlink push feeds, so the scenario never calls it.
/// Like mainnet's PriceFeedStore (Gearbox permissionless repository, not on npm): only feeds the owner
/// added are accepted, and each is asked to `updatePrice(data)`.
contract PriceFeedStoreStandIn is IPriceFeedStore {
    address public immutable owner;
    mapping(address => uint32) internal _stalenessPeriod;
    mapping(address => bool) public isKnownPriceFeed;

    event AddPriceFeed(address indexed priceFeed, uint32 stalenessPeriod);

    error CallerNotOwner();
    error PriceFeedNotKnown(address priceFeed);

    constructor() {
        owner = msg.sender;
    }

    function addPriceFeed(address priceFeed, uint32 stalenessPeriod) external {
        if (msg.sender != owner) revert CallerNotOwner();
        isKnownPriceFeed[priceFeed] = true;
        _stalenessPeriod[priceFeed] = stalenessPeriod;
        emit AddPriceFeed(priceFeed, stalenessPeriod);
    }

    function getStalenessPeriod(address priceFeed) external view override returns (uint32) {
        if (!isKnownPriceFeed[priceFeed]) revert PriceFeedNotKnown(priceFeed);
        return _stalenessPeriod[priceFeed];
    }

    function updatePrices(PriceUpdate[] calldata updates) external override {
        for (uint256 i; i < updates.length; ++i) {
            if (!isKnownPriceFeed[updates[i].priceFeed]) revert PriceFeedNotKnown(updates[i].priceFeed);
            IUpdatablePriceFeed(updates[i].priceFeed).updatePrice(updates[i].data);
        }
    }
}
