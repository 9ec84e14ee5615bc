"""Do reviews make drafter better? A learning curve for the fact decisions.

    .venv/bin/python bench/learning_curve.py [--steps 0 25 50 100] [--repeats 3]

Reviews are simulated from a labelled set that is never used for testing: the long-form corpus
articles (corpus/articles) of the training incidents, each standing for a reviewed source whose
facts a reviewer accepted or corrected. The decisions are trained on the short write-ups plus
0, 25, 50 and 100% of those "reviews" (a random share, several draws) and scored, per field,
on pages none of them saw: the held-out incidents of the corpus (a fixed fifth, never trained
on) and the real-text dev set when its pages are present (bench/realtext/pages).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from drafter import train_facts as tf  # noqa: E402
from drafter.decide import FIELDS, Decisions  # noqa: E402


def realtext_examples() -> list[tf.Example]:
    """The real-text pages as examples, their truth as gold (test only)."""
    from drafter.extract import extract
    from drafter.fetch import FetchSettings, read_local

    out = []
    for truth_path in sorted((HERE / "realtext" / "truth").glob("*.json")):
        page = HERE / "realtext" / "pages" / f"{truth_path.stem}.html"
        if not page.exists():
            continue
        t = json.loads(truth_path.read_text(encoding="utf-8"))
        article = extract(read_local(str(page), FetchSettings()))
        funds = [t["funds_stolen_usd"], *t.get("funds_stolen_usd_alternatives", [])] \
            if t.get("funds_stolen_usd") else None
        gold = {"funds_stolen_usd": funds, "incident_date": t.get("incident_date"),
                "victim": t.get("victim"), "chains": t.get("chains"),
                "status": t.get("status"), "target": t.get("target")}
        out.append(tf.Example(article, gold, "realtext:" + t.get("incident", truth_path.stem),
                              "realtext", category={t["category"]: 1.0}))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, nargs="+", default=[0, 25, 50, 100])
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    examples = tf.corpus_examples()
    base = [e for e in examples if not tf.held_out(e.group) and e.article.published is None]
    reviews = [e for e in examples if not tf.held_out(e.group) and e.article.published]
    tests = {"held-out corpus": [e for e in examples if tf.held_out(e.group)],
             "real-text dev": realtext_examples()}
    tests = {k: v for k, v in tests.items() if v}
    everything = base + reviews + [e for v in tests.values() for e in v]
    tables = tf.collect(everything, Decisions.load())
    index = {id(e): i for i, e in enumerate(everything)}
    print(f"base: {len(base)} write-up examples; simulated reviews: {len(reviews)} article "
          "examples (each story also under a Title Case headline); "
          + "; ".join(f"{k}: {len(v)} pages" for k, v in tests.items()))
    header = f"{'reviews used':>13s}  " + "  ".join(f"{f[:14]:>14s}" for f in FIELDS)
    rng = random.Random(7)
    for name, test in tests.items():
        print(f"\n{name} (accuracy of the pick; chains: set F1), mean of {args.repeats} draws")
        print(header)
        test_idx = [index[id(e)] for e in test]
        for step in args.steps:
            sums: dict[str, float | None] = dict.fromkeys(FIELDS, 0.0)
            for _ in range(args.repeats if 0 < step < 100 else 1):
                chosen = rng.sample(reviews, round(len(reviews) * step / 100))
                train_idx = [index[id(e)] for e in base + chosen]
                for f in FIELDS:
                    units = tables[f].units_of(train_idx)
                    d = tf.fit(tables[f], tf.np.isin(tables[f].article, units), f)
                    acc = tf.accuracy(f, d, tf.decide_articles(d, tables[f],
                                                              tables[f].units_of(test_idx)))
                    sums[f] = None if acc is None or sums[f] is None else sums[f] + acc
            n = args.repeats if 0 < step < 100 else 1
            print(f"{f'{step}% ({round(len(reviews) * step / 100)})':>13s}  "
                  + "  ".join(f"{'-':>14s}" if sums[f] is None else f"{sums[f] / n:14.3f}"
                              for f in FIELDS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
