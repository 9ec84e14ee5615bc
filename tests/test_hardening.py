"""Hostile pages, faults and concurrent reviewers. Every test here is a row of SECURITY.md.

Each test carries a `case` marker: an id, the input or fault, and the outcome it guarantees.
`test_security_md_lists_every_case` keeps SECURITY.md and this file in step.
"""

from __future__ import annotations

import json
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from drafter import dossiers, render, review
from drafter.config import FetchSettings
from drafter.errors import (
    ConflictError,
    ExtractError,
    FetchError,
    ModelError,
    StoreError,
    TooLargeError,
)
from drafter.extract import extract
from drafter.fetch import Fetcher, make_page
from drafter.records import Page
from drafter.store import Store
from tests.conftest import STORY, article_html

ROOT = Path(__file__).resolve().parent.parent
case = pytest.mark.case


def page(html: str | bytes, source: str = "test.html") -> Page:
    body = html.encode() if isinstance(html, str) else html
    return make_page(source, None, body, "text/html", None, 200, {})


# hostile or broken pages ---------------------------------------------------------------------

@case("H01", "Scripts, iframes and event handlers in the page", "never reach the text or output")
def test_scripts_iframes_and_handlers_are_dropped(server, pipeline):
    [result] = pipeline.run([f"{server}/hostile"])
    assert result.ok
    assert "alert" not in result.article.text and "onclick" not in result.article.text


@case("H02", "100,000 nested tags", "a clear error or a draft, in bounded time")
def test_deeply_nested_tags(tmp_path):
    html = "<html><body>" + "<div>" * 100_000 + "<p>" + " ".join(STORY) + "</p>" + \
        "</div>" * 100_000 + "</body></html>"
    started = time.monotonic()
    try:
        article = extract(page(html))
        assert "lending protocol" in article.text
    except ExtractError as exc:
        assert exc.kind == "empty"
    assert time.monotonic() - started < 30


@case("H03", "Invalid UTF-8 bytes in a page declared UTF-8", "decoded, bad bytes replaced")
def test_invalid_utf8():
    body = article_html("Bad bytes", STORY).encode() + b"\xff\xfe\xfa<p>tail \xc3</p>"
    p = make_page("x", None, body, "text/html", "utf-8", 200, {})
    assert "lending protocol" in extract(p).text


@case("H04", "Mixed encodings (UTF-8 page with a windows-1252 paragraph)", "readable text")
def test_mixed_encodings():
    body = article_html("Mixed", STORY).encode("utf-8").replace(
        b"</article>", "<p>caf\u00e9 \u2013 \u201cquoted\u201d</p></article>".encode("cp1252"))
    p = make_page("x", None, body, "text/html", None, 200, {})
    assert "lending protocol" in extract(p).text


@case("H05", "Zero-width and right-to-left override characters inside amounts and names",
      "removed before tagging; the amount is still read")
def test_invisible_characters_inside_amounts(pipeline, tmp_path):
    text = ("Lendora lost $4\u200b.2 mil\u200dlion on Monday after an attacker drained its "
            "\u202eUSDC\u202c pool through a rounding bug in the share calculation code, the "
            "team said, adding that the contracts had been paused.")
    path = tmp_path / "zw.html"
    path.write_text(article_html("Lendora drained", [text]))
    [result] = pipeline.run([str(path)])
    assert "\u200b" not in result.article.text and "\u202e" not in result.article.text
    assert result.facts.get("funds_stolen_usd").value == 4_200_000


@case("H06", "Homoglyph addresses (Cyrillic letters in a 0x address)", "not reported")
def test_homoglyph_addresses_are_not_reported():
    from drafter.onchain import find_onchain

    fake = "0x" + "\u0430" * 2 + "12" * 19  # Cyrillic a
    assert find_onchain(f"sent to {fake} today") == []


@case("H07", "A 2 MB page on a single line", "extracted in bounded time")
def test_two_megabyte_single_line():
    html = "<html><body><article><p>" + " ".join(STORY) + "</p><p>" + \
        ("filler word " * 180_000) + "</p></article></body></html>"
    assert "\n" not in html and len(html) > 2_000_000
    started = time.monotonic()
    try:
        extract(page(html))
    except ExtractError:
        pass
    assert time.monotonic() - started < 30


