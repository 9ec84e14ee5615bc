"""Screens: the dossier list and the review screen. They call the store and `review`, never SQL."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Label, Markdown, Static, TextArea
from textual.widgets.text_area import Selection

from .. import dossiers, render, review
from ..errors import DrafterError
from ..merge import money_short
from .dialogs import (
    AddSourcesModal,
    CategoryModal,
    ConflictModal,
    EditFactModal,
    HelpModal,
    quiet_input,
)

FIELD_LABELS = {"incident_date": "Date", "funds_stolen_usd": "Funds stolen", "victim": "Victim",
                "category": "Category", "status": "Status", "target": "Target",
                "chains": "Chain", "attackers": "Attacker", "addresses": "Address",
                "tx_hashes": "Transaction"}
STATE_MARKS = {"pending": "· pending", "accepted": "✓ accepted", "rejected": "✗ rejected",
               "edited": "✎ edited", "skipped": "» skipped"}


class DossierListScreen(Screen):
    """Every dossier, least certain first; type to filter, Enter to open."""

    BINDINGS = [
        Binding("enter", "open", "Open", priority=True),
        Binding("down", "cursor(1)", "Down", show=False, priority=True),
        Binding("up", "cursor(-1)", "Up", show=False, priority=True),
        Binding("escape", "clear", "Clear filter"),
        Binding("ctrl+q", "app.quit", "Quit"),
    ]

    def compose(self) -> ComposeResult:
        yield Label("Dossiers — least certain first", id="list-title")
        yield quiet_input(placeholder="type to filter by title, category or state", id="filter")
        yield DataTable(id="dossiers", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("№", "Title", "State", "Category", "Funds", "Lowest conf.", "Sources")
        self.refresh_rows()
        self.query_one(Input).focus()

    def on_screen_resume(self) -> None:
        self.refresh_rows()

    def refresh_rows(self) -> None:
        table = self.query_one(DataTable)
        text = self.query_one(Input).value.lower().strip()
        rows = [dossiers.summary(d) for d in self.app.store.dossiers()]
        rows.sort(key=lambda r: (r["state"] == "approved", r["lowest_confidence"], r["number"]))
        table.clear()
        for r in rows:
            hay = f"{r['title']} {r['category']} {r['state']} {r['number']}".lower()
            if text and text not in hay:
                continue
            funds = money_short(r["funds_stolen_usd"]) if r["funds_stolen_usd"] else "—"
            table.add_row(str(r["number"]), r["title"], r["state"], r["category"] or "—", funds,
                          f"{r['lowest_confidence']:.2f}", str(r["sources"]),
                          key=str(r["number"]))

    @on(Input.Changed, "#filter")
    def filter_changed(self) -> None:
        self.refresh_rows()

    def action_cursor(self, step: int) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.cursor_row + step, table.row_count - 1)))

    def action_clear(self) -> None:
        self.query_one(Input).value = ""

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if not table.row_count:
            self.notify("no dossier to open", severity="warning")
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        self.app.push_screen(ReviewScreen(int(key)))


class ReviewScreen(Screen):
    """Facts beside their evidence and a live preview of the draft."""

    BINDINGS = [
        Binding("a", "decide('accepted')", "Accept", priority=True),
        Binding("x", "decide('rejected')", "Reject", priority=True),
        Binding("e", "edit", "Edit", priority=True),
        Binding("space", "decide('skipped')", "Skip", priority=True),
        Binding("backspace", "undo", "Undo", priority=True),
        Binding("c", "category", "Category", priority=True),
        Binding("o", "add_sources", "Add sources", priority=True),
        Binding("tab", "next_pane", "Pane", priority=True),
        Binding("ctrl+s", "approve", "Approve", priority=True),
        Binding("r", "reload", "Reload", show=False, priority=True),
        Binding("question_mark", "help", "Help", priority=True),
        Binding("q", "back", "Back", priority=True),
    ]
    PANES = ("#facts", "#evidence", "#preview-scroll")

    def __init__(self, number: int) -> None:
        super().__init__()
        self.number = number
        self.dossier = None
        self.rows: list = []

    def compose(self) -> ComposeResult:
        with Horizontal(id="body"):
            with Vertical(id="left"):
                yield Static(id="heading")
                yield DataTable(id="facts", cursor_type="row")
                yield Static(id="fact-note")
            with Vertical(id="right"):
                yield Label("Evidence", classes="pane-title")
                yield TextArea(id="evidence", read_only=True, soft_wrap=True,
                               show_line_numbers=False)
                yield Label("Draft preview", classes="pane-title")
                with VerticalScroll(id="preview-scroll"):
                    yield Markdown(id="preview")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#facts", DataTable)
        table.add_columns("Field", "Value", "Conf.", "State")
        self.reload()
        table.focus()

    # data ------------------------------------------------------------------------------------

    def reload(self, keep: int | None = None) -> None:
        store = self.app.store
        try:
            number_row = store.dossier(self.number, by_number=True)
        except DrafterError as exc:
            self.notify(exc.one_line(), severity="error")
            return
        self.dossier = review.current(store, number_row.id)
        d = self.dossier
        self.query_one("#heading", Static).update(
            f"[b]Dossier № {d.number}[/b] · {d.state}\n{d.title}")
        self.rows = [d.facts[name] for name in FIELD_LABELS if name in d.facts]
        for name in ("chains", "attackers", "addresses", "tx_hashes"):
            self.rows.extend(d.lists.get(name, ()))
        table = self.query_one("#facts", DataTable)
        cursor = table.cursor_row if keep is None else keep
        table.clear()
        for f in self.rows:
            label = FIELD_LABELS.get(f.field, f.field)
            value = review.fact_label(f)
            if f.conflict and f.state not in review.DONE:
                value = f"⚠ {value} ({len({str(c.value) for c in f.candidates})} values)"
            value = value if len(value) <= 27 else value[:26] + "…"
            table.add_row(label, value, f"{f.confidence:.2f}",
                          STATE_MARKS.get(f.state, f.state), key=str(f.id))
        if self.rows:
            table.move_cursor(row=max(0, min(cursor, len(self.rows) - 1)))
        self.query_one("#preview", Markdown).update(
            render.render(d, "md", dossiers.related(store, d)))
        self.show_evidence()

    def current_fact(self):
        table = self.query_one("#facts", DataTable)
        if not self.rows or table.cursor_row < 0 or table.cursor_row >= len(self.rows):
            return None
        return self.rows[table.cursor_row]

    @on(DataTable.RowHighlighted, "#facts")
    def row_changed(self) -> None:
        self.show_evidence()

    def show_evidence(self) -> None:
        fact = self.current_fact()
        area = self.query_one("#evidence", TextArea)
        note = self.query_one("#fact-note", Static)
        if fact is None or self.dossier is None:
            area.load_text("")
            note.update("")
            return
        ev = fact.evidence
        lines = []
        if fact.conflict:
            values = {}
            for c in fact.candidates:
                shown = review.fact_label(type(fact)(fact.field, c.value, 0.0))
                values.setdefault(shown, []).append(f"[{c.source:02d}]")
            lines.append("Sources disagree: " + "; ".join(f"{v} {' '.join(s)}"
                                                          for v, s in values.items()))
        if fact.field == "category" and self.dossier.category_terms:
            lines.append("Terms: " + ", ".join(self.dossier.category_terms[:6]))
        note.update("\n".join(lines))
        if ev is None:
            area.load_text("(no evidence: the pipeline could not establish this fact)")
            return
        source = next((s for s in self.dossier.sources if s.number == ev.source), None)
        text = ""
        if source is not None and source.article_id:
            try:
                text = self.app.store.article(source.article_id).text
            except DrafterError:
                text = ""
        header = f"[{ev.source:02d}] {source.domain if source else ''}\n\n"
        area.load_text(header + text)
        start = text.find(ev.sentence) if ev.sentence else -1
        if start < 0:
            start, end = ev.start, ev.end
        else:
            end = start + len(ev.sentence)
        if end > start:
            area.selection = Selection(self.location(header + text, len(header) + start),
                                       self.location(header + text, len(header) + end))
            area.scroll_cursor_visible(center=True)

    @staticmethod
    def location(text: str, offset: int) -> tuple[int, int]:
        before = text[:offset]
        row = before.count("\n")
        return row, offset - (before.rfind("\n") + 1)

    # actions ---------------------------------------------------------------------------------

    def run(self, fn, *args, **kw) -> bool:
        """Call a review action; show its error instead of crashing."""
        try:
            fn(self.app.store, *args, reviewer=self.app.reviewer,
               expected_version=self.dossier.version, **kw)
        except DrafterError as exc:
            self.notify(exc.one_line(), severity="error", timeout=6)
            return False
        return True

    def advance(self) -> None:
        table = self.query_one("#facts", DataTable)
        self.reload(keep=min(table.cursor_row + 1, max(len(self.rows) - 1, 0)))

    def action_decide(self, state: str) -> None:
        fact = self.current_fact()
        if fact is None or fact.id is None:
            return
        if state == "accepted" and fact.conflict and fact.state not in review.DONE:
            self.app.push_screen(ConflictModal(fact), self.resolved(fact))
            return
        if state == "accepted" and fact.value is None:
            self.notify("nothing to accept: edit (e) to give a value", severity="warning")
            return
        if self.run(review.set_state, fact.id, state):
            self.advance()

    def resolved(self, fact):
        def done(value) -> None:
            if value is not None and self.run(review.resolve, fact.id, value):
                self.advance()
        return done

    def action_edit(self) -> None:
        fact = self.current_fact()
        if fact is None or fact.id is None:
            return
        if fact.field == "category":
            self.action_category()
            return

        def done(text: str | None) -> None:
            if text is not None and self.run(review.edit, fact.id, fact.field, text):
                self.advance()

        current = "" if fact.value is None else str(fact.value)
        self.app.push_screen(EditFactModal(fact.field, current), done)

    def action_category(self) -> None:
        d = self.dossier
        fact = d.facts.get("category") if d else None
        if fact is None or fact.id is None:
            return

        def done(category: str | None) -> None:
            if category is not None and self.run(review.edit, fact.id, "category", category):
                self.reload()

        self.app.push_screen(CategoryModal(d.category_scores, list(d.category_terms),
                                           fact.value), done)

    def action_undo(self) -> None:
        try:
            what = review.undo(self.app.store, self.dossier.id, reviewer=self.app.reviewer,
                               expected_version=self.dossier.version)
        except DrafterError as exc:
            self.notify(exc.one_line(), severity="error")
            return
        self.notify(f"undid {what}" if what else "nothing to undo")
        self.reload()

    def action_approve(self) -> None:
        try:
            paths = review.approve(self.app.store, self.dossier.id, reviewer=self.app.reviewer,
                                   expected_version=self.dossier.version)
        except DrafterError as exc:
            self.notify(exc.one_line(), severity="error", timeout=8)
            return
        self.notify(f"approved dossier № {self.dossier.number}; exports in {paths[0].parent}",
                    timeout=8)
        self.reload()

    def action_add_sources(self) -> None:
        def done(changed: bool | None) -> None:
            if changed:
                self.reload()

        self.app.push_screen(AddSourcesModal(self.number), done)

    def action_next_pane(self) -> None:
        focused = self.focused
        ids = [self.query_one(p) for p in self.PANES]
        i = next((k for k, w in enumerate(ids) if w is focused), -1)
        ids[(i + 1) % len(ids)].focus()

    def action_reload(self) -> None:
        self.reload()
        self.notify("reloaded")

    def action_help(self) -> None:
        self.app.push_screen(HelpModal())

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:
            self.app.exit()
