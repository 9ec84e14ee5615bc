"""The review app, driven headless with Pilot: every key, the modals, persistence and undo."""

from __future__ import annotations

import pytest

from drafter import dossiers, review
from drafter.store import Store
from drafter.tui import make_app
from tests.conftest import ATOMIC_PAGES as PAGES

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


SIZE = (120, 40)


@pytest.fixture
def store(pipeline):
    store = Store()
    dossiers.draft(store, pipeline, PAGES)
    return store


def fact_state(store, field: str) -> str:
    return store.dossier(1, by_number=True).facts[field].state


async def open_review(app, pilot):
    await pilot.pause()
    assert type(app.screen).__name__ == "ReviewScreen"
    return app.screen


def row(screen, field_label: str) -> int:
    table = screen.query_one("#facts")
    for i in range(table.row_count):
        if table.get_row_at(i)[0] == field_label:
            return i
    raise AssertionError(field_label)


async def goto(pilot, screen, label: str) -> None:
    screen.query_one("#facts").move_cursor(row=row(screen, label))
    await pilot.pause()


async def test_accept_reject_skip_keys_are_saved(store):
    app = make_app(store=store, number=1, reviewer="ana")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(app, pilot)
        await goto(pilot, screen, "Date")
        await pilot.press("a")
        await goto(pilot, screen, "Target")
        await pilot.press("x")
        await goto(pilot, screen, "Status")
        await pilot.press("space")
    assert fact_state(store, "incident_date") == "accepted"
    assert fact_state(store, "target") == "rejected"
    assert fact_state(store, "status") == "skipped"
    events = review.events(store, 1)
    assert [e["action"] for e in events] == ["accepted", "rejected", "skipped"]
    assert {e["reviewer"] for e in events} == {"ana"}
    assert store.dossier(1, by_number=True).state == "in-review"


async def test_edit_modal_validates_before_saving(store):
    app = make_app(store=store, number=1, reviewer="ana")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(app, pilot)
        await goto(pilot, screen, "Date")
        await pilot.press("e")
        await pilot.pause()
        assert type(app.screen).__name__ == "EditFactModal"
        field = app.screen.query_one("#value")
        field.value = "not a date"
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "EditFactModal"
        assert "not a date" in str(app.screen.query_one("#error").render())
        field.value = "2023-06-02"
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "ReviewScreen"
    d = store.dossier(1, by_number=True)
    assert d.facts["incident_date"].value == "2023-06-02"
    assert d.facts["incident_date"].state == "edited"


async def test_conflict_modal_resolves_with_a_chosen_source_value(store):
    app = make_app(store=store, number=1, reviewer="ana")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(app, pilot)
        await goto(pilot, screen, "Funds stolen")
        await pilot.press("a")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConflictModal"
        await pilot.press("down", "enter")
        await pilot.pause()
    funds = store.dossier(1, by_number=True).facts["funds_stolen_usd"]
    assert funds.state == "accepted" and funds.value == 100_000_000


async def test_category_modal_lists_ranked_suggestions(store):
    app = make_app(store=store, number=1, reviewer="ana")
    async with app.run_test(size=SIZE) as pilot:
        await open_review(app, pilot)
        await pilot.press("c")
        await pilot.pause()
        assert type(app.screen).__name__ == "CategoryModal"
        options = app.screen.query_one("#categories")
        first = str(options.get_option_at_index(0).prompt)
        second = str(options.get_option_at_index(1).prompt)
        assert float(first.split()[0]) >= float(second.split()[0])
        await pilot.press("down", "enter")
        await pilot.pause()
    category = store.dossier(1, by_number=True).facts["category"]
    assert category.state == "edited"


async def test_undo_survives_a_restart(store):
    app = make_app(store=store, number=1, reviewer="ana")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(app, pilot)
        await goto(pilot, screen, "Victim")
        await pilot.press("x")
    assert fact_state(store, "victim") == "rejected"
    fresh = make_app(store=Store(store.path), number=1, reviewer="ana")
    async with fresh.run_test(size=SIZE) as pilot:
        screen = await open_review(fresh, pilot)
        assert "✗ rejected" in screen.query_one("#facts").get_row_at(row(screen, "Victim"))
        await pilot.press("backspace")
        await pilot.pause()
    assert fact_state(Store(store.path), "victim") == "pending"


async def test_approval_needs_every_required_fact_then_exports(store):
    app = make_app(store=store, number=1, reviewer="ana")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(app, pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert store.dossier(1, by_number=True).state != "approved"
        for label in ("Date", "Victim", "Category", "Status", "Funds stolen"):
            await goto(pilot, screen, label)
            await pilot.press("a")
            await pilot.pause()
            if type(app.screen).__name__ == "ConflictModal":  # sources disagree: pick one
                await pilot.press("enter")
                await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
    d = store.dossier(1, by_number=True)
    assert d.state == "approved"
    assert store.training_examples()[0]["category"] == d.facts["category"].value
    exports = list((store.path.parent / "exports").glob("0001-*"))
    assert len(exports) == 4


async def test_tab_moves_between_panes_and_help_opens(store):
    app = make_app(store=store, number=1, reviewer="ana")
    async with app.run_test(size=SIZE) as pilot:
        await open_review(app, pilot)
        assert app.focused.id == "facts"
        await pilot.press("tab")
        assert app.focused.id == "evidence"
        await pilot.press("tab")
        assert app.focused.id == "preview-scroll"
        await pilot.press("question_mark")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpModal"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        assert type(app.screen).__name__ == "DossierListScreen"


async def test_evidence_pane_highlights_the_facts_sentence(store):
    app = make_app(store=store, number=1, reviewer="ana")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(app, pilot)
        await goto(pilot, screen, "Date")
        area = screen.query_one("#evidence")
        fact = store.dossier(1, by_number=True).facts["incident_date"]
        assert area.selected_text.strip() == fact.evidence.sentence.strip()


async def test_list_filters_by_typing_and_enter_opens(store, pipeline):
    dossiers.draft(store, pipeline, ["tests/data/injection.html"])
    app = make_app(store=store, reviewer="ana")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#dossiers")
        assert table.row_count == 2
        await pilot.press(*"atomic")
        await pilot.pause()
        assert table.row_count == 1
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "ReviewScreen" and app.screen.number == 1


async def test_a_second_reviewers_change_is_not_silently_overwritten(store):
    app = make_app(store=store, number=1, reviewer="ana")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(app, pilot)
        other = Store(store.path)
        victim = other.dossier(1, by_number=True).facts["victim"]
        review.reject(other, victim.id, reviewer="ben")
        await goto(pilot, screen, "Date")
        await pilot.press("a")
        await pilot.pause()
        assert fact_state(store, "incident_date") == "pending"  # refused: stale view
        await pilot.press("r")
        await pilot.pause()
        await goto(pilot, screen, "Date")
        await pilot.press("a")
    assert fact_state(store, "incident_date") == "accepted"
    assert fact_state(store, "victim") == "rejected"


async def test_add_sources_runs_the_pipeline_in_a_worker(pipeline):
    store = Store()
    dossiers.draft(store, pipeline, PAGES[:1])
    app = make_app(store=store, number=1, reviewer="ana", pipeline_factory=lambda s: pipeline)
    async with app.run_test(size=SIZE) as pilot:
        await open_review(app, pilot)
        await pilot.press("o")
        await pilot.pause()
        app.screen.query_one("#sources").value = PAGES[1]
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        assert type(app.screen).__name__ == "ReviewScreen"
    assert len(Store(store.path).dossier(1, by_number=True).sources) == 2
