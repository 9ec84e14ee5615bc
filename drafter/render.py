"""Render: a `Dossier` in, Markdown, HTML, JSON or a DeFi-Hack-Chronicle record out (Jinja2).

Templates live in `templates/`. Article text is data, never template source: it reaches the
templates as variables, is HTML-escaped by autoescaping in HTML and neutralised by the `md`
filter in Markdown. A fact the pipeline could not establish, or a reviewer rejected, is shown as
a visible placeholder, never a guess.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

from . import config, corpus
from .lexicon import read_json
from .merge import money_short
from .records import Dossier, MergedFact

PLACEHOLDER = "⟦needs review"
FORMATS = ("md", "html", "json", "chronicle")
JSON_SCHEMA = "drafter.dossier/1"
MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>])")


def placeholder(what: str) -> str:
    return f"{PLACEHOLDER}: {what}⟧"


def md_escape(value: Any) -> str:
    """Make untrusted text inert in Markdown: no links, images, HTML, emphasis or headings."""
    text = "" if value is None else str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = MD_SPECIAL.sub(r"\\\1", text)
    text = re.sub(r"(?m)^(\s*)([-=]{3,}|\d+\.)", r"\1\\\2", text)
    return " ".join(text.split("\n"))


@functools.lru_cache(maxsize=2)
def environment(directory: str | None = None):
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=FileSystemLoader(directory or str(config.templates_dir())),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"),
                                     default_for_string=True),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md_escape
    env.globals["placeholder"] = placeholder
    env.globals["PLACEHOLDER"] = PLACEHOLDER
    return env


def explorers() -> dict:
    return read_json(config.corpus_dir() / "lexicons" / "explorers.json")


def shown(fact: MergedFact | None):
    """The value a reader should see, or None when it must be a placeholder."""
    if fact is None or fact.state == "rejected" or fact.value is None:
        return None
    return fact.value


def listed(items) -> list[MergedFact]:
    return [f for f in items if f.state != "rejected" and f.value is not None]


def view(d: Dossier, related: list[dict] | None = None) -> dict:
    """What the templates see: strings ready to print, placeholders where facts are missing."""
    f = d.facts
    category = shown(f.get("category"))
    tax = corpus.taxonomy()
    date = shown(f.get("incident_date"))
    funds = shown(f.get("funds_stolen_usd"))
    status = shown(f.get("status"))
    target = shown(f.get("target"))
    chains = [c.value for c in listed(d.lists.get("chains", ()))]
    links = explorers()
    onchain = []
    for name, kind in (("addresses", "address"), ("tx_hashes", "tx")):
        for item in listed(d.lists.get(name, ())):
            chain = item.extra.get("chain") or (chains[0] if chains else None)
            pattern = links.get(chain or "", {}).get(kind)
            onchain.append({"kind": "Address" if kind == "address" else "Transaction",
                            "value": item.value, "chain": chain,
                            "link": pattern.format(value=item.value) if pattern else None})
    conflicts = []
    for name, fact in f.items():
        if fact.conflict and fact.state not in ("accepted", "edited"):
            seen, values = [], []
            for c in fact.candidates:
                if c.value not in seen:
                    seen.append(c.value)
                    shown_value = money_short(c.value) if name == "funds_stolen_usd" else c.value
                    values.append({"value": shown_value, "source": c.source})
            conflicts.append({"field": name, "options": values})
    partial = f"partials/why/{category}.j2" if category in corpus.category_ids() else \
        "partials/why/unknown.j2"
    return {
        "number": d.number, "state": d.state,
        "category": category,
        "category_label": corpus.category_label(category) if category else
        placeholder("category"),
        "title": d.title, "deck": d.deck,
        "date": date or placeholder("incident date"),
        "chains": ", ".join(chains) if chains else placeholder("chains"),
        "status": status.replace("-", " ").capitalize() if status else placeholder("status"),
        "funds": money_short(funds) if funds else placeholder("funds stolen"),
        "victim": shown(f.get("victim")) or placeholder("victim"),
        "target": tax.get("target_phrases", {}).get(target, target) if target else "",
        "attackers": ", ".join(a.value for a in listed(d.lists.get("attackers", ()))),
        "conflicts": conflicts,
        "what_happened": list(d.what_happened), "aftermath": list(d.aftermath),
        "why_partial": partial,
        "sources": list(d.sources), "onchain": onchain, "related": related or [],
    }


def render(d: Dossier, fmt: str, related: list[dict] | None = None) -> str:
    if fmt in ("md", "html"):
        template = environment().get_template(f"dossier.{fmt}.j2")
        return template.render(d=view(d, related))
    if fmt == "json":
        return json.dumps(to_json(d, related), indent=2, ensure_ascii=False) + "\n"
    if fmt == "chronicle":
        return json.dumps(chronicle(d, related), indent=2, ensure_ascii=False) + "\n"
    raise ValueError(f"unknown format {fmt!r}")


def fact_json(fact: MergedFact) -> dict:
    return {"value": fact.value, "confidence": fact.confidence, "state": fact.state,
            "conflict": fact.conflict, **({"id": fact.id} if fact.id else {}),
            **{k: v for k, v in fact.extra.items()},
            "candidates": [{"source": c.source, "value": c.value, "confidence": c.confidence,
                            "text": c.text, "start": c.start, "end": c.end,
                            "sentence": c.sentence} for c in fact.candidates]}


def to_json(d: Dossier, related: list[dict] | None = None) -> dict:
    """The documented JSON form (README: "The dossier JSON form")."""
    return {
        "schema": JSON_SCHEMA,
        "number": d.number, "state": d.state, "version": d.version,
        "title": d.title, "deck": d.deck,
        "category_label": corpus.category_label(d.facts["category"].value)
        if d.facts["category"].value else None,
        "facts": {name: fact_json(f) for name, f in d.facts.items()},
        "lists": {name: [fact_json(f) for f in items] for name, items in d.lists.items()},
        "category_scores": d.category_scores,
        "category_terms": list(d.category_terms),
        "what_happened": [{"text": p.text, "source": p.source} for p in d.what_happened],
        "aftermath": [{"text": p.text, "source": p.source} for p in d.aftermath],
        "sources": [{"number": s.number, "domain": s.domain, "url": s.url, "source": s.source,
                     "title": s.title, "site": s.site, "published": s.published}
                    for s in d.sources],
        "related": related or [],
        "created_at": d.created_at, "updated_at": d.updated_at,
    }


def chronicle(d: Dossier, related: list[dict] | None = None) -> dict:
    """The record shape of the public DeFi-Hack-Chronicle incident dataset."""
    f = d.facts
    chains = [c.value for c in listed(d.lists.get("chains", ()))]
    victim = shown(f["victim"])
    funds = shown(f["funds_stolen_usd"])
    breakdown = []
    for fact in (f["funds_stolen_usd"],):
        ev = fact.evidence
        if ev is not None and funds:
            breakdown.append({"asset": ev.extra.get("native", "USD").split()[-1],
                              "amount": ev.text, "convertedUSD": funds})
    category = shown(f["category"])
    date = shown(f["incident_date"])
    slug = re.sub(r"[^a-z0-9]+", "-", f"{victim or 'unknown'}-{date or ''}".lower()).strip("-")
    return {
        "id": slug,
        "title": d.title,
        "protocol": victim,
        "blockchain": [c.lower().replace(" ", "-") for c in chains],
        "category": [category] if category else [],
        "estimatedLoss": {"totalUSD": funds, "breakdown": breakdown},
        "attackTime": f"{date}T00:00:00Z" if date else None,
        "description": d.deck,
        "transactions": [{"txHash": t.value, "blockchain": (t.extra.get("chain") or
                                                             (chains[0] if chains else "")).lower(),
                          "role": "attack"} for t in listed(d.lists.get("tx_hashes", ()))],
        "attackers": [a.value for a in listed(d.lists.get("attackers", ()))],
        "victims": [victim] if victim else [],
        "rootCause": corpus.category_label(category) if category else None,
        "references": [s.url or s.source for s in d.sources],
        "metadata": {"human_verified": d.state == "approved", "source": "drafter",
                     "dossier_number": d.number},
    }


def slug(text: str, limit: int = 60) -> str:
    """A safe file name part: lower-case ASCII letters, digits and dashes only."""
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return (s[:limit].rstrip("-") or "dossier")


def export_path(d: Dossier, fmt: str, directory: Path | None = None) -> Path:
    ext = {"md": "md", "html": "html", "json": "json", "chronicle": "chronicle.json"}[fmt]
    base = directory or config.home_dir() / "exports"
    return base / f"{d.number or 0:04d}-{slug(d.title)}.{ext}"


def write_export(d: Dossier, fmt: str, out: Path | None = None,
                 related: list[dict] | None = None) -> Path:
    path = out or export_path(d, fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(render(d, fmt, related), encoding="utf-8")
    tmp.replace(path)
    return path
