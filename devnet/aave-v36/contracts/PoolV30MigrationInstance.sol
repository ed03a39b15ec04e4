// SPDX-License-Identifier: BUSL-1.1
pragma solidity ^0.8.0;

// Devnet only: the v3.6 PoolInstance whose initialize() migrates a v3.0 pool's storage in place
// (devnet/aave-v36/upgrade.ts). v3.6 reuses v3.0 slots (DataTypes.sol, ReserveConfiguration.sol):
// - ReserveData slot 3, low 128 bits: v3.0 currentStableBorrowRate, v3.6 `deficit`;
// - ReserveData slot 8, high 128 bits: v3.0 `unbacked` (0), v3.6 virtualUnderlyingBalance, which
//   every supply/withdraw/borrow/repay adjusts unconditionally (0 makes withdraws underflow);
// - ReserveConfiguration bits 168-175: v3.0 asset e-mode category, a hole since v3.2; v3.6 reads
//   e-mode membership from per-category bitmaps instead;
// - EModeCategory slot 0, bits 48-175: v3.0 priceSource, v3.6 collateralBitmap.
// Mainnet went through one payload per version (3.1 ... 3.6); this does the v3.0 -> v3.6 jump at once.
import {PoolInstance} from '@aave-dao/aave-v3-origin/src/contracts/instances/PoolInstance.sol';
import {IPoolAddressesProvider} from '@aave-dao/aave-v3-origin/src/contracts/interfaces/IPoolAddressesProvider.sol';
import {IReserveInterestRateStrategy} from '@aave-dao/aave-v3-origin/src/contracts/interfaces/IReserveInterestRateStrategy.sol';
import {IERC20} from '@aave-dao/aave-v3-origin/src/contracts/dependencies/openzeppelin/contracts/IERC20.sol';
import {DataTypes} from '@aave-dao/aave-v3-origin/src/contracts/protocol/libraries/types/DataTypes.sol';
import {ReserveConfiguration} from '@aave-dao/aave-v3-origin/src/contracts/protocol/libraries/configuration/ReserveConfiguration.sol';
import {Errors} from '@aave-dao/aave-v3-origin/src/contracts/protocol/libraries/helpers/Errors.sol';

contract PoolV30MigrationInstance is PoolInstance {
  using ReserveConfiguration for DataTypes.ReserveConfigurationMap;

  /// v3.0 ReserveConfiguration: bits 168-175 held the asset's e-mode category (a hole since v3.2).
  uint256 internal constant LEGACY_EMODE_MASK = uint256(0xFF) << 168;
  /// v3.0 ReserveConfiguration: bit 59 = stable rate borrowing enabled (deprecated since v3.2).
  uint256 internal constant LEGACY_STABLE_MASK = uint256(1) << 59;

  constructor(
    IPoolAddressesProvider provider,
    IReserveInterestRateStrategy interestRateStrategy_
  ) PoolInstance(provider, interestRateStrategy_) {}

  function initialize(IPoolAddressesProvider provider) external virtual override initializer {
    require(provider == ADDRESSES_PROVIDER, Errors.InvalidAddressesProvider());
    uint256 seen; // categories whose slot 0 was reset (v3.0 kept priceSource where the bitmap lives now)
    for (uint256 i = 0; i < _reservesCount; i++) {
      address asset = _reservesList[i];
      if (asset == address(0)) continue;
      DataTypes.ReserveData storage reserve = _reserves[asset];
      // v3.0 kept currentStableBorrowRate in the slot v3.3+ reads as `deficit`.
      reserve.deficit = 0;
      // v3.0 kept `unbacked` where v3.4+ keeps the virtual balance: the underlying the aToken holds.
      reserve.virtualUnderlyingBalance = uint128(IERC20(asset).balanceOf(reserve.aTokenAddress));
      // v3.0's per-asset e-mode category becomes the category's collateral and borrowable bitmaps.
      uint256 data = reserve.configuration.data;
      uint8 category = uint8((data & LEGACY_EMODE_MASK) >> 168);
      if (category != 0) {
        if (seen & (uint256(1) << category) == 0) {
          seen |= uint256(1) << category;
          _eModeCategories[category].collateralBitmap = 0;
          _eModeCategories[category].borrowableBitmap = 0;
        }
        _eModeCategories[category].collateralBitmap |= uint128(1) << reserve.id;
        if (reserve.configuration.getBorrowingEnabled()) {
          _eModeCategories[category].borrowableBitmap |= uint128(1) << reserve.id;
        }
      }
      reserve.configuration.data = data & ~LEGACY_EMODE_MASK & ~LEGACY_STABLE_MASK;
      reserve.configuration.setVirtualAccActive();
    }
  }
}
