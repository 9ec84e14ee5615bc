"""Fill in character offsets for the amounts and dates a corpus record mentions.

Usage: python corpus/tools/fill_offsets.py corpus/writeups/FILE.jsonl [...]

Writers list each amount and date as the exact string that appears in `text`; this tool turns
each string into {"text", "start", "end"} (the n-th listing of a repeated string gets its n-th
occurrence) and rewrites the file in place. It stops with a message naming the record when a
string is missing from the text, so a typo never reaches the corpus.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def spans(text: str, items: list, rid: str, kind: str) -> list[dict]:
    out: list[dict] = []
    seen: dict[str, int] = {}
    for item in items:
        surface = item["text"] if isinstance(item, dict) else item
        n = seen.get(surface, 0)
        start = -1
        for _ in range(n + 1):
            start = text.find(surface, start + 1)
            if start < 0:
                raise SystemExit(f"{rid}: {kind} {surface!r} does not occur in the text")
        seen[surface] = n + 1
        out.append({"text": surface, "start": start, "end": start + len(surface)})
    return out


def main(paths: list[str]) -> None:
    for path in map(Path, paths):
        records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        for rec in records:
            rec["amounts"] = spans(rec["text"], rec.get("amounts", []), rec["id"], "amount")
            rec["dates"] = spans(rec["text"], rec.get("dates", []), rec["id"], "date")
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
        print(f"{path}: {len(records)} records")


if __name__ == "__main__":
    main(sys.argv[1:])
