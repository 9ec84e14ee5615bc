"""Dated mentions and the incident date, learned."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ..normalize import (
    DateValue,
    dates_at,
    find_dates,
)
from ..records import Fact
from .components import DATES_KEY
from .context import Ctx, Sent, norm_tokens, other_incident_sentences, proximity
from .funds import AmountCand

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


STAMP_LABEL = re.compile(r"\b(?:published|updated|posted|last modified|date)\W*(?:on\s*)?$", re.I)
STAMP_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def stamp_lines(text: str, title: str = "") -> list[tuple[int, int]]:
    """Lines before the story starts that are a page's date stamp: short (a byline "Jane Doe
    | March 3, 2022, 8:34 AM UTC", a bare date) with the year written out. The same lines
    extract.shown_date reads the publication date from."""
    out, pos = [], 0
    for n, line in enumerate(text.split("\n")):
        words = len(line.split())
        if n >= 12 or words > 40:
            break
        if 0 < words <= 14 and STAMP_YEAR.search(line) and line.strip() != title.strip():
            out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


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
    found = [(start, end, value) for start, end, value in found
             if value.date is not None and not (pub and value.date > pub + dt.timedelta(days=1))]
    days = [v.date for _, _, v in found if v.precision == "day"]
    earliest = min(days) if days else None
    stamps = stamp_lines(ctx.text, ctx.article.title or "")
    for start, end, value in found:
        before = ctx.text[max(0, start - 40):start].lower()
        if any(s0 <= start < e0 for s0, e0 in stamps) or STAMP_LABEL.search(before):
            continue  # a byline, dateline or "Updated" stamp: when the page was written
        sent = ctx.sent_at(start)
        rs, re_ = start - sent.start, end - sent.start
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
            "reported": float(reported),
            "loss_sentence": float(sent.index in funds_sent),
            "other_loss_sentence": float(sent.index in other_loss_sents),
            "is_publication_day": float(pub is not None and age == 0),
            "age_log": math.log1p(max(age, 0)) if pub else 0.0,
            "age_over_60": float(age > 60), "age_over_400": float(age > 400),
            "no_publication_date": float(pub is None),
            "victim_absent": float(bool(victim_first) and not any(v in lower for v in victim_first)),
            "first_sentence": float(sent.index == 0),
            # an attack comes before what is reported of it: the earliest dated day, and how far
            # a day lies after it
            "earliest_day": float(value.precision == "day" and value.date == earliest),
            "days_after_earliest": math.log1p((value.date - earliest).days)
            if earliest and value.date >= earliest else 0.0,
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
    # a month or a year alone never becomes a day: only days and weeks are candidates
    cands = [c for c in cands if c.value.precision in ("day", "week")]
    ctx.observe("incident_date", [(c.features, c) for c in cands])
    if not cands:
        fallback = ctx.decisions["incident_date"].fallback
        if ctx.published is None or fallback <= 0:
            return None
        # the page dates nothing itself: news is mostly written the day after, as often as
        # training found, and the reviewer sees it is a guess
        day = ctx.published - dt.timedelta(days=1)
        return ctx.fact("incident_date", day.isoformat(), fallback, 0, 0, precision="day",
                        guess="the day before publication")
    i, conf = ctx.decisions["incident_date"].pick(
        [c.features for c in cands], [c.value.date for c in cands],
        lambda a, b: abs((a - b).days) <= 1)
    best = cands[i]
    return ctx.fact("incident_date", best.value.date.isoformat(), conf, best.start, best.end,
                    precision=best.value.precision)
