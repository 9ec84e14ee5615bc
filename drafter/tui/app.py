"""The review application: a dossier list and a review screen."""

from __future__ import annotations

from textual.app import App

from .screens import DossierListScreen, ReviewScreen


class ReviewApp(App):
    """Reviewers approve, reject and edit facts, and approve dossiers."""

    CSS_PATH = "drafter.tcss"
    TITLE = "drafter review"
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, store, number: int | None, reviewer: str, pipeline_factory=None) -> None:
        super().__init__()
        self.store = store
        self.number = number
        self.reviewer = reviewer
        self.pipeline_factory = pipeline_factory

    def on_mount(self) -> None:
        self.push_screen(DossierListScreen())
        if self.number is not None:
            self.push_screen(ReviewScreen(self.number))
