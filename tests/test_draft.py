"""Drafting dossiers: merge, conflicts, duplicates, re-merge, rendering, exports and safety."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from drafter import dossiers, render
from drafter.cli import main
from drafter.dossiers import DuplicateError
from drafter.store import Store
from tests.conftest import DATA

A, B, C = (str(DATA / f"atomic-{x}.html") for x in "abc")
INJECTION = str(DATA / "injection.html")
SECTIONS = ["## What happened", "## Aftermath", "## Why it matters",
            "## Sources & on-chain evidence", "## Related filings"]


@pytest.fixture
def store():
    return Store()


def test_three_pages_make_one_dossier_with_merged_facts_and_a_conflict(store, pipeline):
    result = dossiers.draft(store, pipeline, [A, B, C])
    d = result.dossier
    assert result.created and d.number == 1 and len(d.sources) == 3
    assert d.facts["victim"].value == "Atomic Wallet"
    assert d.facts["incident_date"].value == "2023-06-03"
    funds = d.facts["funds_stolen_usd"]
    assert funds.conflict
    assert {c.value for c in funds.candidates} == {35_000_000, 100_000_000}
    assert funds.value == 35_000_000  # two sources agree against one
    agreeing = [c for c in funds.candidates if c.value == 35_000_000]
    assert funds.confidence > max(c.confidence for c in agreeing) * 0.6
    assert d.title.startswith("Atomic Wallet")
    assert {p.source for p in d.what_happened} == {1, 2, 3}
    assert d.aftermath


def test_agreement_raises_confidence(store, pipeline):
    one = dossiers.draft(store, pipeline, [A]).dossier
    both = dossiers.draft(store, pipeline, [B], into=one.number).dossier
    assert both.number == one.number and len(both.sources) == 2
    assert both.facts["incident_date"].confidence >= one.facts["incident_date"].confidence


def test_a_duplicate_incident_is_reported_with_the_command_to_use(store, pipeline):
    first = dossiers.draft(store, pipeline, [A]).dossier
    with pytest.raises(DuplicateError) as err:
        dossiers.draft(store, pipeline, [C])
    assert f"№ {first.number}" in err.value.message
    assert f"--into {first.number}" in err.value.hint
    assert len(store.dossiers()) == 1
    assert dossiers.draft(store, pipeline, [C], allow_duplicate=True).dossier.number == 2


def test_markdown_has_every_section_and_sources_in_order(store, pipeline):
    d = dossiers.draft(store, pipeline, [A, B]).dossier
    md = render.render(d, "md")
    for section in SECTIONS:
        assert section in md
    assert md.index("blockbulletin.example") < md.index("ledgerlines.example")
    assert re.search(r"\| 2023-06-03 \| .* \| Unrecovered \| \$35M \|", md)
    assert "[01]" in md and "[02]" in md


def test_missing_facts_are_visible_placeholders(store, pipeline, tmp_path):
    page = tmp_path / "vague.html"
    page.write_text("<html><body><article><h1>Project investigates unusual activity</h1>"
                    "<p>The developers of a small project say they are looking into unusual "
                    "activity involving some user accounts and will share more information when "
                    "they have it. Users were asked to revoke token approvals for now.</p>"
                    "</article></body></html>")
    d = dossiers.draft(store, pipeline, [str(page)]).dossier
    md = render.render(d, "md")
    assert "⟦needs review: funds stolen⟧" in md
    assert "⟦needs review: incident date⟧" in md
    html = render.render(d, "html")
    assert 'class="placeholder"' in html


def test_hostile_text_renders_literally_and_harmlessly(store, pipeline):
    d = dossiers.draft(store, pipeline, [INJECTION]).dossier
    html = render.render(d, "html")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "{{ 7*7 }}" in html and ">49<" not in html and " 49 " not in html
    md = render.render(d, "md")
    assert "<script>" not in md and "&lt;script&gt;" in md
    assert "](http://evil.example" not in md  # no live Markdown link or image
    assert "\\[the claim page\\]\\(http://evil.example/phish\\)" in md
    assert "\\{\\{ 7\\*7 \\}\\}" in md and "49" not in md
    data = json.loads(render.render(d, "json"))
    assert any("<script>" in p["text"] for p in data["what_happened"])  # JSON keeps the data


def test_export_file_names_are_sanitised(store, pipeline, tmp_path):
    d = dossiers.draft(store, pipeline, [INJECTION]).dossier
    path = render.export_path(d, "md", tmp_path)
    assert path.parent == tmp_path
    assert re.fullmatch(r"\d{4}-[a-z0-9-]+\.md", path.name)


def test_json_and_chronicle_forms(store, pipeline):
    d = dossiers.draft(store, pipeline, [A, B]).dossier
    data = json.loads(render.render(d, "json"))
    assert data["schema"] == "drafter.dossier/1"
    assert data["facts"]["victim"]["value"] == "Atomic Wallet"
    assert len(data["facts"]["funds_stolen_usd"]["candidates"]) == 2
    chron = json.loads(render.render(d, "chronicle"))
    assert set(chron) >= {"id", "title", "protocol", "blockchain", "category", "estimatedLoss",
                          "attackTime", "description", "transactions", "attackers", "victims",
                          "rootCause", "references", "metadata"}
    assert chron["estimatedLoss"]["totalUSD"] == 35_000_000
    assert chron["metadata"]["human_verified"] is False
    assert chron["attackTime"].startswith("2023-06-03")


def test_related_filings_share_category_or_victim(store, pipeline):
    first = dossiers.draft(store, pipeline, [A]).dossier
    second = dossiers.draft(store, pipeline, [INJECTION]).dossier
    rel = dossiers.related(store, first)
    assert all(r["number"] != first.number for r in rel)
    if second.facts["category"].value == first.facts["category"].value:
        assert rel and rel[0]["number"] == second.number


def test_cli_draft_list_show_export(tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["draft", "--json", A, B])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["number"] == 1 and data["state"] == "draft"
    listed = json.loads(runner.invoke(main, ["list", "--json"]).stdout)
    assert [x["number"] for x in listed] == [1]
    assert listed[0]["sources"] == 2
    shown = runner.invoke(main, ["show", "1"]).stdout
    assert "Dossier № 1" in shown
    out = tmp_path / "d.html"
    assert runner.invoke(main, ["export", "1", "--format", "html", "--out", str(out)]).exit_code == 0
    assert out.read_text().startswith("<!DOCTYPE html>")
    missing = runner.invoke(main, ["show", "42"])
    assert missing.exit_code == 1 and "no dossier number 42" in missing.stderr


def test_cli_draft_with_no_usable_source_writes_nothing(tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["draft", str(tmp_path / "nope.html")])
    assert result.exit_code == 1
    assert "nothing was drafted" in result.stderr
    assert Store().table_counts()["dossiers"] == 0
