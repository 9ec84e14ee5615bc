"""Fetch: a URL or a saved file in, a decoded `Page` out.

Real HTTP through httpx with the limits a tool reading the open web needs: connect and read
timeouts plus an overall deadline, a body-size cap enforced while streaming (after gzip is
undone), a redirect cap with loop detection, a content-type check before the body is read,
retries with backoff on 429 and 5xx, and the charset taken from the headers, the page's meta
tags or detection. Pages are cached in the archive by URL; `refresh=True` fetches again.
"""

from __future__ import annotations

import codecs
import ipaddress
import re
import socket
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import httpx

from . import config
from .config import FetchSettings
from .errors import (
    DrafterError,
    EncodingError,
    ExtractError,
    FetchError,
    HTTPError,
    NotHTMLError,
    TooLargeError,
)
from .records import Page

LOCAL_SUFFIXES = {".html": "text/html", ".htm": "text/html", ".xhtml": "application/xhtml+xml",
                  ".txt": "text/plain"}
ACCEPTED_TYPES = {"text/html", "application/xhtml+xml", "text/plain"}
REDIRECTS = {301, 302, 303, 307, 308}
RETRY_STATUSES = {429, 500, 502, 503, 504}
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.I)


def is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def cache_key(source: str) -> str:
    """The key a source is cached under: the URL without its fragment, or the absolute path."""
    if is_url(source):
        return urldefrag(source.strip())[0]
    return str(Path(source).expanduser().resolve())


