"""Train the fact decisions (drafter/decide.py) from labelled articles.

Training data: every corpus record (its stated loss, incident date, victim, chains, status and
target label the candidates the tagger finds in it) and every reviewer decision in the archive
(accepted and edited values are right, rejected ones wrong). The dev pages and the real-text dev
set are never training data.

The tagger runs over every article once with the current decisions and reports, per field,
each candidate's features (`Tagger.observed`); a candidate is labelled right when its value
matches the gold value by the archive's own scoring rules (amounts within 10%, dates within a
day, victim names by leading words). Per field a logistic regression on standardised features
is cross-validated with folds grouped by incident, its out-of-fold decisions fit the calibrator
(so a confidence means what it says), and the final weights are fitted on the training split.

A fixed fifth of the incidents (by a hash of the incident's name) is held out and never trained
on: the current and the new decisions are both scored there, with bootstrap intervals, and a
field's new decision replaces the current one only when it is not worse there (unless forced).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import config, corpus
from .decide import CARD_FILE, EACH_FIELDS, FIELDS, MODEL_FILE, Decision, Decisions, pick_stats
from .records import Article

RANDOM_STATE = 13
HELD_OUT_SHARE = 5  # one incident in five


@dataclass
class Example:
    article: Article
    gold: dict
    group: str
    origin: str
    rejected: dict = field(default_factory=dict)
    category: dict | None = None


def name_ok(got: str, names: list[str]) -> bool:
    """The archive's victim rule: one name's words start the other's, ignoring punctuation."""
    from .tag.context import norm_tokens
    from .tag.victim import prefix_match

    g = norm_tokens(got)
    return bool(g) and any(prefix_match(g, n) for n in map(norm_tokens, names) if n)


def right(name: str, value, gold) -> bool:
    """Whether a candidate value is right by the archive's scoring rules."""
    if name == "funds_stolen_usd":
        return any(abs(float(value) - float(g)) <= 0.10 * float(g) for g in gold if g)
    if name == "incident_date":
        return abs((value - dt.date.fromisoformat(str(gold)[:10])).days) <= 1
    if name == "victim":
        return any(name_ok(n, gold) for n in value.names)
    if name == "chains":
        return value in gold
    return value == gold


def held_out(group: str) -> bool:
    return int(hashlib.sha256(group.lower().encode()).hexdigest(), 16) % HELD_OUT_SHARE == 0


def corpus_examples(root: Path | None = None, augment: bool = True) -> list[Example]:
    """Every corpus record as the pipeline would see it: the extracted text of a page begins
    with its headline, so the record's text does too (labelled offsets move with it)."""
    out = []
    for r in corpus.load(root):
        gold = {"funds_stolen_usd": [r.amount_usd] if r.amount_usd else None,
                "incident_date": r.date,
                "victim": [n for n in (r.victim, *r.aliases) if n] or None,
                "chains": list(r.chains), "status": r.status, "target": r.target}
        titles = [r.title]
        headline = headline_case(r.title)
        if augment and headline != r.title:  # the same story under a Title Case headline
            titles.append(headline)
        for n, title in enumerate(titles):
            shift = len(title) + 1
            mentions = [(m["start"] + shift, m["end"] + shift, m["role"])
                        for m in r.raw.get("chain_mentions", [])]
            out.append(Example(
                Article(source=r.id + ("-headline" if n else ""), url=None, title=title,
                        text=f"{title}\n{r.text}", published=r.published),
                {**gold, "chain_mention": mentions or None}, r.incident, "corpus",
                category={r.category: 1.0}))
    return out


SMALL_WORDS = frozenset("a an and as at but by for in of on or the to via vs with".split())


def headline_case(title: str) -> str:
    """Title Case, as many outlets write headlines ("Hackers Drain $4 Million From Bridge"):
    it teaches the victim decision that a capitalised headline word is not a name."""
    words = title.split(" ")
    return " ".join(w if not w[:1].islower() or (i and w in SMALL_WORDS) else w[:1].upper() + w[1:]
                    for i, w in enumerate(words))


