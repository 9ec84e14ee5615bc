"""Extract: a `Page` in, the article's main text and metadata out (trafilatura).

trafilatura signals "no article here" with None; that becomes a typed `ExtractError` naming the
source, never an empty article.
"""

from __future__ import annotations

import datetime as dt
import html
import re

from .errors import ExtractError
from .records import Article, Page

MIN_WORDS = 25
# htmldate's extensive search scans every date-like string on the page (40 ms a page, and the
# source of most wrong publication dates); the page's own markup and visible byline suffice.
DATE_PARAMS = {"extensive_search": False, "original_date": True}
LANG_ATTR = re.compile(r"<html[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3})", re.I)
ENGLISH_WORDS = frozenset(
    "the of and to in a is that for on was with as by it at from has have were be are this "
    "an which after said its their been had not but".split()
)


def extract(page: Page) -> Article:
    """Return the article held by `page`, or raise `ExtractError`."""
    if page.content_type == "text/plain":
        return from_plain_text(page)
    return from_html(page)


def from_html(page: Page) -> Article:
    from trafilatura import bare_extraction

    try:
        doc = bare_extraction(page.text, url=page.url, with_metadata=True, include_tables=True,
                              include_comments=False, deduplicate=False,
                              date_extraction_params=DATE_PARAMS)
    except (ValueError, TypeError, RecursionError, MemoryError) as exc:
        raise ExtractError(f"{page.source}: the HTML could not be parsed ({type(exc).__name__})",
                           "save the article text as a .txt file and pass that instead") from exc
    meta = doc.as_dict() if doc is not None and hasattr(doc, "as_dict") else (doc or {})
    text = clean_text(meta.get("text") or "")
    if text:
        text = add_dropped_blocks(page.text, text)
    if len(text.split()) < MIN_WORDS:
        raise ExtractError(f"{page.source}: no article text found on the page",
                           "check that the link is the article itself, not a home or login page")
    title = clean_line(meta.get("title") or "") or first_line(text)
    return Article(
        source=page.source,
        url=meta.get("url") or page.url,
        title=title,
        text=text,
        site=clean_line(meta.get("sitename") or "") or None,
        author=clean_line(meta.get("author") or "") or None,
        published=(iso_date(meta.get("date")) or fallback_date(page)
                   or url_date(meta.get("url") or page.url) or shown_date(text)),
        language=language(page.text, text),
    )


CALLOUT = re.compile(r"callout|summary|tldr|tl-dr|key-?points|key-?facts|highlights|infobox|"
                     r"factbox|at-a-glance|takeaways|standfirst", re.I)
CHROME = {"nav", "header", "footer", "aside", "form", "menu"}
CHROME_CLASS = re.compile(r"related|sidebar|newsletter|promo|share|comment|footer|nav|menu|"
                          r"widget|advert|cookie|subscribe|more-from|recommend", re.I)


def add_dropped_blocks(raw_html: str, text: str) -> str:
    """Put back summary callouts and code blocks that trafilatura leaves out.

    News and post-mortem pages often state the key facts in a summary box, and the on-chain
    evidence (addresses, transactions) in code blocks; the extractor treats both as boilerplate.
    Only blocks outside navigation, sidebars and footers are restored: callouts go first (after
    the title line when the text starts with it), code blocks at the end, in page order.
    """
    try:
        from lxml import html as lxml_html

        root = lxml_html.fromstring(raw_html)
    except (ValueError, TypeError, RecursionError, MemoryError):
        return text
    except Exception:  # noqa: BLE001 - lxml raises its own parser errors for broken pages
        return text
    lead: list[str] = []
    tail: list[str] = []
    seen = clean_text(text)
    for el in root.iter("pre", "div", "section", "blockquote", "p"):
        if el.tag == "pre":
            kind = "code"
        elif CALLOUT.search(el.get("class", "") or ""):
            kind = "callout"
        else:
            continue
        if any(a.tag in CHROME or CHROME_CLASS.search(a.get("class", "") or "")
               for a in el.iterancestors()):
            continue
        block = clean_text(el.text_content() or "")
        if len(block) < 20 or block[:60] in seen:
            continue
        seen += "\n" + block
        (lead if kind == "callout" else tail).append(block)
    if not lead and not tail:
        return text
    head, sep, rest = text.partition("\n")
    if lead:
        text = head + sep + "\n".join(lead) + ("\n" + rest if rest else "")
    if tail:
        text = text + "\n" + "\n".join(tail)
    return text


