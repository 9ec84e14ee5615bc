"""The typed records that pass between stages.

Stages exchange these frozen dataclasses, never library objects: no spaCy `Doc`, lxml tree or
httpx response leaves the module that made it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Page:
    """One retrieved document, as the server (or the disk) gave it."""

    source: str
    """The source as the user gave it: a URL or a file path."""
    url: str | None
    """The final URL after redirects (None for a local file)."""
    body: bytes
    text: str
    """The body decoded with `encoding`."""
    content_type: str
    encoding: str
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    fetched_at: str = ""
    from_cache: bool = False


@dataclass(frozen=True, slots=True)
class Article:
    """The main text of a page and its metadata."""

    source: str
    url: str | None
    title: str
    text: str
    site: str | None = None
    author: str | None = None
    published: str | None = None
    """ISO date (YYYY-MM-DD) of publication, or None when the page does not say."""
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Fact:
    """One extracted fact with the evidence it came from."""

    field: str
    """Which fact: incident_date, funds_stolen_usd, victim, chains, amounts, firms, ..."""
    value: Any
    confidence: float
    text: str
    """The surface string in the article text."""
    start: int
    end: int
    sentence: str
    """The sentence holding `text`: what a reviewer reads."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Field-specific attributes: currency, native, role, chain, scores, terms."""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"value": self.value}
        out.update(self.extra)
        out.update(
            confidence=round(float(self.confidence), 3),
            text=self.text,
            start=self.start,
            end=self.end,
            sentence=self.sentence,
        )
        return out


SINGLE_FIELDS = ("incident_date", "funds_stolen_usd", "victim", "category", "status", "target")
LIST_FIELDS = ("chains", "attackers", "addresses", "tx_hashes", "amounts", "firms")


@dataclass(frozen=True, slots=True)
class Facts:
    """Every fact drafter found in one article."""

    single: dict[str, Fact | None] = field(default_factory=dict)
    lists: dict[str, tuple[Fact, ...]] = field(default_factory=dict)

    def get(self, name: str) -> Fact | None:
        return self.single.get(name)

    def all(self, name: str) -> tuple[Fact, ...]:
        return self.lists.get(name, ())

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in SINGLE_FIELDS:
            fact = self.single.get(name)
            out[name] = fact.to_json() if fact else None
        for name in LIST_FIELDS:
            out[name] = [f.to_json() for f in self.lists.get(name, ())]
        return out


@dataclass(frozen=True, slots=True)
class Extraction:
    """The outcome for one source: an article and its facts, or an error."""

    source: str
    article: Article | None = None
    facts: Facts | None = None
    error_kind: str | None = None
    error_message: str | None = None

    @property
    def ok(self) -> bool:
        return self.error_kind is None

    def to_contract(self) -> dict[str, Any]:
        """The line `drafter extract --jsonl` prints (CONTRACT.md)."""
        if not self.ok or self.article is None:
            return {
                "source": self.source,
                "ok": False,
                "error": {"kind": self.error_kind, "message": self.error_message},
                "article": None,
                "facts": None,
            }
        a = self.article
        return {
            "source": self.source,
            "ok": True,
            "error": None,
            "article": {
                "url": a.url,
                "title": a.title,
                "site": a.site,
                "published": a.published,
                "language": a.language,
                "text_chars": len(a.text),
            },
            "facts": (self.facts or Facts()).to_json(),
        }


# dossiers ------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Candidate:
    """One source's value for a fact, with its evidence."""

    source: int
    """The 1-based number of the source in the dossier."""
    value: Any
    confidence: float
    text: str
    start: int
    end: int
    sentence: str
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MergedFact:
    """A dossier-level fact: the proposed value and every source's candidate."""

    field: str
    value: Any
    """The proposed value; None when no source established it."""
    confidence: float
    candidates: tuple[Candidate, ...] = ()
    conflict: bool = False
    """True when sources disagree; the reviewer resolves it."""
    state: str = "pending"
    """pending, accepted, rejected, edited or skipped (review state)."""
    id: int | None = None
    """Row id in the archive, once stored."""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def evidence(self) -> Candidate | None:
        """The strongest candidate that agrees with the proposed value."""
        agreeing = [c for c in self.candidates if c.value == self.value] or list(self.candidates)
        return max(agreeing, key=lambda c: c.confidence) if agreeing else None


@dataclass(frozen=True, slots=True)
class Source:
    """A page a dossier is drafted from."""

    number: int
    source: str
    url: str | None
    domain: str
    title: str
    site: str | None = None
    published: str | None = None
    article_id: int | None = None


@dataclass(frozen=True, slots=True)
class Passage:
    """A sentence quoted from a source, for "What happened" and "Aftermath"."""

    text: str
    source: int


@dataclass(frozen=True, slots=True)
class Dossier:
    """A draft (or approved) dossier: merged facts, sources and quoted passages."""

    title: str
    deck: str
    facts: dict[str, MergedFact]
    """Single-valued facts: incident_date, funds_stolen_usd, victim, category, status, target."""
    lists: dict[str, tuple[MergedFact, ...]]
    """chains, attackers, addresses, tx_hashes."""
    sources: tuple[Source, ...]
    what_happened: tuple[Passage, ...] = ()
    aftermath: tuple[Passage, ...] = ()
    category_scores: dict[str, float] = field(default_factory=dict)
    category_terms: tuple[str, ...] = ()
    id: int | None = None
    number: int | None = None
    state: str = "draft"
    version: int = 1
    created_at: str | None = None
    updated_at: str | None = None