def store_examples(store) -> list[Example]:
    out = []
    for item in store.gold_facts():
        g = item["gold"]
        gold = {"funds_stolen_usd": [g["funds_stolen_usd"]] if g.get("funds_stolen_usd") else None,
                "incident_date": g.get("incident_date"),
                "victim": [g["victim"]] if g.get("victim") else None,
                "chains": g.get("chains"), "status": g.get("status"), "target": g.get("target")}
        category = {g["category"]: 1.0} if g.get("category") else None
        for article in item["articles"]:
            out.append(Example(article, gold, f"dossier-{item['dossier_id']}", "review",
                               item["rejected"], category))
    return out


@dataclass
class Table:
    """One field's candidates: features, labels, and which decision unit each row belongs to
    (`article` holds unit ids: the article itself for most fields, a mention for chain
    mentions; `owner` maps a unit to its example)."""

    rows: list[dict]
    labels: np.ndarray
    article: np.ndarray
    groups: list[str]
    covered: dict[int, bool]  # unit -> whether any candidate is right
    names: tuple[str, ...] = ()
    owner: dict[int, int] = field(default_factory=dict)  # unit -> example index

    def units_of(self, examples: list[int]) -> list[int]:
        """The decision units (an article, or a chain mention) of these examples."""
        wanted = set(examples)
        return [u for u, i in self.owner.items() if i in wanted]

    def matrix(self, names: tuple[str, ...] | None = None) -> np.ndarray:
        names = names or self.names
        index = {n: i for i, n in enumerate(names)}
        x = np.zeros((len(self.rows), len(names)))
        for r, row in enumerate(self.rows):
            for k, v in row.items():
                if k in index:
                    x[r, index[k]] = v
        return x


def collect(examples: list[Example], decisions: Decisions, tagger=None) -> dict[str, Table]:
    """Run the tagger over every example and label each field's candidates."""
    from .tag import Tagger

    tagger = tagger or Tagger(decisions=decisions)
    tagger.decisions = decisions
    tagger.observed = []
    try:
        tagger.tag_many([e.article for e in examples], categories=[e.category for e in examples])
        observed = tagger.observed
    finally:
        tagger.observed = None
    tables = {}
    for name in FIELDS:
        rows, labels, art, groups, covered, owner = [], [], [], [], {}, {}
        for i, (ex, obs) in enumerate(zip(examples, observed)):
            gold = ex.gold.get(name)
            if gold is None or name not in obs:
                continue
            bad = ex.rejected.get(name) or []
            # a unit is one decision: the article's, or one chain mention's
            units = obs[name] if name == "chain_mention" else [obs[name]]
            for cands in units:
                if name == "chain_mention":
                    ok = [mention_right(c, gold) for _, c in cands]
                    if not any(o is not None for o in ok):
                        continue  # a mention the labels do not cover
                    ok = [bool(o) for o in ok]
                else:
                    ok = [right(name, value_of(name, c), gold) and value_of(name, c) not in bad
                          for _, c in cands]
                if name == "victim" and not cands:
                    continue
                unit = len(owner)
                owner[unit] = i
                covered[unit] = any(ok)
                for (row, _), o in zip(cands, ok):
                    rows.append(row)
                    labels.append(int(o))
                    art.append(unit)
                    groups.append(ex.group)
        names = tuple(sorted({k for r in rows for k in r}))
        tables[name] = Table(rows, np.array(labels, dtype=int), np.array(art, dtype=int), groups,
                             covered, names, owner)
    return tables


def publication_fallback(examples: list[Example], train_idx: list[int]) -> float:
    """Among training pages with a publication date, the share whose attack fell within a day
    of the day before publication: the confidence of that guess on a page that dates nothing
    itself. (The pages that date nothing are too few in the corpus to count on their own.)"""
    hits = total = 0
    for i in train_idx:
        ex = examples[i]
        gold = ex.gold.get("incident_date")
        if not ex.article.published or not gold:
            continue
        total += 1
        guess = dt.date.fromisoformat(ex.article.published) - dt.timedelta(days=1)
        hits += abs((guess - dt.date.fromisoformat(str(gold)[:10])).days) <= 1
    return round(hits / total, 3) if total >= 10 else 0.0


