"""Print the corpus counts per category and register as Markdown (pasted into corpus/README.md).

Usage: python corpus/tools/stats.py
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
records = [json.loads(line) for path in sorted((ROOT / "writeups").glob("*.jsonl"))
           for line in path.read_text().splitlines() if line.strip()]
registers = ["news", "dossier", "notice", "postmortem", "alert", "social"]
table = Counter((r["category"], r["register"]) for r in records)
incidents = {c: len({r["incident"] for r in records if r["category"] == c})
             for c in sorted({r["category"] for r in records})}
print("| category | " + " | ".join(registers) + " | total | incidents |")
print("|---|" + "---:|" * (len(registers) + 2))
for cat in incidents:
    row = [table[(cat, reg)] for reg in registers]
    print(f"| {cat} | " + " | ".join(map(str, row)) + f" | {sum(row)} | {incidents[cat]} |")
totals = [sum(table[(c, reg)] for c in incidents) for reg in registers]
print("| **all** | " + " | ".join(map(str, totals)) + f" | {len(records)} | "
      f"{len({r['incident'] for r in records})} |")
