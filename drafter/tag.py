"""Tag: `Article`s in, `Facts` out.

A spaCy pipeline (en_core_web_sm 3.8.0's tokenizer and entity recognizer, the rule-based
sentencizer) plus drafter's own registered components finds the mentions: amounts, dates,
addresses and transaction hashes (regular grammars built from `corpus/lexicons/`), chains and
firms (phrase matching over `corpus/patterns/chains.jsonl` and `corpus/gazetteer/firms.jsonl`).
The rest of this module decides roles from sentence context (cue lexicons, the clause around a
mention, position in the article) and picks the facts: stolen amount, incident date, victim,
chains, status, target.
No spaCy object leaves this module: facts carry character offsets and their sentence.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc, Span

from . import lexicon as lexicon_mod
from .lexicon import Lexicon
from .nlp import load_english
from .normalize import (
    MONTHS,
    WEEKDAYS,
    Amount,
    DateValue,
    amounts_at,
    canonical_ticker,
    dates_at,
    find_amounts,
    find_dates,
    to_usd,
)
from .corpus import taxonomy
from .decide import Decisions, one_of
from .onchain import find_onchain
from .records import Article, Fact, Facts

# Chain names that are also ordinary words: kept only next to chain-like context.
AMBIGUOUS_CHAINS = {"Base", "Near", "Sui", "Blast", "Optimism", "Mantle", "Terra", "Aurora",
                    "Grin", "Expanse", "Harmony", "Gnosis", "Cosmos", "Verge", "Stellar",
                    "Kava", "Sei", "Celo", "Metis", "Astar", "Linea", "Cronos", "Injective"}
CHAIN_CONTEXT_BEFORE = {"on", "to", "from", "via", "across", "the", "onto", "and", "of"}
CHAIN_CONTEXT_AFTER = {"network", "chain", "mainnet", "blockchain", "bridge", "ecosystem", "l2",
                       "layer-2", "network's", "chain's", ",", "and"}


# spaCy components -----------------------------------------------------------------------------

@Language.component("drafter_paragraphs")
def paragraphs(doc: Doc) -> Doc:
    """A line break or a semicolon in the extracted text starts a new sentence.

    Clauses joined by a semicolon usually state separate facts ("$40M from the bridge; $9M
    from the exchange"), and a table row or list item is a unit of its own.
    """
    for i, token in enumerate(doc[:-1]):
        if "\n" in token.text or (token.is_space and "\n" in token.whitespace_ + token.text):
            doc[i + 1].is_sent_start = True
        elif "\n" in token.whitespace_:
            doc[i + 1].is_sent_start = True
        elif token.text == ";":
            doc[i + 1].is_sent_start = True
    return doc


def char_spans(doc: Doc, found: list[tuple[int, int]], label: str) -> list[Span]:
    spans = []
    for start, end in found:
        span = doc.char_span(start, end, label=label, alignment_mode="expand")
        if span is not None:
            spans.append(span)
    return spans


# The amount and date components keep the exact offsets of what they found in `doc.user_data`
# (plain pairs, so they survive the trip back from `--jobs` worker processes); the fact pickers
# read them there instead of scanning the text again. The spans are for spaCy's own tools.
AMOUNTS_KEY = "drafter.amounts"
DATES_KEY = "drafter.dates"


def keep_found(doc: Doc, key: str, spans_key: str, label: str, found) -> Doc:
    """Keep a grammar's matches on the doc: exact offsets for the pickers, spans for spaCy."""
    offsets = [(s, e) for s, e, _ in found]
    doc.user_data[key] = offsets
    doc.spans[spans_key] = char_spans(doc, offsets, label)
    return doc


@Language.factory("drafter_amounts")
def make_amounts(nlp: Language, name: str):
    lex = lexicon_mod.load()
    return lambda doc: keep_found(doc, AMOUNTS_KEY, "amounts", "AMOUNT", find_amounts(doc.text, lex))


@Language.factory("drafter_dates")
def make_dates(nlp: Language, name: str):
    return lambda doc: keep_found(doc, DATES_KEY, "dates", "DATE", find_dates(doc.text, None, None))


@Language.factory("drafter_onchain")
def make_onchain(nlp: Language, name: str):
    def onchain(doc: Doc) -> Doc:
        found = find_onchain(doc.text, solana_context="Solana" in doc.text)
        doc.spans["onchain"] = char_spans(doc, [(o.start, o.end) for o in found], "ONCHAIN")
        return doc

    return onchain


LEADING_WORD = re.compile(r"\w+")


def phrase_key(text: str) -> str:
    """What a phrase is filed under: its leading run of word characters (else its first one)."""
    m = LEADING_WORD.match(text)
    return m.group(0) if m else text[:1]


class PhraseSpans:
    """Exact phrases (firm and chain names) as spans, matched on token boundaries.

    Does what a span ruler with phrase patterns does, without tokenizing the phrases: spaCy's
    span ruler runs the tokenizer over every one of drafter's 4,000 names when they are added,
    half a second at every start. Here a phrase is filed under its leading word and checked
    against the text at each token; a match counts only where it starts and ends on token
    boundaries, as a phrase-matcher match would.
    """

    def __init__(self, spans_key: str) -> None:
        self.spans_key = spans_key
        self.phrases: dict[str, list[tuple[str, str, str]]] = defaultdict(list)

    def add_patterns(self, patterns) -> None:
        """Add `{"label", "pattern", "id"}` entries (the span ruler's phrase pattern format)."""
        for p in patterns:
            phrase = p["pattern"]
            if phrase:
                self.phrases[phrase_key(phrase)].append((phrase, p["label"], p.get("id") or ""))
        for found in self.phrases.values():  # at one place, the longest name first
            found.sort(key=lambda entry: len(entry[0]), reverse=True)

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        ends = {t.idx + len(t.text) for t in doc}
        spans = []
        for token in doc:
            for phrase, label, span_id in self.phrases.get(phrase_key(token.text), ()):
                end = token.idx + len(phrase)
                if end in ends and text.startswith(phrase, token.idx):
                    spans.append(doc.char_span(token.idx, end, label=label, span_id=span_id))
        doc.spans[self.spans_key] = [s for s in spans if s is not None]
        return doc


@Language.factory("drafter_phrases", default_config={"spans_key": "phrases"})
def make_phrases(nlp: Language, name: str, spans_key: str) -> PhraseSpans:
    return PhraseSpans(spans_key)


def proper(token, lower_words: set[str]) -> bool:
    """Whether a token looks like part of a name (drafter runs no part-of-speech tagger).

    Capitalised mid-sentence, or with inner capitals ("dYdX", "HTX"); at the start of a sentence,
    capitalised and neither a stop word nor a word the article also writes in lower case.
    """
    t = token.text
    if not t[:1].isupper():
        return False
    if not token.is_sent_start or any(c.isupper() for c in t[1:]):
        return True
    return not token.is_stop and t.lower() not in lower_words


# What drafter runs of en_core_web_sm: the tokenizer and the entity recognizer, which has its own
# embedding layer. The tagger and the parser (and the tok2vec layer they share) cost more than
# half of the full pipeline, and drafter needs from them only sentence boundaries, which the
# rule-based sentencizer plus line breaks and semicolons give, and which verb governs an amount
# or a date, which the clause around the mention approximates (`clause_cues`,
# `date_is_reported`). The lemmatizer and attribute ruler need the tagger; senter is off.
EXCLUDED_COMPONENTS = ("tok2vec", "tagger", "parser", "senter", "attribute_ruler", "lemmatizer")


def build_nlp(lex: Lexicon) -> Language:
    """en_core_web_sm plus drafter's components, in the order they depend on each other."""
    nlp = load_english(exclude=EXCLUDED_COMPONENTS)
    if "drafter_paragraphs" in nlp.pipe_names:
        return nlp
    nlp.add_pipe("sentencizer", first=True)
    nlp.add_pipe("drafter_paragraphs", after="sentencizer")
    chains = nlp.add_pipe("drafter_phrases", name="drafter_chains", first=True,
                          config={"spans_key": "chains"})
    chains.add_patterns(lex.chains)
    firms = nlp.add_pipe("drafter_phrases", name="drafter_firms", after="drafter_chains",
                         config={"spans_key": "firms"})
    firms.add_patterns({"label": firm["kind"], "pattern": alias, "id": firm["name"]}
                       for firm in lex.firms for alias in (firm["name"], *firm.get("aliases", [])))
    nlp.add_pipe("drafter_amounts")
    nlp.add_pipe("drafter_dates")
    nlp.add_pipe("drafter_onchain")
    return nlp


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
    def tickers(self) -> frozenset[str]:
        """Token tickers: the currency lexicon's, and any the text counts amounts in."""
        cur = self.lex.currencies
        offsets = self.doc.user_data.get(AMOUNTS_KEY)
        found = amounts_at(self.text, offsets, self.lex) if offsets is not None else \
            find_amounts(self.text, self.lex)
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


# the tagger ----------------------------------------------------------------------------------

class Tagger:
    """Loads the pipeline once; `tag_many` tags a batch with `nlp.pipe`."""

    def __init__(self, lex: Lexicon | None = None, batch_size: int = 16,
                 decisions: Decisions | None = None) -> None:
        self.lex = lex or lexicon_mod.load()
        self.decisions = decisions or Decisions.load()
        self.observed: list[dict] | None = None  # set by `drafter train` to collect features
        self.cues = Cues(self.lex)
        self.nlp = build_nlp(self.lex)
        self.batch_size = batch_size

    def tag_many(self, articles: Sequence[Article], jobs: int = 1,
                 categories: Sequence[dict[str, float]] | None = None) -> list[Facts]:
        """Tag a batch: one `nlp.pipe` pass (in `jobs` processes when asked and worth it).

        `categories`, when given, holds each article's attack-category probabilities from the
        classifier; they weigh in on the target (a 51% attack hits a blockchain).
        """
        texts = [a.text for a in articles]
        titles = [a.title or "" for a in articles]
        n_process = jobs if jobs > 1 and len(texts) >= 4 * jobs else 1
        docs = list(self.nlp.pipe(texts, batch_size=self.batch_size, n_process=n_process))
        title_docs = list(self.nlp.pipe(titles, batch_size=64))
        cats = categories if categories is not None else [None] * len(articles)
        return [self.facts(a, d, t, c) for a, d, t, c in zip(articles, docs, title_docs, cats)]

    def tag(self, article: Article, category: dict[str, float] | None = None) -> Facts:
        return self.tag_many([article], categories=[category] if category else None)[0]

    def facts(self, article: Article, doc: Doc, title_doc: Doc | None = None,
              category: dict[str, float] | None = None) -> Facts:
        published = None
        if article.published:
            try:
                published = dt.date.fromisoformat(article.published)
            except ValueError:
                published = None
        ctx = Ctx(article, doc, title_doc, self.lex, self.cues, published,
                  decisions=self.decisions, observed={} if self.observed is not None else None)
        if self.observed is not None:
            self.observed.append(ctx.observed)
        firms, victim = pick_victim(ctx)
        victim_names = set(victim.extra.get("names", [])) if victim else set()
        amounts = amount_facts(ctx, victim_names, published)
        funds = pick_funds(ctx, amounts)
        if funds is not None:  # the firm named where the loss is stated is the likelier victim
            loss_sents = {a.sent.index for a in amounts if a.usd
                          and abs(a.usd - funds.value) <= 0.03 * funds.value}
            firms2, victim2 = pick_victim(ctx, loss_sents)
            if victim2 is not None and (victim is None or victim2.value != victim.value):
                firms, victim = firms2, victim2
                victim_names = set(victim.extra.get("names", []))
                amounts = amount_facts(ctx, victim_names, published)
                funds = pick_funds(ctx, amounts)
        dates = date_candidates(ctx, victim_names, funds, amounts)
        incident = pick_incident_date(ctx, dates)
        chains = pick_chains(ctx, amounts, victim_names, elsewhen(ctx, dates, incident))
        status = pick_status(ctx, amounts, victim_names)
        target = pick_target(ctx, victim, category)
        attackers = pick_attackers(ctx)
        addresses, txs = onchain_facts(ctx, chains)
        if victim is not None:
            victim = Fact(victim.field, victim.value, victim.confidence, victim.text, victim.start,
                          victim.end, victim.sentence, {})
        return Facts(
            single={"incident_date": incident, "funds_stolen_usd": funds, "victim": victim,
                    "category": None, "status": status, "target": target},
            lists={"chains": tuple(chains), "attackers": tuple(attackers),
                   "addresses": tuple(addresses), "tx_hashes": tuple(txs),
                   "amounts": tuple(a.fact for a in amounts), "firms": tuple(firms)},
        )


# victim and firms ----------------------------------------------------------------------------

@dataclass
class FirmGroup:
    names: Counter
    kind: str | None
    mentions: list[tuple[int, int]]
    in_title: bool = False
    score: float = 0.0

    @property
    def tokens(self) -> list[str]:
        return norm_tokens(self.display)

    @property
    def display(self) -> str:
        return max(self.names, key=lambda n: (len(n.split()), self.names[n], len(n)))

    def absorb(self, other: FirmGroup, as_name: str | None = None) -> None:
        """Take in another group's names and mentions; with `as_name`, its mentions count for
        that name, so the display stays ("Kokomo Finance", not "KOKO")."""
        if as_name is None:
            self.names.update(other.names)
        else:
            self.names[as_name] += sum(other.names.values())
            for name in other.names:
                self.names.setdefault(name, 0)
        self.mentions = sorted(self.mentions + other.mentions)
        self.in_title = self.in_title or other.in_title
        self.kind = self.kind or other.kind


LOWER_WORD = re.compile(r"(?<![\w'’-])[a-z]+(?:['’-][a-z]+)*(?![\w'’-])")
PACKAGE = re.compile(r"(?<![\w@])@[a-z0-9][\w.-]*/[a-z0-9][\w.-]*[a-z0-9]")


def firm_mentions(doc: Doc, lex: Lexicon) -> list[tuple[int, int, str, str | None]]:
    """(start, end, surface, gazetteer kind) for every firm-like mention."""
    out: list[tuple[int, int, str, str | None]] = []
    for span in doc.spans.get("firms", []):
        out.append((span.start_char, span.end_char, span.text, span.label_))
    for m in PACKAGE.finditer(doc.text):  # software packages: "@scope/name"
        out.append((m.start(), m.end(), m.group(0), "platform"))
    taken = [(s, e) for s, e, _, _ in out]
    lower_words: set[str] | None = None
    for ent in doc.ents:
        if ent.label_ not in ("ORG", "PERSON", "PRODUCT", "GPE", "NORP", "FAC", "WORK_OF_ART"):
            continue
        text = ent.text.strip()
        if text not in ("The DAO",) and (lead := re.match(r"(?:the|The)\s+", text)) and \
                text[lead.end():lead.end() + 1].isupper():
            text = text[lead.end():]  # "the Æternity Foundation"
        text = re.sub(r"'s$|’s$", "", text).strip(" .,:;-–'\"")
        if not text or text in lex.not_firms or len(text) < 2 or not any(c.isupper() for c in text):
            continue
        if any(ent.start_char < e and s < ent.end_char for s, e in taken):
            continue
        if lower_words is None:
            lower_words = set(LOWER_WORD.findall(doc.text))
        if not any(proper(t, lower_words) for t in ent) and text not in lex.firm_kind:
            continue
        kind = lex.firm_kind.get(text)
        if ent.label_ in ("GPE", "NORP"):
            kind = kind or "place"
        if ent.label_ == "PERSON":
            kind = kind or "person"
        start = ent.start_char + ent.text.find(text)
        out.append((start, start + len(text), text, kind))
    return out


def prefix_match(a: list[str], b: list[str]) -> bool:
    """Whether the shorter token list starts the longer one ("Tessel" and "Tessel Network")."""
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return long_[: len(short)] == short


def group_firms(mentions, title: str, chain_words: frozenset[str] = frozenset()
                ) -> list[FirmGroup]:
    groups: list[FirmGroup] = []
    group_tokens: list[list[str]] = []  # each group's `tokens`, kept current as names join it
    for start, end, text, kind in mentions:
        toks = norm_tokens(text)
        if not toks:
            continue
        # a package "@scope/name" is also its name and its scope ("Acme Kit", "AcmeLabs")
        package = PACKAGE.fullmatch(text)
        keys = [toks]
        if package:
            scope, _, name = text[1:].partition("/")
            keys += [k for k in (norm_tokens(name), norm_tokens(scope)) if k]
        for i, g in enumerate(groups):
            gtoks = group_tokens[i]
            if any(prefix_match(k, gtoks) for k in keys):
                g.names[text] += 1
                group_tokens[i] = g.tokens
                g.mentions.append((start, end))
                if kind and kind not in ("person", "place") and (g.kind in (None, "person", "place")):
                    g.kind = kind
                break
        else:
            groups.append(FirmGroup(Counter({text: 1}), kind, [(start, end)]))
            group_tokens.append(toks)
    link_packages(groups, mentions, chain_words)
    for g in groups:
        g.in_title = any(n in title for n in g.names)
    return groups


def link_packages(groups: list[FirmGroup], mentions, chain_words: frozenset[str]) -> None:
    """One firm for a package and what it is named after: "@acme/widget-kit" joins the groups
    of "Acme" (its scope) and "Widget Kit" (its name), which met in the text before the package
    did. A scope that is a chain's name ("@solana/...") joins nothing."""
    for _, _, text, _ in mentions:
        if not PACKAGE.fullmatch(text):
            continue
        scope, _, name = text[1:].partition("/")
        keys = [k for k in (norm_tokens(name), norm_tokens(scope)) if k and
                " ".join(k) not in chain_words]
        home = next((g for g in groups if text in g.names), None)
        if home is None:
            continue
        for g in [g for g in groups if g is not home and
                  any(prefix_match(k, g.tokens) for k in keys)]:
            home.absorb(g)
            groups.remove(g)


MONTH_AND_DAY_NAMES = frozenset({m.capitalize() for m in MONTHS} |
                                {d.capitalize() for d in WEEKDAYS if len(d) > 4})
NAME_WORD = re.compile(r"(?<![\w@$.-])(?:[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)*|[A-Z]{2,}[a-z]\w*)"
                       r"(?![\w-])")
NAMED_AFTER = re.compile(r"^(?:,|['’]s\b|\s+(?:was|were|has|had|is|lost|loses|said|says|suffered|"
                         r"confirmed|halted|paused|suspended|disclosed)\b)")


def unknown_title_names(ctx: Ctx) -> list[tuple[str, int]]:
    """Single-word names in the title that neither the gazetteer nor the entity recognizer
    knows ("Quillex loses $12 million"), with their first offset in the text.

    A word counts when the text never writes it in lower case and uses it as a name at least
    once: capitalised in mid-sentence, or opening a sentence followed by a comma, "'s" or a
    verb such as "lost" or "said".
    """
    title = ctx.article.title or ""
    lower_words = set(LOWER_WORD.findall(ctx.text))
    out: list[tuple[str, int]] = []
    words = list(NAME_WORD.finditer(title))
    for i, m in enumerate(words):
        w = m.group(0)
        if i + 1 < len(words) and title[m.end():words[i + 1].start()] == " " and \
                f"{w} {words[i + 1].group(0)}" in ctx.text:
            w = f"{w} {words[i + 1].group(0)}"  # a two-word name, "Sorbetto Fragola"
        if any(w in name for name, _ in out):
            continue  # the second word of a two-word name already taken
        if len(w) < 3 or w.lower() in lower_words or w in ctx.lex.not_firms or \
                w in ctx.chain_texts or w.lower() in STOP_WORDS or w.upper() in ctx.lex.currencies[
                    "crypto"] or w in MONTH_AND_DAY_NAMES:
            continue
        for m in re.finditer(as_word(w), ctx.text):
            if m.start() < len(title) + 1 and ctx.text.startswith(title):
                continue  # the title's own copy at the head of the text
            sent = ctx.sent_at(m.start())
            opening = not ctx.text[sent.start:m.start()].strip(" \t\n\"'“‘(")
            if not opening or NAMED_AFTER.match(ctx.text[m.end():m.end() + 20]):
                out.append((w, m.start()))
                break
    return out


def merge_tickers(ctx: Ctx, groups: list[FirmGroup]) -> None:
    """A ticker and the name it stands for are one firm: "KOKO" joins "Kokomo Finance". In a
    51% attack, where the victim is a chain, "BSV" also joins "Bitcoin SV", the chain the
    currency lexicon gives for it, or takes that name when the text writes it."""
    consensus, chains = ctx.consensus, ctx.chain_texts
    for g in list(groups):
        ticker = g.display
        if not re.fullmatch(r"[A-Z]{2,5}", ticker):
            continue
        chain = ctx.lex.ticker_chain.get(ticker) if consensus else None
        owner = next((h for h in groups if h is not g and (
            h.display == chain or len(ticker) >= 3 and (consensus or h.display not in chains) and
            re.fullmatch(rf"{re.escape(ticker.lower())}\w{{1,4}}", h.tokens[0] if h.tokens else "")
        )), None)
        if owner is not None:  # the name keeps the display; the ticker's mentions count for it
            owner.absorb(g, as_name=owner.display)
            groups.remove(g)
        elif chain and (found := re.search(as_word(chain), ctx.text)) is not None:
            g.names[chain] += 1
            g.mentions.insert(0, found.span())


VICTIM_POSSESSIVE = re.compile(
    r"^(?:'s|’s)\s+(?:\w+\s){0,2}(?:hot wallet|wallets?|bridge|protocol|platform|contracts?|pools?|"
    r"treasury|users|exchange|keys?|vaults?|servers?|front[- ]?end|website|domain|token|network|"
    r"team|founders?|operators?)")
VICTIM_PASSIVE = re.compile(r"^\s+(?:was|were|has been|had been|got)\s+(?:hacked|exploited|drained|"
                            r"attacked|hit|compromised|breached|rugged)")
VICTIM_ACTIVE = re.compile(r"^\s+(?:lost|loses|suffered|says|said|confirmed|disclosed|halts|halted|"
                           r"paused|suspended)")
VICTIM_MIN_PROBABILITY = 0.01  # below this, no firm is named as the victim


def pick_victim(ctx: Ctx, loss_sents: set[int] | frozenset[int] = frozenset()
                ) -> tuple[list[Fact], Fact | None]:
    lex, cues, doc = ctx.lex, ctx.cues, ctx.doc
    title = ctx.article.title or ""
    if ctx.mentions is None:
        ctx.mentions = firm_mentions(doc, lex)
        ctx.title_mentions = firm_mentions(ctx.title_doc, lex) if ctx.title_doc is not None else []
    mentions, title_mentions = ctx.mentions, ctx.title_mentions
    groups = group_firms(mentions, title, lex.chain_words)
    # names that appear only in the title still count, with no offsets in the text
    for _, _, text, kind in title_mentions:
        if not any(text in g.names or norm_tokens(text)[:1] == g.tokens[:1] for g in groups):
            found = ctx.text.find(text)
            if found >= 0:
                g = FirmGroup(Counter({text: 1}), kind, [(found, found + len(text))], True)
                groups.append(g)
    if not any(g.in_title for g in groups):
        for text, start in unknown_title_names(ctx):
            if not any(norm_tokens(text)[:1] == g.tokens[:1] for g in groups):
                groups.append(FirmGroup(Counter({text: 1}), None, [(start, start + len(text))],
                                        True))
    merge_tickers(ctx, groups)
    consensus, chain_names = ctx.consensus, ctx.chain_texts
    first_sent_end = ctx.sents[1].end if len(ctx.sents) > 1 else len(ctx.text)
    first_title = min((title.find(m[2]) for m in title_mentions if title.find(m[2]) >= 0),
                      default=-1)
    rows = []
    for g in groups:
        theft = possessive = passive = active = in_loss = 0
        for st, en in g.mentions:
            sent = ctx.sent_at(st)
            theft += bool(cues.stolen.search(sent.text))
            in_loss += sent.index in loss_sents
            tail = ctx.text[en:en + 40].lower()
            possessive += bool(VICTIM_POSSESSIVE.match(tail))
            passive += bool(VICTIM_PASSIVE.match(tail))
            active += bool(VICTIM_ACTIVE.match(tail))
        other_sents = other_incident_sentences(ctx, set(g.names))
        elsewhere = sum(1 for st, _ in g.mentions if ctx.sent_at(st).index in other_sents)
        is_chain = any(name in chain_names for name in g.names)
        kind = g.kind or "unknown"
        features = {
            "mentions": math.log2(1 + sum(g.names.values())),
            "in_title": float(g.in_title),
            "first_in_title": float(g.in_title and first_title >= 0 and
                                    any(title.find(name) == first_title for name in g.names)),
            "in_first_sentence": float(any(st < first_sent_end for st, _ in g.mentions)),
            "theft_sentences": min(theft, 6), "possessive": min(possessive, 3),
            "passive_hit": min(passive, 3), "active_verb": min(active, 3),
            "in_loss_sentence": float(in_loss > 0),
            "other_incident_mentions": min(elsewhere, 4),
            "token": all(name in ctx.tickers for name in g.names),
            "chain_name": float(is_chain and not consensus),
            "chain_in_51": float(is_chain and consensus),
            "tracked_only": float(g.display in ctx.lex.tracked_only),
            f"kind:{kind}": 1.0,
        }
        rows.append((features, g))
    rows = [(f, g) for f, g in rows if not f["token"]]  # a token is what was lost, not who lost it
    ctx.observe("victim", rows)
    decision = ctx.decisions["victim"]
    z = decision.logits([f for f, _ in rows])
    for g in groups:
        g.score = -50.0
    for (_, g), score in zip(rows, z):
        g.score = float(score)
    groups.sort(key=lambda g: g.score, reverse=True)
    facts = []
    victim_fact = None
    if groups and decision.probability(groups[0].score) >= VICTIM_MIN_PROBABILITY:
        best = groups[0]
        conf = decision.confidence(np.array([g.score for g in groups]), 0)
        start, end = best.mentions[0]
        name = best.display
        victim_fact = ctx.fact("victim", name, conf, start, end, names=list(best.names),
                               kind=best.kind)
    for g in groups:
        if g.kind in (None, "person", "place") and g is not groups[0] and \
                decision.probability(g.score) < VICTIM_MIN_PROBABILITY:
            continue
        role = firm_role(g, victim_fact, ctx)
        start, end = g.mentions[0]
        conf = 0.8 if g.kind not in (None, "person", "place") else 0.5
        if role == "victim" and victim_fact is not None:
            conf = victim_fact.confidence
        facts.append(ctx.fact("firms", g.display, conf, start, end, role=role))
    return facts, victim_fact


def firm_role(g: FirmGroup, victim: Fact | None, ctx: Ctx) -> str:
    if victim is not None and g.display == victim.value:
        return "victim"
    kind = g.kind
    if kind in ("security-firm", "law-enforcement", "exchange"):
        return kind
    if kind == "attacker":
        return "attacker"
    if kind in ("protocol", "bridge", "platform", "wallet", "trading-firm", "payment-processor"):
        if victim is not None:
            vs = ctx.sent_at(victim.start)
            for st, _ in g.mentions:
                if ctx.sent_at(st).index in (vs.index, vs.index + 1) and ctx.cues.stolen.search(
                        ctx.sent_at(st).text):
                    return "affected-partner"
    return "other"


# amounts -------------------------------------------------------------------------------------

@dataclass
class AmountCand:
    start: int
    end: int
    amount: Amount
    usd: float | None
    usd_trust: float
    role: str
    scores: dict[str, float]
    sent: Sent
    fact: Fact = None  # type: ignore[assignment]
    other_incident: bool = False
    linked: bool = False


def amount_facts(ctx: Ctx, victim_names: set[str], when: dt.date | None) -> list[AmountCand]:
    lex, text = ctx.lex, ctx.text
    other = other_incident_sentences(ctx, victim_names)
    out = []
    offsets = ctx.doc.user_data.get(AMOUNTS_KEY)
    found = amounts_at(text, offsets, lex) if offsets is not None else find_amounts(text, lex)
    for start, end, amount in found:
        sent = ctx.sent_at(start)
        rel_s, rel_e = start - sent.start, end - sent.start
        scores = role_scores(ctx, sent, rel_s, rel_e, start, end)
        before = sent.text[max(0, rel_s - 30):rel_s].lower()
        after = sent.text[rel_e:rel_e + 30].lower()
        if re.search(r"bounty|reward", before + " " + after):
            scores["bounty"] += 2.0
        if re.search(r"flash[- ]?(?:loan|swap|mint)|borrow|open interest", before + " " + after):
            scores["other"] += 1.5
        if re.search(r"tvl|total value locked|market cap|valuation|raised|volume", before + after):
            scores["tvl"] += 1.5
        if re.search(r"(recovered|returned|frozen|froze|seized)\s*$", before) or re.match(
                r"^\s*(?:was|were|has been|have been|had been)?\s*(?:recovered|returned|frozen|seized)",
                after):
            scores["recovered"] += 1.5
        if re.search(r"\b(?:per|each|a)\s*$", before) or re.match(r"^\s*(?:per|a|an)\s+(?:hour|day|"
                                                                  r"month|year|token|share)", after):
            scores["other"] += 1.5
        if sent.index <= 2:
            scores["stolen"] += 0.3
        usd, trust = to_usd(amount, when, lex)
        out.append(AmountCand(start, end, amount, usd, trust, "other", scores, sent,
                              other_incident=sent.index in other))
    link_equivalents(out, text)  # before the facts: a stated dollar value replaces our pricing
    for prev, cand in zip(out, out[1:]):  # "$64 million recovered, bringing the total to $204M"
        if prev.sent is cand.sent and RUNNING_TOTAL.search(text[prev.end:cand.start]):
            cand.scores = dict(prev.scores)
    for cand in out:
        scores = cand.scores
        role = max(scores, key=scores.get)
        cand.role = role if scores[role] >= 0.3 else "other"
        value = round(cand.usd, 2) if cand.usd is not None else float(cand.amount.value)
        currency = "USD" if cand.usd is not None else cand.amount.currency
        top = sorted(scores.values(), reverse=True)
        conf = squash(top[0] - (top[1] if len(top) > 1 else 0), mid=0.5, slope=2.0)
        cand.fact = ctx.fact("amounts", value, conf * (0.5 + 0.5 * cand.usd_trust), cand.start,
                             cand.end, currency=currency, native=cand.amount.native, role=cand.role)
    return out


# Between two amounts of one sentence: the second is the first's running total, in its role.
RUNNING_TOTAL = re.compile(
    r"\b(?:bringing|brings|taking|takes|raising|raises|lifting|pushing)\s+(?:the|its|their)\s+"
    r"(?:\w+\s+)?(?:total|tally|sum|count|figure)\b[^.]{0,30}?\bto\s+(?:\w+\s+)?$", re.I)


# What may stand between an amount and its value in another currency: "2,150 ETH — just under
# $7 million", "900 ETH ($2.7M)", "300,000 DAI, worth about $300,000".
EQUIVALENT_QUALIFIER = (r"(?:≈|~|a\s+little|a\s+bit|just|slightly|well|about|around|roughly|"
                        r"approximately|some|nearly|almost|over|under|more\s+than|less\s+than|"
                        r"close\s+to|up\s+to|at\s+least|an\s+estimated|estimated|worth|then|"
                        r"valued\s+at|equivalent\s+to|or|at\s+the\s+time)")
EQUIVALENT_GAP = re.compile(rf"^\s*(?:\(|,|—|–|-|:)?\s*(?:{EQUIVALENT_QUALIFIER}\s*){{0,4}}$", re.I)


def link_equivalents(cands: list[AmountCand], text: str) -> None:
    """ "153,037 ETH (≈ $30M)", "3.5 billion yen ($32 million)": the page's own USD figure wins.

    An amount in tokens or another currency directly followed (or preceded) by a dollar amount
    is one quantity stated twice; both carry the stated USD value and the stronger role scores.
    """
    for a, b in zip(cands, cands[1:]):
        if b.start - a.end > 30 or not EQUIVALENT_GAP.match(text[a.end:b.start]):
            continue
        usd, other = (b, a) if b.amount.currency == "USD" else (a, b)
        if usd.amount.currency != "USD" or other.amount.currency == "USD" or usd.usd is None:
            continue  # one of the two must state dollars, the other anything else
        fiat, token = usd, other
        token.usd, token.usd_trust = fiat.usd, fiat.usd_trust
        merged = {r: max(a.scores[r], b.scores[r]) for r in a.scores}
        a.scores, b.scores = merged, dict(merged)
        token.linked = True
    stated = {(c.amount.value, c.amount.currency): c.usd for c in cands if c.linked}
    for c in cands:
        key = (c.amount.value, c.amount.currency)
        if not c.linked and key in stated:
            c.usd, c.usd_trust = stated[key], 0.95


CLAUSE_BREAK = re.compile(r"[;:()\u2014]|\s[\u2013-]\s|,\s+(?:and|but|while|although|though|whereas|"
                          r"after|before|when|as|which|who)\b|\b(?:but|while|whereas)\b")
RELATIVE = re.compile(r"^\s*(?:,\s*)?(?:(?:that|which)\s+(?:(?:was|were|had|has|have|been|"
                      r"being|is|are)\s+){0,2})?(\w+)")


def clause_cues(sent: Sent, rel_s: int, rel_e: int) -> set[str]:
    """Cue words that govern the amount at [rel_s, rel_e) of `sent`, read from the clause.

    The words of the clause that leads up to the amount (back to a semicolon, dash, bracket or
    conjunction), and the word right after the amount or the verb of a relative clause there
    ("$9M gone", "$4 million that was stolen"). A cue there counts as governing the amount.
    """
    text = sent.text
    left = text[max(0, rel_s - 90):rel_s]
    breaks = list(CLAUSE_BREAK.finditer(left))
    if breaks:
        left = left[breaks[-1].end():]
    out = {w.lower() for w in re.findall(r"[A-Za-z][\w'-]*", left)}
    rel = RELATIVE.match(text[rel_e:rel_e + 40])
    if rel:
        out.add(rel.group(1).lower())
    return out


def role_scores(ctx: Ctx, sent: Sent, rel_s: int, rel_e: int, start: int | None = None,
                end: int | None = None) -> dict[str, float]:
    """How strongly each amount role's cues point at the mention at [rel_s, rel_e) of `sent`.

    The nearest cue of each role counts (a cue right beside the amount beats three far away);
    a cue in the clause that governs the amount counts extra (when the mention's offsets in the
    article are given).
    """
    governors = clause_cues(sent, rel_s, rel_e) if start is not None and end is not None else set()
    hits = {role: list(rx.finditer(sent.text)) for role, rx in ctx.cues.amount.items()}
    spans = [(h.start(), h.end(), role) for role, hs in hits.items() for h in hs]
    scores = {}
    for role, hs in hits.items():
        best = 0.0
        for h in hs:
            # a cue inside a longer cue of another role ("thieves" in "out of thieves' control")
            if any(r != role and s0 <= h.start() and h.end() <= e0 and e0 - s0 > h.end() - h.start()
                   for s0, e0, r in spans):
                continue
            if h.start() >= rel_e:
                d = h.start() - rel_e
            elif h.end() <= rel_s:
                d = rel_s - h.end()
            else:
                d = 0
            w = 1.0 / (1.0 + d / 15.0)
            if h.group(0).lower() in governors or (h.start() < rel_s and rel_e < h.end()):
                w = max(w, 0.6) + 0.5  # it governs the amount, or wraps it ("sent $2m back")
            best = max(best, w)
        scores[role] = best
    return scores


def title_values(ctx: Ctx) -> list[float]:
    """USD values the title presents as the loss."""
    title = ctx.article.title or ""
    vals = []
    sent = Sent(0, len(title), title, 0)
    for s, e, amount in find_amounts(title, ctx.lex):
        scores = role_scores(ctx, sent, s, e)
        if scores["stolen"] < max(scores["recovered"], scores["bounty"], scores["tvl"]):
            continue
        usd, _ = to_usd(amount, ctx.published, ctx.lex)
        if usd:
            vals.append(usd)
    return vals


def funds_features(ctx: Ctx, cands: list[AmountCand]) -> list[tuple[dict[str, float], AmountCand]]:
    """Per amount in dollars (stated or priced), what speaks for it being the stolen sum."""
    tvals = title_values(ctx)
    title_theft = float(bool(ctx.cues.stolen.search((ctx.article.title or "").lower())))
    priced = [c for c in cands if c.usd is not None and c.usd >= 1000]
    if not priced:
        return []
    largest = max(c.usd for c in priced)
    first_stolen = next((c for c in priced if c.role == "stolen" and not c.other_incident), None)
    n = max(len(ctx.text), 1)
    rows = []
    for c in priced:
        sc = c.scores
        same_stolen = sum(1 for o in cands if o is not c and o.usd and o.role == "stolen"
                          and abs(o.usd - c.usd) <= 0.05 * c.usd)
        same_other = sum(1 for o in cands if o is not c and o.usd and o.role != "stolen"
                         and abs(o.usd - c.usd) <= 0.05 * c.usd)
        governors = clause_cues(c.sent, c.start - c.sent.start, c.end - c.sent.start)
        settled, early = governors & ctx.cues.settled, governors & ctx.cues.early
        in_title = any(abs(c.usd - v) <= 0.03 * v for v in tvals)
        old_year = bool(re.search(r"\b(?:19|20)\d\d\b", c.sent.text) and ctx.published and
                        str(ctx.published.year) not in c.sent.text and
                        str(ctx.published.year - 1) not in c.sent.text)
        rows.append(({
            "cue_stolen": sc["stolen"], "cue_recovered": sc["recovered"], "cue_bounty": sc["bounty"],
            "cue_tvl": sc["tvl"], "cue_other": sc["other"],
            "role_stolen": float(c.role == "stolen"),
            "in_title": float(in_title), "in_title_theft": float(in_title) * title_theft,
            "restated_stolen": min(same_stolen, 3), "restated_other": min(same_other, 3),
            "sentence": math.log1p(c.sent.index), "early_in_text": float(c.start < 0.2 * n),
            "first_stolen": float(c is first_stolen),
            "settled": float(bool(settled) and not early), "early_figure": float(bool(early) and not settled),
            "other_incident": float(c.other_incident), "old_year": float(old_year),
            "usd_trust": c.usd_trust, "stated_usd": float(c.amount.currency == "USD"),
            "linked": float(c.linked), "log_usd": math.log10(c.usd),
            "below_largest": math.log10(largest / c.usd),
        }, c))
    return rows


def pick_funds(ctx: Ctx, cands: list[AmountCand]) -> Fact | None:
    rows = funds_features(ctx, cands)
    ctx.observe("funds_stolen_usd", rows)
    if not rows:
        return None
    i, conf = ctx.decisions["funds_stolen_usd"].pick(
        [r for r, _ in rows], [c.usd for _, c in rows], lambda a, b: abs(a - b) <= 0.1 * a)
    best = rows[i][1]
    return ctx.fact("funds_stolen_usd", round(best.usd), conf, best.start, best.end,
                    currency="USD", native=best.amount.native)


# dates ---------------------------------------------------------------------------------------

@dataclass
class DateCand:
    start: int
    end: int
    value: DateValue
    features: dict[str, float]
    sent: Sent


FIRST_CRYPTO_YEAR = 2009  # no cryptocurrency incident happened before Bitcoin's first block


def default_year(ctx: Ctx) -> int | None:
    """With no publication date, the year a yearless date ("on March 21") takes: the year the
    text writes most often, among the years a crypto incident can have. None when the text
    writes no such year: a date without a year is then left unresolved, never given an
    unrelated one."""
    this_year = dt.date.today().year
    years = Counter(y for y in map(int, re.findall(r"(?<![$\d.,])\b((?:19|20)\d\d)\b(?![\d%])",
                                                 ctx.text))
                    if FIRST_CRYPTO_YEAR <= y <= this_year)
    return years.most_common(1)[0][0] if years else None


def date_candidates(ctx: Ctx, victim_names: set[str], funds: Fact | None = None,
                    amounts: Sequence[AmountCand] = ()) -> list[DateCand]:
    """Every dated mention up to the publication day, with what speaks for it being the day of
    the attack: cue words near it, whether it reports when something was said, whether it sits
    where the loss is stated or where another incident is, its precision and its age."""
    cues = ctx.cues
    pub = ctx.published
    fallback_year = None if pub else default_year(ctx)
    victim_first = {norm_tokens(n)[0] for n in victim_names if norm_tokens(n)}
    other = other_incident_sentences(ctx, victim_names)
    funds_sent = {a.sent.index for a in amounts if funds is not None and a.usd
                  and abs(a.usd - funds.value) <= 0.03 * funds.value}
    other_loss_sents = {a.sent.index for a in amounts
                        if funds is not None and a.role == "stolen" and a.usd
                        and abs(a.usd - funds.value) > 0.25 * funds.value
                        and a.sent.index not in funds_sent}
    out = []
    offsets = ctx.doc.user_data.get(DATES_KEY)
    found = (dates_at(ctx.text, offsets, pub, fallback_year) if offsets is not None
             else find_dates(ctx.text, pub, fallback_year))
    for start, end, value in found:
        if value.date is None:
            continue
        if pub and value.date > pub + dt.timedelta(days=1):
            continue
        sent = ctx.sent_at(start)
        rs, re_ = start - sent.start, end - sent.start
        before = ctx.text[max(0, start - 40):start].lower()
        age = (pub - value.date).days if pub else 0
        lower = sent.text.lower()
        reported = date_is_reported(ctx, sent, start, end)
        out.append(DateCand(start, end, value, {
            "cue_incident": min(proximity(list(cues.date_pos.finditer(sent.text)), rs, re_, 50), 3.0),
            "cue_other": min(proximity(list(cues.date_neg.finditer(sent.text)), rs, re_, 25), 2.5),
            "week": float(value.precision == "week"), "month": float(value.precision == "month"),
            "year": float(value.precision == "year"), "relative": float(bool(value.relative)),
            "other_incident": float(sent.index in other),
            "labelled_incident": float(bool(re.search(
                r"(incident date|date of (?:the )?(?:attack|incident|exploit|hack)|"
                r"attack date|exploit date)\W*$", before))),
            "labelled_published": float(bool(re.search(
                r"(published|updated|posted|last modified)\W*(?:on\s*)?$", before))),
            "reported": float(reported),
            "loss_sentence": float(sent.index in funds_sent),
            "other_loss_sentence": float(sent.index in other_loss_sents),
            "is_publication_day": float(pub is not None and age == 0),
            "age_log": math.log1p(max(age, 0)) if pub else 0.0,
            "age_over_60": float(age > 60), "age_over_400": float(age > 400),
            "no_publication_date": float(pub is None),
            "victim_absent": float(bool(victim_first) and not any(v in lower for v in victim_first)),
            "first_sentence": float(sent.index == 0),
            "sentence": math.log1p(sent.index),
        }, sent))
    return out


REPORTED_BEFORE = re.compile(r"(\w+)(?:\s+(?:in\s+a\s+\w+|to\s+\w+|late|early|this|last))?"
                             r"\s*,?\s*(?:on|in|at)?\s*$", re.I)


def date_is_reported(ctx: Ctx, sent: Sent, start: int, end: int) -> bool:
    """Whether the date at [start, end) says when something was said, not when it happened.

    A reporting verb right before the date ("said on Tuesday", "told reporters late Friday"), or
    opening the clause after a date that starts the sentence ("On Tuesday, the team said").
    """
    before = ctx.text[max(sent.start, start - 40):start]
    m = REPORTED_BEFORE.search(before)
    if m and m.group(1).lower() in ctx.cues.reporting:
        return True
    lead = ctx.text[sent.start:start].strip(" ,").lower()
    if lead in ("", "on", "late on", "early on", "on the morning of", "in"):
        after = ctx.text[end:min(sent.end, end + 60)]
        words = re.findall(r"[A-Za-z][\w'’-]*", after)[:6]
        return any(w.lower() in ctx.cues.reporting for w in words) and \
            not any(ctx.cues.stolen.search(w) for w in words)
    return False


def pick_incident_date(ctx: Ctx, cands: list[DateCand]) -> Fact | None:
    ctx.observe("incident_date", [(c.features, c) for c in cands])
    if not cands:
        return None
    i, conf = ctx.decisions["incident_date"].pick(
        [c.features for c in cands], [c.value.date for c in cands],
        lambda a, b: abs((a - b).days) <= 1)
    best = cands[i]
    return ctx.fact("incident_date", best.value.date.isoformat(), conf, best.start, best.end,
                    precision=best.value.precision)


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


CHAIN_FEATURES = ("mentions", "ticker_mentions", "route", "laundering_sentence", "theft_sentence",
                  "other_incident", "stolen_asset", "listed_asset", "in_title", "contained", "victim_chain_51",
                  "native_count", "evm_hint", "stable_stolen", "eth_venue")


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
        sent = ctx.sent_at(span.start_char)
        clause = clause_at(sent, span.start_char - sent.start)
        if cues.unaffected.search(clause) or cues.earlier_incident.search(clause):
            continue
        f = feats[canon]
        first.setdefault(canon, (span.start_char, span.end_char))
        f["mentions"] += 1
        f["ticker_mentions"] += span.text.isupper() and len(span.text) <= 4 and span.text != "BSC"
        f["other_incident"] += sent.index in other
        if is_route(ctx, sent, span, routed_end):
            f["route"] += 1
            routed_end = span.end_char
        launder, theft = cues.launder.search(sent.text), cues.stolen.search(sent.text)
        f["laundering_sentence"] += bool(launder) and not theft
        f["theft_sentence"] += bool(theft)
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
    out = {}
    for canon, f in feats.items():
        if canon in first:
            row = {k: (math.log1p(v) if v > 1 else v) for k, v in f.items() if v}
            row["none_named"] = float(f["mentions"] == 0)
            out[canon] = (row, first[canon])
    return out


CHAIN_MIN_PROBABILITY = 0.5


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


# status, target, attackers -------------------------------------------------------------------

# Subjects for which "returned" means "yielded" ("the sale returned only 704 ETH"), unless the
# attacker or the team is named in between.
YIELD_SUBJECT = re.compile(
    r"\b(?:sale|sales|swap|swaps|dump|trade|trades|selling|sell-off|liquidation|investment|"
    r"position)\b(?:(?!\b(?:attacker|hacker|exploiter|thief|team|they|he|she)\b)[^;:])*$", re.I)
PERCENT = re.compile(r"\d\s?%|\d\s+percent\b", re.I)
PASSIVE_BEFORE = re.compile(r"\b(?:was|were|been|being|be|is|are|got|get|had|have|has)\s+"
                            r"(?:\w+\s+){0,5}$", re.I)  # "were frozen", "had the funds returned"
OBJECT_BREAK = re.compile(r"[;:]|\s(?:but|while|after|before|when|because)\s")


def names_funds(ctx: Ctx, sent: Sent, m: re.Match[str], amounts: Sequence[AmountCand]) -> bool:
    """Whether the recovery cue `m` in `sent` is about funds: its object ("froze $1.2 million",
    "returned the stolen ether", "sent 80% back", "recovered it" after an amount), or the
    subject of its passive ("the funds were frozen"), names funds or an amount."""
    def funds(text: str) -> bool:
        return bool(ctx.cues.funds_object.search(text) or PERCENT.search(text))

    after = OBJECT_BREAK.split(sent.text[m.end():])[0][:60]
    before = OBJECT_BREAK.split(sent.text[max(0, m.start() - 70):m.start()])[-1]
    lo, hi = sent.start + m.start() - len(before), sent.start + m.end() + len(after)
    in_sentence = [a for a in amounts if sent.start <= a.start < sent.end]
    if re.search(r"\b(?:borrow\w*|loans?)\b", before + " " + after, re.I):
        return False  # "the borrowed tokens were returned": a loan repaid
    if re.match(r"^\s+to\b", after):
        after = ""  # "returned to send", "returned to the app": no object follows
    governed = any(m.start() <= a.start - sent.start < m.end() + len(after) for a in in_sentence)
    if governed or funds(m.group(0) + " " + after):
        return True  # the object, or inside a split cue: "sent $3.1 million back"
    if re.match(r"^\s+(?:it|them|those|these)\b", after, re.I):  # "found $5M ... and froze it"
        return bool(in_sentence) or funds(sent.text[:m.start()])
    return PASSIVE_BEFORE.search(before) is not None and (
        funds(before) or any(lo <= a.start < hi for a in in_sentence))


STATUSES = ("unrecovered", "partially-recovered", "recovered")
TARGETS = tuple(taxonomy()["targets"])


def pick_status(ctx: Ctx, amounts: list[AmountCand], victim_names: set[str]) -> Fact:
    cues = ctx.cues
    partial_ev: list[Sent] = []
    full_ev: list[Sent] = []
    negative_ev: list[Sent] = []
    other_names = other_incident_sentences(ctx, victim_names)
    for sent in ctx.sents:
        if sent.index in other_names:
            continue
        for m in cues.rec_pos.finditer(sent.text):
            window = sent.text[max(0, m.start() - 60):m.end() + 25]
            if cues.rec_not.search(window):
                continue
            if re.match(r"^\s+(?:private\s+)?(?:keys?|password|seed|data|error|value|message|"
                        r"signature|phrase|account)\b", sent.text[m.end():], re.I):
                continue  # "the recovered key": not funds coming back
            if re.search(r"\bto\s+(?:\w+\s+(?:and|or)\s+)?$", sent.text[max(0, m.start() - 25):
                                                                     m.start()], re.I):
                continue  # "to flag and freeze": a purpose, not an event
            if re.match(r"^\s+(?:all\s+)?(?:withdrawals|deposits|trading|operations|services?|"
                        r"the\s+(?:service|platform|site|app|move|gains?))\b", sent.text[m.end():],
                        re.I):
                continue  # "froze withdrawals", "returned the service": no funds came back
            if m.group(0).lower().startswith("return") and YIELD_SUBJECT.search(
                    sent.text[max(0, m.start() - 90):m.start()]):
                continue  # "the sale ... returned only 704 ETH": proceeds, not a recovery
            if not names_funds(ctx, sent, m, amounts):
                continue  # "the owner returned to the app", "the token recovered": no funds
            clause = re.split(r"[;:]|\bbut\b|\bwhile\b|\balthough\b|\bhowever\b",
                              sent.text[:m.start()])[-1][-90:]
            after = sent.text[m.end():]
            cells = after.split("|")  # a table row: the value is the next cell
            if cues.rec_neg.search(clause) or \
                    re.search(r"\b(?:no|none|nothing|not|never)\b", clause, re.I) or \
                    re.match(r"^\W{0,6}(?:none|nothing|no\b|n/a|not\b)", after, re.I) or \
                    len(cells) > 1 and re.match(r"^\s*(?:none|nothing|no\b|n/a|nil\b|not\b|0\b|"
                                                r"[-–—]\s*$)", cells[1], re.I):
                negative_ev.append(sent)
                continue
            if any(cues.rec_full.search(sent.text[max(0, k.start() - 60):k.end() + 25])
                   for k in cues.rec_pos.finditer(sent.text)):
                full_ev.append(sent)  # "sent back ... and recovered the full amount"
            else:
                partial_ev.append(sent)
            break
    first = ctx.sents[0]
    evidence = {"recovered": (full_ev or partial_ev or [first])[0],
                "partially-recovered": (partial_ev or full_ev or [first])[0],
                "unrecovered": (negative_ev or [first])[0]}
    base = {"partial": math.log1p(len(partial_ev)), "full": math.log1p(len(full_ev)),
            "negative": math.log1p(len(negative_ev)),
            "full_only": float(bool(full_ev) and not partial_ev),
            "none": float(not (full_ev or partial_ev or negative_ev))}
    rows = [(one_of(value, base), value) for value in STATUSES]
    ctx.observe("status", rows)
    i, conf = ctx.decisions["status"].pick([r for r, _ in rows])
    value = rows[i][1]
    sent = evidence[value]
    return ctx.fact("status", value, conf, sent.start, sent.end if sent is not first or
                    value != "unrecovered" or negative_ev else sent.start)


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


def described_as(ctx: Ctx, names: set[str]) -> dict[str, float]:
    """What the article calls the victim beside its name: "crypto exchange Nobitex", "Lendora,
    a lending protocol on Arbitrum,". Each mention adds 2 for the kind of its longest descriptor
    (so "decentralized exchange" is a protocol, not an exchange), at most 4 a kind."""
    cues, text = ctx.cues, ctx.text
    out: dict[str, float] = defaultdict(float)
    for name in sorted(n for n in names if len(n) >= 2):
        for m in re.finditer(as_word(name), text):
            before = text[max(0, m.start() - 45):m.start()]
            after = text[m.end():m.end() + 90]
            found = []  # (length of the descriptor, kind)
            for kind, rx in cues.descriptor_before.items():
                if (hit := rx.search(before)) is not None:
                    found.append((len(hit.group(0).strip()), kind))
            for kind, rx in cues.descriptor_after.items():
                if (hit := rx.match(after)) is not None:
                    found.append((len(hit.group(1)), kind))
            if found:
                kind = max(found)[1]
                out[kind] = min(out[kind] + 2.0, 4.0)
    return out


def pick_target(ctx: Ctx, victim: Fact | None, category: dict[str, float] | None = None
                ) -> Fact | None:
    """The kind of victim: per target, the title's words, the gazetteer's kind for the victim,
    what the article calls it ("crypto exchange X"), the words of the sentences that name it,
    a 51% attack, and the attack category's usual target."""
    cues = ctx.cues
    title = (ctx.article.title or "").lower()
    names = TARGETS
    feats: dict[str, dict[str, float]] = {t: {} for t in names}
    for t, rx in cues.targets.items():
        feats[t]["title_words"] = float(len(rx.findall(title)))
    victim_tokens = set()
    if victim is not None:
        victim_tokens = {norm_tokens(n)[0] for n in victim.extra.get("names", []) if norm_tokens(n)}
        kind = ctx.lex.firm_kind.get(victim.value) or victim.extra.get("kind")
        tracked = victim.value in ctx.lex.tracked_only
        if tracked and looks_like_person(ctx, victim.value):
            kind = "person"
        mapped = ctx.lex.targets["kind_to_target"].get(kind or "")
        if mapped:
            feats[mapped]["tracker_kind" if tracked else "checked_kind"] = 1.0
        if kind == "person":  # a named person lost the funds
            feats["individual"]["person"] = 1.0
        for t, w in described_as(ctx, set(victim.extra.get("names", [])) | {victim.value}).items():
            feats[t]["described"] = w
    sentence_words: dict[str, float] = defaultdict(float)
    for sent in ctx.sents[:40]:
        lower = sent.text.lower()
        if victim_tokens and not any(v in lower for v in victim_tokens):
            continue
        for t, rx in cues.targets.items():
            sentence_words[t] += len(rx.findall(lower))
    for t, n in sentence_words.items():
        feats[t]["sentence_words"] = math.log1p(n)
    if re.search(r"51\s?%\s+attack|51 percent attack|reorg", ctx.text, re.I):
        feats["blockchain"]["consensus"] = 1.0
    for cat, p in (category or {}).items():  # the attack category's usual targets, learned
        for t in names:
            feats[t][f"{t}|{cat}"] = p
    rows = [({**f, f"bias:{t}": 1.0}, t) for t, f in feats.items()]
    ctx.observe("target", rows)
    i, conf = ctx.decisions["target"].pick([r for r, _ in rows])
    if not any(v for k, v in feats[rows[i][1]].items() if "|" not in k):
        if not category:
            return None  # nothing in the text speaks for it, and no category either
        conf = min(conf, 0.5)  # only the attack category speaks for it: a guess
    start = victim.start if victim else 0
    end = victim.end if victim else 0
    return ctx.fact("target", rows[i][1], conf, start, end)


def pick_attackers(ctx: Ctx) -> list[Fact]:
    out = []
    seen = set()
    for span in ctx.firm_spans:
        if span.label_ == "attacker":
            canon = span.id_ or span.text
            if canon not in seen:
                seen.add(canon)
                out.append(ctx.fact("attackers", canon, 0.6, span.start_char, span.end_char))
    return out


def onchain_facts(ctx: Ctx, chains: list[Fact]) -> tuple[list[Fact], list[Fact]]:
    evm = next((c.value for c in chains if c.value not in ("Bitcoin", "Solana", "Tron",
                                                           "Bitcoin Gold", "Litecoin")), "Ethereum")
    found = find_onchain(ctx.text, evm_chain=evm,
                         solana_context=any(c.value == "Solana" for c in chains))
    addresses, txs, seen = [], [], set()
    for o in found:
        if o.value in seen:
            continue
        seen.add(o.value)
        fact = ctx.fact("addresses" if o.kind == "address" else "tx_hashes", o.value, 0.95,
                        o.start, o.end, chain=o.chain)
        (addresses if o.kind == "address" else txs).append(fact)
    return addresses, txs
