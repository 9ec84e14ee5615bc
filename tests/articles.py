"""Small articles of our own for the tagger tests."""

from __future__ import annotations

from drafter.records import Article


def art(title: str, text: str, published: str | None = "2024-03-13") -> Article:
    """An article as extraction gives it: the headline, then the text."""
    return Article(source="test", url=None, title=title, text=title + "\n" + text,
                   published=published, site="Test Wire")