def mention_right(cand: tuple[int, int, str], gold: list) -> bool | None:
    """Whether a chain mention's role row is its labelled role; None when no label overlaps."""
    start, end, role = cand
    for g_start, g_end, g_role in gold:
        if g_start < end and start < g_end:
            return g_role == role
    return None


def value_of(name: str, cand):
    if name == "funds_stolen_usd":
        return cand.usd
    if name == "incident_date":
        return cand.value.date
    return cand  # victim groups, chain names, status and target values


REGULARISATION = (0.1, 0.5, 2.0, 10.0)  # C values tried per field, chosen by grouped CV


ONE_OF_FIELDS = ("status", "chain_mention")  # candidates are the values of a closed set


def fit(table: Table, mask: np.ndarray, name: str, c: float = 0.5) -> Decision:
    if name in ONE_OF_FIELDS:
        return fit_multinomial(table, mask, name, c)
    if name in CHOICE_FIELDS:
        return fit_choice(table, mask, name, c)
    from sklearn.linear_model import LogisticRegression

    x = table.matrix()[mask]
    y = table.labels[mask]
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    if len(set(y)) < 2:
        coef, intercept = np.zeros(len(table.names)), 0.0
    else:
        model = LogisticRegression(C=c, max_iter=5000, random_state=RANDOM_STATE)
        model.fit((x - mean) / scale, y)
        coef, intercept = model.coef_[0], float(model.intercept_[0])
    return Decision(name, table.names, coef, intercept, mean, scale, np.array([1.0, 0.0, 0.0]))


CHOICE_FIELDS = ("incident_date",)  # shared weights across a closed set of values: a choice model


def fit_choice(table: Table, mask: np.ndarray, name: str, c: float) -> Decision:
    """A conditional logit: one weight per feature, shared by every candidate, fitted so that
    the softmax over each unit's candidates puts its mass on the right one (maximum likelihood
    with an L2 penalty of 1/(2C), L-BFGS). Unlike a yes/no model per candidate, the evidence
    for one candidate is weighed against the others'."""
    from scipy.optimize import minimize

    x = table.matrix()[mask]
    y = table.labels[mask].astype(float)
    units = table.article[mask]
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    xs = (x - mean) / scale
    ids, inverse = np.unique(units, return_inverse=True)
    has_right = np.bincount(inverse, weights=y, minlength=len(ids)) > 0
    keep = has_right[inverse]
    xs, y, inverse = xs[keep], y[keep], np.unique(inverse[keep], return_inverse=True)[1]
    n_units = inverse.max() + 1 if len(inverse) else 0
    if n_units == 0:
        return Decision(name, table.names, np.zeros(len(table.names)), 0.0, mean, scale,
                        np.array([1.0, 0.0, 0.0]))

    def loss(w):
        z = xs @ w
        zmax = np.full(n_units, -np.inf)
        np.maximum.at(zmax, inverse, z)
        e = np.exp(z - zmax[inverse])
        total = np.bincount(inverse, weights=e, minlength=n_units)
        right = np.bincount(inverse, weights=e * y, minlength=n_units)
        nll = -np.sum(np.log(right) - np.log(total))
        p_all = e / total[inverse]
        p_right = e * y / right[inverse]
        grad = xs.T @ (p_all - p_right) + w / c
        return nll + 0.5 * np.dot(w, w) / c, grad

    result = minimize(loss, np.zeros(xs.shape[1]), jac=True, method="L-BFGS-B",
                      options={"maxiter": 2000})
    return Decision(name, table.names, result.x, 0.0, mean, scale, np.array([1.0, 0.0, 0.0]))


