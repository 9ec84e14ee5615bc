"""The error classes real pages showed, each fixed in general: one test per class, on text
written here (no real page's sentences), through the real tagger and extractor."""

from __future__ import annotations

import pytest

from drafter import lexicon
from drafter.extract import shown_date, url_date
from drafter.normalize import find_amounts
from drafter.tag import Tagger
from drafter.tag.dates import stamp_lines
from tests.articles import art

# amounts -----------------------------------------------------------------------------------

@pytest.mark.parametrize("surface, usd", [
    ("$40 Million", 40e6), ("$3.4 BILLION", 3.4e9), ("350K USD", 350e3), ("$2 bln", 2e9),
    ("US $160 million", 160e6), ("$1.5Bn", 1.5e9), ("7 million dollars", 7e6),
])
def test_amount_forms_outlets_use(surface, usd):
    found = find_amounts(f"the attacker took {surface} from the pool", lexicon.load())
    assert len(found) == 1 and float(found[0][2].value) == usd and found[0][2].currency == "USD"


def test_a_combined_figure_is_the_loss(tagger):
    text = ("Thieves drained Lendwise's three vaults on Monday, taking tokens worth a combined "
            "$612 million, the team said.")
    assert tagger.tag(art("Lendwise vaults drained", text)).get("funds_stolen_usd").value == \
        612_000_000


def test_a_coin_name_in_any_case_is_an_amount():
    found = find_amounts("stole 1,200 Ether and 3 Bitcoin", lexicon.load())
    assert [(a.currency, float(a.value)) for _, _, a in found] == [("ETH", 1200.0), ("BTC", 3.0)]


def test_a_coin_amount_takes_the_dollar_figure_stated_beside_it(tagger):
    text = "An attacker stole 1,200 ETH (about $4.1 million) from Lendwise on Monday."
    funds = tagger.tag(art("Lendwise loses 1,200 ETH", text)).get("funds_stolen_usd")
    assert funds.value == 4_100_000


# chains ------------------------------------------------------------------------------------

@pytest.mark.parametrize("asset", ["wrapped bitcoin (WBTC)", "bridged bitcoin"])
def test_a_wrapped_or_bridged_asset_is_not_its_origin_chain(tagger, asset):
    text = (f"Attackers drained $4 million in {asset} from Lendwise's Ethereum vault on Monday, "
            "the team said.")
    chains = [c.value for c in tagger.tag(art("Lendwise drained", text)).all("chains")]
    assert "Bitcoin" not in chains and "Ethereum" in chains


@pytest.mark.parametrize("name", ["ETH", "Ether", "ether"])
def test_eth_ether_and_ether_name_ethereum(tagger, name):
    text = f"Attackers stole 1,200 {name} worth $4 million from Lendwise's vault on Monday."
    assert [c.value for c in tagger.tag(art("Lendwise drained", text)).all("chains")] == \
        ["Ethereum"]


def test_a_chain_excepted_is_not_where_funds_were_taken(tagger):
    text = ("Attackers drained $4 million from Lendwise's markets on Avalanche on Monday. Every "
            "market except bitcoin was hit.")
    chains = [c.value for c in tagger.tag(art("Lendwise drained", text)).all("chains")]
    assert "Bitcoin" not in chains and "Avalanche" in chains


# dates -------------------------------------------------------------------------------------

def test_a_yearless_date_never_takes_an_unrelated_year(tagger):
    text = ("Lendwise, whose founders first met at a 1977 chess camp, lost $8 million on March 21 "
            "when an attacker drained its pools.")
    date = tagger.tag(art("Lendwise drained", text, published=None)).get("incident_date")
    assert date is None or not date.value.startswith("1977")


def test_a_yearless_date_takes_the_year_the_story_writes():
    from drafter.tag.dates import default_year  # noqa: F401 - the resolver the picker uses

    tagger = Tagger()
    text = ("Lendwise lost $8 million on March 21 when an attacker drained its pools, the second "
            "theft it suffered in 2025.")
    date = tagger.tag(art("Lendwise drained", text, published=None)).get("incident_date")
    assert date is not None and date.value == "2025-03-21"


@pytest.mark.parametrize("when", ["in March 2024", "in 2024"])
def test_a_month_or_a_year_alone_never_becomes_a_day(tagger, when):
    text = f"Lendwise lost $8 million {when} when an attacker drained its pools."
    date = tagger.tag(art("Lendwise drained", text)).get("incident_date")
    assert date is None or "guess" in date.extra  # only the flagged publication-day guess
    assert tagger.tag(art("Lendwise drained", text, published=None)).get("incident_date") is None