@case("H08", "A 50 MB body", "refused as too-large while streaming, nothing kept")
def test_fifty_megabyte_body_is_refused(server):
    with pytest.raises(TooLargeError):
        Fetcher(FetchSettings(max_bytes=1024 * 1024)).fetch(f"{server}/huge")


@case("H09", "A gzip body that expands past the size cap", "stopped while streaming")
def test_gzip_bomb(server):
    with pytest.raises(TooLargeError):
        Fetcher(FetchSettings(max_bytes=1024 * 1024)).fetch(f"{server}/gzip-bomb")


@case("H10", "A redirect loop", "a fetch error naming the loop")
def test_redirect_loop(server):
    with pytest.raises(FetchError, match="redirect loop"):
        Fetcher().fetch(f"{server}/loop/a")


@case("H11", "A server that trickles one byte a second", "stopped by the overall deadline")
def test_trickling_server(server):
    started = time.monotonic()
    with pytest.raises(FetchError, match="timed out"):
        Fetcher(FetchSettings(deadline=3.0, read_timeout=2.0, retries=1)).fetch(
            f"{server}/trickle")
    assert time.monotonic() - started < 6


@case("H12", "A page with only an image", "an 'empty' error, no draft")
def test_image_only_page(server, pipeline):
    [result] = pipeline.run([f"{server}/image-only"])
    assert not result.ok and result.error_kind == "empty"


@case("H13", "A PDF served as the article", "a 'not-html' error before the body is read")
def test_pdf_is_refused(server, pipeline):
    [result] = pipeline.run([f"{server}/pdf"])
    assert result.error_kind == "not-html"


@case("H14", "An unreachable host", "a 'fetch' error naming the host")
def test_unreachable_host(pipeline):
    [result] = pipeline.run(["http://127.0.0.1:9/x"])
    assert result.error_kind == "fetch" and "127.0.0.1" in result.error_message


@case("H15", "A page with no amount and no date", "a draft with visible placeholders")
def test_page_without_amounts_or_dates(pipeline, tmp_path):
    path = tmp_path / "vague.html"
    path.write_text(article_html("Project investigates", [
        "The developers of a small project say they are looking into unusual activity on "
        "some user accounts and will share more information when they have it."], published=""))
    d = dossiers.draft(Store(), pipeline, [str(path)]).dossier
    md = render.render(d, "md")
    assert "⟦needs review: funds stolen⟧" in md and "⟦needs review: incident date⟧" in md


# output safety -------------------------------------------------------------------------------

HOSTILE = ("Evilswap <script>alert(1)</script> lost $2 million {{ 'tem' ~ 'plated' }} {% raw %} "
           "[claim](http://evil.example) ![x](http://evil.example/x.png) <img src=x onerror=y>")


def hostile_dossier(pipeline, tmp_path):
    """A drafted dossier whose title, deck, victim and quoted passages all carry HOSTILE.

    The draft alone may not quote the hostile line, so it is written into every text field the
    templates print; a test then fails if any of them is rendered unescaped or evaluated.
    """
    from dataclasses import replace

    path = tmp_path / "hostile.txt"
    path.write_text(HOSTILE + "\n" + " ".join(STORY) + " Evilswap said the router was patched.")
    d = dossiers.draft(Store(), pipeline, [str(path)]).dossier
    passage = replace(d.what_happened[0], text=HOSTILE)
    victim = replace(d.facts["victim"], value=HOSTILE)
    return replace(d, title=HOSTILE, deck=HOSTILE, what_happened=(passage, *d.what_happened[1:]),
                   aftermath=(passage,), facts={**d.facts, "victim": victim})


@case("O01", "Script tags in article text", "escaped in HTML exports")
def test_html_escapes_article_text(pipeline, tmp_path):
    html = render.render(hostile_dossier(pipeline, tmp_path), "html")
    assert "<script>alert" not in html and "<img src=x" not in html


@case("O02", "Template syntax in article text", "printed literally, never evaluated")
def test_templates_never_evaluate_article_text(pipeline, tmp_path):
    d = hostile_dossier(pipeline, tmp_path)
    for fmt in ("html", "md"):
        out = render.render(d, fmt)
        assert "templated" not in out  # what evaluating the expression would print
        assert "tem" in out and "plated" in out


