"""Dossier operations shared by the CLI and the review app: draft, re-merge, relate, export."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import merge, render
from .errors import DrafterError
from .pipeline import Pipeline, Progress, quiet
from .records import Article, Dossier, Facts
from .store import Store


class DuplicateError(DrafterError):
    """The sources look like an incident the archive already has."""

    kind = "duplicate"


@dataclass
class DraftResult:
    dossier: Dossier
    failures: list[tuple[str, str]] = field(default_factory=list)
    """(source, one-line error) for sources that could not be used."""
    created: bool = True


def draft(store: Store, pipeline: Pipeline, sources: Sequence[str], into: int | None = None,
          allow_duplicate: bool = False, progress: Progress = quiet) -> DraftResult:
    """Run the pipeline on `sources` and merge them into a new dossier or dossier `into`."""
    results = pipeline.run(list(sources), progress=progress)
    failures = [(r.source, r.error_message or "") for r in results if not r.ok]
    fresh = [(r.article, r.facts or Facts(), None) for r in results if r.ok and r.article]
    existing = None
    if into is not None:
        existing = store.dossier(into, by_number=True)
    if not fresh:
        reason = "; ".join(msg for _, msg in failures) or "no sources given"
        raise DrafterError(f"no usable source, nothing was drafted: {reason}",
                           "fix the links (or save the pages) and run the command again")
    items: list[tuple[Article, Facts, int | None]] = []
    if existing is not None:
        for article, facts, article_id in store.source_articles(existing.id):
            if facts is None:
                facts = pipeline.facts([article])[0]
            items.append((article, facts, article_id))
    items.extend(fresh)
    progress(f"merging {len(items)} source(s)")
    dossier = merge.merge(items)
    if existing is None:
        dups = merge.duplicates(dossier, store.dossiers())
        if dups and not allow_duplicate:
            other, why = dups[0]
            cmd = "drafter draft " + " ".join(shlex.quote(s) for s in sources) + \
                f" --into {other.number}"
            raise DuplicateError(
                f"this looks like dossier № {other.number} ({other.title}): {why}",
                f"add the sources to it with `{cmd}`, or pass --new to draft a separate dossier")
        stored = store.create_dossier(dossier, items)
        return DraftResult(stored, failures, True)
    stored = store.replace_dossier(existing.id, dossier, items)
    return DraftResult(stored, failures, False)


def related(store: Store, dossier: Dossier, limit: int = 6) -> list[dict]:
    """Other dossiers with the same category, attacker or victim."""
    out = []
    victim = dossier.facts["victim"].value
    category = dossier.facts["category"].value
    attackers = {a.value for a in dossier.lists.get("attackers", ())}
    for other in store.dossiers():
        if other.id == dossier.id:
            continue
        reasons = []
        if victim and other.facts["victim"].value and merge.same_name(
                victim, other.facts["victim"].value):
            reasons.append("same victim")
        shared = attackers & {a.value for a in other.lists.get("attackers", ())}
        if shared:
            reasons.append(f"same attacker: {sorted(shared)[0]}")
        if category and other.facts["category"].value == category:
            reasons.append("same category")
        if reasons:
            out.append({"number": other.number, "title": other.title,
                        "reason": ", ".join(reasons)})
    return out[:limit]


def export(store: Store, number: int, fmt: str, out: Path | None = None) -> Path:
    dossier = store.dossier(number, by_number=True)
    return render.write_export(dossier, fmt, out, related(store, dossier))


def export_all(store: Store, dossier: Dossier, directory: Path | None = None,
               rel: list[dict] | None = None) -> list[Path]:
    rel = related(store, dossier) if rel is None else rel
    return [render.write_export(dossier, fmt,
                                render.export_path(dossier, fmt, directory), rel)
            for fmt in render.FORMATS]


def summary(dossier: Dossier) -> dict:
    """One line of `drafter list`: what a reviewer needs to pick a dossier."""
    f = dossier.facts
    confidences = [x.confidence for x in f.values() if x.value is not None]
    return {"number": dossier.number, "title": dossier.title, "state": dossier.state,
            "category": f["category"].value, "funds_stolen_usd": f["funds_stolen_usd"].value,
            "incident_date": f["incident_date"].value,
            "lowest_confidence": round(min(confidences), 3) if confidences else 0.0,
            "conflicts": sum(1 for x in f.values() if x.conflict),
            "sources": len(dossier.sources), "updated_at": dossier.updated_at}
