"""Draft each labelled page alone and check the dossier against `drafter extract`.

    python bench/dossier_check.py [--data ../shared/eval/dev]

For every page: the dossier's facts box (date, chains, status, funds) must agree with what
`drafter extract --jsonl` says for the same page, and its Markdown must carry every section of
the archive's reference dossier. Uses a throw-away DRAFTER_HOME.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SECTIONS = ["Dossier №", "## What happened", "## Aftermath", "## Why it matters",
            "## Sources & on-chain evidence", "## Related filings", "| Date | Chain(s) | Status |"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=HERE.parent.parent / "shared" / "eval" / "dev")
    args = ap.parse_args()
    drafter = str(HERE.parent / ".venv" / "bin" / "drafter")
    pages = sorted(args.data.glob("*.html"))
    env = dict(os.environ, DRAFTER_HOME=tempfile.mkdtemp(prefix="drafter-check-"))
    extracted = subprocess.run([drafter, "extract", "--jsonl", *map(str, pages)], env=env,
                               capture_output=True, text=True).stdout.splitlines()
    bad = 0
    for page, line in zip(pages, extracted):
        facts = json.loads(line)["facts"]
        out = subprocess.run([drafter, "draft", "--new", "--json", str(page)], env=env,
                             capture_output=True, text=True)
        d = json.loads(out.stdout)
        problems = []
        for name in ("incident_date", "funds_stolen_usd", "status", "victim", "category"):
            want = (facts.get(name) or {}).get("value")
            got = d["facts"][name]["value"]
            if want != got:
                problems.append(f"{name}: dossier {got!r} vs extract {want!r}")
        want_chains = [c["value"] for c in facts["chains"]]
        got_chains = [c["value"] for c in d["lists"].get("chains", [])]
        if sorted(want_chains) != sorted(got_chains):
            problems.append(f"chains: {got_chains} vs {want_chains}")
        md = subprocess.run([drafter, "show", str(d["number"])], env=env, capture_output=True,
                            text=True).stdout
        problems += [f"missing section {s!r}" for s in SECTIONS if s not in md]
        bad += bool(problems)
        print(f"{'FAIL' if problems else 'ok  '} {page.name}" +
              "".join(f"\n      {p}" for p in problems))
    print(f"\n{len(pages) - bad}/{len(pages)} dossiers agree with extract and have every section")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