def fit_multinomial(table: Table, mask: np.ndarray, name: str, c: float) -> Decision:
    """A closed set of values (a status, a mention's role): multinomial logistic regression
    over the unit's own features, written back as per-value weights on `one_of` rows, so that
    the softmax over a unit's rows is exactly the model's probability of each value."""
    from sklearn.linear_model import LogisticRegression

    units = sorted(set(table.article[mask].tolist()))
    values = sorted({k.split(":", 1)[0] for k in table.names})
    base = sorted({k.split(":", 1)[1] for k in table.names} - {"bias"})
    col = {f: j for j, f in enumerate(base)}
    x = np.zeros((len(units), len(base)))
    y = []
    index = {u: i for i, u in enumerate(units)}
    for row, label, unit in zip(table.rows, table.labels, table.article):
        if unit not in index:
            continue
        for key, v in row.items():
            value, feat = key.split(":", 1)
            if feat != "bias":
                x[index[unit], col[feat]] = v
        if label:
            y.append((index[unit], value_of_row(row)))
    truth = ["" for _ in units]
    for i, value in y:
        truth[i] = value
    keep = [i for i, t in enumerate(truth) if t]
    x, truth = x[keep], [truth[i] for i in keep]
    if not keep:
        x = np.zeros((1, len(base)))
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    weights = {v: np.zeros(len(base)) for v in values}
    biases = dict.fromkeys(values, 0.0)
    present = sorted(set(truth))
    if len(present) >= 2:
        model = LogisticRegression(C=c, max_iter=5000, random_state=RANDOM_STATE)
        model.fit((x - mean) / scale, truth)
        coefs = model.coef_ if len(present) > 2 else np.vstack([-model.coef_[0], model.coef_[0]])
        inter = model.intercept_ if len(present) > 2 else np.array(
            [-model.intercept_[0], model.intercept_[0]])
        for k, v in enumerate(model.classes_):
            weights[v] = coefs[k] / scale
            biases[v] = float(inter[k] - np.sum(coefs[k] * mean / scale))
    for v in values:  # a value never seen right: far below the others
        if v not in present:
            biases[v] = -10.0
    names = tuple(table.names)
    coef = np.zeros(len(names))
    for j, key in enumerate(names):
        value, feat = key.split(":", 1)
        coef[j] = biases[value] if feat == "bias" else weights[value][col[feat]]
    return Decision(name, names, coef, 0.0, np.zeros(len(names)), np.ones(len(names)),
                    np.array([1.0, 0.0, 0.0]))


def value_of_row(row: dict) -> str:
    return next(k.split(":", 1)[0] for k in row if k.endswith(":bias"))


def decide_articles(decision: Decision, table: Table, articles: list[int]) -> list[dict]:
    """Per article: the decision's pick (or set), whether it is right, and its raw statistics."""
    out = []
    z_all = decision.logits(table.rows) if table.rows else np.zeros(0)
    for a in articles:
        idx = np.flatnonzero(table.article == a)
        if idx.size == 0:
            continue
        z = z_all[idx]
        y = table.labels[idx]
        if decision.field in EACH_FIELDS:
            out.append({"article": a, "z": z, "y": y})
            continue
        best = int(np.argmax(z))
        share, margin = pick_stats(z, best)
        out.append({"article": a, "right": bool(y[best]), "share": share, "margin": margin,
                    "covered": table.covered.get(a, False)})
    return out


def calibrate(name: str, decided: list[dict]) -> np.ndarray:
    """Fit the calibrator on out-of-fold decisions: (a, b, c) as decide.Decision reads them."""
    from sklearn.linear_model import LogisticRegression

    if name in EACH_FIELDS:
        z = np.concatenate([d["z"] for d in decided]) if decided else np.zeros(0)
        y = np.concatenate([d["y"] for d in decided]) if decided else np.zeros(0)
        if len(set(y.tolist())) < 2:
            return np.array([1.0, 0.0, 0.0])
        m = LogisticRegression(C=10.0, random_state=RANDOM_STATE).fit(z.reshape(-1, 1), y)
        return np.array([float(m.coef_[0][0]), 0.0, float(m.intercept_[0])])
    if not decided:
        return np.array([1.0, 0.0, 0.0])
    # Platt scaling of the winner's share: one slope and one offset, so the confidence rises
    # with the share (a second input, the margin, made the fit non-monotonic)
    share = np.array([d["share"] for d in decided]).clip(1e-6, 1 - 1e-6)
    x = np.log(share / (1 - share)).reshape(-1, 1)
    y = np.array([int(d["right"]) for d in decided])
    if len(set(y.tolist())) < 2:
        return np.array([0.0, 0.0, 4.0 if y.all() else -4.0])
    m = LogisticRegression(C=10.0, random_state=RANDOM_STATE).fit(x, y)
    slope = float(m.coef_[0][0])
    if slope <= 0:  # the share says nothing here: the field's own rate of being right
        rate = min(max(y.mean(), 0.02), 0.98)
        return np.array([0.0, 0.0, float(np.log(rate / (1 - rate)))])
    return np.array([slope, 0.0, float(m.intercept_[0])])