class Fetcher:
    """Fetches many sources with one HTTP connection pool and one cache."""

    def __init__(self, settings: FetchSettings | None = None, store=None, refresh: bool = False):
        self.settings = settings or FetchSettings()
        self.store = store
        self.refresh = refresh
        self._client: httpx.Client | None = None

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            s = self.settings
            self._client = httpx.Client(
                headers={"User-Agent": config.USER_AGENT,
                         "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.1"},
                timeout=httpx.Timeout(s.read_timeout, connect=s.connect_timeout),
                follow_redirects=False,
            )
        return self._client

    def fetch(self, source: str) -> Page:
        """Return the page for one source, from the cache when allowed."""
        key = cache_key(source)
        if is_url(source):
            if self.store is not None and not self.refresh:
                cached = self.store.cached_page(key)
                if cached is not None:
                    return cached
            page = self._fetch_url(source, key)
            if self.store is not None:
                self.store.save_page(key, page)
            return page
        return read_local(source, self.settings)

    def fetch_all(self, sources: Sequence[str], progress=None, workers: int = 8,
                  per_host: int = 2) -> list[Page | DrafterError]:
        """Fetch many sources, several at a time but at most `per_host` per host.

        Cache reads and writes stay on the calling thread (SQLite connections are not shared
        across threads); only the network requests run in the pool.
        """
        out: list[Page | DrafterError | None] = [None] * len(sources)
        todo: list[int] = []
        for i, source in enumerate(sources):
            cached = None
            if is_url(source) and self.store is not None and not self.refresh:
                cached = self.store.cached_page(cache_key(source))
            if cached is not None:
                out[i] = cached
            elif not is_url(source):
                out[i] = self._guarded(read_local, source, self.settings)
            else:
                todo.append(i)
        if todo:
            hosts: dict[str, threading.Semaphore] = {}
            for i in todo:
                host = urlsplit(sources[i]).hostname or ""
                hosts.setdefault(host, threading.Semaphore(per_host))

            def one(i: int):
                source = sources[i]
                with hosts[urlsplit(source).hostname or ""]:
                    return self._guarded(self._fetch_url, source, cache_key(source))

            with ThreadPoolExecutor(max_workers=min(workers, len(todo))) as pool:
                for i, result in zip(todo, pool.map(one, todo)):
                    out[i] = result
                    if progress is not None:
                        verb = "fetched" if isinstance(result, Page) else "could not fetch"
                        progress(f"{verb} {sources[i]}")
            for i in todo:
                page = out[i]
                if isinstance(page, Page) and self.store is not None:
                    self.store.save_page(cache_key(sources[i]), page)
        return [x for x in out if x is not None]

    @staticmethod
    def _guarded(fn, *args) -> Page | DrafterError:
        try:
            return fn(*args)
        except DrafterError as exc:
            return exc

    # ---------------------------------------------------------------------------------------

    def _fetch_url(self, source: str, key: str) -> Page:
        s = self.settings
        started = time.monotonic()
        deadline = started + s.deadline
        url = key
        visited = [url]
        attempt = 0
        while True:
            if not s.allow_private:
                refuse_private(url)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise timeout_error(source, s.deadline)
            try:
                page = self._request(source, url, deadline)
            except _Retry as retry:
                attempt += 1
                if attempt >= s.retries:
                    raise retry.final from None
                delay = retry.after if retry.after is not None else s.backoff * 2 ** (attempt - 1)
                if time.monotonic() + delay >= deadline:
                    raise retry.final from None
                time.sleep(delay)
                continue
            except _Redirect as redirect:
                target = urldefrag(urljoin(url, redirect.location))[0]
                if urlsplit(target).scheme not in ("http", "https"):
                    raise FetchError(f"{source}: redirected to an unsupported address {target}",
                                     "open the link in a browser and save the page") from None
                if target in visited:
                    raise FetchError(f"{source}: redirect loop ({len(visited)} hops back to "
                                     f"{target})", "the site is misconfigured; save the page "
                                     "from a browser and pass the file") from None
                if len(visited) > s.max_redirects:
                    raise FetchError(f"{source}: more than {s.max_redirects} redirects",
                                     "pass the final URL instead") from None
                visited.append(target)
                url = target
                continue
            return page

    def _request(self, source: str, url: str, deadline: float) -> Page:
        s = self.settings
        remaining = max(0.1, deadline - time.monotonic())
        timeout = httpx.Timeout(min(s.read_timeout, remaining),
                                connect=min(s.connect_timeout, remaining))
        try:
            with self.client.stream("GET", url, timeout=timeout) as resp:
                if resp.status_code in REDIRECTS and "location" in resp.headers:
                    raise _Redirect(resp.headers["location"])
                if resp.status_code in RETRY_STATUSES:
                    raise _Retry(
                        HTTPError(f"{source}: the server answered {resp.status_code} "
                                  f"{resp.reason_phrase} after {s.retries} tries",
                                  "try again later", status=resp.status_code),
                        retry_after(resp.headers.get("retry-after"), s.max_retry_after),
                    )
                if resp.status_code >= 400:
                    raise HTTPError(f"{source}: the server answered {resp.status_code} "
                                    f"{resp.reason_phrase}",
                                    "check the link, or save the page from a browser and pass "
                                    "the file", status=resp.status_code)
                ctype, charset = parse_content_type(resp.headers.get("content-type", ""))
                if ctype and ctype not in ACCEPTED_TYPES:
                    raise NotHTMLError(f"{source}: is {ctype}, not an HTML page",
                                       "link to the article's web page instead")
                length = resp.headers.get("content-length")
                if length and length.isdigit() and int(length) > s.max_bytes:
                    raise too_large(source, s.max_bytes)
                body = read_capped(resp.iter_bytes(), source, s.max_bytes, deadline, s.deadline)
                final_url = str(resp.url)
                status = resp.status_code
                headers = {k.lower(): v for k, v in resp.headers.items()}
        except httpx.TimeoutException as exc:
            raise _Retry(timeout_error(source, s.deadline, exc), None) from exc
        except httpx.ConnectError as exc:
            raise connect_error(source, url, exc) from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"{source}: {type(exc).__name__}: {exc}",
                             "check the link and your connection") from exc
        ctype = ctype or sniff_type(body)
        if ctype not in ACCEPTED_TYPES:
            raise NotHTMLError(f"{source}: does not look like an HTML page",
                               "link to the article's web page instead")
        return make_page(source, final_url, body, ctype, charset, status, headers)


class _Retry(Exception):
    def __init__(self, final: DrafterError, after: float | None) -> None:
        self.final = final
        self.after = after


class _Redirect(Exception):
    def __init__(self, location: str) -> None:
        self.location = location


def read_local(source: str, settings: FetchSettings) -> Page:
    path = Path(source).expanduser()
    if "://" in source:
        raise FetchError(f"{source}: unsupported address",
                         "give an http(s):// URL or the path of a saved .html or .txt file")
    ctype = LOCAL_SUFFIXES.get(path.suffix.lower())
    if not path.exists():
        raise FetchError(f"{source}: no such file", "check the path or give an http(s):// URL")
    if path.is_dir():
        raise FetchError(f"{source}: is a folder", "pass the pages inside it, e.g. DIR/*.html")
    if ctype is None:
        raise NotHTMLError(f"{source}: not a .html, .htm or .txt file",
                           "save the article as a web page (.html) or plain text (.txt)")
    size = path.stat().st_size
    if size > settings.max_bytes:
        raise too_large(source, settings.max_bytes)
    body = path.read_bytes()
    return make_page(source, None, body, ctype, None, 200, {})


