"""The archive: one SQLite file under DRAFTER_HOME, reached only through this module.

Numbered migrations are applied in order at start-up and recorded in `schema_migrations`;
a shipped migration is never edited, a new one is appended. The database runs in WAL mode so a
reviewer's screen can read while a draft is being written.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from . import config
from .errors import ConflictError, NotFoundError, StoreError
from .records import (
    Article,
    Candidate,
    Dossier,
    Fact,
    Facts,
    MergedFact,
    Page,
    Passage,
    Source,
)


def run_script(db: sqlite3.Connection, script: str) -> None:
    """Run several statements inside the caller's transaction (executescript would commit)."""
    for statement in script.split(";\n"):
        if statement.strip():
            db.execute(statement)


def m001_initial(db: sqlite3.Connection) -> None:
    run_script(
        db,
        """
        CREATE TABLE pages (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,          -- the URL or absolute path the page was fetched as
            final_url TEXT,
            status INTEGER NOT NULL,
            content_type TEXT NOT NULL,
            encoding TEXT NOT NULL,
            headers TEXT NOT NULL,             -- JSON object
            body BLOB NOT NULL,                -- raw bytes, kept for provenance
            fetched_at TEXT NOT NULL
        );
        CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            page_id INTEGER REFERENCES pages(id) ON DELETE SET NULL,
            source TEXT NOT NULL,
            url TEXT,
            title TEXT NOT NULL,
            site TEXT,
            author TEXT,
            published TEXT,
            language TEXT,
            text TEXT NOT NULL,
            extracted_at TEXT NOT NULL
        );
        CREATE TABLE dossiers (
            id INTEGER PRIMARY KEY,
            number INTEGER NOT NULL UNIQUE,    -- the stable public dossier number
            title TEXT NOT NULL,
            category TEXT,
            state TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'in-review', 'approved')),
            data TEXT NOT NULL,                -- JSON: the merged dossier
            version INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE dossier_sources (
            dossier_id INTEGER NOT NULL REFERENCES dossiers(id) ON DELETE CASCADE,
            article_id INTEGER NOT NULL REFERENCES articles(id),
            position INTEGER NOT NULL,
            PRIMARY KEY (dossier_id, article_id)
        );
        CREATE TABLE facts (
            id INTEGER PRIMARY KEY,
            dossier_id INTEGER REFERENCES dossiers(id) ON DELETE CASCADE,
            article_id INTEGER REFERENCES articles(id),
            field TEXT NOT NULL,
            value TEXT,                        -- JSON
            confidence REAL NOT NULL,
            text TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            sentence TEXT NOT NULL,
            extra TEXT NOT NULL DEFAULT '{}',  -- JSON
            state TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'accepted', 'rejected', 'edited', 'skipped'))
        );
        CREATE INDEX facts_dossier ON facts(dossier_id);
        CREATE TABLE review_events (
            id INTEGER PRIMARY KEY,
            dossier_id INTEGER NOT NULL REFERENCES dossiers(id) ON DELETE CASCADE,
            fact_id INTEGER REFERENCES facts(id) ON DELETE SET NULL,
            reviewer TEXT NOT NULL,
            at TEXT NOT NULL,
            action TEXT NOT NULL,
            before TEXT,                       -- JSON
            after TEXT,                        -- JSON
            undone INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX review_events_dossier ON review_events(dossier_id);
        CREATE TABLE training_examples (
            id INTEGER PRIMARY KEY,
            dossier_id INTEGER NOT NULL UNIQUE REFERENCES dossiers(id) ON DELETE CASCADE,
            category TEXT NOT NULL,
            text TEXT NOT NULL,
            approved_at TEXT NOT NULL
        );
        """
    )


def m002_article_facts(db: sqlite3.Connection) -> None:
    """Keep each article's tagged facts, so adding a source re-merges without re-tagging."""
    db.execute("ALTER TABLE articles ADD COLUMN facts TEXT")
    db.execute("ALTER TABLE facts ADD COLUMN position INTEGER NOT NULL DEFAULT 0")


