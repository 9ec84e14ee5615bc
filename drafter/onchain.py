"""Addresses and transaction hashes: EVM, Bitcoin-family (base58check and bech32), Tron, Solana,
Tezos, XRP Ledger and Algorand.

Base58check strings are only accepted when their checksum verifies, so a random word that merely
looks like base58 is never reported as an address. Truncated forms ("0x39fb…f270") are skipped.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
B58_INDEX = {c: i for i, c in enumerate(B58)}

EVM_TX = re.compile(r"(?<![0-9A-Za-z])0x[0-9a-fA-F]{64}(?![0-9A-Za-z…])")
EVM_ADDRESS = re.compile(r"(?<![0-9A-Za-z])0x[0-9a-fA-F]{40}(?![0-9A-Za-z…])")
BECH32 = re.compile(r"(?<![0-9A-Za-z])(?:bc1|ltc1|tb1)[02-9ac-hj-np-z]{25,62}(?![0-9A-Za-z])")
BASE58 = re.compile(rf"(?<![0-9A-Za-z])[{B58}]{{25,44}}(?![0-9A-Za-z…])")
BASE58_SIG = re.compile(rf"(?<![0-9A-Za-z])[{B58}]{{86,88}}(?![0-9A-Za-z])")
HEX_TX = re.compile(r"(?<![0-9A-Za-z])[0-9a-f]{64}(?![0-9A-Za-z])")
XRP_ALPHABET = "rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1tuvAxyz"
XRP_ADDRESS = re.compile(rf"(?<![0-9A-Za-z])r[{XRP_ALPHABET}]{{24,34}}(?![0-9A-Za-z…])")
TEZOS_ADDRESS = re.compile(rf"(?<![0-9A-Za-z])(?:tz[123]|KT1)[{B58}]{{33}}(?![0-9A-Za-z…])")
ALGORAND_ADDRESS = re.compile(r"(?<![0-9A-Za-z])[A-Z2-7]{58}(?![0-9A-Za-z…])")

VERSION_CHAIN = {0x00: "Bitcoin", 0x05: "Bitcoin", 0x26: "Bitcoin Gold", 0x17: "Bitcoin Gold",
                 0x41: "Tron", 0x1E: "Dogecoin", 0x16: "Dogecoin", 0x30: "Litecoin",
                 0x32: "Litecoin", 0x47: "Vertcoin", 0x1C: "Bitcoin Cash", 0x32 + 0: "Litecoin",
                 0x68: "NEM", 0x21: "Ethereum Classic"}


@dataclass(frozen=True, slots=True)
class OnChain:
    start: int
    end: int
    value: str
    kind: str
    """address or tx"""
    chain: str | None


def b58decode(text: str) -> bytes | None:
    n = 0
    for ch in text:
        idx = B58_INDEX.get(ch)
        if idx is None:
            return None
        n = n * 58 + idx
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    pad = len(text) - len(text.lstrip("1"))
    return b"\x00" * pad + raw


def b58check(text: str) -> bytes | None:
    """The payload of a valid base58check string, else None."""
    raw = b58decode(text)
    if raw is None or len(raw) < 5:
        return None
    payload, checksum = raw[:-4], raw[-4:]
    if hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] != checksum:
        return None
    return payload


def find_onchain(text: str, evm_chain: str | None = "Ethereum",
                 solana_context: bool = False) -> list[OnChain]:
    """Every full address and transaction hash in `text`."""
    found: list[OnChain] = []
    taken: list[tuple[int, int]] = []

    def add(m: re.Match[str], kind: str, chain: str | None) -> None:
        if any(m.start() < e and s < m.end() for s, e in taken):
            return
        taken.append((m.start(), m.end()))
        found.append(OnChain(m.start(), m.end(), m.group(0), kind, chain))

    for m in EVM_TX.finditer(text):
        add(m, "tx", evm_chain)
    for m in EVM_ADDRESS.finditer(text):
        add(m, "address", evm_chain)
    for m in BECH32.finditer(text):
        add(m, "address", "Litecoin" if m.group(0).startswith("ltc1") else "Bitcoin")
    for m in BASE58.finditer(text):
        payload = b58check(m.group(0))
        if payload is not None and len(payload) in (21, 22):
            add(m, "address", VERSION_CHAIN.get(payload[0]))
        elif payload is None and solana_context and len(m.group(0)) >= 32:
            raw = b58decode(m.group(0))
            if raw is not None and len(raw) == 32 and looks_random(m.group(0)):
                add(m, "address", "Solana")
    for rx, check, chain in ((TEZOS_ADDRESS, tezos_check, "Tezos"),
                             (XRP_ADDRESS, xrp_check, "XRP Ledger"),
                             (ALGORAND_ADDRESS, algorand_check, "Algorand")):
        for m in rx.finditer(text):
            if check(m.group(0)):
                add(m, "address", chain)
    if solana_context:
        for m in BASE58_SIG.finditer(text):
            add(m, "tx", "Solana")
    for m in HEX_TX.finditer(text):
        add(m, "tx", None)
    found.sort(key=lambda o: o.start)
    return found


def xrp_check(text: str) -> bool:
    """An XRP Ledger classic address: its own base58 alphabet, version 0, double-SHA256 check."""
    trans = str.maketrans(XRP_ALPHABET, B58)
    raw = b58decode(text.translate(trans))
    if raw is None or len(raw) != 25 or raw[0] != 0:
        return False
    return hashlib.sha256(hashlib.sha256(raw[:-4]).digest()).digest()[:4] == raw[-4:]


def tezos_check(text: str) -> bool:
    """A Tezos address: base58check of a three-byte prefix and a 20-byte key hash."""
    payload = b58check(text)
    return payload is not None and len(payload) == 23


def algorand_check(text: str) -> bool:
    """An Algorand address: base32 of a 32-byte key and the last 4 bytes of its SHA-512/256."""
    import base64

    try:
        raw = base64.b32decode(text + "======")
        digest = hashlib.new("sha512_256", raw[:32]).digest()
    except (ValueError, TypeError):
        return False
    return len(raw) == 36 and digest[-4:] == raw[32:]


def looks_random(text: str) -> bool:
    """Base58 strings with both cases and a digit: addresses, not long English words."""
    return (any(c.isdigit() for c in text) and any(c.isupper() for c in text)
            and any(c.islower() for c in text))
