"""The tagger on the seed corpus, written to train the classifier rather than the rules.

    python bench/corpus_check.py [--show-misses]

Each corpus record states its USD loss, chains, recovery status, target and incident date; this
runs the pipeline's classifier and tagger on the record's title and text and prints the share it
gets right, per register. There is no publication date, so relative dates ("on Monday") stay
unresolved and the incident-date figure counts only what explicit dates give: a floor, useful to
compare changes, not an estimate.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from drafter import corpus  # noqa: E402
from drafter.classify import Classifier  # noqa: E402
from drafter.merge import norm_name  # noqa: E402
from drafter.records import Article  # noqa: E402
from drafter.tag import Tagger, prefix_match  # noqa: E402


def main() -> int:
    records = corpus.load()
    articles = [Article(source=r.id, url=None, title=r.title, text=r.title + "\n" + r.text,
                        published=r.published)
                for r in records]
    # as the pipeline does: the category's probabilities inform the target (the classifier has
    # seen these records in training, so its categories here are near perfect)
    categories = [p.scores for p in Classifier.load().predict_articles(articles)]
    facts = Tagger().tag_many(articles, categories=categories)
    score = defaultdict(lambda: [0, 0])
    misses = []
    def judge(r, field, ok, want, got):
        for key in (field, f"{field} [{r.register}]"):
            score[key][0] += ok
            score[key][1] += 1
        if not ok:
            misses.append(f"{field:24s} {r.id:40s} want {want!s:30s} got {got}")

    for r, f in zip(records, facts):
        if r.amount_usd:
            got = f.get("funds_stolen_usd")
            judge(r, "funds_stolen_usd", bool(got and abs(got.value - r.amount_usd)
                                           <= 0.1 * r.amount_usd), r.amount_usd, value(got))
        if r.date and len(r.date) == 10:
            got = f.get("incident_date")
            judge(r, "incident_date (+-1 day)", bool(got and abs(
                (dt.date.fromisoformat(str(got.value)[:10]) - dt.date.fromisoformat(r.date)).days)
                <= 1), r.date, value(got))
        if r.raw.get("victim"):
            got = value(f.get("victim"))
            # word for word as far as the shorter name goes, as the archive's scorer compares
            ok = bool(got) and prefix_match(norm_name(got), norm_name(r.raw["victim"]))
            judge(r, "victim", ok, r.raw["victim"], got)
        judge(r, "status", bool(f.get("status") and f.get("status").value == r.status),
              r.status, value(f.get("status")))
        judge(r, "target", bool(f.get("target") and f.get("target").value == r.target),
              r.target, value(f.get("target")))
        if r.chains:
            got = {c.value for c in f.all("chains")}
            want = set(r.chains)
            judge(r, "chains (exact set)", got == want, sorted(want), sorted(got))
    for key in sorted(score):
        right, total = score[key]
        if "[" not in key:
            print(f"{key:28s} {right / total:.3f}  ({right}/{total})")
    print()
    for key in sorted(score):
        right, total = score[key]
        if "[" in key and key.startswith("funds"):
            print(f"{key:28s} {right / total:.3f}  ({right}/{total})")
    if "--show-misses" in sys.argv[1:]:
        print()
        print("\n".join(sorted(misses)))
    return 0


def value(fact):
    return None if fact is None else fact.value


if __name__ == "__main__":
    sys.exit(main())
