"""How drafter's spaCy pipeline speed depends on the `nlp.pipe` batch size.

    python bench/batch_size.py [--data ../shared/eval/dev] [--pages 200] [--sizes 4 8 16 32 64 128]

Extracts the saved pages once (repeated to --pages), then times drafter's own pipeline
(`Tagger().nlp`) over the texts at each batch size and prints milliseconds per page. The
`Tagger` default (16) comes from this. Not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=HERE.parent.parent / "shared" / "eval" / "dev")
    ap.add_argument("--pages", type=int, default=200)
    ap.add_argument("--sizes", type=int, nargs="+", default=[4, 8, 16, 32, 64, 128])
    args = ap.parse_args()

    from drafter.extract import extract
    from drafter.fetch import make_page
    from drafter.tag import Tagger

    source = sorted(args.data.glob("*.html"))
    if not source:
        raise SystemExit(f"no .html pages in {args.data}")
    texts = []
    for i in range(args.pages):
        path = source[i % len(source)]
        page = make_page(str(path), None, path.read_bytes(), "text/html", None, 200, {})
        texts.append(extract(page).text)
    nlp = Tagger().nlp
    list(nlp.pipe(texts[:8]))  # warm up
    print(f"{len(texts)} pages, components: {', '.join(nlp.pipe_names)}")
    for size in args.sizes:
        started = time.perf_counter()
        for _ in nlp.pipe(texts, batch_size=size):
            pass
        ms = 1000 * (time.perf_counter() - started) / len(texts)
        print(f"batch_size {size:4d}   {ms:6.1f} ms a page")
    return 0


if __name__ == "__main__":
    sys.exit(main())