@case("O03", "Markdown links, images and HTML in article text", "neutralised in Markdown")
def test_markdown_injection_is_neutralised(pipeline, tmp_path):
    md = render.render(hostile_dossier(pipeline, tmp_path), "md")
    assert "](http://evil.example" not in md and "<script>" not in md and "<img" not in md


@case("O04", "A title full of path characters", "export file names use [a-z0-9-] only")
def test_file_names_are_sanitised():
    assert render.slug("../../etc/passwd\x00 <b>$$$</b>") == "etc-passwd-b-b"
    assert render.slug("") == "dossier"


@case("O05", "A source URL with a javascript: scheme", "never becomes a link in HTML")
def test_javascript_urls_are_not_links(pipeline, tmp_path):
    d = hostile_dossier(pipeline, tmp_path)
    from dataclasses import replace

    src = replace(d.sources[0], url="javascript:alert(1)")
    html = render.render(replace(d, sources=(src,)), "html")
    assert 'href="javascript:' not in html


# shared-service guard ------------------------------------------------------------------------

@case("S01", "A link to a loopback address in shared-service mode", "refused before connecting")
def test_private_addresses_are_refused(server):
    with pytest.raises(FetchError, match="private address"):
        Fetcher(FetchSettings(allow_private=False)).fetch(f"{server}/article")


@case("S02", "A redirect to a private address in shared-service mode",
      "checked again after every redirect")
def test_guard_runs_after_every_redirect(server, monkeypatch):
    import drafter.fetch as fetch_mod

    seen = []

    def guard(url):
        seen.append(url)
        if url.endswith("/article"):
            raise FetchError(f"{url}: refused, private address", "")

    monkeypatch.setattr(fetch_mod, "refuse_private", guard)
    with pytest.raises(FetchError, match="refused"):
        Fetcher(FetchSettings(allow_private=False)).fetch(f"{server}/redirect-to-article")
    assert [u.rsplit("/", 1)[1] for u in seen] == ["redirect-to-article", "article"]


@case("S03", "Names that resolve to link-local, multicast or unspecified addresses",
      "refused")
def test_guard_refuses_special_ranges(monkeypatch):
    import socket

    from drafter.fetch import refuse_private

    for addr in ("169.254.169.254", "0.0.0.0", "224.0.0.1", "10.1.2.3", "::1"):
        monkeypatch.setattr(socket, "getaddrinfo", lambda *a, addr=addr: [(0, 0, 0, "", (addr, 0))])
        with pytest.raises(FetchError):
            refuse_private("http://metadata.example/")


# model files ---------------------------------------------------------------------------------

def copy_models(tmp_path) -> Path:
    import shutil

    target = tmp_path / "models"
    shutil.copytree(ROOT / "models", target, ignore=shutil.ignore_patterns("previous"))
    return target


@case("M01", "A model file holding an untrusted type", "refused with a message naming the fix")
def test_model_with_untrusted_type(tmp_path):
    import skops.io as sio

    from drafter.classify import CARD_FILE, Classifier, file_sha256

    models = tmp_path / "m"
    models.mkdir()
    bad = models / "classifier-x.skops"
    sio.dump({"evil": Path("/")}, bad)
    (models / CARD_FILE).write_text(json.dumps({"file": bad.name, "sha256": file_sha256(bad)}))
    with pytest.raises(ModelError, match="untrusted types"):
        Classifier.load(models)


@case("M02", "A truncated model file (card updated to match)", "refused as corrupt")
@pytest.mark.parametrize("which", ["archive", "skops"])
def test_truncated_model(tmp_path, which):
    from drafter.classify import CARD_FILE, Classifier, file_sha256

    models = copy_models(tmp_path)
    card = json.loads((models / CARD_FILE).read_text())
    if which == "skops":  # a card without the archive is served from the skops file
        (models / card.pop("inference")["file"]).unlink()
        entry = card
    else:
        entry = card["inference"]
    path = models / entry["file"]
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    entry["sha256"] = file_sha256(path)
    (models / CARD_FILE).write_text(json.dumps(card))
    with pytest.raises(ModelError, match="corrupt"):
        Classifier.load(models)


