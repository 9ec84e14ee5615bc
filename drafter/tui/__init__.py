"""The review app (Textual). This package is the only place in drafter that imports Textual."""

from __future__ import annotations


def make_app(store=None, number: int | None = None, reviewer: str | None = None,
             pipeline_factory=None):
    """Build the review app; the CLI and the tests both call this."""
    from ..review import reviewer_name
    from ..store import Store
    from .app import ReviewApp

    return ReviewApp(store=store or Store(), number=number,
                     reviewer=reviewer or reviewer_name(), pipeline_factory=pipeline_factory)
