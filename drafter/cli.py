"""The `drafter` command line. Heavy libraries are imported inside commands, so `--help` is instant."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence

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
    pipeline = Pipeline(store=store, settings=fetch_settings(), refresh=refresh, classify=False)
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
