"""The tagger on small articles of our own: roles, victim, date, chains, status, evidence."""

from __future__ import annotations

import pytest

from tests.articles import art

BOUNTY = art(
    "Lendora drained of $4.2 million in lending pool exploit",
    "Lendora, a lending protocol on Arbitrum, said on Monday that an attacker drained about "
    "$4.2 million from its USDC pool by abusing a rounding error in the share calculation.\n"
    "The team offered a $420,000 bounty for the return of the rest and said the flaw had been "
    "patched. Security firm PeckShield said the attacker first borrowed $30 million in a flash "
    "loan to inflate the share price.\n"
    "Tether later froze $1.1 million of the stolen USDT held at one of the attacker's addresses.")


def facts(tagger, article):
    return tagger.tag(article)


def test_a_bounty_beside_a_loss(tagger):
    f = facts(tagger, BOUNTY)
    assert f.get("funds_stolen_usd").value == 4_200_000
    roles = {a.text: a.extra["role"] for a in f.all("amounts")}
    assert roles["$420,000"] == "bounty"
    assert roles["$30 million"] == "other"


def test_a_recovered_sum_and_an_issuer_freeze(tagger):
    f = facts(tagger, BOUNTY)
    roles = {a.text: a.extra["role"] for a in f.all("amounts")}
    assert roles["$1.1 million"] == "recovered"
    assert f.get("status").value == "partially-recovered"


def test_a_quoted_security_firm_is_not_the_victim(tagger):
    f = facts(tagger, BOUNTY)
    assert f.get("victim").value == "Lendora"
    roles = {x.value: x.extra["role"] for x in f.all("firms")}
    assert roles.get("PeckShield") == "security-firm"


def test_relative_incident_date_and_chain(tagger):
    f = facts(tagger, BOUNTY)
    assert f.get("incident_date").value == "2024-03-11"
    assert [c.value for c in f.all("chains")] == ["Arbitrum"]
    assert f.get("target").value == "defi-protocol"


def test_every_fact_carries_offsets_and_its_sentence(tagger):
    f = facts(tagger, BOUNTY)
    text = BOUNTY.text
    for fact in [f.get("funds_stolen_usd"), f.get("incident_date"), f.get("victim"),
                 *f.all("amounts"), *f.all("chains")]:
        assert text[fact.start:fact.end] == fact.text
        assert fact.text in fact.sentence
        assert 0 < fact.confidence < 1


EXCHANGE = art(
    "Crypto exchange Korbit-X halts withdrawals after hot wallet hack",
    "South Korean exchange Korbit-X said hackers took 1,800 ETH, worth about $7 million, "
    "from its hot wallet late on Saturday.\n"
    "Binance said it had frozen part of the stolen ether after the attacker tried to deposit "
    "it, and chief executive officers across the industry pledged to block the addresses.\n"
    "The exchange will reimburse customers from its own funds.", published="2024-03-10")


def test_an_exchange_that_froze_funds_is_not_the_victim(tagger):
    f = facts(tagger, EXCHANGE)
    assert f.get("victim").value == "Korbit-X"
    roles = {x.value: x.extra["role"] for x in f.all("firms")}
    assert roles.get("Binance") == "exchange"
    assert f.get("funds_stolen_usd").value == 7_000_000
    assert f.get("incident_date").value == "2024-03-09"
    assert f.get("target").value == "exchange"
    assert [c.value for c in f.all("chains")] == ["Ethereum"]


def test_reimbursement_is_not_recovery(tagger):
    text = ("Vaultline lost $2 million when its bridge keys were stolen on Friday. The company "
            "said it would reimburse every user from its treasury. None of the funds have been "
            "returned.")
    f = facts(tagger, art("Vaultline bridge loses $2 million", text))
    assert f.get("status").value == "unrecovered"


def test_a_laundering_route_is_not_a_theft_chain(tagger):
    text = ("The attacker drained 3,000 BNB from the Pancake-style DEX Swapora on BNB Chain on "
            "Tuesday, then bridged the proceeds to Ethereum and sent them through Tornado Cash.")
    f = facts(tagger, art("Swapora DEX drained on BNB Chain", text))
    assert [c.value for c in f.all("chains")] == ["BNB Chain"]


