"""The fetch stage against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import time

import pytest

from drafter.config import FetchSettings
from drafter.errors import ExtractError, FetchError, HTTPError, NotHTMLError, TooLargeError
from drafter.fetch import Fetcher, cache_key, decode, read_local
from drafter.store import Store

FAST = FetchSettings(backoff=0.01, read_timeout=0.5, deadline=5.0, max_bytes=1024 * 1024)


def fetch(url: str, settings: FetchSettings = FAST, **kw):
    with Fetcher(settings, **kw) as f:
        return f.fetch(url)


def test_fetches_a_page_with_its_headers(server):
    page = fetch(f"{server}/article")
    assert page.status == 200
    assert page.content_type == "text/html"
    assert "Lending pool drained" in page.text
    assert page.url == f"{server}/article"


def test_sends_a_user_agent_naming_drafter(server):
    from tests.conftest import Routes

    seen = {}
    original = Routes.do_GET

    def spy(self):
        seen["ua"] = self.headers.get("User-Agent")
        original(self)

    Routes.do_GET = spy
    try:
        fetch(f"{server}/article")
    finally:
        Routes.do_GET = original
    assert seen["ua"].startswith("drafter/")


def test_follows_a_redirect_chain_to_the_final_url(server):
    page = fetch(f"{server}/redirect/1")
    assert page.url == f"{server}/article"
    assert "Lending pool" in page.text


def test_a_redirect_loop_is_a_fetch_error(server):
    with pytest.raises(FetchError, match="redirect loop") as err:
        fetch(f"{server}/loop/a")
    assert err.value.kind == "fetch"


def test_too_many_redirects_is_refused(server):
    with pytest.raises(FetchError, match="more than 1 redirects"):
        fetch(f"{server}/redirect/1", FetchSettings(max_redirects=1))


def test_404_is_an_http_error_naming_the_source(server):
    with pytest.raises(HTTPError) as err:
        fetch(f"{server}/missing")
    assert err.value.status == 404
    assert f"{server}/missing" in err.value.message
    assert err.value.kind == "http"
    assert err.value.hint


def test_500_then_200_is_retried(server):
    from tests.conftest import Routes

    page = fetch(f"{server}/flaky")
    assert "Lending pool" in page.text
    assert Routes.hits["/flaky"] == 2


def test_persistent_5xx_gives_up_after_the_retries(server):
    from tests.conftest import Routes

    with pytest.raises(HTTPError, match="503"):
        fetch(f"{server}/always-500")
    assert Routes.hits["/always-500"] == FAST.retries


def test_a_slow_server_times_out_within_the_deadline(server):
    settings = FetchSettings(read_timeout=0.3, deadline=1.0, backoff=0.01)
    started = time.monotonic()
    with pytest.raises(FetchError, match="timed out"):
        fetch(f"{server}/slow", settings)
    assert time.monotonic() - started < 2.5


def test_a_pdf_is_refused_before_reading_it(server):
    with pytest.raises(NotHTMLError, match="application/pdf") as err:
        fetch(f"{server}/pdf")
    assert err.value.kind == "not-html"


def test_an_oversized_body_is_stopped_while_streaming(server):
    with pytest.raises(TooLargeError) as err:
        fetch(f"{server}/huge", FetchSettings(max_bytes=256 * 1024))
    assert err.value.kind == "too-large"


def test_a_gzip_body_that_expands_past_the_cap_is_stopped(server):
    with pytest.raises(TooLargeError):
        fetch(f"{server}/gzip-bomb", FetchSettings(max_bytes=1024 * 1024))


def test_windows_1252_declared_only_in_a_meta_tag(server):
    page = fetch(f"{server}/cp1252")
    assert page.encoding == "cp1252"
    assert "Caf\u00e9 exchange loses \u20ac2 million \u2013 \u201cwe were hacked\u201d" in page.text


def test_an_empty_body_is_an_empty_error(server):
    with pytest.raises(ExtractError) as err:
        fetch(f"{server}/empty")
    assert err.value.kind == "empty"


def test_the_cache_reuses_a_stored_page_unless_refresh(server):
    from tests.conftest import Routes

    store = Store()
    first = fetch(f"{server}/article", store=store)
    second = fetch(f"{server}/article", store=store)
    assert not first.from_cache and second.from_cache
    assert second.text == first.text
    assert Routes.hits["/article"] == 1
    fetch(f"{server}/article", store=store, refresh=True)
    assert Routes.hits["/article"] == 2


def test_unreachable_host_is_one_clear_error():
    with pytest.raises(FetchError, match="could not connect to 127.0.0.1"):
        fetch("http://127.0.0.1:9/nothing-listens-here")


def test_private_addresses_are_refused_when_asked(server):
    with pytest.raises(FetchError, match="private address"):
        fetch(f"{server}/article", FetchSettings(allow_private=False))


def test_local_files_need_no_network(tmp_path):
    path = tmp_path / "story.html"
    path.write_text("<html><body><p>hello</p></body></html>")
    page = read_local(str(path), FetchSettings())
    assert page.url is None and "hello" in page.text
    text = tmp_path / "story.txt"
    text.write_text("plain words")
    assert read_local(str(text), FetchSettings()).content_type == "text/plain"


def test_local_files_of_other_types_are_refused(tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.4")
    with pytest.raises(NotHTMLError):
        read_local(str(path), FetchSettings())
    with pytest.raises(FetchError, match="no such file"):
        read_local(str(tmp_path / "nope.html"), FetchSettings())


def test_decode_prefers_the_declared_charset_then_meta_then_detection():
    body = "<meta charset='windows-1252'><p>\u201cquoted\u201d</p>".encode("cp1252")
    assert decode(body, None, html=True, source="x")[1] == "cp1252"
    assert decode("caf\u00e9".encode(), "utf-8", html=False, source="x") == ("caf\u00e9", "utf-8")


def test_cache_key_drops_the_fragment():
    assert cache_key("https://a.example/x#top") == "https://a.example/x"
