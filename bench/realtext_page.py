"""Write one real-text page from a search excerpt into the ignored folder bench/realtext/pages/.

    python bench/realtext_page.py ID URL EXCERPT_FILE
    python bench/realtext_page.py --batch RESULTS.jsonl   # lines of {"id", "url", "excerpt"}

The real-text dev set commits only facts (manifest.jsonl, truth/*.json); the article text is
fetched afresh with the search tool (corpus `pages`, the manifest's query) by whoever runs the
benchmark, saved as plain text (the excerpt exactly as returned), and turned into a minimal HTML
page here: the excerpt's first line is the title, each further line a paragraph. Nothing is
added that the excerpt does not show (no publication date, no site name), so the extractor sees
only what a reader of the excerpt would.
"""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path

PAGES = Path(__file__).resolve().parent / "realtext" / "pages"


def page_html(url: str, excerpt: str) -> str:
    lines = [ln.strip() for ln in excerpt.replace("\r\n", "\n").split("\n")]
    lines = [ln for ln in lines if ln]
    if not lines:
        raise SystemExit("the excerpt is empty")
    title, body = lines[0], lines[1:]
    paras = "\n".join(f"<p>{html.escape(ln)}</p>" for ln in body)
    return (
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
        f"<title>{html.escape(title)}</title>\n"
        f"<link rel=\"canonical\" href=\"{html.escape(url, quote=True)}\">\n"
        "</head><body><article>\n"
        f"<h1>{html.escape(title)}</h1>\n{paras}\n"
        "</article></body></html>\n"
    )


def write(page_id: str, url: str, excerpt: str) -> Path:
    if not re.fullmatch(r"[a-z0-9-]+", page_id):
        raise SystemExit(f"{page_id!r}: a page id is made of a-z, 0-9 and '-'")
    PAGES.mkdir(parents=True, exist_ok=True)
    out = PAGES / f"{page_id}.html"
    out.write_text(page_html(url, excerpt), encoding="utf-8")
    return out


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "--batch":
        for line in Path(argv[1]).read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                print(write(item["id"], item["url"], item["excerpt"]))
        return 0
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    page_id, url, excerpt_file = argv
    print(write(page_id, url, Path(excerpt_file).read_text(encoding="utf-8")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