def test_another_incidents_amount_is_not_the_loss(tagger):
    text = ("Pollenswap lost $850,000 on Sunday after an attacker abused a missing access "
            "check in its router. Earlier this year, Hexagate Finance lost $12 million in a "
            "similar attack.")
    f = facts(tagger, art("Pollenswap router exploited", text))
    assert f.get("funds_stolen_usd").value == 850_000
    assert f.get("victim").value == "Pollenswap"


def test_addresses_and_hashes_in_text(tagger):
    addr = "0x" + "5c" * 20
    tx = "0x" + "e4" * 32
    text = f"Drainbase lost $1 million. The exploiter {addr} sent the funds in {tx} on Monday."
    f = facts(tagger, art("Drainbase exploited", text))
    assert [a.value for a in f.all("addresses")] == [addr]
    assert [t.value for t in f.all("tx_hashes")] == [tx]


def test_an_article_without_amounts_or_dates_gets_nulls_not_guesses(tagger):
    text = ("The project's developers say they are investigating unusual activity and will "
            "share more information when they have it. Users were asked to revoke approvals.")
    f = facts(tagger, art("Project investigates unusual activity", text, published=None))
    assert f.get("funds_stolen_usd") is None
    assert f.get("incident_date") is None


# the phrase matcher and the parse-free signals -------------------------------------------------

def phrase_spans(text: str, *names: str) -> list[tuple[str, str, str]]:
    import spacy

    from drafter.tag import PhraseSpans

    matcher = PhraseSpans("firms")
    matcher.add_patterns({"label": "protocol", "pattern": n, "id": n.upper()} for n in names)
    doc = matcher(spacy.blank("en")(text))
    return [(s.text, s.label_, s.id_) for s in doc.spans["firms"]]


def test_phrases_match_on_token_boundaries_only():
    found = phrase_spans("Corvo's bridge, not CorvoBridge or Corvox, moved to Corvo.",
                         "Corvo")
    assert [f[0] for f in found] == ["Corvo", "Corvo"]
    assert found[0][1:] == ("protocol", "CORVO")


def test_overlapping_phrases_are_all_kept_longest_first():
    found = phrase_spans("Tessel Network was drained.", "Tessel", "Tessel Network")
    assert [f[0] for f in found] == ["Tessel Network", "Tessel"]


def test_phrases_are_case_sensitive_and_may_hold_punctuation():
    found = phrase_spans("Funds left Curve.fi and curve pools.", "Curve.fi", "Curve")
    assert [f[0] for f in found] == ["Curve.fi"]


def test_a_sentence_initial_name_the_ner_finds_is_still_a_firm(tagger):
    f = facts(tagger, art("Zorvex loses $2 million",
                          "Zorvex said on Monday that an attacker drained $2 million from its "
                          "vaults. Zorvex has paused deposits."))
    assert f.get("victim").value == "Zorvex"


def test_a_headline_label_is_not_a_firm(tagger):
    f = facts(tagger, art("Notice: Quillfi bridge exploited",
                          "Notice: the Quillfi bridge was exploited on Monday and about "
                          "$5 million was stolen, the Quillfi team said."))
    assert "Notice" not in {x.value for x in f.all("firms")}


def test_a_reporting_verb_before_a_date_marks_it_as_reported(tagger):
    f = facts(tagger, art("Mervault drained",
                          "Mervault said on March 12 that hackers had stolen $3 million from its "
                          "hot wallet on March 9."))
    assert f.get("incident_date").value == "2024-03-09"


def clause_of(sentence: str, amount: str) -> set[str]:
    from drafter.tag import Sent, clause_cues

    start = sentence.index(amount)
    return clause_cues(Sent(0, len(sentence), sentence, 0), start, start + len(amount))


