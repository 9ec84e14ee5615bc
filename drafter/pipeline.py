"""The pipeline: sources in, `Extraction`s out (fetch -> extract -> classify -> tag).

The CLI's `extract` and `draft` commands and the review app all go through `Pipeline`, so the
models load once per process, a batch is classified in one call and tagged with one `nlp.pipe`
call. Classification comes first because the attack category informs the target.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

from .config import FetchSettings
from .errors import DrafterError
from .records import Article, Extraction, Facts

Progress = Callable[[str], None]


def quiet(_: str) -> None:
    return None


def stderr_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class ProgressBar:
    """A one-line progress bar on stderr for long batches ("[1/500] ..." messages advance it)."""

    def __init__(self, total: int, width: int = 30) -> None:
        self.total = max(total, 1)
        self.width = width
        self.done = 0

    def __call__(self, message: str) -> None:
        if message.startswith(("fetched ", "could not fetch ")):
            return  # the bar counts pages once, when they are extracted
        if message.startswith("["):
            self.done = min(self.done + 1, self.total)
            filled = self.width * self.done // self.total
            bar = "#" * filled + "." * (self.width - filled)
            print(f"\r[{bar}] {self.done}/{self.total} pages", end="", file=sys.stderr,
                  flush=True)
            if self.done == self.total:
                print(file=sys.stderr, flush=True)
        else:
            print(f"\r{message:<{self.width + 20}}", file=sys.stderr, flush=True)


class Pipeline:
    """Holds the loaded models; `run` processes a batch of sources."""

    def __init__(self, store=None, settings: FetchSettings | None = None,
                 refresh: bool = False, tag: bool = True, classify: bool = True,
                 jobs: int = 1) -> None:
        self.store = store
        self.settings = settings or FetchSettings()
        self.refresh = refresh
        self.use_tagger = tag
        self.use_classifier = classify
        self.jobs = max(1, jobs)
        self._tagger = None
        self._classifier = None

    @property
    def tagger(self):
        if self._tagger is None:
            from .tag import Tagger

            self._tagger = Tagger()
        return self._tagger

    @property
    def classifier(self):
        if self._classifier is None:
            from .classify import Classifier

            self._classifier = Classifier.load()
        return self._classifier

    def articles(self, sources: Sequence[str], progress: Progress = quiet
                 ) -> list[Article | DrafterError]:
        """Fetch and extract every source; failures come back as errors in place."""
        from .extract import extract
        from .fetch import Fetcher

        out: list[Article | DrafterError] = []
        with Fetcher(self.settings, store=self.store, refresh=self.refresh) as fetcher:
            pages = fetcher.fetch_all(list(sources), progress=progress)
        for i, (source, page) in enumerate(zip(sources, pages), 1):
            if len(sources) > 1:
                progress(f"[{i}/{len(sources)}] extracting {source}")
            if isinstance(page, DrafterError):
                out.append(page)
                continue
            try:
                out.append(extract(page))
            except DrafterError as exc:
                out.append(exc)
            except Exception as exc:  # noqa: BLE001 - one bad page must not sink the batch
                out.append(DrafterError(f"{source}: unexpected {type(exc).__name__}: {exc}",
                                        "please report this page"))
        return out

    def facts(self, articles: Sequence[Article]) -> list[Facts]:
        """Classify and tag a batch of articles (the category informs the target)."""
        if not articles:
            return []
        predictions = self.classifier.predict_articles(articles) if self.use_classifier else None
        categories = [p.scores for p in predictions] if predictions else None
        facts = (self.tagger.tag_many(articles, jobs=self.jobs, categories=categories)
                 if self.use_tagger else [Facts() for _ in articles])
        if predictions:
            facts = self.classifier.add_categories(articles, facts, predictions)
        return facts

    def run(self, sources: Sequence[str], progress: Progress = quiet) -> list[Extraction]:
        results = self.articles(sources, progress)
        good = [r for r in results if isinstance(r, Article)]
        if good:
            progress(f"tagging {len(good)} article(s)")
        facts = iter(self.facts(good))
        out = []
        for source, result in zip(sources, results):
            if isinstance(result, Article):
                out.append(Extraction(source=source, article=result, facts=next(facts)))
            else:
                out.append(Extraction(source=source, error_kind=result.kind,
                                      error_message=result.one_line()))
        return out
