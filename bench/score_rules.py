"""The archive's matching rules (CONTRACT.md, "How it is scored"), for the bench scripts.

When ../shared/eval/score.py is beside the project its own functions are used, so the figures
are the archive's; otherwise the same rules, restated here from CONTRACT.md.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "eval" / "score.py"


def norm_name(s: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", s.lower()).split())


def victim_ok(got, names):
    if not names:
        return None
    if not got:
        return False
    g = norm_name(got).split()
    for name in names:
        n = norm_name(name).split()
        if n and g:
            short, long_ = (g, n) if len(g) <= len(n) else (n, g)
            if long_[: len(short)] == short:
                return True
    return False


def date_ok(got, want):
    if want is None:
        return None
    if not got:
        return False
    try:
        return abs((dt.date.fromisoformat(str(got)[:10]) - dt.date.fromisoformat(want)).days) <= 1
    except ValueError:
        return False


def amount_ok(got, want, alternatives):
    if want is None:
        return None
    try:
        g = float(got)
    except (TypeError, ValueError):
        return False
    return any(w and abs(g - float(w)) <= 0.10 * float(w) for w in [want, *(alternatives or [])])


def value(fact):
    return fact.get("value") if isinstance(fact, dict) else None


def values(facts):
    return [value(f) for f in (facts or []) if isinstance(f, dict)]


if SHARED.exists():  # the archive's own scorer wins
    spec = importlib.util.spec_from_file_location("archive_score", SHARED)
    if spec and spec.loader:
        _m = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(_m)
        norm_name, victim_ok, date_ok, amount_ok, value, values = (  # noqa: F811
            _m.norm_name, _m.victim_ok, _m.date_ok, _m.amount_ok, _m.value, _m.values)
