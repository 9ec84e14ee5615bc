"""Calibration of drafter's confidences on labelled pages.

    python bench/calibration.py [--data ../shared/eval/dev]

Runs `drafter extract --jsonl` over the pages, judges each single-valued fact against the
ground truth with the matching rules of the facts contract (dates within a day, amounts within
10% of the truth or an alternative, victim names by leading-word prefix, labels by equality),
and prints, per confidence band, how often the facts were right.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BANDS = [(0.0, 0.5), (0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.01)]


def norm(s: str) -> list[str]:
    return re.sub(r"[^\w\s]", " ", s.lower()).split()


def right(field: str, got, truth: dict) -> bool | None:
    want = truth.get(field)
    if want is None:
        return None
    if field == "incident_date":
        try:
            return abs((dt.date.fromisoformat(got) - dt.date.fromisoformat(want)).days) <= 1
        except (TypeError, ValueError):
            return False
    if field == "funds_stolen_usd":
        options = [want, *(truth.get("funds_stolen_usd_alternatives") or [])]
        return any(abs(float(got) - w) <= 0.1 * w for w in options if w)
    if field == "victim":
        g = norm(str(got))
        for name in want:
            n = norm(name)
            short, long_ = (g, n) if len(g) <= len(n) else (n, g)
            if short and long_[: len(short)] == short:
                return True
        return False
    return got == want


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=HERE.parent.parent / "shared" / "eval" / "dev")
    ap.add_argument("--cmd", default=str(HERE.parent / ".venv" / "bin" / "drafter"))
    args = ap.parse_args()
    pages = sorted(p for p in args.data.glob("*.html") if p.with_suffix(".json").exists())
    proc = subprocess.run([args.cmd, "extract", "--jsonl", *map(str, pages)],
                          capture_output=True, text=True)
    lines = [json.loads(x) for x in proc.stdout.splitlines() if x.strip()]
    fields = ["incident_date", "funds_stolen_usd", "victim", "category", "status", "target"]
    judged: list[tuple[str, float, bool]] = []
    for page, line in zip(pages, lines):
        truth = json.loads(page.with_suffix(".json").read_text())
        for field in fields:
            fact = (line.get("facts") or {}).get(field)
            if fact is None:
                continue
            ok = right(field, fact["value"], truth)
            if ok is not None:
                judged.append((field, fact["confidence"], ok))
    print(f"{'confidence':>12s} {'facts':>6s} {'right':>6s} {'share':>6s}")
    for lo, hi in BANDS:
        band = [ok for _, c, ok in judged if lo <= c < hi]
        if band:
            print(f"{lo:5.1f}-{min(hi, 1.0):<5.1f} {len(band):6d} {sum(band):6d} "
                  f"{sum(band) / len(band):6.2f}")
    high = [ok for _, c, ok in judged if c >= 0.8]
    if high:
        print(f"\nconfidence >= 0.8: {sum(high)}/{len(high)} right ({sum(high) / len(high):.2f})")
    print("\nper field, confidence >= 0.8:")
    for field in fields:
        sel = [ok for f, c, ok in judged if f == field and c >= 0.8]
        allf = [ok for f, c, ok in judged if f == field]
        if allf:
            print(f"  {field:18s} {sum(sel):3d}/{len(sel):<3d} high-confidence right; "
                  f"{sum(allf)}/{len(allf)} overall")
    return 0


if __name__ == "__main__":
    sys.exit(main())
