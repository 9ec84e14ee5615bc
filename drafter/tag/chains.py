"""Chains: what each chain's mentions say (taken from, a route, another incident), learned."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import defaultdict

import numpy as np
from spacy.tokens import Span

from ..decide import one_of
from ..normalize import (
    canonical_ticker,
)
from ..records import Fact
from .context import Ctx, Sent, other_incident_sentences
from .dates import DateCand
from .funds import AmountCand

# Chain names that are also ordinary words: kept only next to chain-like context.
AMBIGUOUS_CHAINS = {"Base", "Near", "Sui", "Blast", "Optimism", "Mantle", "Terra", "Aurora",
                    "Grin", "Expanse", "Harmony", "Gnosis", "Cosmos", "Verge", "Stellar",
                    "Kava", "Sei", "Celo", "Metis", "Astar", "Linea", "Cronos", "Injective",
                    "Sonic", "Fuse"}
CHAIN_CONTEXT_BEFORE = {"on", "to", "from", "via", "across", "the", "onto", "and", "of"}
CHAIN_CONTEXT_AFTER = {"network", "chain", "mainnet", "blockchain", "bridge", "ecosystem", "l2",
                       "layer-2", "network's", "chain's", ",", "and"}



# chains --------------------------------------------------------------------------------------

COMPARISON_BEFORE = re.compile(r"(?:\blike|copy of|clone of|fork of|version of|based on|"
                               r"derived from|compared (?:to|with)|unlike)\s+(?:the\s+)?$")
COMPARISON_AFTER = re.compile(r"^(?:'s|’s)?\s*(?:-|\s)?(?:clones?|code|software|codebase|"
                              r"-?based(?!\s+(?:\w+\s+)?(?:protocol|platform|lend|lender|lending|"
                              r"exchange|dex|project|token|app|game|bridge|stablecoin|vault|"
                              r"market|nft|collection|marketplace|wallet|defi|yield|farm|dao))|"
                              r"-style|style|-derived|derived|fork|forks|-compatible|compatible|"
                              r"virtual machine)\b")
CONTAINING_CHAINS = {"Bitcoin": ("Bitcoin Gold", "Bitcoin Cash", "Bitcoin SV"),
                     "Ethereum": ("Ethereum Classic",), "Litecoin": ("Litecoin Cash",)}


def elsewhen(ctx: Ctx, dates: list[DateCand], incident: Fact | None) -> set[int]:
    """Sentences about a loss dated only far from the incident (two months or more): another
    incident's. ("The same flaw was first exploited on Fantom in May 2021.")
    A far-dated sentence without a loss is background and stays ("a protocol on BSC whose
    audit was completed in November 2021").
    """
    if incident is None or incident.extra.get("precision") not in ("day", "month"):
        return set()
    when = dt.date.fromisoformat(str(incident.value)[:10])
    near, far = set(), set()
    for d in dates:
        if d.value.date is None or d.value.precision not in ("day", "month"):
            continue
        (far if abs((d.value.date - when).days) > 60 else near).add(d.sent.index)
    return {i for i in far - near
            if ctx.cues.stolen.search(ctx.sents[i].text) or ctx.cues.other_loss.search(
                ctx.sents[i].text)}


CHAIN_CLAUSE_BREAK = re.compile(r"[;:()\u2014]|,\s|\s(?:and that|but|while|whereas|although)\s")
LIST_GAP = re.compile(r"^\s*(?:/|(?:,|,?\s+and|,?\s+or)\s+(?:the\s+|to\s+|onto\s+)?)$")


ROUTE_VERB = re.compile(r"(?:bridged|moved|sent|swapped|converted|transferred|routed|laundered|"
                        r"consolidated|hopped|cashed out|fled|funnell?ed|landed|went)\b[^.]{0,30}"
                        r"(?:to|onto|into|via|through|over)\s+(?:the\s+)?$|"
                        r"\blanded\s+on\s+(?:the\s+)?$")
ADDRESSES_ON = re.compile(r"(?:bridg\w*|mov\w*|sen[dt]\w*|swapp\w*|transferr\w*|routed|spread|split|"
                          r"launder\w*)\b[^.]{0,60}\b(?:addresses|wallets|accounts)\s+on\s+(?:the\s+)?$",
                          re.I)
ROUTE_PREPOSITION = re.compile(r"(?:to|onto|into|via|through)\s+(?:the\s+)?$")


def is_route(ctx: Ctx, sent: Sent, span: Span, routed_end: int) -> bool:
    """Whether a chain mention names where funds went rather than where they were taken:
    "bridged to Ethereum", "landed on Tron", "sent to fresh addresses on Polygon", "into BNB
    Chain" in a laundering sentence, or the next item of a list of routes (`routed_end` is where
    the last route named in the text ends)."""
    near = ctx.text[max(sent.start, span.start_char - 45):span.start_char].lower()
    wide = ctx.text[max(sent.start, span.start_char - 90):span.start_char]
    return bool(ROUTE_VERB.search(near) or ADDRESSES_ON.search(wide) or
                ROUTE_PREPOSITION.search(near) and ctx.cues.launder.search(sent.text) or
                sent.start <= routed_end and LIST_GAP.match(ctx.text[routed_end:span.start_char]))


def clause_at(sent: Sent, rel: int) -> str:
    """The clause of `sent` around the offset `rel`, between commas, semicolons, dashes and
    conjunctions such as "but" and "and that"."""
    left = max((m.end() for m in CHAIN_CLAUSE_BREAK.finditer(sent.text, 0, rel)), default=0)
    right = next((m.start() for m in CHAIN_CLAUSE_BREAK.finditer(sent.text, rel)), len(sent.text))
    return sent.text[left:right]


ASSET_LIST = re.compile(r"\s+(?:worth\s+)?(?:of|in)\s+((?:[A-Za-z][\w.-]*(?:,\s+|,?\s+and\s+|,?\s+or\s+)"
                        r"?){1,8})")


def assets_taken(ctx: Ctx, a: AmountCand) -> list[tuple[str, int, int]]:
    """Chains of the currencies listed after a stolen amount ("$14.8 million in bitcoin, ether,
    XRP and SOL"): (chain, start, end) for each item the currency lexicon maps to a chain."""
    m = ASSET_LIST.match(ctx.text, a.end)
    if m is None:
        return []
    out = []
    for item in re.finditer(r"[A-Za-z][\w.-]*", m.group(1)):
        word = item.group(0)
        if word.lower() in ("and", "or"):
            continue
        chain = ctx.lex.ticker_chain.get(canonical_ticker(word, ctx.lex))
        if chain is None:
            if word.lower() in ("tokens", "stablecoins", "assets", "other", "crypto", "funds"):
                continue
            break  # the list has ended
        out.append((chain, m.start(1) + item.start(), m.start(1) + item.end()))
    return out


# per chain; what a mention says of its sentence (a route, another incident, a theft, the
# victim's name) reaches the chain only through the mention decision's role shares
CHAIN_FEATURES = ("mentions", "ticker_mentions", "stolen_asset", "listed_asset", "in_title",
                  "contained", "victim_chain_51", "native_count", "evm_hint", "stable_stolen",
                  "eth_venue")


def chain_features(ctx: Ctx, amounts: list[AmountCand], victim_names: set[str],
                   elsewhen_sents: set[int] = frozenset()) -> dict[str, tuple[dict, tuple[int, int]]]:
    """Per chain the article names (or implies), counts of what its mentions say: where funds
    were taken ("drained on Ethereum", the stolen asset's own chain), where they went
    ("bridged to Tron"), another incident's sentence, a chain spared, a comparison ("a clone of
    Ethereum"), the title. Returns chain -> (features, first evidence span)."""
    doc, cues = ctx.doc, ctx.cues
    title = ctx.article.title or ""
    other = other_incident_sentences(ctx, victim_names) | elsewhen_sents
    amount_spans = [(a.start, a.end) for a in amounts]
    feats: dict[str, dict[str, float]] = defaultdict(lambda: dict.fromkeys(CHAIN_FEATURES, 0.0))
    first: dict[str, tuple[int, int]] = {}
    spans = ctx.chain_spans
    routed_end = -1  # where the last chain named as a laundering route ends
    mentions: list[tuple[dict, tuple[int, int, str]]] = []
    for span in spans:
        canon = span.id_ or span.label_
        if any(o.start <= span.start and span.end <= o.end and len(o) > len(span) for o in spans):
            continue  # "Bitcoin" inside "Bitcoin Gold"
        prev = doc[span.start - 1].lower_ if span.start > 0 else ""
        nxt = doc[span.end].lower_ if span.end < len(doc) else ""
        if span.text in AMBIGUOUS_CHAINS and prev not in CHAIN_CONTEXT_BEFORE and \
                nxt not in CHAIN_CONTEXT_AFTER:
            continue  # "Base", "Near" as plain words
        if nxt in ("founder", "co-founder", "foundation", "price", "prices") or \
                any(s0 <= span.start_char < e0 for s0, e0 in amount_spans):
            continue  # a person's title, a price, or the currency of an amount (counted below)
        # what a mention is, as opposed to how much it counts, stays a rule: an asset ("BTC
        # Curve strategies", "ETH pool"), a comparison ("a clone of Ethereum"), a currency
        # ("sell it for bitcoin"), a chain the text says was spared or hit in earlier exits
        if span.text.isupper() and len(span.text) <= 5 and span.end < len(doc) and (
                doc[span.end].text[:1].isupper() and nxt not in CHAIN_CONTEXT_AFTER or
                nxt in cues.asset_nouns):
            continue
        before_words = ctx.text[max(0, span.start_char - 25):span.start_char].lower()
        after_words = ctx.text[span.end_char:span.end_char + 25].lower()
        if COMPARISON_BEFORE.search(before_words) or COMPARISON_AFTER.match(after_words):
            continue
        if span.text.islower() and re.search(r"\b(?:for|in|into|of)\s+$", before_words):
            continue
        if cues.excepted_before.search(before_words) or cues.wrapped_before.search(before_words):
            continue  # "all markets except bitcoin"; "wrapped bitcoin" is a token on another chain
        sent = ctx.sent_at(span.start_char)
        clause = clause_at(sent, span.start_char - sent.start)
        if cues.unaffected.search(clause) or cues.earlier_incident.search(clause):
            continue
        f = feats[canon]
        first.setdefault(canon, (span.start_char, span.end_char))
        f["mentions"] += 1
        in_name = any(span.text in v and span.text != v for v in victim_names)
        ticker = span.text.isupper() and len(span.text) <= 4 and span.text != "BSC"
        route = is_route(ctx, sent, span, routed_end)
        if route:
            routed_end = span.end_char
        launder, theft = cues.launder.search(sent.text), cues.stolen.search(sent.text)
        f["ticker_mentions"] += ticker
        # the mention on its own: what it is there (taken from, a route, another incident's)
        in_sentence = [a for a in amounts if sent.start <= a.start < sent.end]
        base = {
            "route": float(route), "ticker": float(ticker), "lower_case": float(span.text.islower()),
            "in_victim_name": float(in_name), "other_incident": float(sent.index in other),
            "theft_sentence": float(bool(theft)), "laundering_sentence": float(bool(launder)),
            "theft_clause": float(bool(cues.stolen.search(clause))),
            "laundering_clause": float(bool(cues.launder.search(clause))),
            "stolen_amount_in_sentence": float(any(a.role == "stolen" and not a.other_incident
                                                   for a in in_sentence)),
            "amount_in_sentence": float(bool(in_sentence)),
            "on_before": float(bool(MENTION_ON.search(before_words))),
            "to_before": float(bool(MENTION_TO.search(before_words))),
            "first_sentence": float(sent.index == 0), "sentence": math.log1p(sent.index),
        }
        mentions.append((base, (span.start_char, span.end_char, canon)))
    for a in amounts:
        if a.role == "stolen" and not a.other_incident:
            chain = ctx.lex.ticker_chain.get(a.amount.currency)
            lead = a.sent.text[:max(0, a.start - a.sent.start)][-40:]
            if chain and not cues.launder.search(lead):
                feats[chain]["stolen_asset"] += 1
                first.setdefault(chain, (a.start, a.end))
            for chain, start, end in assets_taken(ctx, a):  # "$14.8 million in bitcoin and SOL"
                feats[chain]["listed_asset"] += 1
                first.setdefault(chain, (start, end))
        chain = ctx.lex.ticker_chain.get(a.amount.currency)
        if chain and not a.other_incident and not cues.launder.search(a.sent.text):
            feats[chain]["native_count"] += 1
            first.setdefault(chain, (a.start, a.end))
    for span in (ctx.title_doc.spans.get("chains", []) if ctx.title_doc is not None else []):
        canon = span.id_ or span.label_
        if span.text in title and canon in first:
            feats[canon]["in_title"] = 1.0
    for short, longer in CONTAINING_CHAINS.items():
        if short in feats and any(c in feats for c in longer):
            feats[short]["contained"] = 1.0  # "Bitcoin" beside "Bitcoin Gold"
    if ctx.consensus and victim_names:
        # a 51% attack's victim is a chain: name it even when the patterns do not know it
        name = max(sorted(victim_names), key=len)
        known = next((c["id"] for c in ctx.lex.chains if c["pattern"] == name), None)
        found = ctx.text.find(name)
        if found >= 0 and (known or ctx.lex.firm_kind.get(name) in (None, "blockchain")):
            canon = known or name
            feats[canon]["victim_chain_51"] = 1.0
            first.setdefault(canon, (found, found + len(name)))
    # ERC-20 stablecoins, 0x addresses, Ethereum-only venues all point at Ethereum
    evm = EVM_ADDRESS_HINT.search(ctx.text)
    stable = next((a for a in amounts if a.role == "stolen" and a.amount.kind == "stable"
                   and not a.other_incident), None)
    venue = next((m for m in ctx.cues.eth_venues.finditer(ctx.text)
                  if not cues.launder.search(ctx.sent_at(m.start()).text)), None)
    if evm or stable or venue:
        f = feats["Ethereum"]
        f["evm_hint"], f["stable_stolen"], f["eth_venue"] = float(bool(evm)), float(bool(stable)), \
            float(bool(venue))
        first.setdefault("Ethereum", (evm.start(), evm.end()) if evm else (stable.start, stable.end)
                         if stable else (venue.start(), venue.end()))
    # each mention's roles, as the learned mention decision sees them, pooled per chain
    units = [[(one_of(role, base), (start, end, role)) for role in MENTION_ROLES]
             for base, (start, end, _) in mentions]
    ctx.observe("chain_mention", units)
    decision = ctx.decisions["chain_mention"]
    for (base, (_, _, canon)), unit in zip(mentions, units):
        shares = role_shares(decision.logits([r for r, _ in unit]))
        if base["route"]:  # "bridged to X", "sent to addresses on X": a route by its syntax
            shares = [0.0, 1.0, 0.0, 0.0]
        f = feats[canon]
        f["mention_taken_max"] = max(f.get("mention_taken_max", 0.0), shares[0])
        f["mention_taken_sum"] = f.get("mention_taken_sum", 0.0) + shares[0]
        f["mention_route_max"] = max(f.get("mention_route_max", 0.0), shares[1])
        f["mention_other_incident_max"] = max(f.get("mention_other_incident_max", 0.0),
                                              shares[2])
    out = {}
    for canon, f in feats.items():
        if canon in first:
            row = {k: (math.log1p(v) if v > 1 else v) for k, v in f.items() if v}
            row["none_named"] = float(f["mentions"] == 0)
            out[canon] = (row, first[canon])
    return out


CHAIN_MIN_PROBABILITY = 0.5
MENTION_ROLES = ("taken", "route", "other-incident", "other")
MENTION_ON = re.compile(r"\b(?:on|from|across|of)\s+(?:the\s+)?$", re.I)
MENTION_TO = re.compile(r"\b(?:to|into|onto|via|through|for)\s+(?:the\s+)?$", re.I)


def role_shares(z) -> list[float]:
    """Softmax over a mention's role scores, in MENTION_ROLES order."""
    e = np.exp(z - z.max()) if len(z) else z
    return list(e / e.sum()) if len(z) else [0.0] * len(MENTION_ROLES)


def pick_chains(ctx: Ctx, amounts: list[AmountCand], victim_names: set[str],
                elsewhen_sents: set[int] = frozenset()) -> list[Fact]:
    """The chains funds were taken from: each chain's mentions judged together."""
    found = chain_features(ctx, amounts, victim_names, elsewhen_sents)
    names = sorted(found)
    ctx.observe("chains", [(found[c][0], c) for c in names])
    if not names:
        return []
    probs = ctx.decisions["chains"].each([found[c][0] for c in names])
    chosen = [(p, c) for p, c in zip(probs, names) if p >= CHAIN_MIN_PROBABILITY]
    if not chosen:  # the likeliest chain, when it is likely enough to show for review
        p, c = max(zip(probs, names))
        chosen = [(p, c)] if p >= 0.25 else []
    facts = []
    for p, c in sorted(chosen, key=lambda pc: -pc[0]):
        start, end = found[c][1]
        facts.append(ctx.fact("chains", c, float(p), start, end))
    return facts


EVM_ADDRESS_HINT = re.compile(r"\b0x[0-9a-fA-F]{40}\b|\bERC-?(?:20|721|1155)\b|\bEtherscan\b")
