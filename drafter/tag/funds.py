"""Amounts and their roles (stolen, recovered, bounty, TVL, other); the stolen amount, learned."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

from ..normalize import (
    Amount,
    find_amounts,
    to_usd,
)
from ..records import Fact
from .context import Ctx, Sent, other_incident_sentences, squash

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
    found = ctx.amounts
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
