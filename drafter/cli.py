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
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except Exception as exc:  # noqa: BLE001 - the last line of defence: no tracebacks
            if os.environ.get("DRAFTER_DEBUG"):
                raise
            click.echo(f"error: internal error: {type(exc).__name__}: {exc}", err=True)
            click.echo("  hint: this is a bug in drafter; rerun with DRAFTER_DEBUG=1 and report "
                       "the traceback", err=True)
            ctx.exit(1)


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
@click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Processes for tagging (for large batches).")
def extract(sources: Sequence[str], jsonl: bool, refresh: bool, no_cache: bool,
            jobs: int) -> None:
    """Fetch SOURCES (URLs or saved .html/.txt files) and print the facts found in each."""
    from .pipeline import Pipeline, ProgressBar, quiet, stderr_progress

    store = None if no_cache else open_store()
    pipeline = Pipeline(store=store, settings=fetch_settings(), refresh=refresh, jobs=jobs)
    progress = quiet
    if len(sources) > 1 and sys.stderr.isatty():
        progress = ProgressBar(len(sources)) if len(sources) > 20 else stderr_progress
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
@click.argument("sources", nargs=-1, required=True)
@click.option("--into", type=int, metavar="N", help="Add the sources to dossier number N.")
@click.option("--new", "allow_duplicate", is_flag=True,
              help="Draft a new dossier even if one about the same incident exists.")
@click.option("--json", "as_json", is_flag=True, help="Print the dossier's JSON form on stdout.")
@click.option("--refresh", is_flag=True, help="Fetch again even when a page is cached.")
@click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Processes for tagging.")
def draft(sources: Sequence[str], into: int | None, allow_duplicate: bool, as_json: bool,
          refresh: bool, jobs: int) -> None:
    """Draft one dossier from SOURCES (URLs or saved pages) about one incident."""
    from . import dossiers, render
    from .pipeline import Pipeline, stderr_progress

    store = open_store()
    pipeline = Pipeline(store=store, settings=fetch_settings(), refresh=refresh, jobs=jobs)
    result = dossiers.draft(store, pipeline, sources, into=into,
                            allow_duplicate=allow_duplicate, progress=stderr_progress)
    for _source, message in result.failures:
        click.echo(f"warning: skipped {message}", err=True)
    d = result.dossier
    rel = dossiers.related(store, d)
    paths = dossiers.export_all(store, d, rel=rel)
    if as_json:
        click.echo(render.render(d, "json", rel), nl=False)
    else:
        verb = "drafted" if result.created else "updated"
        click.echo(f"{verb} dossier № {d.number}: {d.title}")
        click.echo(f"  {d.deck}")
        conflicts = [n for n, f in d.facts.items() if f.conflict]
        missing = [n for n, f in d.facts.items() if f.value is None]
        if conflicts:
            click.echo(f"  conflicts to resolve: {', '.join(conflicts)}")
        if missing:
            click.echo(f"  not established (placeholders): {', '.join(missing)}")
        click.echo("  exports:")
        for path in paths:
            click.echo(f"    {path}")
        click.echo(f"  review it with: drafter review {d.number}")
    if result.failures:
        sys.exit(1)


@main.command(name="review")
@click.argument("number", type=int, required=False)
def review_cmd(number: int | None) -> None:
    """Open the review app (on dossier NUMBER, or on the list of dossiers)."""
    from .tui import make_app

    store = open_store()
    if number is not None:
        store.dossier(number, by_number=True)  # a clear error before the screen opens
    make_app(store=store, number=number).run()


@main.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print the dossiers as JSON.")
def list_cmd(as_json: bool) -> None:
    """List the dossiers in the archive."""
    from . import dossiers

    store = open_store()
    rows = [dossiers.summary(d) for d in store.dossiers()]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo("no dossiers yet; draft one with: drafter draft URL [URL ...]")
        return
    click.echo(f"{'№':>4}  {'state':9} {'category':28} {'funds':>8} {'conf':>5} {'src':>3}  title")
    for r in rows:
        from .merge import money_short

        funds = money_short(r["funds_stolen_usd"]) if r["funds_stolen_usd"] else "-"
        click.echo(f"{r['number']:>4}  {r['state']:9} {str(r['category'] or '-'):28} {funds:>8}"
                   f" {r['lowest_confidence']:5.2f} {r['sources']:>3}  {r['title']}")


@main.command()
@click.argument("number", type=int)
def show(number: int) -> None:
    """Print dossier NUMBER as Markdown."""
    from . import dossiers, render

    store = open_store()
    d = store.dossier(number, by_number=True)
    click.echo(render.render(d, "md", dossiers.related(store, d)), nl=False)


@main.command()
@click.argument("number", type=int)
@click.option("--format", "fmt", type=click.Choice(["md", "html", "json", "chronicle"]),
              default="md", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write (default: DRAFTER_HOME/exports/).")
def export(number: int, fmt: str, out: Path | None) -> None:
    """Write dossier NUMBER as Markdown, HTML, JSON or a DeFi-Hack-Chronicle record."""
    from . import dossiers

    path = dossiers.export(open_store(), number, fmt, out)
    click.echo(str(path))


@main.command()
@click.option("--force", is_flag=True, help="Replace the current model even if the new one scores lower.")
@click.option("--folds", default=5, show_default=True, help="Cross-validation folds.")
@click.option("--facts-only", is_flag=True, help="Retrain only the fact decisions.")
def train(force: bool, folds: int, facts_only: bool) -> None:
    """Retrain the category classifier and the fact decisions on the corpus plus reviews.

    The classifier: cross-validated per-class scores and the confusion matrix; promoted only
    when its macro-F1 is not lower than the current model's. The fact decisions (stolen amount,
    incident date, victim, chains, status, target): per field, cross-validated accuracy, the
    current and the new decision on the same held-out incidents with 95% bootstrap intervals;
    each promoted only when it is not worse there.
    """
    from . import train_facts

    store = open_store()
    if not facts_only:
        train_classifier(store, force, folds)
    click.echo("training the fact decisions on the corpus plus every reviewer decision...",
               err=True)
    results = train_facts.train_facts(store=store, force=force, folds=folds,
                                      log=lambda m: click.echo(m, err=True))
    click.echo(train_facts.format_results(results))


def train_classifier(store, force: bool, folds: int) -> None:
    from . import train as train_mod

    click.echo("training on the corpus plus approved dossiers; cross-validating "
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
