"""Latency of the things people wait for.

    python bench/latency.py

  - `drafter --help`
  - `drafter extract` of one page from a cold start (a new process, empty archive)
  - opening a five-source dossier in the review app (headless, until the review screen shows)
  - `drafter train` on the seed corpus (into a scratch copy of models/, so nothing is replaced)
Each is timed over a few runs; the best and the median are printed. Not a test.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
DRAFTER = str(ROOT / ".venv" / "bin" / "drafter")
SAMPLE = str(ROOT / "corpus" / "samples" / "wintermute-news.html")


def timed(argv: list[str], env: dict, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=False)
        out.append(time.perf_counter() - started)
    return out


def report(name: str, times: list[float], limit: float) -> None:
    best, median = min(times), statistics.median(times)
    verdict = "ok" if median <= limit else "SLOW"
    print(f"{name:44s} best {best:6.3f} s   median {median:6.3f} s   (target < {limit:g} s) {verdict}")


def review_open_times(runs: int) -> list[float]:
    from drafter import dossiers
    from drafter.pipeline import Pipeline
    from drafter.store import Store
    from drafter.tui import make_app

    os.environ["DRAFTER_HOME"] = tempfile.mkdtemp(prefix="drafter-latency-")
    store = Store()
    pages = sorted((ROOT / "tests" / "data").glob("atomic-*.html")) + \
        sorted((ROOT / "corpus" / "samples").glob("*.html"))
    d = dossiers.draft(store, Pipeline(), [str(p) for p in pages[:5]], allow_duplicate=True)
    assert len(d.dossier.sources) == 5

    async def once() -> float:
        app = make_app(store=Store(store.path), number=d.dossier.number, reviewer="bench")
        started = time.perf_counter()
        async with app.run_test(size=(120, 40)) as pilot:
            while type(app.screen).__name__ != "ReviewScreen":
                await pilot.pause()
            await pilot.pause()
            return time.perf_counter() - started

    return [asyncio.run(once()) for _ in range(runs)]


def main() -> int:
    env = dict(os.environ, DRAFTER_HOME=tempfile.mkdtemp(prefix="drafter-latency-"))
    report("drafter --help", timed([DRAFTER, "--help"], env, 5), 0.3)
    cold = []
    for _ in range(3):
        env1 = dict(env, DRAFTER_HOME=tempfile.mkdtemp(prefix="drafter-cold-"))
        cold += timed([DRAFTER, "extract", "--jsonl", SAMPLE], env1, 1)
    report("drafter extract, one page, cold start", cold, 3.0)
    report("review app: open a five-source dossier", review_open_times(3), 1.0)
    scratch = Path(tempfile.mkdtemp(prefix="drafter-models-"))
    shutil.copytree(ROOT / "models", scratch / "models")
    env2 = dict(env, DRAFTER_MODELS_DIR=str(scratch / "models"))
    report("drafter train (full corpus, 5-fold CV)", timed([DRAFTER, "train", "--force"], env2, 1),
           30.0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