def shifted(name: str, table: Table, train_idx: list[int], examples: list[Example],
            c: float = 0.5) -> list[dict]:
    """Decisions made across a change of register, to calibrate on: the long-form articles
    decided by weights fitted on the short write-ups alone, and the write-ups by weights fitted
    on the articles alone (no incident on both sides). Real pages differ from both, and a
    calibrator fitted within one register promised too much on them; across registers it
    learns what a shift costs."""
    owner = table.owner
    dated = {a for a in train_idx if examples[owner[a]].article.published}
    short = set(train_idx) - dated
    out = []
    for train_side, test_side in ((short, dated), (dated, short)):
        train_groups = {examples[owner[a]].group for a in train_side}
        test_side = [a for a in test_side if examples[owner[a]].group not in train_groups]
        if not train_side or not test_side:
            continue
        d = fit(table, np.isin(table.article, list(train_side)), name, c)
        out += decide_articles(d, table, test_side)
    return out


def set_scores(decision: Decision, decided: list[dict]) -> tuple[int, int, int]:
    """Chains: true positives, predicted, wanted, with the pipeline's own threshold."""
    from .tag import CHAIN_MIN_PROBABILITY

    tp = pred = want = 0
    for d in decided:
        a, _, c = decision.calib
        p = 1 / (1 + np.exp(-(a * d["z"] + c)))
        chosen = p >= CHAIN_MIN_PROBABILITY
        if not chosen.any() and p.size and p.max() >= 0.25:
            chosen = p == p.max()
        tp += int((chosen & (d["y"] == 1)).sum())
        pred += int(chosen.sum())
        want += int((d["y"] == 1).sum())
    return tp, pred, want


def accuracy(name: str, decision: Decision, decided: list[dict]) -> float | None:
    if name in EACH_FIELDS:
        tp, pred, want = set_scores(decision, decided)
        p = tp / pred if pred else 1.0
        r = tp / want if want else 1.0
        return 2 * p * r / (p + r) if p + r else 0.0
    if not decided:
        return None
    return sum(d["right"] for d in decided) / len(decided)


def bootstrap(name: str, decision: Decision, decided: list[dict], n: int = 500
              ) -> tuple[float, float]:
    rng = np.random.default_rng(RANDOM_STATE)
    if not decided:
        return (0.0, 0.0)
    vals = []
    for _ in range(n):
        sample = [decided[i] for i in rng.integers(0, len(decided), len(decided))]
        vals.append(accuracy(name, decision, sample) or 0.0)
    return float(np.percentile(vals, 2.5)), float(np.percentile(vals, 97.5))


def cross_validate(name: str, table: Table, train_articles: list[int], folds: int,
                   c: float = 0.5) -> tuple[list[dict], float | None]:
    from sklearn.model_selection import GroupKFold

    groups = {a: g for a, g in zip(table.article.tolist(), table.groups)}
    arts = [a for a in train_articles if a in groups]
    if len(set(groups[a] for a in arts)) < folds:
        return [], None
    decided = []
    for tr, te in GroupKFold(n_splits=folds).split(arts, groups=[groups[a] for a in arts]):
        tr_set = {arts[i] for i in tr}
        d = fit(table, np.isin(table.article, list(tr_set)), name, c)
        decided += decide_articles(d, table, [arts[i] for i in te])
    probe = Decision(name, (), np.zeros(0), 0.0, np.zeros(0), np.zeros(0), calibrate(name, decided))
    return decided, accuracy(name, probe, decided) if name in EACH_FIELDS else accuracy(
        name, probe, decided)


