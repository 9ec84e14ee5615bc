"""Addresses and transaction hashes."""

from __future__ import annotations

from drafter.onchain import b58check, find_onchain

EVM = "0x" + "ab12" * 10
TX = "0x" + "9f" * 32
GENESIS = "1A1zP1eP5QGefi2DMPTfTL5DivfNa"  # truncated: fails the checksum
SATOSHI = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"


def test_evm_addresses_and_hashes_are_told_apart():
    found = find_onchain(f"Funds went from {EVM} in tx {TX}.")
    assert [(o.value, o.kind) for o in found] == [(EVM, "address"), (TX, "tx")]


def test_truncated_forms_are_not_reported():
    assert find_onchain("the exploiter 0x39fb\u2026f270 and hash 0x9549c0\u2026") == []


def test_bitcoin_addresses_need_a_valid_checksum():
    assert b58check(SATOSHI) is not None
    assert [o.value for o in find_onchain(f"sent to {SATOSHI} today")] == [SATOSHI]
    assert find_onchain(f"sent to {GENESIS} today") == []
    assert find_onchain(f"sent to {SATOSHI[:-1]}b today") == []


def test_bech32_addresses():
    addr = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
    [o] = find_onchain(f"payout to {addr}.")
    assert o.value == addr and o.chain == "Bitcoin"


def test_solana_addresses_only_in_solana_context():
    addr = "9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM"
    assert find_onchain(f"wallet {addr}") == []
    [o] = find_onchain(f"Solana wallet {addr}", solana_context=True)
    assert o.chain == "Solana"