def test_a_date_stamp_is_not_the_incident_date(tagger):
    text = ("Jane Okafor | March 12, 2024, 9:14 AM UTC\n"
            "Updated: March 13, 2024\n"
            "Lendwise said an attacker drained $8 million from its pools on March 9.")
    date = tagger.tag(art("Lendwise drained", text)).get("incident_date")
    assert date is not None and date.value == "2024-03-09"


def test_a_date_ahead_of_the_story_is_not_a_year_back(tagger):
    text = ("Attackers drained $8 million from Lendwise on March 9. The exchange will stay "
            "offline until May 28, the team said.")
    date = tagger.tag(art("Lendwise drained", text)).get("incident_date")
    assert date is not None and date.value == "2024-03-09"


def test_a_page_that_dates_nothing_gets_the_day_before_publication_as_a_guess(tagger):
    text = "Lendwise said an attacker drained $8 million from its lending pools."
    date = tagger.tag(art("Lendwise drained", text, published="2024-03-13")).get("incident_date")
    fallback = tagger.decisions["incident_date"].fallback
    assert 0 < fallback < 1
    assert date.value == "2024-03-12" and date.confidence == pytest.approx(fallback, abs=0.01)
    assert date.extra["guess"] == "the day before publication" and date.text == ""
    assert tagger.tag(art("Lendwise drained", text, published=None)).get("incident_date") is None


def test_stamp_lines_are_short_dated_lines_before_the_story():
    text = ("Lendwise drained\nJane Okafor | March 12, 2024\nA long first paragraph " +
            "word " * 50 + "\nMarch 14, 2024")
    lines = [text[s:e] for s, e in stamp_lines(text, "Lendwise drained")]
    assert lines == ["Jane Okafor | March 12, 2024"]


def test_the_publication_date_a_reader_sees_or_the_address_gives():
    assert shown_date("Headline\nBy Jane Okafor\nMarch 12, 2024, 9:14 AM UTC\nStory") == \
        "2024-03-12"
    assert shown_date("Headline\nSINGAPORE, March 3, 2022 (Wire) - Lendwise lost money") == \
        "2022-03-03"
    assert shown_date("Headline\nThe attack on March 3, 2022 cost Lendwise its reserves, and " +
                      "word " * 45) is None  # the story's own date
    assert url_date("https://news.example/markets/2022/03/31/lendwise-drained/") == "2022-03-31"
    assert url_date("https://news.example/a/2022/13/45/x") is None


# status ------------------------------------------------------------------------------------

@pytest.mark.parametrize("sentence, status", [
    ("Validators froze $1 million of the stolen funds the next day.", "partially-recovered"),
    ("The issuer froze $1 million in USDT held by the attacker.", "partially-recovered"),
    ("On Wednesday the attacker began to return the funds.", "partially-recovered"),
    ("By Friday the team had recovered the entire sum.", "recovered"),
    ("The exploiter returned all of the recoverable assets.", "recovered"),
    ("'We froze our vaults to protect users,' the team said.", "unrecovered"),
    ("Withdrawal functions have been frozen and users were told not to deposit tokens.",
     "unrecovered"),
    ("The exchange managed to freeze most of the exposed tokens by the evening.",
     "partially-recovered"),
    ("The victim, robbed on May 26, later recovered a large part of the stolen funds.",
     "partially-recovered"),
    ("The token's issuer blacklisted the thief's address, leaving the stolen tokens stuck.",
     "partially-recovered"),
])
def test_recovery_as_real_pages_word_it(tagger, sentence, status):
    text = f"Attackers stole $4 million from Lendwise on Monday. {sentence}"
    assert tagger.tag(art("Lendwise drained of $4 million", text)).get("status").value == status


# victim and target -------------------------------------------------------------------------

@pytest.mark.parametrize("title", ["Lendwise Plunges After Bridge Hack",
                                   "DNS Security Incident Statement",
                                   "Breakdown: What Happened At Lendwise"])
def test_headline_words_are_not_names(tagger, title):
    text = ("Attackers drained $12 million from the Lendwise bridge on Monday, its developers "
            "said. Lendwise paused deposits while it investigated the breach.")
    assert tagger.tag(art(title, text)).get("victim").value.startswith("Lendwise")


def test_a_bridge_is_a_bridge(tagger):
    text = ("Attackers drained $12 million from the Lendwise Bridge on Monday, its developers "
            "said. The bridge, which links two networks, was paused.")
    f = tagger.tag(art("Lendwise Bridge drained", text), {"smart-contract-exploit": 0.9,
                                                           "private-key-compromise": 0.1})
    assert f.get("target").value == "bridge"