def make_page(source: str, url: str | None, body: bytes, ctype: str, charset: str | None,
              status: int, headers: dict[str, str]) -> Page:
    if not body.strip():
        raise ExtractError(f"{source}: the page is empty", "check the link; nothing to draft from")
    text, encoding = decode(body, charset, html=ctype != "text/plain", source=source)
    return Page(source=source, url=url, body=body, text=text, content_type=ctype,
                encoding=encoding, status=status, headers=headers,
                fetched_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))


def read_capped(chunks: Iterable[bytes], source: str, cap: int, deadline: float,
                budget: float) -> bytes:
    """Join streamed chunks, stopping as soon as the cap or the deadline is passed."""
    parts: list[bytes] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > cap:
            raise too_large(source, cap)
        if time.monotonic() > deadline:
            raise timeout_error(source, budget)
        parts.append(chunk)
    return b"".join(parts)


def parse_content_type(value: str) -> tuple[str, str | None]:
    parts = [p.strip() for p in value.split(";")]
    ctype = parts[0].lower() if parts and parts[0] else ""
    charset = None
    for p in parts[1:]:
        name, _, val = p.partition("=")
        if name.strip().lower() == "charset" and val.strip():
            charset = val.strip().strip("\"'")
    return ctype, charset


def sniff_type(body: bytes) -> str:
    head = body[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<?xml", b"<meta",
                        b"<article", b"<div", b"<p")):
        return "text/html"
    if head.startswith((b"%pdf", b"\x89png", b"gif8", b"\xff\xd8", b"pk\x03\x04")):
        return "application/octet-stream"
    try:
        body[:4096].decode("utf-8")
        return "text/plain"
    except UnicodeDecodeError:
        return "application/octet-stream"


def known_codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode(body: bytes, declared: str | None, *, html: bool, source: str) -> tuple[str, str]:
    """Decode with the declared charset, a BOM, a meta tag, UTF-8 or detection, in that order."""
    candidates: list[str | None] = [known_codec(declared)]
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                      (codecs.BOM_UTF16_BE, "utf-16")):
        if body.startswith(bom):
            candidates.insert(0, name)
    if html:
        match = META_CHARSET.search(body[:8192])
        if match:
            candidates.append(known_codec(match.group(1).decode("ascii", "ignore")))
    candidates.append("utf-8")
    for name in candidates:
        if not name:
            continue
        try:
            return body.decode(name), name
        except (UnicodeDecodeError, LookupError):
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(body[:200_000]).best()
    if best is None or not best.encoding:
        raise EncodingError(f"{source}: cannot tell which text encoding the page uses",
                            "save the page as UTF-8 and pass the file")
    return body.decode(best.encoding, errors="replace"), best.encoding


def retry_after(value: str | None, cap: float) -> float | None:
    if value and value.strip().isdigit():
        return min(float(value.strip()), cap)
    return None


def refuse_private(url: str) -> None:
    """Refuse hosts that resolve to private, loopback, link-local or reserved addresses."""
    host = urlsplit(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError as exc:
        raise FetchError(f"{url}: could not resolve host {host}",
                         "check the link and your connection") from exc
    for info in infos:
        addr = ipaddress.ip_address(info[4][0])
        if (addr.is_private or addr.is_loopback or addr.is_link_local or addr.is_reserved
                or addr.is_multicast or addr.is_unspecified):
            raise FetchError(f"{url}: refused, {host} resolves to a private address {addr}",
                             "drafter runs as a shared service here; set "
                             "DRAFTER_ALLOW_PRIVATE=1 to allow local addresses")


def too_large(source: str, cap: int) -> TooLargeError:
    return TooLargeError(f"{source}: the page is larger than {cap // (1024 * 1024)} MB",
                         "save the article text as a .txt file and pass that instead")


def timeout_error(source: str, budget: float, exc: Exception | None = None) -> FetchError:
    what = f" ({type(exc).__name__})" if exc else ""
    return FetchError(f"{source}: timed out{what}; no complete page within {budget:g} s",
                      "try again later, or save the page from a browser and pass the file")


def connect_error(source: str, url: str, exc: Exception) -> FetchError:
    host = urlsplit(url).hostname or url
    text = str(exc)
    if "Name or service not known" in text or "nodename nor servname" in text or \
            "getaddrinfo" in text or "No address associated" in text or \
            "Temporary failure in name resolution" in text:
        return FetchError(f"{source}: could not resolve host {host}",
                          "check the spelling of the link and your connection")
    return FetchError(f"{source}: could not connect to {host}: {text or type(exc).__name__}",
                      "check the link and your connection, or try again later")