@case("M03", "A model card that does not match the model file", "refused")
def test_card_mismatch(tmp_path):
    from drafter.classify import CARD_FILE, Classifier

    models = copy_models(tmp_path)
    card = json.loads((models / CARD_FILE).read_text())
    card["sha256"] = "0" * 64
    (models / CARD_FILE).write_text(json.dumps(card))
    with pytest.raises(ModelError, match="does not match"):
        Classifier.load(models)


@case("M04", "A tampered current model with a good previous one",
      "drafter keeps using the last good model and says so")
def test_falls_back_to_the_last_good_model(tmp_path, capsys):
    import shutil

    from drafter.classify import CARD_FILE, Classifier

    models = copy_models(tmp_path)
    shutil.copytree(models, tmp_path / "good")
    shutil.move(str(tmp_path / "good"), str(models / "previous"))
    card = json.loads((models / CARD_FILE).read_text())
    with open(models / card["file"], "ab") as fh:
        fh.write(b"tampered")
    clf = Classifier.load(models)
    assert clf.labels
    assert "using the previous model" in capsys.readouterr().err


@case("M05", "A missing spaCy model", "a clear error naming the install command")
def test_missing_spacy_model(monkeypatch):
    import spacy

    from drafter import nlp

    nlp.load_english.cache_clear()
    monkeypatch.setattr(spacy, "load", lambda *a, **k: (_ for _ in ()).throw(OSError("nope")))
    with pytest.raises(ModelError, match="not installed") as err:
        nlp.load_english(("x",))
    assert "pip install" in err.value.hint
    nlp.load_english.cache_clear()


@case("M06", "A prediction archive holding a pickled object (card updated to match)",
      "refused as corrupt; nothing is unpickled")
def test_archive_with_a_pickled_object(tmp_path):
    import numpy as np

    from drafter.classify import CARD_FILE, Classifier, file_sha256

    models = copy_models(tmp_path)
    card = json.loads((models / CARD_FILE).read_text())
    path = models / card["inference"]["file"]
    with np.load(path) as data:
        arrays = dict(data)
    arrays["labels"] = np.array([Path("/"), "rug-pull"], dtype=object)  # needs pickle to read
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)
    card["inference"]["sha256"] = file_sha256(path)
    (models / CARD_FILE).write_text(json.dumps(card))
    with pytest.raises(ModelError, match="corrupt"):
        Classifier.load(models)


# concurrency, crashes and faults ----------------------------------------------------------------

@case("C01", "Two reviewers change the same dossier from two processes",
      "the second is told and can reload; nothing is overwritten")
def test_two_reviewers_never_overwrite(pipeline):
    store = Store()
    d = dossiers.draft(store, pipeline, [str(ROOT / "tests/data/atomic-a.html")]).dossier
    other = Store(store.path)
    fact = d.facts["victim"]
    review.accept(other, fact.id, reviewer="ben", expected_version=d.version)
    with pytest.raises(ConflictError):
        review.reject(store, fact.id, reviewer="ana", expected_version=d.version)
    assert Store(store.path).dossier(d.id).facts["victim"].state == "accepted"


DRAFT_LOOP = """
import sys
from drafter import dossiers
from drafter.pipeline import Pipeline
from drafter.store import Store
store, pipeline = Store(), Pipeline()
pipeline.tagger, pipeline.classifier  # load the models before the clock starts
print("ready", flush=True)
for i in range(1000):
    dossiers.draft(store, pipeline, sys.argv[1:], allow_duplicate=True)
"""

REVIEW_LOOP = """
from drafter import review
from drafter.store import Store
store = Store()
d = store.dossier(1, by_number=True)
ids = [f.id for f in d.facts.values()]
print("ready", flush=True)
i = 0
while True:
    review.set_state(store, ids[i % len(ids)], ["accepted", "rejected", "skipped"][i % 3],
                     reviewer="bot")
    if i % 5 == 4:
        review.undo(store, d.id, reviewer="bot")
    i += 1
"""


def kill_midway(code: str, args: list[str], seconds: float) -> None:
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(seconds)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)


