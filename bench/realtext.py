"""Score drafter on the real-text dev set: excerpts of real published news, labelled by hand.

    .venv/bin/python bench/realtext.py [--show-misses] [--json] [--cmd "..."] [--pages DIR]

The set's facts are committed (bench/realtext/manifest.jsonl: url, search query, incident;
bench/realtext/truth/<id>.json: the ground truth, labelled before drafter ever ran on the page);
its text is not. bench/realtext/README.md says how to fetch the pages afresh into the ignored
folder bench/realtext/pages/; this script scores whatever pages are there, with the archive's
own matching rules (../shared/eval/score.py when it is beside the project, else the same rules
restated in bench/score_rules.py), and adds what the archive's scorer does not print:
the incident date on the pages that show a publication date, and how often facts at each
confidence were right.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import score_rules as rules  # noqa: E402

SINGLE = ["incident_date", "funds_stolen_usd", "victim", "category", "status", "target",
          "published"]
SETS = ["chains", "addresses", "tx_hashes"]
BANDS = [(0.0, 0.5), (0.5, 0.8), (0.8, 0.9), (0.9, 1.01)]


def pages_and_truths(pages: Path, truth: Path) -> list[tuple[Path, dict]]:
    out = []
    for t in sorted(truth.glob("*.json")):
        page = pages / f"{t.stem}.html"
        if page.exists():
            out.append((page, json.loads(t.read_text(encoding="utf-8"))))
    return out


def run(cmd: str, pages: list[Path], cwd: Path = ROOT) -> list[dict | None]:
    proc = subprocess.run(shlex.split(cmd) + [str(p.resolve()) for p in pages], capture_output=True,
                          text=True, cwd=cwd)
    out: list[dict | None] = []
    for line in proc.stdout.splitlines():
        if line.strip():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                out.append(None)
    if len(out) != len(pages):
        raise SystemExit(f"expected {len(pages)} lines, got {len(out)}: {proc.stderr[-400:]}")
    return out


def checks(facts: dict, article: dict, truth: dict) -> dict[str, bool | None]:
    v = rules.value
    out = {
        "incident_date": rules.date_ok(v(facts.get("incident_date")), truth.get("incident_date")),
        "funds_stolen_usd": rules.amount_ok(v(facts.get("funds_stolen_usd")),
                                            truth.get("funds_stolen_usd"),
                                            truth.get("funds_stolen_usd_alternatives")),
        "victim": rules.victim_ok(v(facts.get("victim")), truth.get("victim")),
        "category": None if truth.get("category") is None
        else v(facts.get("category")) == truth["category"],
        "status": None if truth.get("status") is None else v(facts.get("status")) == truth["status"],
        "target": None if truth.get("target") is None else v(facts.get("target")) == truth["target"],
        "published": None if not truth.get("published")
        else str(article.get("published") or "")[:10] == truth["published"],
    }
    return out


def score(pairs: list[tuple[Path, dict]], results: list[dict | None], show_misses: bool) -> dict:
    right = defaultdict(int)
    total = defaultdict(int)
    sets = {f: [0, 0, 0] for f in SETS}
    bands = defaultdict(lambda: [0, 0])
    misses = []
    for (page, truth), res in zip(pairs, results):
        ok_line = isinstance(res, dict) and res.get("ok")
        facts = res["facts"] if ok_line else {}
        article = res.get("article") or {} if ok_line else {}
        for f, ok in checks(facts, article, truth).items():
            if ok is None:
                continue
            total[f] += 1
            right[f] += bool(ok)
            if f == "incident_date" and truth.get("published"):
                total["incident_date (page shows a publication date)"] += 1
                right["incident_date (page shows a publication date)"] += bool(ok)
            fact = facts.get(f) if f != "published" else None
            if isinstance(fact, dict) and fact.get("confidence") is not None:
                for lo, hi in BANDS:
                    if lo <= fact["confidence"] < hi:
                        bands[(lo, hi)][0] += 1
                        bands[(lo, hi)][1] += bool(ok)
            if not ok and show_misses:
                got = article.get("published") if f == "published" else rules.value(facts.get(f))
                misses.append(f"{page.stem}: {f}: got {got!r}, want {truth.get(f)!r}")
        for f in SETS:
            want = {str(x) for x in truth.get(f) or []}
            got = {str(x) for x in rules.values(facts.get(f))}
            if f == "chains":
                want = {rules.norm_name(x) for x in want}
                got = {rules.norm_name(x) for x in got}
            sets[f][0] += len(want & got)
            sets[f][1] += len(got)
            sets[f][2] += len(want)
            if show_misses and got != want:
                misses.append(f"{page.stem}: {f}: got {sorted(got)}, want {sorted(want)}")
    acc = {f: round(right[f] / total[f], 3) for f in total}
    for f, (tp, pred, want) in sets.items():
        p = tp / pred if pred else (1.0 if not want else 0.0)
        r = tp / want if want else 1.0
        acc[f + "_f1"] = round(2 * p * r / (p + r), 3) if p + r else 0.0
    return {"pages": len(pairs), "failed": sum(1 for r in results if not (r or {}).get("ok")),
            "accuracy": acc, "scored": dict(total),
            "calibration": [{"confidence": f"{lo:.1f}-{min(hi, 1.0):.1f}", "facts": bands[(lo, hi)][0],
                             "right": bands[(lo, hi)][1]} for lo, hi in BANDS],
            "misses": misses}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cmd", default=f"{ROOT}/.venv/bin/drafter extract --jsonl")
    ap.add_argument("--pages", type=Path, default=HERE / "realtext" / "pages")
    ap.add_argument("--truth", type=Path, default=HERE / "realtext" / "truth")
    ap.add_argument("--cwd", type=Path, default=ROOT,
                    help="where to run the command (another checkout, to compare versions)")
    ap.add_argument("--show-misses", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    pairs = pages_and_truths(args.pages, args.truth)
    if not pairs:
        print(f"no pages in {args.pages}: fetch them first (bench/realtext/README.md)", file=sys.stderr)
        return 1
    report = score(pairs, run(args.cmd, [p for p, _ in pairs], args.cwd), args.show_misses)
    if args.json:
        print(json.dumps(report, indent=1))
        return 0
    if report["misses"]:
        print("\n".join(report["misses"]) + "\n")
    n_truth = len(list(args.truth.glob("*.json")))
    print(f"real-text dev set: {report['pages']} pages scored of {n_truth} labelled, "
          f"{report['failed']} failed")
    for f, a in report["accuracy"].items():
        n = report["scored"].get(f)
        print(f"  {f:48s} {a:.3f}" + (f"  (n={n})" if n else ""))
    print("  confidence band   facts  right")
    hi_n = hi_r = 0
    for b in report["calibration"]:
        print(f"  {b['confidence']:15s} {b['facts']:7d} {b['right']:6d}")
        if b["confidence"].startswith(("0.8", "0.9")):
            hi_n += b["facts"]
            hi_r += b["right"]
    if hi_n:
        print(f"  facts at confidence >= 0.8: right {hi_r} of {hi_n} ({hi_r / hi_n:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
