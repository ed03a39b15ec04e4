// SPDX-License-Identifier: MIT
pragma solidity 0.6.6;

import "@chainlink/contracts/src/v0.6/tests/MockV3Aggregator.sol";

/// @notice Chainlink's own MockV3Aggregator (@chainlink/contracts@0.8.0, src/v0.6/tests/) plus the
/// events a mainnet aggregator emits. Read by reading its source: that mock's `updateAnswer` emits
/// nothing, while mainnet's aggregators (OCR `transmit`, FluxAggregator) emit `AnswerUpdated` and
/// `NewRound` for every round, and price indexers follow exactly that event. `updateAnswer` is not
/// virtual, so the eventful path is a separate function; the storage and every view are the mock's.
contract EmittingMockV3Aggregator is MockV3Aggregator {
  constructor(uint8 _decimals, int256 _initialAnswer) public MockV3Aggregator(_decimals, _initialAnswer) {
    emitRound();
  }

  /// @notice A new round with `_answer`, announced as mainnet aggregators announce rounds.
  function transmitAnswer(int256 _answer) external {
    updateAnswer(_answer);
    emitRound();
  }

  function emitRound() private {
    emit NewRound(latestRound, msg.sender, block.timestamp);
    emit AnswerUpdated(latestAnswer, latestRound, block.timestamp);
  }
}