def calibration_table(decided: list[dict], calib: np.ndarray) -> list[dict]:
    a, b, c = calib
    out = []
    bins = [(0.0, 0.5), (0.5, 0.8), (0.8, 0.95), (0.95, 1.01)]
    confs = []
    for d in decided:
        share = min(max(d["share"], 1e-6), 1 - 1e-6)
        confs.append((1 / (1 + np.exp(-(a * np.log(share / (1 - share)) + b * d["margin"] + c))),
                      d["right"]))
    for lo, hi in bins:
        inside = [r for p, r in confs if lo <= p < hi]
        out.append({"confidence": f"{lo:.2f}-{min(hi, 1):.2f}", "n": len(inside),
                    "right": round(sum(inside) / len(inside), 3) if inside else None})
    return out


@dataclass
class FieldResult:
    name: str
    cv: float | None
    held_out_new: float | None
    held_out_old: float | None
    interval_new: tuple[float, float]
    interval_old: tuple[float, float]
    promoted: bool
    n_articles: int
    ceiling: float | None
    calibration: list[dict]
    c: float = 0.5


def train_facts(store=None, directory: Path | None = None, force: bool = False,
                root: Path | None = None, folds: int = 5, rounds: int = 2,
                examples: list[Example] | None = None, log=print) -> list[FieldResult]:
    """Train every field's decision and promote those that are not worse on the held-out split."""
    started = time.perf_counter()
    directory = Path(directory) if directory else config.models_dir()
    directory.mkdir(parents=True, exist_ok=True)
    if examples is None:
        examples = corpus_examples(root) + (store_examples(store) if store is not None else [])
    try:
        current = Decisions.load(directory / MODEL_FILE)
    except Exception:  # noqa: BLE001 - no usable model yet: bootstrap from none
        current = None
    from .tag import Tagger

    tagger = Tagger(decisions=current or Decisions.untrained())
    train_idx = [i for i, e in enumerate(examples) if not held_out(e.group)]
    test_idx = [i for i, e in enumerate(examples) if held_out(e.group)]
    working = current or Decisions.untrained()
    new: dict[str, Decision] = {}
    reports: dict[str, dict] = {}
    for round_no in range(rounds if current is None else 1):
        tables = collect(examples, working, tagger)
        for name in FIELDS:
            table = tables[name]
            units = table.units_of(train_idx)
            runs = {c: cross_validate(name, table, units, folds, c) for c in REGULARISATION}
            c = max(REGULARISATION, key=lambda c: (runs[c][1] or 0.0, -abs(c - 0.5)))
            decided, cv = runs[c]
            d = fit(table, np.isin(table.article, units), name, c)
            d.calib = calibrate(name, shifted(name, table, units, examples, c))
            if name == "incident_date":
                d.fallback = publication_fallback(examples, train_idx)
            new[name] = d
            covered = [table.covered[a] for a in units if a in table.covered]
            reports[name] = {"cv": cv, "decided": decided, "C": c,
                             "ceiling": sum(covered) / len(covered) if covered else None,
                             "n": len(covered), "table": table}
        working = Decisions({**(current.by_field if current else {}), **new}) \
            if current else Decisions(dict(new))
        log(f"round {round_no + 1}: " + ", ".join(
            f"{n} {reports[n]['cv']:.3f}" for n in FIELDS if reports[n]["cv"] is not None))
    results = []
    chosen: dict[str, Decision] = {}
    for name in FIELDS:
        table = reports[name]["table"]
        test_units = table.units_of(test_idx)
        held_new = decide_articles(new[name], table, test_units)
        acc_new = accuracy(name, new[name], held_new)
        acc_old = None
        interval_old = (0.0, 0.0)
        if current is not None:
            held_old = decide_articles(current[name], table, test_units)
            acc_old = accuracy(name, current[name], held_old)
            interval_old = bootstrap(name, current[name], held_old)
        better = acc_old is None or (acc_new or 0) >= acc_old - 1e-9
        promoted = better or force
        chosen[name] = new[name] if promoted else current[name]
        calib = [] if name in EACH_FIELDS else calibration_table(reports[name]["decided"],
                                                                 new[name].calib)
        results.append(FieldResult(name, reports[name]["cv"], acc_new, acc_old,
                                   bootstrap(name, new[name], held_new), interval_old, promoted,
                                   reports[name]["n"], reports[name]["ceiling"], calib,
                                   reports[name]["C"]))
    if any(r.promoted for r in results):
        current_file = directory / MODEL_FILE
        if current is not None and current_file.exists():  # the last good model stays at hand
            backup = directory / "previous"
            backup.mkdir(exist_ok=True)
            shutil.copy2(current_file, backup / MODEL_FILE)
            if (directory / CARD_FILE).exists():
                shutil.copy2(directory / CARD_FILE, backup / CARD_FILE)
        Decisions(chosen).save(current_file)
        write_card(directory, results, examples, root, time.perf_counter() - started,
                   chosen["incident_date"].fallback)
    return results


