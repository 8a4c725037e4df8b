// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";
import {PausableUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/PausableUpgradeable.sol";

/// @title A minimal ETH vault behind a UUPS proxy: the deployed version.
contract VaultV1 is Initializable, UUPSUpgradeable, OwnableUpgradeable, PausableUpgradeable {
    /// @notice ETH held for each depositor.
    mapping(address => uint256) public balances;
    /// @notice Sum of all balances.
    uint256 public totalDeposits;
    /// @notice Largest single deposit accepted.
    uint128 public depositCap;
    /// @notice Whether deposits are limited to `depositCap`.
    bool public capEnabled;

    event Deposited(address indexed account, uint256 amount);
    event Withdrawn(address indexed account, uint256 amount);

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

    function deposit() external payable whenNotPaused {
        require(!capEnabled || msg.value <= depositCap, "VaultV1: above cap");
        balances[msg.sender] += msg.value;
        totalDeposits += msg.value;
        emit Deposited(msg.sender, msg.value);
    }

    function withdraw(uint256 amount) external whenNotPaused {
        balances[msg.sender] -= amount;
        totalDeposits -= amount;
        emit Withdrawn(msg.sender, amount);
        (bool ok, ) = msg.sender.call{value: amount}("");
        require(ok, "VaultV1: transfer failed");
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
        return "1";
    }

    function _authorizeUpgrade(address) internal override onlyOwner {}
}
