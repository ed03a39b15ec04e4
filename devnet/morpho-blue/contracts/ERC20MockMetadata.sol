// SPDX-License-Identifier: GPL-2.0-or-later
pragma solidity 0.8.19;

import {ERC20Mock} from "@morpho-org/morpho-blue/src/mocks/ERC20Mock.sol";

/// @notice Morpho's ERC20Mock plus name/symbol/decimals. ERC20Mock itself has no metadata, so a
/// `decimals()` call (the subgraph's Token loader makes one) would revert; real Morpho markets use
/// real tokens that answer it. Minting stays ERC20Mock's public `setBalance`.
contract ERC20MockMetadata is ERC20Mock {
    string public name;
    string public symbol;
    uint8 public immutable decimals;

    constructor(string memory newName, string memory newSymbol, uint8 newDecimals) {
        name = newName;
        symbol = newSymbol;
        decimals = newDecimals;
    }
}
