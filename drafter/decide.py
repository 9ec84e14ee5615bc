"""Learned fact decisions: which candidate is the stolen amount, the incident date, the victim,
which chains funds were taken from, the recovery status and the target.

The tagger's components find candidates and compute their features (cue strengths, clause
roles, positions, restatements, other-incident flags, magnitudes...); a `Decision` per field
turns each candidate's features into a score with weights that `drafter train` fits with
scikit-learn (logistic regression, cross-validated by incident) and calibrates, so that a
confidence of 0.8 means right about four times in five. Prediction needs only NumPy: the
weights live in `models/facts.npz` (loaded with allow_pickle=False) beside a card.

Two kinds of decision:
- `pick`: one of several candidates is right (funds, date, victim, status, target): the
  candidates' scores go through a softmax and the calibrator maps the winner's share and its
  margin over the runner-up to a confidence;
- `each`: every candidate is judged on its own (chains): the calibrated probability that this
  candidate belongs in the set.

`chain_mention` is a pick among a mention's roles (taken from, a route, another incident's,
other): each chain mention is judged on its own, and what its mentions say feeds the chain's
decision.
"""

from __future__ import annotations

import json
import math
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import config
from .errors import ModelError

MODEL_FILE = "facts.npz"
CARD_FILE = "facts.card.json"
PICK_FIELDS = ("funds_stolen_usd", "incident_date", "victim", "status", "target",
               "chain_mention")
EACH_FIELDS = ("chains",)
FIELDS = PICK_FIELDS + EACH_FIELDS

Row = dict[str, float]


def one_of(value: str, base: Row) -> Row:
    """Features of a candidate that is one of a closed set of values (a status, a target):
    each base feature under the value's own name, plus the value's own bias."""
    out = {f"{value}:{k}": v for k, v in base.items()}
    out[f"{value}:bias"] = 1.0
    return out


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


@dataclass
class Decision:
    """A linear scorer over named features with a calibrator on top."""

    field: str
    names: tuple[str, ...]
    coef: np.ndarray          # weights on standardised features
    intercept: float
    mean: np.ndarray
    scale: np.ndarray
    calib: np.ndarray         # (a, b, c): confidence = sigmoid(a*logit(share) + b*margin + c)
    fallback: float = 0.0
    """For the incident date: how often, in training, a page that dates nothing itself was
    attacked the day before it was published (within a day); 0 where there is no fallback."""

    def matrix(self, rows: list[Row]) -> np.ndarray:
        index = {n: i for i, n in enumerate(self.names)}
        x = np.zeros((len(rows), len(self.names)))
        for r, row in enumerate(rows):
            for k, v in row.items():
                i = index.get(k)
                if i is not None:
                    x[r, i] = v
        return x

    def logits(self, rows: list[Row]) -> np.ndarray:
        if not rows:
            return np.zeros(0)
        x = (self.matrix(rows) - self.mean) / self.scale
        return x @ self.coef + self.intercept

    def pick(self, rows: list[Row], values: list | None = None, close=None) -> tuple[int, float]:
        """The best candidate's index and the confidence that it is right.

        With `values` and `close(a, b)`, candidates whose values are close pool their share
        (one amount stated three times is one answer), and the margin is over the best
        candidate with another value."""
        z = self.logits(rows)
        best = int(np.argmax(z))
        same = None
        if values is not None and close is not None:
            same = np.array([close(values[best], v) for v in values])
        return best, self.confidence(z, best, same)

    def confidence(self, z: np.ndarray, best: int, same: np.ndarray | None = None) -> float:
        share, margin = pick_stats(z, best, same)
        a, b, c = self.calib
        return float(_sigmoid(a * _logit(share) + b * margin + c))

    def probability(self, z: float) -> float:
        """The uncalibrated probability that one candidate is right, from its score alone."""
        return float(_sigmoid(z))

    def each(self, rows: list[Row]) -> np.ndarray:
        """Per candidate, the calibrated probability that it is right."""
        z = self.logits(rows)
        a, _, c = self.calib
        return _sigmoid(a * z + c)


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def pick_stats(z: np.ndarray, best: int, same: np.ndarray | None = None) -> tuple[float, float]:
    """The winner's softmax share among the candidates (with those of the same value), and its
    lead over the best candidate of another value."""
    if same is None:
        same = np.zeros(len(z), dtype=bool)
        same[best] = True
    e = np.exp(z - z.max())
    share = float(e[same].sum() / e.sum())
    rest = z[~same]
    margin = float(z[best] - rest.max()) if rest.size else 5.0
    return share, min(margin, 5.0)