def test_the_clause_around_an_amount_names_its_governing_cues():
    assert "gone" in clause_of("By the morning the pool was empty: about $15M gone.", "$15M")
    assert "stolen" in clause_of("It holds $4 million that was stolen in May.", "$4 million")
    assert "drained" in clause_of("The attacker drained the pool of $2 million.", "$2 million")
    # a semicolon, dash or bracket closes the clause before the amount
    assert "drained" not in clause_of("Pools were drained; $2 million stays locked.",
                                      "$2 million")
    assert "stolen" not in clause_of("Coins were stolen (the team holds $1 million).",
                                     "$1 million")


def test_pickers_read_what_the_components_found(tagger):
    """The amount component keeps each amount parsed once and the date component exact
    offsets; the pickers use them (through `doc._.amounts`), also when the documents come back
    from worker processes."""
    from drafter.tag import AMOUNTS_KEY, DATES_KEY, Ctx, amount_facts

    text = "Hackers stole $4.2 million from Brixa on March 3, 2024, the team said."
    amount = (text.index("$4.2"), text.index(" from"))
    date = (text.index("March"), text.index(", the"))
    [one] = tagger.nlp.pipe([text])
    workers = list(tagger.nlp.pipe([text] * 8, n_process=2, batch_size=2))
    for doc in (one, workers[-1]):
        [(start, end, parsed)] = doc._.amounts
        assert (start, end) == amount and float(parsed.value) == 4_200_000
        assert parsed.currency == "USD" and parsed.native == "4.2M USD"
        assert [tuple(o) for o in doc.user_data[DATES_KEY]] == [date]
    one.user_data[AMOUNTS_KEY] = []  # the pickers see what the component left, nothing more
    ctx = Ctx(art("t", text), one, None, tagger.lex, tagger.cues, None)
    assert amount_facts(ctx, set(), None) == []


def test_the_attack_category_informs_the_target(tagger):
    """With no cue in the text, the category's usual target is proposed, as a low-confidence
    guess; without a category there is no target at all."""
    article = art("Malicious Quokka SDK release drains users",
                  "A tampered release of the Quokka SDK sent the keys of users who installed it "
                  "to an attacker, who drained about $1 million from them on Monday.")
    assert tagger.tag(article).get("target") is None
    guess = tagger.tag(article, {"supply-chain": 0.9, "rug-pull": 0.1}).get("target")
    assert guess.value != "blockchain" and guess.confidence <= 0.5
    chain = tagger.tag(article, {"consensus-attack": 0.95, "supply-chain": 0.05}).get("target")
    assert chain.value == "blockchain" and chain.confidence <= 0.5


def test_an_ethereum_only_venue_suggests_ethereum_when_no_chain_is_named(tagger):
    text = ("Attackers drained about $2 million from the Pellrow lending pools on Monday, "
            "using a flash loan to skew the price of the pool's collateral on Uniswap.")
    chains = tagger.tag(art("Pellrow drained", text)).all("chains")
    assert [(c.value, c.text) for c in chains] == [("Ethereum", "Uniswap")]
    named = tagger.tag(art("Pellrow drained", text.replace("on Monday", "on Ethereum on Monday")))
    assert chains[0].confidence < named.all("chains")[0].confidence  # a guess, below a named chain
    laundered = ("Attackers drained about $2 million from the Pellrow lending pools on Monday "
                 "and laundered the proceeds through Uniswap and a mixer.")
    assert tagger.tag(art("Pellrow drained", laundered)).all("chains") == ()


def test_a_package_groups_with_its_name_and_its_scope():
    from drafter.tag import group_firms

    mentions = [(0, 11, "Widget Kit", None), (20, 27, "AcmeSoft", None),
                (40, 58, "@acmesoft/widget-kit", "platform"), (80, 86, "Harbor", "wallet"),
                (90, 110, "@solana/widget-kit", "platform"), (120, 126, "Solana", None)]
    groups = group_firms(mentions, "", frozenset({"solana"}))
    assert [sorted(g.names) for g in groups] == [
        ["@acmesoft/widget-kit", "@solana/widget-kit", "AcmeSoft", "Widget Kit"], ["Harbor"],
        ["Solana"]]  # a chain-named scope joins nothing
    assert groups[0].kind == "platform"