def consistent(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    return db


@case("C02", "The process is killed (SIGKILL) in the middle of drafting",
      "the archive stays consistent: every dossier is whole")
def test_killed_while_drafting():
    pages = [str(ROOT / "tests/data/atomic-a.html"), str(ROOT / "tests/data/atomic-b.html")]
    kill_midway(DRAFT_LOOP, pages, 3.0)
    db = consistent(Store().path)
    assert db.execute("SELECT count(*) FROM dossiers").fetchone()[0] >= 1
    for (dossier_id,) in db.execute("SELECT id FROM dossiers"):
        n_sources = db.execute("SELECT count(*) FROM dossier_sources WHERE dossier_id = ?",
                               (dossier_id,)).fetchone()[0]
        n_facts = db.execute("SELECT count(*) FROM facts WHERE dossier_id = ?",
                             (dossier_id,)).fetchone()[0]
        assert n_sources == 2 and n_facts >= 6


@case("C03", "The process is killed (SIGKILL) in the middle of reviewing",
      "no decision is half-applied: each saved action has its audit event")
def test_killed_while_reviewing(pipeline):
    store = Store()
    dossiers.draft(store, pipeline, [str(ROOT / "tests/data/atomic-a.html")])
    kill_midway(REVIEW_LOOP, [], 3.0)
    db = consistent(store.path)
    version = db.execute("SELECT version FROM dossiers WHERE number = 1").fetchone()[0]
    events = db.execute("SELECT count(*) FROM review_events").fetchone()[0]
    assert events > 0 and version == 1 + events


@case("C04", "The disk fills up while saving", "a clear store error; nothing half-written")
def test_full_disk_gives_a_clear_error():
    store = Store()
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages + 1}")
    big = Page(source="s", url="https://x.example/", body=b"x" * 2_000_000, text="x",
               content_type="text/html", encoding="utf-8")
    with pytest.raises(StoreError, match="disk"):
        store.save_page("https://x.example/", big)
    assert store.cached_page("https://x.example/") is None


@case("C05", "The archive folder cannot be created (a file is in the way)",
      "a clear store error naming the folder")
def test_unwritable_home(tmp_path, monkeypatch):
    blocker = tmp_path / "home"
    blocker.write_text("a file, not a folder")
    monkeypatch.setenv("DRAFTER_HOME", str(blocker / "drafter"))
    with pytest.raises(StoreError, match="cannot open the archive"):
        Store()


@case("C08", "A read-only archive (simulated: tests run as root, which ignores file modes)",
      "a clear store error naming the folder, nothing half-written")
def test_read_only_archive(monkeypatch):
    store = Store()
    real = store.db

    class ReadOnly:
        def execute(self, sql, *args):
            if sql.startswith(("INSERT", "UPDATE", "DELETE")):
                raise sqlite3.OperationalError("attempt to write a readonly database")
            return real.execute(sql, *args)

        def __getattr__(self, name):
            return getattr(real, name)

    monkeypatch.setattr(store, "db", ReadOnly())
    with pytest.raises(StoreError, match="readonly database") as err:
        store.save_article(__import__("drafter.records", fromlist=["Article"]).Article(
            source="s", url=None, title="t", text="x"))
    assert "writable" in err.value.hint
    assert not real.in_transaction


@case("C06", "A draft whose every source fails", "nothing is written to the archive")
def test_failed_draft_writes_nothing(pipeline, tmp_path):
    store = Store()
    with pytest.raises(Exception, match="nothing was drafted"):
        dossiers.draft(store, pipeline, [str(tmp_path / "missing.html")])
    assert store.table_counts()["dossiers"] == 0 and store.table_counts()["articles"] == 0


@case("C07", "An unexpected bug while handling a command", "one line on stderr, no traceback")
def test_internal_errors_are_one_line(monkeypatch):
    from click.testing import CliRunner

    from drafter import cli

    monkeypatch.setattr(cli, "open_store", lambda: (_ for _ in ()).throw(RuntimeError("boom")))
    result = CliRunner().invoke(cli.main, ["list"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: internal error: RuntimeError: boom")
    assert "Traceback" not in result.stderr


def test_security_md_lists_every_case():
    """SECURITY.md's table and the `case` markers in this file name the same cases."""
    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    rows = set(re.findall(r"^\| (\w\d\d) \|", text, re.M))
    marked = set()
    for name, fn in globals().items():
        if name.startswith("test_"):
            for mark in getattr(fn, "pytestmark", []):
                if mark.name == "case":
                    marked.add(mark.args[0])
                    assert f"`{name}`" in text, f"{name} is not named in SECURITY.md"
    assert rows == marked
    assert len(marked) >= 30
