"""Shared fixtures: a private DRAFTER_HOME per test and a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import gzip
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def drafter_home(tmp_path, monkeypatch):
    """Point every test at its own archive, never the user's real one."""
    home = tmp_path / "home"
    monkeypatch.setenv("DRAFTER_HOME", str(home))
    return home


def article_html(title: str, paragraphs: list[str], *, charset: str = "utf-8",
                 meta_charset: str | None = None, published: str = "2022-09-21") -> str:
    meta = f'<meta charset="{meta_charset}">' if meta_charset else ""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!DOCTYPE html><html lang=\"en\"><head>{meta}<title>{title}</title>"
            f'<meta property="article:published_time" content="{published}T09:00:00Z">'
            f'<meta property="og:site_name" content="Test Wire"></head><body><article>'
            f"<h1>{title}</h1>{body}</article></body></html>")


STORY = [
    "A lending protocol on BNB Chain said on Monday that an attacker had drained about "
    "$3.1 million from two of its pools after exploiting a rounding error in its interest code.",
    "The team paused deposits within an hour and said it was working with on-chain "
    "investigators to trace the funds, which were swapped into ETH and sent to a mixer.",
    "Users were told that withdrawals would reopen once a patched contract had been audited, "
    "and the project offered the attacker a ten percent bounty for the return of the rest.",
]


class Routes(BaseHTTPRequestHandler):
    """Every behaviour the fetch stage must handle, one path each."""

    hits: dict[str, int] = {}

    def log_message(self, *args) -> None:  # keep pytest output clean
        pass

    def send(self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8",
             headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        path = self.path.split("?")[0]
        Routes.hits[path] = Routes.hits.get(path, 0) + 1
        page = article_html("Lending pool drained of $3.1 million", STORY).encode()
        if path == "/article":
            self.send(200, page)
        elif path == "/redirect/1":
            self.send(302, b"", headers={"Location": "/redirect/2"})
        elif path == "/redirect/2":
            self.send(301, b"", headers={"Location": "/article"})
        elif path == "/loop/a":
            self.send(302, b"", headers={"Location": "/loop/b"})
        elif path == "/loop/b":
            self.send(302, b"", headers={"Location": "/loop/a"})
        elif path == "/missing":
            self.send(404, b"<html><body>not here</body></html>")
        elif path == "/flaky":
            if Routes.hits[path] == 1:
                self.send(500, b"oops")
            else:
                self.send(200, page)
        elif path == "/always-500":
            self.send(503, b"down")
        elif path == "/slow":
            time.sleep(2.0)
            self.send(200, page)
        elif path == "/pdf":
            self.send(200, b"%PDF-1.4 fake", ctype="application/pdf")
        elif path == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()  # no Content-Length: the cap must hold while streaming
            chunk = b"<p>" + b"x" * 65536 + b"</p>"
            try:
                for _ in range(64):
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif path == "/gzip-bomb":
            raw = gzip.compress(b"<p>" + b"a" * (4 * 1024 * 1024) + b"</p>")
            self.send(200, raw, headers={"Content-Encoding": "gzip"})
        elif path == "/cp1252":
            html = article_html("Caf\u00e9 exchange loses \u20ac2 million \u2013 \u201cwe were hacked\u201d",
                                STORY, meta_charset="windows-1252")
            self.send(200, html.encode("cp1252"), ctype="text/html")
        elif path == "/trickle":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                for _ in range(60):  # one byte a second: only the overall deadline stops it
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(1.0)
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif path == "/image-only":
            self.send(200, b"<html><body><img src='/a.png' alt=''></body></html>")
        elif path == "/hostile":
            html = article_html("Quietswap loses $1.2 million", STORY).replace(
                "<article>", "<article><script>alert(1)</script><iframe src='http://x'></iframe>"
                "<p onclick=\"alert(2)\">Click</p>")
            self.send(200, html.encode())
        elif path == "/redirect-to-article":
            self.send(302, b"", headers={"Location": "/article"})
        elif path == "/empty":
            self.send(200, b"")
        elif path == "/nav-only":
            self.send(200, b"<html><body><nav><a href='/'>Home</a></nav></body></html>")
        else:
            self.send(404, b"no route")


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        """Clients that hang up early (timeouts, size caps) are expected here."""


@pytest.fixture(scope="session")
def server():
    """A real HTTP server on 127.0.0.1 serving the routes above."""
    httpd = QuietServer(("127.0.0.1", 0), Routes)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


ATOMIC_PAGES = ["tests/data/atomic-a.html", "tests/data/atomic-b.html", "tests/data/atomic-c.html"]


@pytest.fixture(scope="session")
def tagger():
    """One tagger (spaCy and the fact decisions loaded once) for the tagger tests."""
    from drafter.tag import Tagger

    return Tagger()


@pytest.fixture(scope="session")
def pipeline():
    """One pipeline (spaCy and the classifier loaded once) for every test that drafts."""
    from drafter.pipeline import Pipeline

    return Pipeline()


@pytest.fixture(autouse=True)
def reset_hits():
    Routes.hits.clear()