def write_card(directory: Path, results: list[FieldResult], examples: list[Example],
               root: Path | None, seconds: float, date_fallback: float = 0.0) -> None:
    from .decide import file_sha256
    from .train import versions

    card = {
        "file": MODEL_FILE,
        "sha256": file_sha256(directory / MODEL_FILE),
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "model": "per field: logistic regression on standardised tagger features "
                 "(scikit-learn), calibrated on out-of-fold decisions; NumPy archive read "
                 "with allow_pickle=False",
        "corpus_sha256": corpus.digest(root),
        "training_articles": sum(1 for e in examples if not held_out(e.group)),
        "held_out_articles": sum(1 for e in examples if held_out(e.group)),
        "from_reviews": sum(1 for e in examples if e.origin == "review"),
        "held_out": f"incidents whose name hashes to 0 mod {HELD_OUT_SHARE} (never trained on)",
        "random_state": RANDOM_STATE,
        "fields": {r.name: {
            "cv_grouped_by_incident": None if r.cv is None else round(r.cv, 4),
            "held_out_new": None if r.held_out_new is None else round(r.held_out_new, 4),
            "held_out_new_95": [round(v, 4) for v in r.interval_new],
            "held_out_previous": None if r.held_out_old is None else round(r.held_out_old, 4),
            "held_out_previous_95": [round(v, 4) for v in r.interval_old],
            "promoted": r.promoted, "articles": r.n_articles, "C": r.c,
            "candidate_ceiling": None if r.ceiling is None else round(r.ceiling, 4),
            "calibration": r.calibration,
            "metric": "set F1" if r.name in EACH_FIELDS else "accuracy of the pick"}
            for r in results},
        "incident_date_fallback": {
            "confidence": date_fallback,
            "meaning": "a page that dates nothing itself gets the day before its publication, "
                       "at this confidence: the share of dated training pages whose attack fell "
                       "within a day of it"},
        "versions": versions(),
        "train_seconds": round(seconds, 1),
    }
    tmp = directory / f".facts-card-{os.getpid()}.tmp"
    tmp.write_text(json.dumps(card, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, directory / CARD_FILE)


def format_results(results: list[FieldResult]) -> str:
    lines = [f"{'field':18s} {'cv':>6s} {'held-out new [95%]':>24s} {'previous [95%]':>24s}"
             f" {'ceiling':>8s}  decision"]
    for r in results:
        def fmt(v, iv):
            return "-" if v is None else f"{v:.3f} [{iv[0]:.2f}-{iv[1]:.2f}]"
        lines.append(f"{r.name:18s} {('-' if r.cv is None else f'{r.cv:.3f}'):>6s} "
                     f"{fmt(r.held_out_new, r.interval_new):>24s} "
                     f"{fmt(r.held_out_old, r.interval_old):>24s} "
                     f"{('-' if r.ceiling is None else f'{r.ceiling:.3f}'):>8s}  "
                     f"{'promoted' if r.promoted else 'kept the previous'}")
    return "\n".join(lines)
