// SPDX-License-Identifier: MIT
pragma solidity 0.8.17;

/// @notice The devnet's Gearbox "instance" registry: address provider, ACL and contracts register in
/// one contract, as core-v3's own tests wire them (contracts/test/mocks/core/AddressProviderV3ACLMock.sol,
/// a forge `Test` contract that cannot be deployed outside forge). Written for this project, not copied.
///
/// On mainnet these are three contracts of Gearbox's permissionless repository (AddressProviderV3_1,
/// ACL, ContractsRegister; not on npm). What core-v3 reads from them is the same here:
/// - IAddressProvider.getAddressOrRevert(key, version) (BotListV3, DefaultAccountFactoryV3, GearStakingV3,
///   CreditFacadeV3, AliasedLossPolicyV3 constructors);
/// - IACL.isConfigurator(account) (every `configuratorOnly` function) and hasRole(role, account)
///   ("PAUSABLE_ADMIN", "UNPAUSABLE_ADMIN", "EMERGENCY_LIQUIDATOR", "LOSS_LIQUIDATOR");
/// - IContractsRegister.isPool / isCreditManager (PoolV3.setCreditManagerDebtLimit, PoolQuotaKeeperV3.addCreditManager).
/// The configurator is the owner. Every change emits an event, so the wiring can be indexed.
contract AddressProviderACLStandIn {
    address public owner;

    mapping(bytes32 => mapping(uint256 => address)) internal _addresses;
    mapping(bytes32 => mapping(address => bool)) public hasRole;
    mapping(address => bool) public isPool;
    mapping(address => bool) public isCreditManager;
    address[] internal _pools;
    address[] internal _creditManagers;

    event SetAddress(bytes32 indexed key, uint256 indexed ver, address indexed value);
    event GrantRole(bytes32 indexed role, address indexed account);
    event RevokeRole(bytes32 indexed role, address indexed account);
    event AddPool(address indexed pool);
    event AddCreditManager(address indexed creditManager);
    event TransferOwnership(address indexed newOwner);

    error CallerNotOwner();
    error AddressNotFound(bytes32 key, uint256 ver);
    error AlreadyRegistered(address addr);

    modifier onlyOwner() {
        if (msg.sender != owner) revert CallerNotOwner();
        _;
    }

    constructor() {
        owner = msg.sender;
        emit TransferOwnership(msg.sender);
    }

    // ---- IAddressProvider ----
    function getAddressOrRevert(bytes32 key, uint256 ver) external view returns (address result) {
        result = _addresses[key][ver];
        if (result == address(0)) revert AddressNotFound(key, ver);
    }

    /// @param ver 0 for NO_VERSION_CONTROL (Constants.sol), else the contract's version (e.g. 3_10)
    function setAddress(bytes32 key, uint256 ver, address value) external onlyOwner {
        _addresses[key][ver] = value;
        emit SetAddress(key, ver, value);
    }

    // ---- IACL ----
    function isConfigurator(address account) external view returns (bool) {
        return account == owner;
    }

    function grantRole(bytes32 role, address account) external onlyOwner {
        hasRole[role][account] = true;
        emit GrantRole(role, account);
    }

    function revokeRole(bytes32 role, address account) external onlyOwner {
        hasRole[role][account] = false;
        emit RevokeRole(role, account);
    }

    function transferOwnership(address newOwner) external onlyOwner {
        owner = newOwner;
        emit TransferOwnership(newOwner);
    }

    // ---- IContractsRegister ----
    function getPools() external view returns (address[] memory) {
        return _pools;
    }

    function getCreditManagers() external view returns (address[] memory) {
        return _creditManagers;
    }

    function addPool(address pool) external onlyOwner {
        if (isPool[pool]) revert AlreadyRegistered(pool);
        isPool[pool] = true;
        _pools.push(pool);
        emit AddPool(pool);
    }

    function addCreditManager(address creditManager) external onlyOwner {
        if (isCreditManager[creditManager]) revert AlreadyRegistered(creditManager);
        isCreditManager[creditManager] = true;
        _creditManagers.push(creditManager);
        emit AddCreditManager(creditManager);
    }
}
