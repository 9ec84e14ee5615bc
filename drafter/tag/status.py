"""Recovery status: recovery words that govern funds, negated or not; the status, learned."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from ..decide import one_of
from ..records import Fact
from .context import Ctx, Sent, other_incident_sentences
from .funds import AmountCand

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


MONTH_MAY = re.compile(r"\bMay(?=\s+\d)|(?<=\d\s)May\b")
BE_RIGHT_BEFORE = re.compile(r"\b(?:was|were|been|being|is|are|got|gets|get)\s+$", re.I)


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
    if BE_RIGHT_BEFORE.search(before):  # "withdrawal functions have been frozen and ...":
        after = ""  # a passive's patient is its subject; what follows is another clause
    governed = any(m.start() <= a.start - sent.start < m.end() + len(after) for a in in_sentence)
    if governed or funds(m.group(0) + " " + after):
        return True  # the object, or inside a split cue: "sent $3.1 million back"
    if re.match(r"^\s+(?:it|them|those|these)\b", after, re.I):  # "found $5M ... and froze it"
        return bool(in_sentence) or funds(sent.text[:m.start()])
    return PASSIVE_BEFORE.search(before) is not None and (
        funds(before) or any(lo <= a.start < hi for a in in_sentence))



STATUSES = ("unrecovered", "partially-recovered", "recovered")



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
            lead = sent.text[max(0, m.start() - 25):m.start()]
            if re.search(r"\bto\s+(?:\w+\s+(?:and|or)\s+)?$", lead, re.I) and \
                    not re.search(r"\b(?:managed|succeeded|moved|rushed|acted|raced)\s+to\s+$", lead, re.I):
                continue  # "to flag and freeze": a purpose, not an event ("managed to freeze" is)
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
            clause = MONTH_MAY.sub("month", clause)  # "on May 26" is a date, not "may"
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