def test_a_token_amount_takes_the_dollar_value_stated_beside_it(tagger):
    text = ("Vellum's stable pool was emptied on Monday; the thief walked away with 2,150 ETH — "
            "just under $7 million when it happened.")
    f = tagger.tag(art("Vellum drained", text))
    eth = next(a for a in f.all("amounts") if a.text == "2,150 ETH")
    assert eth.value == 7_000_000
    assert f.get("funds_stolen_usd").value == 7_000_000


def test_a_chain_name_inside_a_longer_one_is_not_a_second_chain(tagger):
    text = ("Bitcoin SV suffered a 51% attack on Thursday: miners reorganised the chain and "
            "double-spent about 7,000 BSV at exchanges, the Bitcoin SV developers said.")
    chains = tagger.tag(art("Bitcoin SV hit by 51% attack", text)).all("chains")
    assert [c.value for c in chains] == ["Bitcoin SV"]


def test_a_loss_dated_months_away_is_another_incidents_chain(tagger):
    text = ("On March 11, 2024, an attacker drained about $3 million from Quorra's pools on "
            "Ethereum, the team said. The bug class first surfaced in November 2021, when code "
            "derived from the same library was exploited on Fantom.")
    rows = {c: r for r, c in observed(tagger, art("Quorra drained", text))["chains"]}
    other = {c: r.get("mention_other_incident_max", 0.0) for c, r in rows.items()}
    assert other["Fantom"] > other["Ethereum"]  # its mention reads as another incident's
    probs = dict(zip(rows, tagger.decisions["chains"].each(list(rows.values()))))
    assert probs["Fantom"] < probs["Ethereum"]
    background = ("Quorra, a lending protocol on Fantom whose audit was completed in November "
                  "2021, said an attacker drained about $3 million from its pools on March 11.")
    assert [c.value for c in tagger.tag(art("Quorra drained", background)).all("chains")] == \
        ["Fantom"]


def test_a_cue_with_an_ellipsis_spans_the_words_between():
    from drafter.tag import cue_regex

    rx = cue_regex(["sent … back"])
    assert rx.search("the thief sent nearly 40 ETH back last night")
    assert rx.search("Funds were sent back.")
    assert not rx.search("the attacker sent the coins to a mixer and never looked back")


def test_funds_sent_back_by_the_attacker_are_a_partial_recovery(tagger):
    text = ("An attacker drained about $24 million from Vaulty's pools on Monday. Two days "
            "later the hacker sent roughly $3.1 million back to a wallet the team controls.")
    f = tagger.tag(art("Vaulty drained of $24 million", text))
    assert f.get("status").value == "partially-recovered"
    roles = {a.text: a.extra["role"] for a in f.all("amounts")}
    assert roles["$3.1 million"] == "recovered"


def test_an_as_of_date_is_not_the_incident_date(tagger):
    text = ("Hackers broke into Zentro's hot wallets on Sept. 26. The exchange said the total "
            "stolen had reached $280 million as of Oct. 1.")
    f = tagger.tag(art("Zentro hack", text, published="2020-10-04"))
    assert f.get("incident_date").value == "2020-09-26"


def test_a_table_row_that_says_none_is_not_a_recovery(tagger):
    text = ("An attacker drained about $3 million from Pellrow's vaults on Monday.\n"
            "| Loss | about $3 million |\n| Frozen or returned | none known |")
    f = tagger.tag(art("Pellrow drained", text))
    assert f.get("status").value == "unrecovered"


def observed(tagger, article):
    """The candidates and features each decision saw for one article."""
    tagger.observed = []
    try:
        tagger.tag(article)
        return tagger.observed[0]
    finally:
        tagger.observed = None


@pytest.mark.parametrize("later_sentence", [
    "By Wednesday the total loss had been put at $5.2 million.",
    "Analysts eventually counted $5.2 million gone across four chains.",
])
def test_a_total_or_final_count_is_marked_and_weighs_for_the_figure(tagger, later_sentence):
    """Which figure is the loss is learned; the tagger marks a figure its clause calls the
    total or final count, and one called first or estimated, and the trained decision weighs
    the first for a figure and the second against it."""
    text = ("Hollin's bridge was exploited on Monday, and the attacker drained an estimated "
            f"$1.8 million in the first hour, according to a monitoring firm. {later_sentence}")
    rows = {c.usd: r for r, c in observed(tagger, art("Hollin bridge exploited", text))
            ["funds_stolen_usd"]}
    decision = tagger.decisions["funds_stolen_usd"]
    settled = rows[5_200_000]
    plain = {**settled, "settled": 0.0}
    assert decision.logits([{**plain, "settled": 1.0}])[0] >= decision.logits([plain])[0]
    early = {**plain, "early_figure": 1.0}
    assert decision.logits([early])[0] < decision.logits([plain])[0]


