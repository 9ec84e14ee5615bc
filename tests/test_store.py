"""The SQLite archive: migrations, WAL, pages and articles."""

from __future__ import annotations

import sqlite3

from drafter.records import Article, Page
from drafter.store import MIGRATIONS, Store


def test_migrations_apply_in_order_on_a_blank_database(tmp_path):
    store = Store(tmp_path / "blank.sqlite3")
    assert store.migrations() == [(v, name) for v, name, _ in MIGRATIONS]
    tables = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"pages", "articles", "facts", "dossiers", "review_events"} <= tables
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_migrations_are_not_applied_twice(tmp_path):
    path = tmp_path / "twice.sqlite3"
    Store(path).close()
    again = Store(path)
    assert again.migrate() == []
    assert len(again.migrations()) == len(MIGRATIONS)


def test_pages_keep_their_raw_bytes(tmp_path):
    store = Store(tmp_path / "p.sqlite3")
    body = "caf\u00e9".encode("cp1252")
    page = Page(source="u", url="https://x.example/a", body=body, text="caf\u00e9",
                content_type="text/html", encoding="cp1252")
    store.save_page("https://x.example/a", page)
    cached = store.cached_page("https://x.example/a")
    assert cached.body == body and cached.text == "caf\u00e9" and cached.from_cache


def test_articles_round_trip(tmp_path):
    store = Store(tmp_path / "a.sqlite3")
    art = Article(source="s", url=None, title="T", text="body text", published="2022-01-02")
    assert store.article(store.save_article(art)) == art


def test_a_failed_transaction_leaves_nothing(tmp_path):
    store = Store(tmp_path / "t.sqlite3")
    try:
        with store.transaction() as db:
            db.execute("INSERT INTO articles (source, title, text, extracted_at)"
                       " VALUES ('s', 't', 'x', 'now')")
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert store.table_counts()["articles"] == 0


def test_an_unwritable_home_is_a_clear_store_error(tmp_path, monkeypatch):
    import pytest

    from drafter.errors import StoreError

    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot open the archive"):
        Store(blocker / "sub" / "db.sqlite3")
    assert isinstance(sqlite3.sqlite_version, str)
