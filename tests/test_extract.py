"""Extraction: article text and publication date from a page."""

from __future__ import annotations

import sys

from drafter.extract import extract
from drafter.fetch import make_page
from tests.conftest import STORY, article_html


def page(html: str):
    return make_page("test.html", None, html.encode(), "text/html", None, 200, {})


def undated(byline: str, footer: str = "") -> str:
    """A page whose markup declares no date; any date is only shown as text."""
    body = "\n".join(f"<p>{p}</p>" for p in STORY)
    return ("<!DOCTYPE html><html lang=\"en\"><head><title>Pool drained</title></head><body>"
            f"<nav>Home · Markets</nav><article><h1>Pool drained</h1>{byline}{body}</article>"
            f"<footer>{footer}</footer></body></html>")


def test_published_date_comes_from_the_markup():
    assert extract(page(article_html("Pool drained", STORY))).published == "2022-09-21"


def test_published_date_falls_back_to_the_visible_byline():
    html = undated('<div class="byline">By Ana Ruiz · 3 December 2018</div>')
    assert extract(page(html)).published == "2018-12-03"


def test_time_element_counts_as_a_byline():
    html = undated("<p><time>March 9, 2023</time></p>")
    assert extract(page(html)).published == "2023-03-09"


def test_a_date_in_the_story_is_not_taken_for_the_publication_date():
    html = undated("", footer="Sister sites · Contact")
    story = extract(page(html.replace("said on Monday", "said on July 23, 2022")))
    assert story.published is None


def test_the_fallback_does_not_load_dateparser():
    """dateparser builds every locale on first use (seconds); drafter's own grammar suffices."""
    extract(page(undated('<span class="posted">Posted 12 Jan 2021</span>')))
    assert "dateparser" not in sys.modules
