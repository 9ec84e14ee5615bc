"""Print the corpus counts per category and register as Markdown (pasted into corpus/README.md).

Usage: python corpus/tools/stats.py
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETS = {
    "writeups": ["news", "dossier", "notice", "postmortem", "alert", "social"],
    "articles": ["wire", "crypto-media", "notice", "postmortem", "thread", "followup"],
}


def table(folder: str, registers: list[str]) -> None:
    records = [json.loads(line) for path in sorted((ROOT / folder).glob("*.jsonl"))
               for line in path.read_text().splitlines() if line.strip()]
    counts = Counter((r["category"], r["register"]) for r in records)
    incidents = {c: len({r["incident"] for r in records if r["category"] == c})
                 for c in sorted({r["category"] for r in records})}
    print(f"`{folder}/`\n")
    print("| category | " + " | ".join(registers) + " | total | incidents |")
    print("|---|" + "---:|" * (len(registers) + 2))
    for cat in incidents:
        row = [counts[(cat, reg)] for reg in registers]
        print(f"| {cat} | " + " | ".join(map(str, row)) + f" | {sum(row)} | {incidents[cat]} |")
    totals = [sum(counts[(c, reg)] for c in incidents) for reg in registers]
    print("| **all** | " + " | ".join(map(str, totals)) + f" | {len(records)} | "
          f"{len({r['incident'] for r in records})} |")
    if folder == "articles":
        roles = {k: Counter(x["role"] for r in records for x in r[k])
                 for k in ("amounts", "dates", "chain_mentions")}
        words = [len(r["text"].split()) for r in records]
        print(f"\n{min(words)} to {max(words)} words a text; labelled "
              + "; ".join(f"{k}: " + ", ".join(f"{n} {role}" for role, n in c.most_common())
                          for k, c in roles.items()))
    print()


for folder, registers in SETS.items():
    table(folder, registers)
