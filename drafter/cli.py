"""The `drafter` command line. Heavy libraries are imported inside commands, so `--help` is instant."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from .errors import DrafterError


def fail(exc: DrafterError) -> None:
    click.echo(f"error: {exc.message}", err=True)
    if exc.hint:
        click.echo(f"  hint: {exc.hint}", err=True)


class Group(click.Group):
    """Turns an expected failure into one line on stderr, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except DrafterError as exc:
            fail(exc)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("interrupted; nothing half-written was kept", err=True)
            ctx.exit(130)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="drafter")
def main() -> None:
    """Turn news links about crypto security incidents into draft dossiers.

    \b
    Editors:     drafter draft URL [URL ...]      (links in, a draft dossier out)
    Scripts:     drafter extract --jsonl SOURCE   (the facts contract, one JSON line per source)
    Reviewers:   drafter review [ID]              (approve, reject or edit every fact)
    Maintainers: drafter train / drafter eval     (retrain and score the category classifier)

    Data lives in DRAFTER_HOME (default: your user data folder).
    """


def open_store():
    from .store import Store

    return Store()


def fetch_settings():
    from .config import FetchSettings

    allow = os.environ.get("DRAFTER_ALLOW_PRIVATE", "1") not in ("0", "no", "false")
    return FetchSettings(allow_private=allow)


@main.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--jsonl", is_flag=True, help="Print one JSON object per source (CONTRACT.md).")
@click.option("--refresh", is_flag=True, help="Fetch again even when the page is cached.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the page cache.")
def extract(sources: Sequence[str], jsonl: bool, refresh: bool, no_cache: bool) -> None:
    """Fetch SOURCES (URLs or saved .html/.txt files) and print the facts found in each."""
    from .pipeline import Pipeline, quiet, stderr_progress

    store = None if no_cache else open_store()
    pipeline = Pipeline(store=store, settings=fetch_settings(), refresh=refresh)
    progress = stderr_progress if len(sources) > 1 and sys.stderr.isatty() else quiet
    results = pipeline.run(list(sources), progress=progress)
    for result in results:
        if jsonl:
            click.echo(json.dumps(result.to_contract(), ensure_ascii=False))
        else:
            click.echo(describe(result))
    for result in results:
        if not result.ok:
            click.echo(f"error: {result.error_message}", err=True)
    if not all(r.ok for r in results):
        sys.exit(1)


@main.command()
@click.option("--force", is_flag=True, help="Replace the current model even if the new one scores lower.")
@click.option("--folds", default=5, show_default=True, help="Cross-validation folds.")
def train(force: bool, folds: int) -> None:
    """Retrain the category classifier on the corpus plus approved dossiers.

    Prints cross-validated per-class scores and the confusion matrix, and promotes the new
    model only when its macro-F1 is not lower than the current model's.
    """
    from . import train as train_mod

    store = open_store()
    click.echo("training on corpus/writeups plus approved dossiers; cross-validating "
               f"({folds} folds grouped by incident)...", err=True)
    outcome = train_mod.train(store=store, force=force, folds=folds)
    click.echo(train_mod.format_report(outcome.report))
    click.echo("")
    click.echo(f"{outcome.message}  [{outcome.seconds:.1f} s, {outcome.report.n} documents]")


@main.command(name="eval")
@click.option("--data", "data", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=None, help="Folder of saved pages with .json ground truth "
                                 "(default: ../shared/eval/dev when present).")
def eval_cmd(data: Path | None) -> None:
    """Score the current category model on a folder of labelled pages."""
    from . import train as train_mod
    from .classify import Classifier

    if data is None:
        from .config import project_dir

        data = project_dir().parent / "shared" / "eval" / "dev"
        if not data.is_dir():
            raise click.UsageError("give --data DIR: a folder of .html pages with .json truth")
    report = train_mod.evaluate(Classifier.load(), data)
    if report.n == 0:
        raise click.UsageError(f"no labelled pages in {data} (want NAME.html beside NAME.json)")
    click.echo(train_mod.format_report(report))
    for line in report.extra.get("misses", []):
        click.echo(f"  miss: {line}")
    for line in report.extra.get("failed", []):
        click.echo(f"  failed: {line}", err=True)


def describe(result) -> str:
    """A short human-readable account of one extraction."""
    if not result.ok:
        return f"{result.source}\n  failed ({result.error_kind}): {result.error_message}\n"
    a = result.article
    line = [f"{result.source}",
            f"  title      {a.title}",
            f"  site       {a.site or '-'}    published {a.published or '-'}    "
            f"language {a.language or '-'}    {len(a.text)} chars"]
    facts = result.facts.to_json() if result.facts else {}
    for name in ("incident_date", "funds_stolen_usd", "victim", "category", "status", "target"):
        fact = facts.get(name)
        if fact:
            line.append(f"  {name:<17}{fact['value']}  (confidence {fact['confidence']:.2f})")
        else:
            line.append(f"  {name:<17}-")
    for name in ("chains", "attackers", "addresses", "tx_hashes"):
        values = [f["value"] for f in facts.get(name, [])]
        line.append(f"  {name:<17}{', '.join(map(str, values)) or '-'}")
    return "\n".join(line) + "\n"


if __name__ == "__main__":
    main()
