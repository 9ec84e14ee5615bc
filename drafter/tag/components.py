"""Candidate-finding spaCy components: amounts, dates, on-chain identifiers, chain and firm names,
registered as factories; the pipeline drafter runs (`build_nlp`)."""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal

from spacy.language import Language
from spacy.tokens import Doc, Span

from .. import lexicon as lexicon_mod
from ..lexicon import Lexicon
from ..nlp import load_english
from ..normalize import (
    Amount,
    find_amounts,
    find_dates,
)
from ..onchain import find_onchain

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


# The amount and date components keep what they found in `doc.user_data` as plain values (so
# they survive the trip back from `--jobs` worker processes): each amount parsed once, as
# (start, end, value, currency, native, kind), and each date's exact offsets (a date is
# resolved against the publication date, which the pipeline knows and the component does not).
# `doc._.amounts` gives the amounts back as `Amount` records; the fact pickers read them there
# instead of scanning or parsing the text again. The spans are for spaCy's own tools.
AMOUNTS_KEY = "drafter.amounts"
DATES_KEY = "drafter.dates"


def stored_amounts(doc: Doc) -> list[tuple[int, int, Amount]] | None:
    """The amounts the component found, as (start, end, Amount); None if it did not run."""
    rows = doc.user_data.get(AMOUNTS_KEY)
    if rows is None:
        return None
    return [(s, e, Amount(Decimal(v), cur, native, kind)) for s, e, v, cur, native, kind in rows]


if not Doc.has_extension("amounts"):
    Doc.set_extension("amounts", getter=stored_amounts)


def keep_found(doc: Doc, key: str, spans_key: str, label: str, found, rows) -> Doc:
    """Keep a grammar's matches on the doc: plain values for the pickers, spans for spaCy."""
    doc.user_data[key] = rows
    doc.spans[spans_key] = char_spans(doc, [(s, e) for s, e, _ in found], label)
    return doc


@Language.factory("drafter_amounts")
def make_amounts(nlp: Language, name: str):
    lex = lexicon_mod.load()

    def amounts(doc: Doc) -> Doc:
        found = find_amounts(doc.text, lex)
        rows = [(s, e, str(a.value), a.currency, a.native, a.kind) for s, e, a in found]
        return keep_found(doc, AMOUNTS_KEY, "amounts", "AMOUNT", found, rows)
    return amounts


@Language.factory("drafter_dates")
def make_dates(nlp: Language, name: str):
    def dates(doc: Doc) -> Doc:
        found = find_dates(doc.text, None, None)
        return keep_found(doc, DATES_KEY, "dates", "DATE", found, [(s, e) for s, e, _ in found])
    return dates


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
