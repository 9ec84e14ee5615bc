"""The data drafter's tagger reads: currencies, prices, cue lexicons, chains and firms.

Everything lives as JSON/JSONL under `corpus/` so that wording and names are edited as data, not
code. Loaded once per process.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

from . import config
from .errors import ModelError


def read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelError(f"cannot read drafter's data file {path}: {exc}",
                         "restore it from the repository (git checkout -- corpus/)") from exc


def read_jsonl(path: Path) -> list[dict]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelError(f"cannot read drafter's data file {path}: {exc}",
                         "restore it from the repository (git checkout -- corpus/)") from exc


@dataclass(frozen=True, eq=False)
class Lexicon:
    currencies: dict
    fx: dict
    prices: dict
    roles: dict
    targets: dict
    chains: list[dict]
    firms: list[dict]
    not_firms: frozenset[str]
    headline_words: frozenset[str]

    @functools.cached_property
    def firm_kind(self) -> dict[str, str]:
        """Every known name or alias -> kind."""
        out: dict[str, str] = {}
        for firm in self.firms:
            for name in (firm["name"], *firm.get("aliases", [])):
                out.setdefault(name, firm["kind"])
        return out

    @functools.cached_property
    def tracked_only(self) -> frozenset[str]:
        """Names known only from the incident trackers, whose kind ("protocol") is a default
        rather than a fact: trackers list exchanges, wallets and people as well."""
        checked = {name for firm in self.firms if firm.get("source") != "trackers"
                   for name in (firm["name"], *firm.get("aliases", []))}
        return frozenset(name for firm in self.firms if firm.get("source") == "trackers"
                         for name in (firm["name"], *firm.get("aliases", []))
                         if name not in checked)

    @functools.cached_property
    def chain_words(self) -> frozenset[str]:
        """Every chain name and alias the patterns know, lower-cased."""
        return frozenset(n.lower() for c in self.chains for n in (c["id"], c["pattern"])
                         if isinstance(n, str))

    @functools.cached_property
    def ticker_chain(self) -> dict[str, str]:
        return {t: v["chain"] for t, v in self.currencies["crypto"].items() if v.get("chain")}

    @functools.cached_property
    def stablecoins(self) -> frozenset[str]:
        return frozenset(self.currencies["stablecoins"])


@functools.lru_cache(maxsize=2)
def load(root: Path | None = None) -> Lexicon:
    base = Path(root) if root else config.corpus_dir()
    lex = base / "lexicons"
    return Lexicon(
        currencies=read_json(lex / "currencies.json"),
        fx=read_json(lex / "fx.json"),
        prices=read_json(lex / "prices.json"),
        roles=read_json(lex / "roles.json"),
        targets=read_json(lex / "targets.json"),
        chains=read_jsonl(base / "patterns" / "chains.jsonl"),
        firms=read_jsonl(base / "gazetteer" / "firms.jsonl"),
        not_firms=frozenset(read_json(lex / "not_firms.json")["names"]),
        headline_words=frozenset(read_json(lex / "not_firms.json").get("headline_words", [])),
    )
