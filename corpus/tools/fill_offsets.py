"""Fill in character offsets for the amounts, dates and chain mentions a corpus record lists.

Usage: python corpus/tools/fill_offsets.py corpus/writeups/FILE.jsonl [...]
       python corpus/tools/fill_offsets.py corpus/articles/FILE.jsonl [...]

Writers list each amount, date and chain mention as the exact string that appears in `text`,
either as a plain string or as an object with the string in "text" and labels beside it
("role", "value"); this tool adds "start" and "end" (the n-th listing of a repeated string gets
its n-th whole-word occurrence, so "ETH" never lands inside "WETH") and rewrites the file in
place, keeping every label. It stops with a message naming the record when a string is missing
from the text, so a typo never reaches the corpus.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

KINDS = ("amounts", "dates", "chain_mentions")


def occurrences(text: str, surface: str) -> list[int]:
    left = r"(?<![\w])" if surface[:1].isalnum() else ""
    right = r"(?![\w])" if surface[-1:].isalnum() else ""
    return [m.start() for m in re.finditer(left + re.escape(surface) + right, text)]


def spans(text: str, items: list, rid: str, kind: str) -> list[dict]:
    out: list[dict] = []
    seen: dict[str, int] = {}
    for item in items:
        labels = dict(item) if isinstance(item, dict) else {"text": item}
        surface = labels["text"]
        n = seen.get(surface, 0)
        found = occurrences(text, surface)
        if n >= len(found):
            raise SystemExit(f"{rid}: {kind} {surface!r} occurs {len(found)} time(s) in the text, "
                             f"but is listed {n + 1} time(s)")
        seen[surface] = n + 1
        labels.update(start=found[n], end=found[n] + len(surface))
        out.append(labels)
    return out


def main(paths: list[str]) -> None:
    for path in map(Path, paths):
        records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        for rec in records:
            for kind in KINDS:
                if kind in rec:
                    rec[kind] = spans(rec["text"], rec[kind], rec["id"], kind)
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
        print(f"{path}: {len(records)} records")


if __name__ == "__main__":
    main(sys.argv[1:])
