"""Addresses and transaction hashes."""

from __future__ import annotations

import pytest

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


# Tezos, XRP Ledger and Algorand: addresses built here from random keys with each chain's own
# checksum, so the test needs no real address and a one-character change must be refused

def b58encode(raw: bytes, alphabet: str = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
              ) -> str:
    n = int.from_bytes(raw, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = alphabet[r] + out
    return alphabet[0] * (len(raw) - len(raw.lstrip(b"\0"))) + out


def with_check(payload: bytes) -> bytes:
    import hashlib

    return payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]


def make_addresses(seed: int) -> dict[str, str]:
    import base64
    import hashlib
    import random

    rng = random.Random(seed)
    key20 = bytes(rng.randrange(256) for _ in range(20))
    key32 = bytes(rng.randrange(256) for _ in range(32))
    from drafter.onchain import XRP_ALPHABET

    return {
        "Tezos": b58encode(with_check(bytes([0x06, 0xA1, 0x9F]) + key20)),
        "XRP Ledger": b58encode(with_check(b"\0" + key20), XRP_ALPHABET),
        "Algorand": base64.b32encode(key32 + hashlib.new("sha512_256", key32).digest()[-4:])
        .decode().rstrip("="),
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_tezos_xrp_and_algorand_addresses_are_found_by_their_checksums(seed):
    addresses = make_addresses(seed)
    text = ("The thief split the loot between " + ", ".join(addresses.values()) + " overnight.")
    found = {o.value: o.chain for o in find_onchain(text)}
    assert found == {v: k for k, v in addresses.items()}
    for value in addresses.values():  # one character changed mid-way: the checksum fails
        other = next(c for c in "CDEFGH" if c != value[10])
        assert find_onchain(f"sent to {value[:10]}{other}{value[11:]} today") == []
