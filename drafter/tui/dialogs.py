"""Modal dialogs: edit a fact, pick the category, resolve a conflict, add sources, help."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option

from .. import corpus, review
from ..errors import DrafterError

HELP = """\
[b]Review keys[/b]

  a          accept the fact (on a conflict: choose the value)
  x          reject the fact (it becomes a placeholder)
  e          edit the value (validated)
  space      skip for now
  backspace  undo the last action (works after a restart)
  c          pick the category from ranked suggestions
  o          add sources to the dossier
  tab        next pane: facts, evidence, preview
  ctrl+s     approve the dossier (every required fact accepted or edited)
  r          reload (after another reviewer's change)
  ?          this help
  q          back to the dossier list

Every action is saved at once, with who did it and when.
Press Escape to close."""


def quiet_input(**kwargs) -> Input:
    """An input whose cursor does not blink: calmer, and stable in snapshots."""
    widget = Input(**kwargs)
    widget.cursor_blink = False
    return widget


class Dialog(ModalScreen):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def action_cancel(self) -> None:
        self.dismiss(None)


class EditFactModal(Dialog):
    """Edit one fact; the value is validated before it is saved."""

    def __init__(self, field: str, current: str) -> None:
        super().__init__()
        self.field = field
        self.current = current

    def compose(self) -> ComposeResult:
        hints = {"funds_stolen_usd": "an amount: 26000000, $26M, $1.5bn, 2.1 million USDC",
                 "incident_date": "a date: YYYY-MM-DD or March 4, 2024",
                 "chains": "a chain from the taxonomy, e.g. Ethereum",
                 "status": "unrecovered, partially-recovered or recovered",
                 "target": "defi-protocol, exchange, bridge, wallet, platform, ..."}
        with Vertical(classes="dialog"):
            yield Label(f"Edit {self.field.replace('_', ' ')}", classes="dialog-title")
            yield Label(hints.get(self.field, "the value"), classes="dialog-hint")
            yield quiet_input(value=self.current, id="value")
            yield Label("", id="error", classes="dialog-error")
            yield Label("Enter to save · Escape to cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def submit(self, event: Input.Submitted) -> None:
        try:
            review.validate(self.field, event.value)
        except DrafterError as exc:
            self.query_one("#error", Label).update(exc.one_line())
            return
        self.dismiss(event.value)


class CategoryModal(Dialog):
    """Ranked category suggestions with their probabilities and the terms behind them."""

    def __init__(self, scores: dict[str, float], terms: list[str], current: str | None) -> None:
        super().__init__()
        self.scores = scores
        self.terms = terms
        self.current = current

    def compose(self) -> ComposeResult:
        ranked = sorted(corpus.category_ids(), key=lambda c: -self.scores.get(c, 0.0))
        options = [Option(f"{self.scores.get(c, 0.0):5.2f}  {corpus.category_label(c)}"
                          + ("  (current)" if c == self.current else ""), id=c) for c in ranked]
        with Vertical(classes="dialog"):
            yield Label("Attack category", classes="dialog-title")
            yield Label("Terms behind the suggestion: " + (", ".join(self.terms[:8]) or "—"),
                        classes="dialog-hint")
            yield OptionList(*options, id="categories")
            yield Label("Enter to choose · Escape to cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


class ConflictModal(Dialog):
    """Sources disagree: choose which value the dossier states."""

    def __init__(self, fact) -> None:
        super().__init__()
        self.fact = fact
        self.values: list = []

    def compose(self) -> ComposeResult:
        grouped: dict[str, list] = {}
        for c in self.fact.candidates:
            key = str(c.value)
            if key not in grouped:
                self.values.append(c.value)
            grouped.setdefault(key, []).append(c)
        options = []
        for i, value in enumerate(self.values):
            cands = grouped[str(value)]
            srcs = " ".join(f"[{c.source:02d}]" for c in cands)
            label = review.fact_label(type(self.fact)(self.fact.field, value, 0.0))
            options.append(Option(f"{label}  {srcs}  — “{cands[0].sentence[:70]}”", id=str(i)))
        with Vertical(classes="dialog"):
            yield Label(f"Sources disagree on {self.fact.field.replace('_', ' ')}",
                        classes="dialog-title")
            yield OptionList(*options, id="values")
            yield Label("Enter to choose · Escape to cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.values[int(event.option.id)])


class AddSourcesModal(Dialog):
    """Add links to the dossier; the pipeline runs in a worker thread with progress."""

    def __init__(self, number: int) -> None:
        super().__init__()
        self.number = number

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Add sources to dossier № {self.number}", classes="dialog-title")
            yield Label("URLs or saved pages, separated by spaces", classes="dialog-hint")
            yield quiet_input(id="sources")
            yield ProgressBar(id="progress", show_eta=False)
            yield Static("", id="status")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def submit(self, event: Input.Submitted) -> None:
        sources = event.value.split()
        if sources:
            self.query_one(Input).disabled = True
            bar = self.query_one(ProgressBar)
            bar.update(total=len(sources) + 2, progress=0)
            bar.display = True
            self.add(sources)

    def step(self, message: str) -> None:
        self.query_one("#status", Static).update(message)
        self.query_one(ProgressBar).advance(1)

    @work(thread=True, exclusive=True)
    def add(self, sources: list[str]) -> None:
        from ..dossiers import draft
        from ..pipeline import Pipeline
        from ..store import Store

        store = Store(self.app.store.path)  # a connection of this thread's own
        factory = self.app.pipeline_factory or (lambda s: Pipeline(store=s))
        try:
            result = draft(store, factory(store), sources, into=self.number,
                           progress=lambda m: self.app.call_from_thread(self.step, m))
        except DrafterError as exc:
            self.app.call_from_thread(self.failed, exc.one_line())
            return
        finally:
            store.close()
        skipped = "; ".join(m for _, m in result.failures)
        self.app.call_from_thread(self.finished, skipped)

    def failed(self, message: str) -> None:
        self.query_one("#status", Static).update(f"[red]{message}[/red]")
        self.query_one(Input).disabled = False

    def finished(self, skipped: str) -> None:
        if skipped:
            self.app.notify(f"skipped: {skipped}", severity="warning")
        self.dismiss(True)


class HelpModal(Dialog):
    BINDINGS = [Binding("escape,q,question_mark", "cancel", "Close")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(HELP)
