"""Property-based tests (hypothesis) for the normalisers and the merge."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from drafter import lexicon
from drafter.merge import merge_single
from drafter.normalize import find_amounts, find_dates, parse_amount, parse_date
from drafter.records import Candidate

LEX = lexicon.load()
MULT = {"million": 10**6, "billion": 10**9, "thousand": 10**3}


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_amount_finder_never_crashes_and_spans_are_exact(text):
    for start, end, amount in find_amounts(text, LEX):
        assert 0 <= start < end <= len(text)
        assert amount.value >= 0
        assert amount.currency


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=999_999), st.sampled_from(sorted(MULT)),
       st.sampled_from(["$", "US$"]))
def test_dollar_amounts_round_trip(n, word, symbol):
    amount = parse_amount(f"{symbol}{n:,} {word}", LEX)
    assert amount.currency == "USD"
    assert amount.value == Decimal(n) * MULT[word]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.dates(min_value=dt.date(2009, 1, 1),
                                       max_value=dt.date(2030, 12, 31)))
def test_date_finder_never_crashes_and_never_goes_past_publication(text, published):
    for start, end, value in find_dates(text, published):
        assert 0 <= start < end <= len(text)
        if value.date is not None and value.relative:
            assert value.date <= published


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=dt.date(2009, 1, 1), max_value=dt.date(2030, 12, 31)),
       st.sampled_from(["%B %d, %Y", "%d %B %Y", "%Y-%m-%d", "%b. %d, %Y"]))
def test_written_dates_round_trip(day, fmt):
    text = day.strftime(fmt)
    if fmt == "%b. %d, %Y" and day.month == 5:
        text = text.replace("May.", "May")
    assert parse_date(text).date == day


candidates = st.lists(
    st.builds(Candidate, source=st.integers(1, 5),
              value=st.integers(1_000, 10**9), confidence=st.floats(0.01, 0.99),
              text=st.just("x"), start=st.just(0), end=st.just(1), sentence=st.just("x")),
    min_size=1, max_size=6)


@settings(max_examples=300, deadline=None)
@given(candidates)
def test_merge_keeps_every_candidate_and_picks_one_of_them(cands):
    merged = merge_single("funds_stolen_usd", cands)
    assert merged.value in [c.value for c in cands]
    assert 0.0 <= merged.confidence <= 1.0
    assert merged.candidates == tuple(cands)
    distinct = {c.value for c in cands}
    if len(distinct) == 1:
        assert not merged.conflict


@settings(max_examples=200, deadline=None)
@given(candidates)
def test_agreement_never_lowers_confidence(cands):
    one = merge_single("funds_stolen_usd", cands[:1])
    twice = merge_single("funds_stolen_usd", [cands[0], cands[0]])
    assert twice.confidence >= one.confidence
