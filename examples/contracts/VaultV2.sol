// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";
import {PausableUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/PausableUpgradeable.sol";

/// @title The patch: a withdrawal fee, appended after the existing storage.
/// @custom:oz-upgrades-from VaultV1
contract VaultV2 is Initializable, UUPSUpgradeable, OwnableUpgradeable, PausableUpgradeable {
    mapping(address => uint256) public balances;
    uint256 public totalDeposits;
    uint128 public depositCap;
    bool public capEnabled;
    /// @notice Fee on withdrawals, in basis points (new in V2).
    uint16 public withdrawalFeeBps;
    /// @notice Fees collected and not yet swept (new in V2).
    uint256 public collectedFees;

    event Deposited(address indexed account, uint256 amount);
    event Withdrawn(address indexed account, uint256 amount);
    event FeeChanged(uint16 feeBps);

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    function initialize(address initialOwner, uint128 cap) public initializer {
        __Ownable_init(initialOwner);
        __Pausable_init();
        depositCap = cap;
        capEnabled = true;
    }

    /// @notice Runs once, through upgradeToAndCall, when the proxy moves to V2.
    function initializeV2(uint16 feeBps) public reinitializer(2) {
        require(feeBps <= 1_000, "VaultV2: fee above 10%");
        withdrawalFeeBps = feeBps;
    }

    function deposit() external payable whenNotPaused {
        require(!capEnabled || msg.value <= depositCap, "VaultV2: above cap");
        balances[msg.sender] += msg.value;
        totalDeposits += msg.value;
        emit Deposited(msg.sender, msg.value);
    }

    function withdraw(uint256 amount) external whenNotPaused {
        balances[msg.sender] -= amount;
        totalDeposits -= amount;
        uint256 fee = (amount * withdrawalFeeBps) / 10_000;
        collectedFees += fee;
        emit Withdrawn(msg.sender, amount);
        (bool ok, ) = msg.sender.call{value: amount - fee}("");
        require(ok, "VaultV2: transfer failed");
    }

    function setWithdrawalFee(uint16 feeBps) external onlyOwner {
        require(feeBps <= 1_000, "VaultV2: fee above 10%");
        withdrawalFeeBps = feeBps;
        emit FeeChanged(feeBps);
    }

    /// @notice The guardian pauses at once in an emergency; upgrades and unpausing stay with the
    /// owner (the timelock, behind its delay). A constant: it takes no storage slot. On the demo
    /// chain it is anvil's dev account 9.
    address public constant GUARDIAN = 0xa0Ee7A142d267C1f36714E4a8F75612F20a79720;

    modifier onlyOwnerOrGuardian() {
        if (msg.sender != owner() && msg.sender != GUARDIAN) revert OwnableUnauthorizedAccount(msg.sender);
        _;
    }

    function pause() external onlyOwnerOrGuardian {
        _pause();
    }

    function unpause() external onlyOwner {
        _unpause();
    }

    function version() external pure virtual returns (string memory) {
        return "2";
    }

    function _authorizeUpgrade(address) internal override onlyOwner {}
}