def test_an_initial_figure_is_marked_as_early(tagger):
    text = ("Initial reports said Tarrow lost $900,000 when its vault was drained on Monday. "
            "The team said on Tuesday that the attacker took $2.4 million from the vault.")
    rows = {c.usd: r for r, c in observed(tagger, art("Tarrow vault drained", text))
            ["funds_stolen_usd"]}
    assert rows[900_000]["early_figure"] == 1.0 and rows[2_400_000]["early_figure"] == 0.0


def test_a_name_known_only_from_trackers_takes_its_kind_from_the_text(tagger):
    # the trackers list people and exchanges too: their gazetteer kind is only a default
    from drafter.lexicon import load

    assert {"Bill Murray", "Nobitex"} <= load().tracked_only
    person = art("Bill Murray loses 119 ETH in wallet theft",
                 "Actor Bill Murray said on Tuesday that a thief had emptied the wallet he used "
                 "for a charity auction, taking 119 ETH, about $185,000. Bill Murray said he "
                 "would not pay the thief anything.")
    assert tagger.tag(person).get("target").value == "individual"
    venue = art("Nobitex hot wallets drained",
                "Iranian crypto exchange Nobitex halted withdrawals on Wednesday after hackers "
                "drained about $90 million from its hot wallets, the exchange said.")
    assert tagger.tag(venue).get("target").value == "exchange"


def test_a_majority_of_votes_is_not_a_51_percent_attack_on_a_chain(tagger):
    text = ("An attacker borrowed enough tokens to hold 51% of the votes in Quarry DAO, passed a "
            "proposal that handed them the treasury and drained $2 million from the protocol.")
    target = tagger.tag(art("Quarry DAO governance attack", text)).get("target")
    assert target.value != "blockchain"


@pytest.mark.parametrize("text, kind", [
    ("Hackers hit Singapore-based crypto exchange Quillex on Friday and took $12 million.",
     "exchange"),
    ("Quillex, a decentralized exchange on Arbitrum, lost $12 million to an attacker on Friday.",
     "defi-protocol"),
    ("Quillex, the lending protocol, lost $12 million to an attacker on Friday.",
     "defi-protocol"),
    ("An attacker took $12 million from Quillex, a mobile wallet app, on Friday.", "wallet"),
])
def test_what_the_article_calls_the_victim_decides_its_kind(tagger, text, kind):
    assert tagger.tag(art("Quillex loses $12 million", text)).get("target").value == kind


def test_a_descriptor_is_marked_and_weighs_for_its_kind(tagger):
    """A rarer kind (a trading firm) is learned from few examples; what the tagger must do is
    mark what the article calls the victim, and the trained decision must weigh it for that
    kind."""
    text = "Quillex, one of the largest market makers in Asia, lost $12 million on Friday."
    rows = dict((t, r) for r, t in observed(tagger, art("Quillex loses $12 million", text))
                ["target"])
    assert rows["trading-firm"].get("described", 0) > 0
    decision = tagger.decisions["target"]
    bare = {k: v for k, v in rows["trading-firm"].items() if k != "described"}
    assert decision.logits([rows["trading-firm"]])[0] > decision.logits([bare])[0]


@pytest.mark.parametrize("title, text", [
    ("Notes for every affected user", "Quillex was drained of $12 million on Friday."),
    ("Quillex drained", "Quillex, whose users lost $12 million on Friday, paused deposits."),
    ("Quillex drained", "Quillex, its users say, lost $12 million on Friday."),
])
def test_words_that_do_not_describe_the_victim_are_no_descriptor(tagger, title, text):
    from drafter.tag import Ctx, described_as

    article = art(title, text)
    doc = tagger.nlp(article.text)
    ctx = Ctx(article, doc, None, tagger.lex, tagger.cues, None)
    assert described_as(ctx, {"Quillex"}) == {}


