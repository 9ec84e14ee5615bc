"""The command line through its real entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from drafter.cli import main
from tests.conftest import STORY, article_html


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def write_article(tmp_path: Path) -> Path:
    path = tmp_path / "story.html"
    path.write_text(article_html("Lending pool drained of $3.1 million", STORY))
    return path


def test_help_lists_the_commands():
    result = run("--help")
    assert result.exit_code == 0
    assert "extract" in result.output


def test_extract_jsonl_prints_the_contract_shape(tmp_path):
    result = run("extract", "--jsonl", str(write_article(tmp_path)))
    assert result.exit_code == 0, result.output
    line = json.loads(result.stdout.strip())
    assert set(line) == {"source", "ok", "error", "article", "facts"}
    assert line["ok"] is True and line["error"] is None
    assert set(line["article"]) == {"url", "title", "site", "published", "language", "text_chars"}
    assert line["article"]["published"] == "2022-09-21"
    assert line["article"]["site"] == "Test Wire"
    assert line["article"]["language"] == "en"
    assert set(line["facts"]) >= {"incident_date", "funds_stolen_usd", "victim", "chains",
                                  "category", "status", "target", "attackers", "addresses",
                                  "tx_hashes", "amounts", "firms"}


def test_one_line_per_source_in_order_and_exit_1_on_failure(tmp_path, server):
    good = str(write_article(tmp_path))
    result = run("extract", "--jsonl", f"{server}/missing", good, f"{server}/pdf")
    assert result.exit_code == 1
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    assert [x["source"] for x in lines] == [f"{server}/missing", good, f"{server}/pdf"]
    assert [x["ok"] for x in lines] == [False, True, False]
    assert lines[0]["error"]["kind"] == "http"
    assert lines[2]["error"]["kind"] == "not-html"
    assert lines[0]["article"] is None and lines[0]["facts"] is None
    assert "error:" in result.stderr and "Traceback" not in result.stderr


def test_a_page_without_article_text_is_an_empty_error(server):
    result = run("extract", "--jsonl", f"{server}/nav-only")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["kind"] == "empty"


def test_usage_error_exits_2():
    assert run("extract").exit_code == 2


def test_the_console_script_runs_as_a_module(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "drafter", "extract", "--jsonl",
                           str(tmp_path / "missing.html")], capture_output=True, text=True)
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["error"]["kind"] == "fetch"
    assert proc.stderr.startswith("error: ") and "Traceback" not in proc.stderr
