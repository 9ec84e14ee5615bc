"""Merge: the facts of several articles about one incident in, one `Dossier` out.

Per fact, every source's candidate is kept with its evidence. Candidates that agree (amounts
within 5%, dates within a day, names that are the same firm) pool their confidence; when sources
disagree the fact is marked as a conflict and the proposed value is the group with the most
confidence and sources behind it. Also here: the dossier's title and deck, the key passages for
"What happened" and "Aftermath", and the duplicate-incident check.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Sequence
from dataclasses import replace
from urllib.parse import urlsplit

from . import corpus
from .records import (
    SINGLE_FIELDS,
    Article,
    Candidate,
    Dossier,
    Facts,
    MergedFact,
    Passage,
    Source,
)

MERGED_LISTS = ("chains", "attackers", "addresses", "tx_hashes")
REQUIRED = ("incident_date", "funds_stolen_usd", "victim", "category", "status")
AFTERMATH = re.compile(
    r"\b(?:halt(?:ed|s)?|paus(?:ed|es)|suspend(?:ed|s)?|froze|frozen|freez(?:e|es|ing)|"
    r"return(?:ed|s)?|recover(?:ed|y)|seiz(?:ed|ure)|bount(?:y|ies)|reimburs\w*|compensat\w*|"
    r"investigat\w*|police|arrest\w*|charged|resum(?:ed|es)|reopen\w*|relaunch\w*|"
    r"white[- ]hat|negotiat\w*|law enforcement|absorb\w*|covered|refund\w*|patched|fix(?:ed)?)\b",
    re.I,
)


def norm_name(name: str) -> list[str]:
    return re.sub(r"[^\w\s]", " ", str(name).lower()).split()


def same_name(a: str, b: str) -> bool:
    """Same firm: one name is a leading-word prefix of the other, or they are near-identical."""
    x, y = norm_name(a), norm_name(b)
    if not x or not y:
        return False
    short, long_ = (x, y) if len(x) <= len(y) else (y, x)
    if long_[: len(short)] == short:
        return True
    return difflib.SequenceMatcher(None, " ".join(x), " ".join(y)).ratio() >= 0.85


def same_value(field: str, a, b) -> bool:
    if a is None or b is None:
        return a is b
    if field == "funds_stolen_usd":
        return abs(float(a) - float(b)) <= 0.01 * max(float(a), float(b))
    if field == "incident_date":
        try:
            return abs((dt.date.fromisoformat(a) - dt.date.fromisoformat(b)).days) <= 1
        except ValueError:
            return a == b
    if field in ("victim", "attackers"):
        return same_name(a, b)
    return a == b


def pooled(confidences: Sequence[float]) -> float:
    """Independent sources agreeing: 1 - prod(1 - c)."""
    miss = 1.0
    for c in confidences:
        miss *= 1.0 - max(0.0, min(c, 0.99))
    return 1.0 - miss


def candidate(source: int, fact) -> Candidate:
    return Candidate(source=source, value=fact.value, confidence=fact.confidence, text=fact.text,
                     start=fact.start, end=fact.end, sentence=fact.sentence,
                     extra=dict(fact.extra))


def group(field: str, cands: Sequence[Candidate]) -> list[list[Candidate]]:
    """Candidates that state the same value, in order of first appearance."""
    groups: list[list[Candidate]] = []
    for c in cands:
        for g in groups:
            if same_value(field, g[0].value, c.value):
                g.append(c)
                break
        else:
            groups.append([c])
    return groups


def merge_single(field: str, cands: list[Candidate]) -> MergedFact:
    if not cands:
        return MergedFact(field=field, value=None, confidence=0.0)
    groups = group(field, cands)
    scored = sorted(groups, key=lambda g: (sum(c.confidence for c in g), len(g)), reverse=True)
    best = scored[0]
    value = max(best, key=lambda c: c.confidence).value
    total = sum(c.confidence for c in cands) or 1.0
    share = sum(c.confidence for c in best) / total
    confidence = pooled([c.confidence for c in best]) * (share if len(groups) > 1 else 1.0)
    return MergedFact(field=field, value=value, confidence=round(confidence, 3),
                      candidates=tuple(cands), conflict=len(groups) > 1)


def merge_list(field: str, per_source: list[tuple[int, Sequence]]) -> tuple[MergedFact, ...]:
    cands = [candidate(number, fact) for number, facts in per_source for fact in facts]
    out = []
    for g in group(field, cands):
        value = max(g, key=lambda c: c.confidence).value
        out.append(MergedFact(field=field, value=value,
                              confidence=round(pooled([c.confidence for c in g]), 3),
                              candidates=tuple(g),
                              extra={"chain": g[0].extra.get("chain")} if "chain" in g[0].extra
                              else {}))
    return tuple(sorted(out, key=lambda m: -m.confidence))


def merge_category(per_source: list[tuple[int, Facts]]) -> tuple[MergedFact, dict, tuple]:
    cands, totals, terms = [], {}, []
    for number, facts in per_source:
        fact = facts.get("category")
        if fact is None:
            continue
        cands.append(candidate(number, fact))
        for k, v in fact.extra.get("scores", {}).items():
            totals[k] = totals.get(k, 0.0) + v
        terms.extend(t for t in fact.extra.get("terms", []) if t not in terms)
    if not cands:
        return MergedFact("category", None, 0.0), {}, ()
    n = len(cands)
    scores = {k: round(v / n, 4) for k, v in sorted(totals.items(), key=lambda kv: -kv[1])}
    best = next(iter(scores))
    groups = {c.value for c in cands}
    return (MergedFact("category", best, round(scores[best], 3), tuple(cands),
                       conflict=len(groups) > 1), scores, tuple(terms[:10]))


def source_record(number: int, article: Article, article_id: int | None = None) -> Source:
    url = article.url or (article.source if "://" in article.source else None)
    domain = urlsplit(url).hostname or "" if url else ""
    domain = domain.removeprefix("www.") if domain else (article.site or "local file")
    return Source(number=number, source=article.source, url=url, domain=domain,
                  title=article.title, site=article.site, published=article.published,
                  article_id=article_id)


def merge(items: Sequence[tuple[Article, Facts, int | None]]) -> Dossier:
    """Merge the articles (with their facts and archive ids) into one draft dossier."""
    sources = tuple(source_record(i, a, aid) for i, (a, _, aid) in enumerate(items, 1))
    per_source = [(i, f) for i, (_, f, _) in enumerate(items, 1)]
    facts: dict[str, MergedFact] = {}
    for name in SINGLE_FIELDS:
        if name == "category":
            continue
        cands = [candidate(i, f.get(name)) for i, f in per_source if f.get(name) is not None]
        facts[name] = merge_single(name, cands)
    facts["category"], scores, terms = merge_category(per_source)
    lists = {name: merge_list(name, [(i, f.all(name)) for i, f in per_source])
             for name in MERGED_LISTS}
    what, after = passages(items, facts)
    dossier = Dossier(title="", deck="", facts=facts, lists=lists, sources=sources,
                      what_happened=what, aftermath=after, category_scores=scores,
                      category_terms=terms)
    return retitle(dossier)


def retitle(dossier: Dossier) -> Dossier:
    return replace(dossier, title=title_for(dossier), deck=deck_for(dossier))


def category_info(category: str | None) -> dict:
    for c in corpus.taxonomy()["categories"]:
        if c["id"] == category:
            return c
    return {}


def title_for(d: Dossier) -> str:
    victim = d.facts["victim"].value if d.facts["victim"].state != "rejected" else None
    info = category_info(d.facts["category"].value)
    mechanism = info.get("mechanism", "Security Incident")
    return f"{victim or 'Unnamed Victim'} {mechanism}"


def money_short(value) -> str:
    """26000000 -> "$26M"; 1500000000 -> "$1.5B"; 238000 -> "$238K"."""
    v = float(value)
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if v >= size:
            text = f"{v / size:.1f}".rstrip("0").rstrip(".")
            return f"${text}{suffix}"
    return f"${v:,.0f}"


def deck_for(d: Dossier) -> str:
    f = d.facts
    info = category_info(f["category"].value)
    tax = corpus.taxonomy()
    funds = f["funds_stolen_usd"].value
    victim = f["victim"].value or "an unnamed victim"
    target = tax.get("target_phrases", {}).get(f["target"].value or "", "")
    chains = [c.value for c in d.lists.get("chains", ())]
    what = f"{money_short(funds)} taken" if funds else "Funds taken"
    whom = f"{target} {victim}".strip()
    where = f" on {' and '.join(chains[:2])}" if chains else ""
    how = info.get("deck_phrase", "in a security incident")
    status = {"unrecovered": "nothing has been recovered",
              "partially-recovered": "part of the funds has been recovered",
              "recovered": "the funds have been recovered"}.get(f["status"].value or "", "")
    return f"{what} from {whom}{where} {how}" + (f"; {status}." if status else ".")


def split_sentences(text: str) -> list[str]:
    out = []
    for para in text.split("\n"):
        para = para.strip()
        if not para or para.startswith("|") or len(para.split()) < 6:
            continue
        out.extend(s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"'])", para) if s.strip())
    return out


def similar(a: str, b: str) -> bool:
    x, y = set(norm_name(a)), set(norm_name(b))
    return bool(x and y) and len(x & y) / len(x | y) > 0.6


def passages(items, facts: dict[str, MergedFact]) -> tuple[tuple[Passage, ...],
                                                             tuple[Passage, ...]]:
    """Key sentences from each source for "What happened", and the aftermath sentences."""
    evidence = {(c.source, c.sentence) for f in facts.values() for c in f.candidates}
    what: list[Passage] = []
    after: list[Passage] = []
    for number, (article, _, _) in enumerate(items, 1):
        sentences = split_sentences(article.text)
        if sentences and sentences[0] == article.title:
            sentences = sentences[1:]
        chosen = []
        for i, s in enumerate(sentences):
            key = i < 2 or any(n == number and (s in ev or ev in s) for n, ev in evidence if ev)
            if key and len(chosen) < 4 and not any(similar(s, p.text) for p in what):
                chosen.append(Passage(s, number))
        what.extend(chosen)
        for s in sentences:
            if len(after) >= 6:
                break
            if AFTERMATH.search(s) and not any(similar(s, p.text) for p in what + after):
                after.append(Passage(s, number))
    return tuple(what[:8]), tuple(after)


def duplicates(dossier: Dossier, existing: Sequence[Dossier]) -> list[tuple[Dossier, str]]:
    """Dossiers in the archive that look like the same incident, with the reason."""
    out = []
    victim = dossier.facts["victim"].value
    date = dossier.facts["incident_date"].value
    addrs = {m.value for name in ("addresses", "tx_hashes") for m in dossier.lists.get(name, ())}
    for other in existing:
        if other.id is not None and other.id == dossier.id:
            continue
        ov = other.facts["victim"].value
        od = other.facts["incident_date"].value
        shared = addrs & {m.value for name in ("addresses", "tx_hashes")
                          for m in other.lists.get(name, ())}
        if shared:
            out.append((other, f"shares on-chain evidence {sorted(shared)[0]}"))
        elif victim and ov and same_name(victim, ov):
            if date and od:
                gap = abs((dt.date.fromisoformat(date) - dt.date.fromisoformat(od)).days)
                if gap <= 3:
                    out.append((other, f"same victim ({ov}) within {gap} day(s)"))
            else:
                out.append((other, f"same victim ({ov}), date unknown"))
    return out