def test_a_title_name_nobody_knows_can_still_be_the_victim(tagger):
    # neither the gazetteer nor the entity recognizer knows "Quillex"
    text = "Quillex, a market maker based in Seoul, lost $12 million on Friday, the firm said."
    victim = tagger.tag(art("Quillex loses $12 million", text)).get("victim")
    assert victim is not None and victim.value == "Quillex"


def test_headline_words_are_not_unknown_names(tagger):
    from drafter.tag import Ctx, unknown_title_names

    article = art("Hackers Drain Lending Pool In Weekend Raid",
                  "Hackers drained a lending pool of $3 million over the weekend. The pool's "
                  "developers said a raid of this size had not been seen before.")
    doc = tagger.nlp(article.text)
    ctx = Ctx(article, doc, None, tagger.lex, tagger.cues, None)
    assert unknown_title_names(ctx) == []


def test_with_no_chain_named_the_native_token_counted_in_points_at_its_chain(tagger):
    text = ("An intruder with the treasury's signing key moved 2,400 SOL out of Quarry's "
            "treasury on Monday, the team said.")
    chains = tagger.tag(art("Quarry treasury emptied", text)).all("chains")
    assert [(c.value, c.text) for c in chains] == [("Solana", "2,400 SOL")]  # the evidence shown


def test_a_token_the_loot_was_laundered_into_names_no_chain(tagger):
    text = ("Quarry lost $3 million on Monday, the team said. The attacker then swapped the "
            "loot and sent 900 ETH to a mixer.")
    chains = tagger.tag(art("Quarry loses $3 million", text)).all("chains")
    assert [c.value for c in chains] == []


@pytest.mark.parametrize("sentence, status", [
    # a recovery word about something other than funds
    ("The exchange froze withdrawals while engineers rebuilt the wallet system.", "unrecovered"),
    ("When the owner returned to the app the next morning, the balance was zero.", "unrecovered"),
    ("The governance token recovered some of its losses by Friday.", "unrecovered"),
    # the funds it governs, after it or before it
    ("Tether froze $1.2 million of the stolen USDT the next day.", "partially-recovered"),
    ("The stolen funds were frozen by the issuer within the hour.", "partially-recovered"),
    ("Two days later the exchange found $1.5 million of the loot in 12 accounts and froze it.",
     "partially-recovered"),
    ("By Friday the user had had most of the stolen ether returned.", "partially-recovered"),
    # a loan repaid, a return to somewhere, a freeze made impossible
    ("The borrowed tokens were returned within the same transaction.", "unrecovered"),
    ("When the owner returned to move the rest, the wallet was empty.", "unrecovered"),
    ("Swapping the USDT at once removed any chance of a freeze by Tether.", "unrecovered"),
    ("Dumping the tokens into a thin pool, the sale returned barely 300 ETH.", "unrecovered"),
    # one sentence, two cues: the second says all of it came back
    ("The coins were sent back on Friday, and the team said it had recovered the full amount.",
     "recovered"),
])
def test_a_recovery_word_counts_only_when_it_governs_funds(tagger, sentence, status):
    text = f"Hackers drained $8 million from Quarry's hot wallet on Monday. {sentence}"
    assert tagger.tag(art("Quarry hot wallet drained", text)).get("status").value == status


@pytest.mark.parametrize("title, text, victim", [
    ("PELI collapses as developers vanish",
     "PELI lost 94% of its value on Tuesday after the team behind Pelican Finance pulled $2.1 "
     "million of liquidity from its pools. PELI holders said the developers deleted their "
     "accounts. PELI had been promoted as a yield token for months.", "Pelican Finance"),
    # in a 51% attack the victim is a chain: the ticker takes the chain's name
    ("BSV hit by 51% attack",
     "A miner with most of the hash rate reorganised the BSV chain on Sunday and double-spent "
     "coins at two exchanges. BSV developers urged exchanges to raise confirmation counts; "
     "Bitcoin SV nodes were told to upgrade.", "Bitcoin SV"),
])
def test_a_ticker_and_the_name_it_stands_for_are_one_victim(tagger, title, text, victim):
    assert tagger.tag(art(title, text)).get("victim").value == victim