MIGRATIONS = [(1, "m001_initial", m001_initial), (2, "m002_article_facts", m002_article_facts)]


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Store:
    """A connection to the archive with the operations the stages need."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path else config.db_path()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, timeout=10.0, isolation_level=None)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.execute("PRAGMA busy_timeout=10000")
            self.migrate()
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(
                f"cannot open the archive at {self.path}: {exc}",
                "check that DRAFTER_HOME points to a writable folder with free space",
            ) from exc

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic unit of work: everything inside commits together or not at all."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot write to the archive at {self.path}: {exc}",
                             "check free disk space and that the folder is writable") from exc
        try:
            yield self.db
        except sqlite3.Error as exc:
            self._rollback()
            raise StoreError(f"cannot write to the archive at {self.path}: {exc}",
                             "check free disk space and that the folder is writable; "
                             "nothing from this action was saved") from exc
        except BaseException:
            self._rollback()
            raise
        else:
            try:
                self.db.execute("COMMIT")
            except sqlite3.Error as exc:
                self._rollback()
                raise StoreError(f"cannot write to the archive at {self.path}: {exc}",
                                 "check free disk space and that the folder is writable") from exc

    def _rollback(self) -> None:
        """Roll back unless SQLite already did (it does on a full disk)."""
        if self.db.in_transaction:
            self.db.execute("ROLLBACK")

    def migrate(self) -> list[str]:
        """Apply the migrations not yet recorded; return their names."""
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        done = {row[0] for row in self.db.execute("SELECT version FROM schema_migrations")}
        applied = []
        for version, name, apply in MIGRATIONS:
            if version in done:
                continue
            with self.transaction() as db:
                apply(db)
                db.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", (version, name, now()))
            applied.append(name)
        return applied

    def migrations(self) -> list[tuple[int, str]]:
        rows = self.db.execute("SELECT version, name FROM schema_migrations ORDER BY version")
        return [(r[0], r[1]) for r in rows]

    # pages ---------------------------------------------------------------------------------

    def cached_page(self, key: str) -> Page | None:
        row = self.db.execute("SELECT * FROM pages WHERE url = ?", (key,)).fetchone()
        if row is None:
            return None
        body = bytes(row["body"])
        return Page(
            source=key,
            url=row["final_url"],
            body=body,
            text=body.decode(row["encoding"], errors="replace"),
            content_type=row["content_type"],
            encoding=row["encoding"],
            status=row["status"],
            headers=json.loads(row["headers"]),
            fetched_at=row["fetched_at"],
            from_cache=True,
        )

    def save_page(self, key: str, page: Page) -> int:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO pages (url, final_url, status, content_type, encoding, headers, body,"
                " fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(url) DO UPDATE SET final_url=excluded.final_url,"
                " status=excluded.status, content_type=excluded.content_type,"
                " encoding=excluded.encoding, headers=excluded.headers, body=excluded.body,"
                " fetched_at=excluded.fetched_at",
                (key, page.url, page.status, page.content_type, page.encoding,
                 json.dumps(page.headers), page.body, page.fetched_at or now()),
            )
            row = db.execute("SELECT id FROM pages WHERE url = ?", (key,)).fetchone()
        return int(row[0])

    # articles ------------------------------------------------------------------------------

    def save_article(self, article: Article, page_id: int | None = None,
                     facts: Facts | None = None) -> int:
        with self.transaction() as db:
            return self._insert_article(db, article, page_id, facts)

    def _insert_article(self, db, article: Article, page_id: int | None,
                        facts: Facts | None) -> int:
        cur = db.execute(
            "INSERT INTO articles (page_id, source, url, title, site, author, published,"
            " language, text, extracted_at, facts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (page_id, article.source, article.url, article.title, article.site,
             article.author, article.published, article.language, article.text, now(),
             dumps(facts_to_json(facts)) if facts is not None else None),
        )
        return int(cur.lastrowid or 0)

    def article_facts(self, article_id: int) -> Facts | None:
        row = self.db.execute("SELECT facts FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None or row[0] is None:
            return None
        return facts_from_json(json.loads(row[0]))

    # dossiers ------------------------------------------------------------------------------

    def create_dossier(self, dossier: Dossier,
                       articles: list[tuple[Article, Facts, int | None]] | None = None) -> Dossier:
        """Store a new dossier (and any unsaved articles) in one transaction; number it."""
        with self.transaction() as db:
            number = db.execute("SELECT coalesce(max(number), 0) + 1 FROM dossiers").fetchone()[0]
            stamp = now()
            cur = db.execute(
                "INSERT INTO dossiers (number, title, category, state, data, version, created_at,"
                " updated_at) VALUES (?, ?, ?, 'draft', '{}', 1, ?, ?)",
                (number, dossier.title, dossier.facts["category"].value, stamp, stamp))
            dossier_id = int(cur.lastrowid or 0)
            stored = self._write_dossier(db, dossier_id, dossier, articles)
        return self.dossier(stored)

    def replace_dossier(self, dossier_id: int, dossier: Dossier,
                        articles: list[tuple[Article, Facts, int | None]] | None = None,
                        expected_version: int | None = None) -> Dossier:
        """Re-merge an existing dossier; review states of unchanged facts are kept."""
        with self.transaction() as db:
            row = db.execute("SELECT version FROM dossiers WHERE id = ?", (dossier_id,)).fetchone()
            if row is None:
                raise NotFoundError(f"no dossier with id {dossier_id}")
            if expected_version is not None and row[0] != expected_version:
                raise ConflictError("the dossier was changed by someone else since you opened it",
                                    "reload it and try again")
            old = {(r["field"], r["value"]): r["state"] for r in db.execute(
                "SELECT field, value, state FROM facts WHERE dossier_id = ?", (dossier_id,))}
            db.execute("DELETE FROM facts WHERE dossier_id = ?", (dossier_id,))
            db.execute("DELETE FROM dossier_sources WHERE dossier_id = ?", (dossier_id,))
            self._write_dossier(db, dossier_id, dossier, articles, old)
            db.execute("UPDATE dossiers SET version = version + 1, updated_at = ? WHERE id = ?",
                       (now(), dossier_id))
        return self.dossier(dossier_id)

    def _write_dossier(self, db, dossier_id: int, d: Dossier, articles, old_states=None) -> int:
        sources = []
        for src, item in zip(d.sources, articles or [None] * len(d.sources)):
            article_id = src.article_id
            if article_id is None and item is not None:
                from .fetch import cache_key  # the page cache key links the article to its page

                page = db.execute("SELECT id FROM pages WHERE url = ?",
                                  (cache_key(item[0].source),)).fetchone()
                article_id = self._insert_article(db, item[0], page[0] if page else None, item[1])
            db.execute("INSERT INTO dossier_sources (dossier_id, article_id, position)"
                       " VALUES (?, ?, ?)", (dossier_id, article_id, src.number))
            sources.append({**source_to_json(src), "article_id": article_id})
        data = {"deck": d.deck, "sources": sources,
                "what_happened": [[p.text, p.source] for p in d.what_happened],
                "aftermath": [[p.text, p.source] for p in d.aftermath],
                "category_scores": d.category_scores, "category_terms": list(d.category_terms)}
        db.execute("UPDATE dossiers SET title = ?, category = ?, data = ? WHERE id = ?",
                   (d.title, d.facts["category"].value, dumps(data), dossier_id))
        rows = [(name, f, 0) for name, f in d.facts.items()]
        rows += [(name, f, i + 1) for name, items in d.lists.items() for i, f in enumerate(items)]
        for name, f, position in rows:
            value = dumps(f.value)
            state = f.state
            if old_states and (name, value) in old_states and state == "pending":
                state = old_states[(name, value)]
            ev = f.evidence
            extra = {**f.extra, "conflict": f.conflict,
                     "candidates": [candidate_to_json(c) for c in f.candidates]}
            db.execute(
                'INSERT INTO facts (dossier_id, field, value, confidence, text, start, "end",'
                " sentence, extra, state, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (dossier_id, name, value, f.confidence, ev.text if ev else "",
                 ev.start if ev else 0, ev.end if ev else 0, ev.sentence if ev else "",
                 dumps(extra), state, position))
        return dossier_id

    def dossier(self, key: int, by_number: bool = False) -> Dossier:
        column = "number" if by_number else "id"
        row = self.db.execute(f"SELECT * FROM dossiers WHERE {column} = ?", (key,)).fetchone()
        if row is None:
            raise NotFoundError(f"no dossier number {key}" if by_number else f"no dossier {key}",
                                "see `drafter list` for the dossiers in the archive")
        data = json.loads(row["data"])
        facts: dict[str, MergedFact] = {}
        lists: dict[str, list[MergedFact]] = {}
        for r in self.db.execute("SELECT * FROM facts WHERE dossier_id = ? ORDER BY field,"
                                 " position", (row["id"],)):
            extra = json.loads(r["extra"])
            cands = tuple(candidate_from_json(c) for c in extra.pop("candidates", []))
            conflict = bool(extra.pop("conflict", False))
            f = MergedFact(field=r["field"], value=json.loads(r["value"]),
                           confidence=r["confidence"], candidates=cands, conflict=conflict,
                           state=r["state"], id=r["id"], extra=extra)
            if r["position"] == 0:
                facts[r["field"]] = f
            else:
                lists.setdefault(r["field"], []).append(f)
        for name in ("incident_date", "funds_stolen_usd", "victim", "category", "status",
                     "target"):
            facts.setdefault(name, MergedFact(field=name, value=None, confidence=0.0))
        return Dossier(
            title=row["title"], deck=data.get("deck", ""), facts=facts,
            lists={k: tuple(v) for k, v in lists.items()},
            sources=tuple(source_from_json(s) for s in data.get("sources", [])),
            what_happened=tuple(Passage(t, n) for t, n in data.get("what_happened", [])),
            aftermath=tuple(Passage(t, n) for t, n in data.get("aftermath", [])),
            category_scores=data.get("category_scores", {}),
            category_terms=tuple(data.get("category_terms", [])),
            id=row["id"], number=row["number"], state=row["state"], version=row["version"],
            created_at=row["created_at"], updated_at=row["updated_at"])

    def dossiers(self) -> list[Dossier]:
        ids = [r[0] for r in self.db.execute("SELECT id FROM dossiers ORDER BY number")]
        return [self.dossier(i) for i in ids]

    def source_articles(self, dossier_id: int) -> list[tuple[Article, Facts | None, int]]:
        rows = self.db.execute(
            "SELECT a.* FROM dossier_sources s JOIN articles a ON a.id = s.article_id"
            " WHERE s.dossier_id = ? ORDER BY s.position", (dossier_id,))
        out = []
        for r in rows:
            facts = facts_from_json(json.loads(r["facts"])) if r["facts"] else None
            out.append((article_from_row(r), facts, r["id"]))
        return out

    def article(self, article_id: int) -> Article:
        row = self.db.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            raise StoreError(f"no article {article_id} in the archive")
        return article_from_row(row)

    def training_examples(self) -> list[dict]:
        """Reviewer-approved dossiers with their category, for `drafter train`."""
        rows = self.db.execute(
            "SELECT t.dossier_id, t.category, t.text, d.title FROM training_examples t"
            " JOIN dossiers d ON d.id = t.dossier_id ORDER BY t.id")
        return [dict(r) for r in rows]

    def gold_facts(self) -> list[dict]:
        """Every reviewer decision as training data for the fact decisions: per dossier with a
        reviewed fact, its source articles and the values reviewers accepted or typed
        (`gold`), and the values they rejected (`rejected`)."""
        out = []
        dossier_ids = [r[0] for r in self.db.execute(
            "SELECT DISTINCT dossier_id FROM facts WHERE state IN ('accepted', 'edited', 'rejected')"
            " ORDER BY dossier_id")]
        for dossier_id in dossier_ids:
            gold: dict[str, object] = {}
            rejected: dict[str, list] = {}
            for r in self.db.execute("SELECT field, value, state, position FROM facts"
                                     " WHERE dossier_id = ? ORDER BY field, position", (dossier_id,)):
                value = json.loads(r["value"]) if r["value"] is not None else None
                if r["state"] == "rejected":
                    rejected.setdefault(r["field"], []).append(value)
                elif r["state"] in ("accepted", "edited"):
                    if r["position"] == 0:
                        gold[r["field"]] = value
                    else:
                        gold.setdefault(r["field"], []).append(value)  # type: ignore[union-attr]
            articles = [a for a, _, _ in self.source_articles(dossier_id)]
            out.append({"dossier_id": dossier_id, "gold": gold, "rejected": rejected,
                        "articles": articles})
        return out

    def table_counts(self) -> dict[str, int]:
        names = ["pages", "articles", "dossiers", "facts", "review_events", "training_examples"]
        return {n: self.db.execute(f"SELECT count(*) FROM {n}").fetchone()[0] for n in names}


def article_from_row(row: sqlite3.Row) -> Article:
    return Article(
        source=row["source"], url=row["url"], title=row["title"], text=row["text"],
        site=row["site"], author=row["author"], published=row["published"],
        language=row["language"],
    )


def fact_from_json(name: str, data: dict) -> Fact:
    data = dict(data)
    base = {k: data.pop(k) for k in ("value", "confidence", "text", "start", "end", "sentence")}
    return Fact(field=name, extra=data, **base)


def facts_to_json(facts: Facts) -> dict:
    return facts.to_json()


def facts_from_json(data: dict) -> Facts:
    from .records import LIST_FIELDS, SINGLE_FIELDS

    single = {n: fact_from_json(n, data[n]) if data.get(n) else None for n in SINGLE_FIELDS}
    lists = {n: tuple(fact_from_json(n, x) for x in data.get(n, [])) for n in LIST_FIELDS}
    return Facts(single=single, lists=lists)


def candidate_to_json(c: Candidate) -> dict:
    return {"source": c.source, "value": c.value, "confidence": c.confidence, "text": c.text,
            "start": c.start, "end": c.end, "sentence": c.sentence, "extra": c.extra}


def candidate_from_json(d: dict) -> Candidate:
    return Candidate(**d)


def source_to_json(s: Source) -> dict:
    return {"number": s.number, "source": s.source, "url": s.url, "domain": s.domain,
            "title": s.title, "site": s.site, "published": s.published,
            "article_id": s.article_id}


def source_from_json(d: dict) -> Source:
    return Source(**d)


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)

