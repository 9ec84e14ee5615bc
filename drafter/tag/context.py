"""What every fact decision shares about one article: cue lexicons compiled once (`Cues`), its
sentences, and the sentences that are about another incident."""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc

from ..decide import Decisions
from ..lexicon import Lexicon
from ..normalize import (
    find_amounts,
)
from ..records import Article, Fact

# helpers -------------------------------------------------------------------------------------

def cue_regex(words: Sequence[str]) -> re.Pattern[str]:
    """One case-insensitive pattern for a cue list. In a cue, "…" stands for up to five words,
    so "sent … back" also finds "sent nearly 40 ETH back"; an apostrophe matches ' and ’."""
    ordered = sorted({w.strip() for w in words if w.strip()}, key=len, reverse=True)
    body = "|".join(r"(?:\s+\S+){0,5}?\s+".join(
        re.sub("['’]", "['’]", re.escape(part.strip()))  # either apostrophe
        for part in w.split("…")) for w in ordered)
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", re.I)


def alternatives(words: Sequence[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@dataclass
class Cues:
    lex: Lexicon

    def __post_init__(self) -> None:
        roles = self.lex.roles
        self.amount = {r: cue_regex(w) for r, w in roles["amount"].items()}
        self.date_pos = cue_regex(roles["incident_date"]["positive"])
        self.date_neg = cue_regex(roles["incident_date"]["negative"])
        self.reporting = {w.lower() for w in roles["reporting_verbs"]}
        rec = roles["recovery"]
        self.rec_pos = cue_regex(rec["positive"])
        self.rec_full = cue_regex(rec["full"])
        self.rec_neg = cue_regex([w.strip() for w in rec["negated"]])
        self.rec_not = cue_regex(rec["not_recovery"])
        self.launder = cue_regex(roles["chain_laundering"])
        self.stolen = self.amount["stolen"]
        self.other_loss = cue_regex(roles["other_incident_verbs"])
        venues = "|".join(re.escape(v) for v in sorted(roles.get("ethereum_venues", []),
                                                       key=len, reverse=True))
        self.eth_venues = re.compile(rf"(?<![\w-])(?:{venues})(?![\w-])")  # case matters
        self.targets = {t: cue_regex(w) for t, w in self.lex.targets["cues"].items()}
        self.org_words = frozenset(self.lex.targets["org_words"])
        self.asset_nouns = frozenset(roles["chain_asset_nouns"])
        self.settled = frozenset(roles["amount_settled"])
        self.early = frozenset(roles["amount_early"])
        self.funds_object = cue_regex(rec["funds_objects"])
        self.unaffected = cue_regex(roles["chain_unaffected"])
        # words that end right before a chain's name: "except bitcoin", "wrapped bitcoin"
        self.excepted_before = re.compile(rf"\b(?:{alternatives(roles['chain_excepted'])})\s+$", re.I)
        self.wrapped_before = re.compile(rf"\b(?:{alternatives(roles['chain_wrapped'])})\s+$", re.I)
        earlier, incidents = roles["earlier_incident"]
        self.earlier_incident = re.compile(
            rf"(?<![\w-])(?:{alternatives(earlier)})\s+(?:\w+\s+){{0,2}}(?:{alternatives(incidents)})"
            rf"(?![\w-])", re.I)
        descriptors = self.lex.targets.get("descriptors", {})
        self.descriptor_before = {t: re.compile(rf"(?<![\w-])(?:{alternatives(w)})s?[ \t\u00a0]+$", re.I)
                                  for t, w in descriptors.items()}
        # "X, a lending protocol on Arbitrum," but not "X, whose users ..." or "X, which said"
        clause_word = (r"(?!(?:which|who|whose|that|its|their|his|her|said|says|after|when|and|"
                       r"but|while)\b)[\w'’.-]+")
        self.descriptor_after = {t: re.compile(
            rf"^(?:['’]s)?[ \t]*,[ \t]+(?:{clause_word}[ \t]+){{0,5}}?({alternatives(w)})s?(?![\w-])",
            re.I) for t, w in descriptors.items()}


def proximity(hits: list[re.Match[str]], start: int, end: int, scale: float = 40.0) -> float:
    total = 0.0
    for h in hits:
        d = h.start() - end if h.start() >= end else (start - h.end() if h.end() <= start else 0)
        total += 1.0 / (1.0 + max(d, 0) / scale)
    return total


def squash(x: float, mid: float = 1.5, slope: float = 1.2) -> float:
    return 1.0 / (1.0 + math.exp(-(x - mid) * slope))


def norm_tokens(name: str) -> list[str]:
    return re.sub(r"[^\w\s]", " ", name.lower()).split()


@dataclass
class Sent:
    start: int
    end: int
    text: str
    index: int


CONSENSUS = re.compile(r"51\s?%|51 percent|reorg|double[- ]spen", re.I)


def as_word(text: str) -> str:
    """A pattern for `text` standing as a word of its own."""
    return rf"(?<![\w-]){re.escape(text)}(?![\w-])"


@dataclass
class Ctx:
    """Everything about one article the fact pickers share."""

    article: Article
    doc: Doc
    title_doc: Doc | None
    lex: Lexicon
    cues: Cues
    published: dt.date | None
    sents: list[Sent] = field(default_factory=list)
    other_cache: dict = field(default_factory=dict)
    mentions: list | None = None
    title_mentions: list = field(default_factory=list)
    losses: list | None = None
    decisions: Decisions | None = None
    observed: dict | None = None  # field -> [(features, candidate)], when training listens

    def observe(self, name: str, rows: list) -> None:
        """Keep each decision's candidates and features for `drafter train` (the last call for
        a field wins: the victim and the funds are decided twice)."""
        if self.observed is not None:
            self.observed[name] = rows

    def __post_init__(self) -> None:
        self.sents = [Sent(s.start_char, s.end_char, s.text, i)
                      for i, s in enumerate(self.doc.sents)]
        self._starts = [s.start for s in self.sents]
        # doc.ents and doc.spans rebuild their lists on every access: read them once
        self.text = self.doc.text
        self.ents = list(self.doc.ents)
        self.firm_spans = list(self.doc.spans.get("firms", []))
        self.chain_spans = list(self.doc.spans.get("chains", []))

    @functools.cached_property
    def chain_texts(self) -> frozenset[str]:
        """The chain names the text writes, as written."""
        return frozenset(s.text for s in self.chain_spans)

    @functools.cached_property
    def consensus(self) -> bool:
        """Whether the article is about a 51% attack, whose victim is a chain."""
        return CONSENSUS.search(self.text) is not None

    @functools.cached_property
    def amounts(self) -> list:
        """Every amount in the text, as the amount component parsed it (read once)."""
        found = self.doc._.amounts
        return found if found is not None else find_amounts(self.text, self.lex)

    @functools.cached_property
    def tickers(self) -> frozenset[str]:
        """Token tickers: the currency lexicon's, and any the text counts amounts in."""
        cur = self.lex.currencies
        found = self.amounts
        return frozenset({*cur["crypto"], *cur["stablecoins"],
                          *(a.currency for _, _, a in found if a.kind != "fiat")})

    def sent_at(self, char: int) -> Sent:
        import bisect

        i = max(0, bisect.bisect_right(self._starts, char) - 1)
        return self.sents[i]

    def fact(self, name: str, value, confidence: float, start: int, end: int,
             **extra) -> Fact:
        sent = self.sent_at(start)
        return Fact(field=name, value=value, confidence=round(min(max(confidence, 0.01), 0.99), 3),
                    text=self.text[start:end], start=start, end=end,
                    sentence=sent.text.strip(), extra=extra)



def other_incident_sentences(ctx: Ctx, victim_names: set[str]) -> set[int]:
    """Sentences about another incident: another firm loses money there, this victim is absent.

    ("another exchange lost $40 million in March", "it follows the $80 million drain of a
    bridge last month".) The victim counts as present when the first word of one of its names
    is there, unless that word is a chain's name: then another word of the name that is
    neither a chain's nor a generic firm word must be ("@solana/web3.js" is not named by
    "Solana").
    """
    key = frozenset(victim_names)
    cached = ctx.other_cache.get(key)
    if cached is None:
        first = {t for n in victim_names for t in norm_tokens(n)[:1]}
        chains = ctx.lex.chain_words
        marks = set()
        for n in victim_names:
            tokens = norm_tokens(n)
            if tokens and tokens[0] not in chains:
                marks.add(tokens[0])
            else:
                marks.update(t for t in tokens[1:2] if t not in chains and
                             t not in ctx.cues.org_words and len(t) > 2)
        marks = marks or first
        cached = ctx.other_cache[key] = {
            index for index, loser, window in other_losses(ctx)
            if loser not in first and not any(v in window for v in marks)}
    return cached


def other_losses(ctx: Ctx) -> list[tuple[int, str, str]]:
    """Every firm named right before a loss verb: (sentence index, the firm's first word, the
    sentence text up to the verb, lower-cased). Computed once per article."""
    if ctx.losses is not None:
        return ctx.losses
    names = [(s.start_char, s.end_char, s.text) for s in ctx.firm_spans
             if s.label_ not in ("security-firm", "law-enforcement", "media", "issuer", "mixer",
                                 "attacker")]
    names += [(e.start_char, e.end_char, e.text) for e in ctx.ents if e.label_ == "ORG"]
    ctx.losses = []
    for start, end, text in names:
        first = norm_tokens(text)[:1]
        if not first or text in ctx.chain_texts:
            continue
        sent = ctx.sent_at(start)
        loss = ctx.cues.other_loss.search(ctx.text[end:min(sent.end, end + 50)])
        if loss is not None:
            # the loss belongs to this other firm unless our victim is named before the verb
            ctx.losses.append((sent.index, first[0],
                               ctx.text[sent.start:end + loss.start()].lower()))
    return ctx.losses


def looks_like_person(ctx: Ctx, name: str) -> bool:
    """A name such as "Ada Lovelace": two or three capitalised words, none of them a word firms
    use, that the entity recognizer labels PERSON more often than anything else, in a text
    that speaks of someone as he or she."""
    words = name.split()
    if not 2 <= len(words) <= 3 or not all(re.fullmatch(r"[A-Z][a-z]+", w) for w in words) or \
            any(w.lower() in ctx.cues.org_words for w in words):
        return False
    labels = Counter(e.label_ for e in ctx.doc.ents if e.text.strip() == name)
    return bool(labels) and labels.most_common(1)[0][0] == "PERSON" and \
        re.search(r"\b(?:he|she|his|her|him|himself|herself)\b", ctx.text, re.I) is not None
