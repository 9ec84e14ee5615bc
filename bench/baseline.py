"""Naive anchors, printed through the same facts contract as `drafter extract --jsonl`.

    python bench/baseline.py PAGE.html ...            # one JSON line per page
    python ../shared/eval/score.py --cmd ".venv/bin/python bench/baseline.py"
    python bench/baseline.py --corpus                  # keyword rules on the seed corpus

Facts: spaCy `en_core_web_sm` out of the box, no drafter logic: the first MONEY entity is the
stolen amount, the first DATE entity the incident date, the first ORG the victim; chains are every
canonical chain name mentioned; status is always "unrecovered".
Category: an afternoon's keyword rules (the category whose cue words occur most often wins).
Both exist to show what drafter adds; neither is used by drafter.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from drafter.config import FetchSettings  # noqa: E402
from drafter.errors import DrafterError  # noqa: E402
from drafter.extract import extract  # noqa: E402
from drafter.fetch import read_local  # noqa: E402
from drafter.nlp import load_english  # noqa: E402
from drafter.normalize import parse_date  # noqa: E402

KEYWORD_RULES = [
    ("consensus-attack", ["51%", "reorg", "reorganization", "reorganisation", "double-spend",
                          "double spend", "hashrate", "hash rate", "miners", "blocks deep"]),
    ("governance-attack", ["governance", "proposal", "voting power", "votes", "quorum", "dao vote",
                           "delegat"]),
    ("supply-chain", ["dns", "npm", "package", "front-end", "frontend", "domain", "injected",
                      "malicious version", "registrar", "cdn", "library"]),
    ("rug-pull", ["rug", "exit scam", "founders", "vanished", "disappeared", "insiders",
                  "ponzi", "developer", "deleted"]),
    ("phishing-social-engineering", ["phishing", "phished", "social engineering", "fake job",
                                     "api key", "impersonat", "spear", "malware", "scammer",
                                     "tricked", "signed"]),
    ("price-manipulation", ["oracle", "price manipulation", "manipulated", "flash loan",
                            "flash-loan", "skewed", "inflated", "pool price", "spot price"]),
    ("smart-contract-exploit", ["reentrancy", "bug", "vulnerability", "flaw", "contract",
                                "function", "validation", "initializ", "overflow", "logic"]),
    ("private-key-compromise", ["private key", "hot wallet", "compromised", "keys",
                                "hot wallets", "unauthorized", "multisig"]),
]
CHAINS = ["Ethereum", "Bitcoin", "BNB Chain", "Solana", "Polygon", "Arbitrum", "Optimism",
          "Avalanche", "Fantom", "Tron", "Base", "Sui", "Harmony", "Ronin", "Moonbeam",
          "Ethereum Classic", "Bitcoin Gold", "Verge", "NEM", "zkSync Era", "Cosmos", "Near",
          "Gnosis", "Linea", "Blast", "Heco", "Klaytn", "Litecoin", "Dogecoin", "XRP Ledger",
          "Cardano"]
MULT = {"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6, "billion": 1e9,
        "bn": 1e9, "b": 1e9}


def keyword_category(text: str) -> str:
    lower = text.lower()
    counts = {category: sum(lower.count(w) for w in words) for category, words in KEYWORD_RULES}
    best = max(counts, key=counts.get)
    return best if counts[best] else "private-key-compromise"


def money(text: str) -> float | None:
    m = re.search(r"(\d[\d,]*(?:\.\d+)?)\s*(thousand|million|billion|bn|mn|[kmb])?\b", text, re.I)
    if not m:
        return None
    value = float(m.group(1).replace(",", ""))
    return value * MULT.get((m.group(2) or "").lower(), 1)


def fact(value, ent=None, **extra):
    out = {"value": value, **extra, "confidence": 0.5}
    if ent is not None:
        out.update(text=ent.text, start=ent.start_char, end=ent.end_char, sentence=ent.sent.text)
    return out


def main(sources: list[str]) -> int:
    nlp = load_english()
    status = 0
    for source in sources:
        try:
            article = extract(read_local(source, FetchSettings()))
        except DrafterError as exc:
            print(json.dumps({"source": source, "ok": False,
                              "error": {"kind": exc.kind, "message": exc.message},
                              "article": None, "facts": None}))
            status = 1
            continue
        doc = nlp(article.text)
        first = {}
        for ent in doc.ents:
            first.setdefault(ent.label_, ent)
        facts = {name: None for name in ("incident_date", "funds_stolen_usd", "victim",
                                         "category", "status", "target")}
        if "MONEY" in first and money(first["MONEY"].text) is not None:
            facts["funds_stolen_usd"] = fact(money(first["MONEY"].text), first["MONEY"])
        if "DATE" in first:
            when = parse_date(first["DATE"].text,
                              None if not article.published else
                              __import__("datetime").date.fromisoformat(article.published))
            if when.date:
                facts["incident_date"] = fact(when.date.isoformat(), first["DATE"])
        if "ORG" in first:
            facts["victim"] = fact(first["ORG"].text, first["ORG"])
        facts["category"] = fact(keyword_category(article.title + "\n" + article.text))
        facts["status"] = fact("unrecovered")
        chains = [fact(c) for c in CHAINS if re.search(rf"\b{re.escape(c)}\b", article.text)]
        facts.update(chains=chains, attackers=[], addresses=[], tx_hashes=[], amounts=[], firms=[])
        print(json.dumps({"source": source, "ok": True, "error": None,
                          "article": {"url": article.url, "title": article.title,
                                      "site": article.site, "published": article.published,
                                      "language": article.language,
                                      "text_chars": len(article.text)},
                          "facts": facts}))
    return status


def corpus_accuracy() -> None:
    """The keyword anchor on the seed corpus (texts it was not written from)."""
    from drafter import corpus

    records = corpus.load()
    right = sum(keyword_category(r.title + "\n" + r.text) == r.category for r in records)
    print(f"keyword rules on the seed corpus: accuracy {right / len(records):.3f} "
          f"({right}/{len(records)})")


if __name__ == "__main__":
    if sys.argv[1:] == ["--corpus"]:
        corpus_accuracy()
        sys.exit(0)
    sys.exit(main(sys.argv[1:]))
