"""SVG snapshots of the review app at 120x40: the list, the review screen and every modal.

Update them only after looking at the report: `pytest tests/test_tui_snapshots.py
--snapshot-update`, then check the SVGs under tests/__snapshots__/.
"""

from __future__ import annotations

import pytest

from drafter import dossiers
from drafter.store import Store
from drafter.tui import make_app
from tests.conftest import ATOMIC_PAGES as PAGES

SIZE = (120, 40)


@pytest.fixture
def app(pipeline):
    store = Store()
    dossiers.draft(store, pipeline, PAGES)
    dossiers.draft(store, pipeline, ["tests/data/injection.html"])
    return make_app(store=store, number=1, reviewer="snap")


def test_dossier_list(snap_compare, app):
    app.number = None
    assert snap_compare(app, terminal_size=SIZE)


def test_review_screen(snap_compare, app):
    assert snap_compare(app, terminal_size=SIZE)


def test_edit_modal(snap_compare, app):
    assert snap_compare(app, terminal_size=SIZE, press=["e"])


def test_category_modal(snap_compare, app):
    assert snap_compare(app, terminal_size=SIZE, press=["c"])


def test_conflict_modal(snap_compare, app):
    async def to_funds(pilot):
        screen = app.screen
        screen.query_one("#facts").move_cursor(row=1)
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=to_funds)


def test_add_sources_modal(snap_compare, app):
    assert snap_compare(app, terminal_size=SIZE, press=["o"])


def test_help_modal(snap_compare, app):
    assert snap_compare(app, terminal_size=SIZE, press=["question_mark"])
