"""The victim: firm mentions grouped into firms, each firm's features, the learned pick."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc

from ..lexicon import Lexicon
from ..normalize import (
    MONTHS,
    WEEKDAYS,
)
from ..records import Fact
from .components import proper
from .context import Ctx, as_word, norm_tokens, other_incident_sentences

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
        if (lead := re.match(r"(?:the|The)\s+", text)) and \
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
            # a person named again by the surname alone ("Michael Terpin", then "Terpin")
            surname = len(toks) == 1 and g.kind == "person" and len(gtoks) > 1 and \
                gtoks[-1] == toks[0] and kind in (None, "person")
            if surname or any(prefix_match(k, gtoks) for k in keys):
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


def headline_phrase(name: str, lex: Lexicon) -> bool:
    """Whether a capitalised phrase holds a headline or event word ("Incident", "Plunges")."""
    return any(w.lower() in lex.headline_words for w in name.split())


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
    lower_words = set(LOWER_WORD.findall(ctx.text))
    ent_labels = {(e.start_char, e.end_char): e.label_ for e in ctx.ents}
    rows = []
    for g in groups:
        theft = possessive = passive = active = in_loss = 0
        labels = Counter(ent_labels.get(span) for span in g.mentions)
        n_mentions = max(len(g.mentions), 1)
        words = [w for w in re.findall(r"[A-Za-z][\w'’-]*", g.display)]
        # a title's capitalised words are not a name: "Scam", "DNS Attack", "Breakdown"
        common = sum(1 for w in words if w.lower() in lower_words or w.lower() in STOP_WORDS)
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
            "known_name": float(g.kind is not None),
            "common_words": common / len(words) if words else 0.0,
            "ner_person": labels["PERSON"] / n_mentions,
            "ner_place": (labels["GPE"] + labels["NORP"] + labels["LOC"]) / n_mentions,
            "ner_org": labels["ORG"] / n_mentions,
            "single_mention": float(len(g.mentions) == 1),
            f"kind:{kind}": 1.0,
        }
        rows.append((features, g))
    # a token is what was lost, not who lost it; a country or city is where, not who
    # and a phrase of headline words the gazetteer does not know is a headline, not a name
    rows = [(f, g) for f, g in rows if not f["token"] and g.kind != "place" and
            not (f["ner_place"] >= 0.5 and g.kind in (None, "person")) and
            not (g.kind in (None, "person") and headline_phrase(g.display, ctx.lex))]
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
