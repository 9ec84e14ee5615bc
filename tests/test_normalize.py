"""Amount and date normalisers on our own small examples."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from drafter import lexicon
from drafter.normalize import find_amounts, find_dates, parse_amount, parse_date, to_usd

LEX = lexicon.load()


@pytest.mark.parametrize("surface, value, currency", [
    ("12,000 ETH", "12000", "ETH"),
    ("1,155 WBTC", "1155", "WBTC"),
    ("$1.5bn", "1500000000", "USD"),
    ("US$26m", "26000000", "USD"),
    ("26 million dollars", "26000000", "USD"),
    ("nearly $200 million", "200000000", "USD"),
    ("48.2 billion yen", "48200000000", "JPY"),
    ("\u00a53.5 billion", "3500000000", "JPY"),
    ("\u20a935bn", "35000000000", "KRW"),
    ("$4.8M", "4800000", "USD"),
    ("2.1 million USDC", "2100000", "USDC"),
    ("640 bitcoin", "640", "BTC"),
    ("9.4 million GLMR", "9400000", "GLMR"),
    ("\u20ac2 million", "2000000", "EUR"),
    ("$600,000", "600000", "USD"),
    ("\u20b93.4 lakh", "340000", "INR"),
    ("Rs 378 crore", "3780000000", "INR"),
    ("Rs. 12 lakhs", "1200000", "INR"),
    ("2,000 crore rupees", "20000000000", "INR"),
])
def test_amount_forms(surface, value, currency):
    amount = parse_amount(surface, LEX)
    assert amount is not None
    assert amount.value == Decimal(value)
    assert amount.currency == currency


def test_words_that_are_not_tickers_are_not_amounts():
    assert find_amounts("The attack began at 10 AM UTC and lasted 3 hours.", LEX) == []
    assert find_amounts("It affected 200 NFTs in 2021.", LEX) == []


def test_amount_offsets_point_at_the_surface():
    text = "Hackers took about $3.2 million and 410 ETH."
    spans = [(text[s:e], a.currency) for s, e, a in find_amounts(text, LEX)]
    assert spans == [("$3.2 million", "USD"), ("410 ETH", "ETH")]


def test_usd_conversion_trusts_dollars_over_stablecoins_over_prices():
    when = dt.date(2022, 5, 1)
    assert to_usd(parse_amount("$5M", LEX), when, LEX) == (5_000_000.0, 1.0)
    usd, trust = to_usd(parse_amount("5 million USDT", LEX), when, LEX)
    assert usd == 5_000_000.0 and 0.8 < trust < 1.0
    usd, trust = to_usd(parse_amount("1,000 ETH", LEX), when, LEX)
    assert 1_000_000 < usd < 5_000_000 and trust <= 0.5
    usd, trust = to_usd(parse_amount("1.1 billion yen", LEX), dt.date(2021, 3, 1), LEX)
    assert 9_000_000 < usd < 11_000_000 and trust < 1.0
    assert to_usd(parse_amount("50,000 FOO", LEX), when, LEX) == (None, 0.0)


PUB = dt.date(2024, 3, 10)  # a Sunday


@pytest.mark.parametrize("surface, expected", [
    ("on Sunday", "2024-03-10"),
    ("late Tuesday UTC", "2024-03-05"),
    ("last Sunday", "2024-03-03"),
    ("early on Friday", "2024-03-08"),
    ("over the weekend", "2024-03-09"),
    ("earlier this week", "2024-03-07"),
    ("yesterday", "2024-03-09"),
    ("March 4, 2024", "2024-03-04"),
    ("4 March 2024", "2024-03-04"),
    ("Mar. 4", "2024-03-04"),
    ("Dec. 28", "2023-12-28"),
    ("2024-02-29", "2024-02-29"),
    ("2/27/24", "2024-02-27"),
    ("Tuesday, Feb. 27", "2024-02-27"),
    ("last week", "2024-02-28"),        # the previous calendar week's Wednesday
    ("late last week", "2024-02-29"),
    ("early last week", "2024-02-27"),
    ("a week ago", "2024-03-03"),
])
def test_dates_resolve_against_the_publication_date(surface, expected):
    assert parse_date(surface, PUB).date.isoformat() == expected


def test_a_weekday_next_to_an_explicit_date_yields_to_it():
    text = "The team disclosed it on Thursday, Feb. 22, after the drain."
    found = find_dates(text, PUB)
    assert [text[s:e] for s, e, _ in found] == ["Feb. 22"]


def test_relative_dates_without_a_publication_date_are_unresolved():
    assert parse_date("on Sunday", None).date is None
    assert parse_date("March 2023", None).precision == "month"
    assert parse_date("in 2019", None).precision == "year"


def test_invalid_calendar_dates_are_dropped():
    assert parse_date("February 30, 2023", None).date is None