def from_plain_text(page: Page) -> Article:
    text = clean_text(page.text)
    if len(text.split()) < MIN_WORDS:
        raise ExtractError(f"{page.source}: the text file has no article text",
                           "pass a file holding the article")
    return Article(source=page.source, url=page.url, title=first_line(text), text=text,
                   language=language("", text))


def clean_text(text: str) -> str:
    """Normalise line ends and spaces; drop invisible format characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]", "", text)
    text = re.sub(r"[ \t\u00a0]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def clean_line(text: str) -> str:
    return " ".join(html.unescape(text).split())


def first_line(text: str) -> str:
    line = text.strip().split("\n", 1)[0]
    return line[:200]


BYLINE = re.compile(r"(?<![a-z])(?:by|byline|dateline|date|time|timestamp|posted|published|"
                    r"pubdate|meta|author|updated)(?![a-z])", re.I)


def fallback_date(page: Page) -> str | None:
    """No date in the page's markup: the first full date shown in a byline or date element.

    Only elements that look like bylines (by class, id or a `<time>` tag) outside navigation and
    footers count, so a date in the story itself (usually the attack's) is never taken for the
    publication date. Dates are read with drafter's own grammar (normalize.find_dates).
    """
    from lxml import html as lxml_html

    from .normalize import find_dates

    try:
        root = lxml_html.fromstring(page.text)
    except Exception:  # noqa: BLE001 - lxml raises its own parser errors for broken pages
        return None
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        marks = f"{el.get('class', '')} {el.get('id', '')} {el.get('itemprop', '')}"
        if el.tag != "time" and not BYLINE.search(marks):
            continue
        if any(a.tag in CHROME or CHROME_CLASS.search(a.get("class", "") or "")
               for a in el.iterancestors()):
            continue
        shown = " ".join((el.text_content() or "").split())
        if not shown or len(shown) > 200:
            continue
        for _, _, value in find_dates(shown, None):
            if value.date is not None and value.precision == "day" and not value.relative:
                return value.date.isoformat()
    return None


YEAR = re.compile(r"\b(?:19|20)\d\d\b")
URL_DATE = re.compile(r"/((?:19|20)\d\d)/(\d{1,2})/(\d{1,2})(?:/|$)"
                      r"|[/_-]((?:19|20)\d\d)-(\d\d)-(\d\d)(?:[/_.-]|$)")


def url_date(url: str | None) -> str | None:
    """The date many sites put in an article's address (".../2022/03/31/slug")."""
    if not url:
        return None
    m = URL_DATE.search(url)
    if m is None:
        return None
    y, mo, d = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(4), m.group(5),
                                                                           m.group(6))
    try:
        return dt.date(int(y), int(mo), int(d)).isoformat()
    except ValueError:
        return None
DATELINE = re.compile(r"^[A-Z][A-Za-z .'-]{1,40},?\s+(?P<date>[A-Z][a-z]{2,8}\.?\s+\d{1,2},?\s+"
                      r"(?:19|20)\d\d|\d{1,2}\s+[A-Z][a-z]{2,8}\s+(?:19|20)\d\d)\s*(?:\(|[-–—/])")


def shown_date(text: str) -> str | None:
    """No date in the markup or a byline element: the date a reader sees at the top of the
    article. A short line before the story starts (a byline "Jane Doe | March 3, 2022", "Updated
    14 May 2023") or an agency dateline opening the first paragraph ("SINGAPORE, March 3, 2022
    (Wire) -"), with the year written out, so a story's own dates never qualify."""
    from .normalize import find_dates

    for line in text.split("\n")[:12]:
        line = line.strip()
        m = DATELINE.match(line)
        if m is not None:
            line = m.group("date")
        elif len(line.split()) > 14 or not YEAR.search(line):
            if len(line.split()) > 40:
                break  # the story has started
            continue
        for _, _, value in find_dates(line, None):
            if value.date is not None and value.precision == "day" and not value.relative:
                return value.date.isoformat()
    return None


def iso_date(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10]).isoformat()
    except ValueError:
        return None


def language(raw_html: str, text: str) -> str | None:
    """The page's declared language, else a guess from common English words."""
    match = LANG_ATTR.search(raw_html[:4096])
    if match:
        return match.group(1).lower()
    words = re.findall(r"[a-z]+", text.lower()[:5000])
    if not words:
        return None
    share = sum(w in ENGLISH_WORDS for w in words) / len(words)
    return "en" if share > 0.12 else None