class Decisions:
    """Every field's decision, as shipped in models/ (or as just trained)."""

    def __init__(self, by_field: dict[str, Decision]) -> None:
        self.by_field = by_field

    def __getitem__(self, name: str) -> Decision:
        return self.by_field[name]

    def save(self, path: Path) -> None:
        arrays: dict[str, np.ndarray] = {}
        for name, d in self.by_field.items():
            arrays[f"{name}.names"] = np.array(d.names, dtype=str)
            arrays[f"{name}.coef"] = d.coef
            arrays[f"{name}.intercept"] = np.array([d.intercept])
            arrays[f"{name}.mean"] = d.mean
            arrays[f"{name}.scale"] = d.scale
            arrays[f"{name}.calib"] = d.calib
            arrays[f"{name}.fallback"] = np.array([d.fallback])
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez(tmp, **arrays)
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path | None = None) -> Decisions:
        """The shipped decisions; if they are refused, the previous good ones (with a warning)."""
        path = path or config.models_dir() / MODEL_FILE
        try:
            return cls.load_file(path)
        except ModelError as exc:
            previous = path.parent / "previous" / path.name
            if not previous.exists():
                raise
            try:
                decisions = cls.load_file(previous)
            except ModelError:
                raise exc from None
            import sys

            print(f"warning: {exc.message}; using the previous fact decisions ({exc.hint})",
                  file=sys.stderr)
            return decisions

    @classmethod
    def load_file(cls, path: Path) -> Decisions:
        hint = "restore it with `git checkout models/` or rebuild it with `drafter train`"
        expected = (card(path.parent / CARD_FILE) or {}).get("sha256")
        try:
            if expected and file_sha256(path) != expected:
                raise ModelError(f"the fact-decision model {path} does not match its model card "
                                 "(checksum differs)", hint)
            with np.load(path, allow_pickle=False) as z:
                by_field = {}
                for name in FIELDS:
                    names = tuple(str(n) for n in z[f"{name}.names"])
                    d = Decision(name, names, z[f"{name}.coef"].astype(float),
                                 float(z[f"{name}.intercept"][0]), z[f"{name}.mean"].astype(float),
                                 z[f"{name}.scale"].astype(float), z[f"{name}.calib"].astype(float),
                                 float(z[f"{name}.fallback"][0]) if f"{name}.fallback" in z else 0.0)
                    n = len(names)
                    if d.coef.shape != (n,) or d.mean.shape != (n,) or d.scale.shape != (n,) \
                            or d.calib.shape != (3,) or not np.all(np.isfinite(d.coef)) \
                            or np.any(d.scale <= 0):
                        raise ValueError(f"the {name} decision has malformed weights")
                    by_field[name] = d
        except FileNotFoundError as exc:
            raise ModelError(f"the fact-decision model {path} is missing", hint) from exc
        except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile) as exc:
            raise ModelError(f"the fact-decision model {path} is corrupt or unreadable ({exc})",
                             hint) from exc
        return cls(by_field)

    @classmethod
    def untrained(cls) -> Decisions:
        """No weights at all: every candidate scores the same (the first wins). Used only to
        bootstrap training when no model exists yet."""
        empty = np.zeros(0)
        return cls({f: Decision(f, (), empty, 0.0, empty, empty, np.array([1.0, 0.0, 0.0]))
                    for f in FIELDS})


def file_sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def card(path: Path | None = None) -> dict | None:
    path = path or config.models_dir() / CARD_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