def test_a_token_the_story_counts_in_is_not_the_victim(tagger):
    text = ("An attacker drained 3.2 million DAI from a vault run by Quorra on Monday. DAI held "
            "its peg throughout, and DAI pools elsewhere were untouched. The stolen DAI was "
            "swapped for ether within minutes.")
    victim = tagger.tag(art("3.2 million DAI drained from vault", text)).get("victim")
    assert victim is not None and victim.value == "Quorra"


@pytest.mark.parametrize("second", [
    "Its deployments on Polygon and Avalanche were not affected, the team added.",
    "The attacker bridged the loot to Polygon, Avalanche and Gnosis within the hour.",
    "Investigators linked the deployer to two earlier rug pulls on Polygon and Avalanche.",
    "The attacker then bridged the USDC to a handful of fresh addresses on Polygon/Avalanche.",
])
def test_chains_that_were_spared_or_only_routes_are_not_where_funds_were_taken(tagger, second):
    text = (f"An attacker drained $4 million from Quarry's lending pools on Arbitrum on Monday, "
            f"the team said. {second}")
    chains = tagger.tag(art("Quarry drained on Arbitrum", text)).all("chains")
    assert [c.value for c in chains] == ["Arbitrum"]


def test_the_currencies_listed_after_a_stolen_amount_name_their_chains(tagger):
    text = ("Attackers made off with roughly $9 million in bitcoin, ether and SOL from the hot "
            "wallets of Quarry, an exchange, the company said on Monday.")
    chains = tagger.tag(art("Quarry loses $9 million", text)).all("chains")
    assert sorted(c.value for c in chains) == ["Bitcoin", "Ethereum", "Solana"]


@pytest.mark.parametrize("text, chain, named", [
    ("Quarry, a Polygon-based lending protocol, lost $2 million to an attacker on Monday.",
     "Polygon", True),
    ("Quarry, a small proof-of-work coin, was double-spent on Monday; its code is "
     "Bitcoin-based and its miners are few.", "Bitcoin", False),
])
def test_x_based_names_the_chain_of_a_protocol_not_of_a_codebase(tagger, text, chain, named):
    found = [c.value for c in tagger.tag(art("Quarry attacked", text)).all("chains")]
    assert (chain in found) == named


def test_keeping_users_money_is_the_loss_and_a_bounty_kept_is_not(tagger):
    text = ("Quarry's anonymous team is accused of keeping more than $6 million that users had "
            "deposited into its vaults, investigators said on Monday. An exploiter who found a "
            "separate bug last year was allowed to keep $40,000 as a bounty.")
    f = tagger.tag(art("Quarry team accused of keeping user deposits", text))
    assert f.get("funds_stolen_usd").value == 6_000_000
    roles = {a.text: a.extra["role"] for a in f.all("amounts")}
    assert roles["$40,000"] == "bounty" and roles["$6 million"] != "bounty"


def test_a_chain_word_in_the_victims_name_does_not_claim_another_firms_sentence(tagger):
    text = ("A malicious release of the @solana/quarry-kit package stole about $160,000 from "
            "developers' wallets on Tuesday, its maintainers said. It was a rough month on Solana "
            "and beyond: the Vexa exchange lost $4 million and recovered all of the $4 million.")
    status = tagger.tag(art("@solana/quarry-kit release steals keys", text)).get("status")
    assert status.value == "unrecovered"


@pytest.mark.parametrize("phrase", ["its BTC Curve strategies", "its ETH pool"])
def test_a_ticker_naming_an_asset_is_not_a_chain(tagger, phrase):
    text = (f"An attacker drained $24 million from Quarry's vaults on Monday, and the team moved "
            f"what was left in {phrase} back into cold storage.")
    chains = [c.value for c in tagger.tag(art("Quarry drained", text)).all("chains")]
    assert "Bitcoin" not in chains and chains in ([], ["Ethereum"])
