"""Build corpus/gazetteer/firms.jsonl: the firm and protocol names drafter recognises.

Usage: python corpus/tools/build_gazetteer.py [PATH/TO/incidents.csv]

Merges the hand-kept list (firms_manual.json: security firms, exchanges, law enforcement,
well-known victims with their aliases) with the victim names found in the public incident
trackers' data (../shared/data/incidents.csv: DefiLlama, rekt, SlowMist, De.Fi, BlockSec,
DeFiHackLabs). Only names are taken. Token-scam rows without a loss are skipped as noise.
The output is committed, so drafter never needs the CSV at run time.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent / "gazetteer"
DEFAULT_CSV = Path(__file__).resolve().parents[3] / "shared" / "data" / "incidents.csv"
NOISE = re.compile(r"^(?:\d+|[^A-Za-z]*|.{1,2})$")
DESCRIPTIVE = re.compile(r"[$,/@#]|phish|scam|exploit|hack|attack|incident|victim|\buser|whale|"
                         r"address|^0x[0-9a-f]+$|drainer|unknown|compromis|poisoning|\?", re.I)
GENERIC = {"unknown", "other", "individual", "user", "users", "whale", "victim", "n/a", "none",
           "multiple", "various", "token", "nft", "defi", "dex", "bridge", "exchange", "wallet"}


def clean(name: str) -> str:
    name = re.sub(r"\s*\(.*?\)\s*", " ", name)
    name = re.sub(r"\s*-\s*REKT.*$", "", name, flags=re.I)
    return " ".join(name.split()).strip(" .,-")


def main(csv_path: Path) -> None:
    manual = json.loads((HERE / "firms_manual.json").read_text())["firms"]
    entries: dict[str, dict] = {}
    taken: set[str] = set()
    for name, kind, aliases in manual:
        entries[name] = {"name": name, "kind": kind, "aliases": aliases, "source": "manual"}
        taken.update([name, *aliases])
    with csv_path.open(newline="") as fh:
        for row in csv.DictReader(fh):
            token_scam = row["dataset"] == "defi_rekt_database" and row["category_raw"].startswith(
                "Exit Scam/Honeypot")
            amount = float(row["amount_usd"] or 0)
            if token_scam or (row["dataset"] == "defi_rekt_database" and amount < 100_000):
                continue
            name = clean(row["name"])
            if NOISE.match(name) or DESCRIPTIVE.search(name) or name.lower() in GENERIC or len(name.split()) > 5:
                continue
            if name in taken:
                continue
            taken.add(name)
            entries[name] = {"name": name, "kind": "protocol", "aliases": [], "source": "trackers"}
    out = HERE / "firms.jsonl"
    with out.open("w") as fh:
        for entry in sorted(entries.values(), key=lambda e: e["name"].lower()):
            fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
    print(f"{out}: {len(entries)} firms")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_CSV)
