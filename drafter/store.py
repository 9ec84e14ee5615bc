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
from .errors import StoreError
from .records import Article, Page


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


MIGRATIONS = [(1, "m001_initial", m001_initial)]


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
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            try:
                self.db.execute("COMMIT")
            except sqlite3.Error as exc:
                self.db.execute("ROLLBACK")
                raise StoreError(f"cannot write to the archive at {self.path}: {exc}",
                                 "check free disk space and that the folder is writable") from exc

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

    def page_id(self, key: str) -> int | None:
        row = self.db.execute("SELECT id FROM pages WHERE url = ?", (key,)).fetchone()
        return int(row[0]) if row else None

    # articles ------------------------------------------------------------------------------

    def save_article(self, article: Article, page_id: int | None = None) -> int:
        with self.transaction() as db:
            cur = db.execute(
                "INSERT INTO articles (page_id, source, url, title, site, author, published,"
                " language, text, extracted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (page_id, article.source, article.url, article.title, article.site,
                 article.author, article.published, article.language, article.text, now()),
            )
        return int(cur.lastrowid or 0)

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

    def table_counts(self) -> dict[str, int]:
        names = ["pages", "articles", "dossiers", "facts", "review_events", "training_examples"]
        return {n: self.db.execute(f"SELECT count(*) FROM {n}").fetchone()[0] for n in names}


def article_from_row(row: sqlite3.Row) -> Article:
    return Article(
        source=row["source"], url=row["url"], title=row["title"], text=row["text"],
        site=row["site"], author=row["author"], published=row["published"],
        language=row["language"],
    )


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)

