"""Throughput: drafter end to end against the two libraries it is built on, on the same pages.

    python bench/throughput.py [--data ../shared/eval/dev] [--pages 500] [--jobs 2]

Times, on the saved pages repeated to --pages:
  (1) plain `trafilatura.extract` on each page,
  (2) plain `en_core_web_sm` `nlp.pipe` (every component) over the texts from (1),
  (3) `drafter extract --jsonl` end to end (fetch from disk, extract, tag, classify, JSON out),
      once with one process and once with --jobs,
and prints pages per second for each, the ratio of (3) to (1)+(2), and the peak memory of (3):
the proportional set size (PSS) and the resident set size (RSS) summed over drafter's whole
process tree, workers included, sampled every 0.2 s.
Not a test: numbers depend on the machine. Uses a throw-away DRAFTER_HOME.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def pages_for(data: Path, n: int, workdir: Path) -> list[Path]:
    """The saved pages copied to distinct names until there are n of them."""
    source = sorted(data.glob("*.html"))
    out = []
    for i in range(n):
        page = source[i % len(source)]
        copy = workdir / f"{i:05d}-{page.name}"
        shutil.copyfile(page, copy)
        out.append(copy)
    return out


def tree_memory_mb(root: int) -> tuple[float, float]:
    """(PSS, RSS) summed over a process and all its descendants, in MB (Linux /proc).

    PSS splits the pages processes share (forked workers share the model weights with their
    parent), so its sum is what the run really holds; the RSS sum counts shared pages once per
    process and so overstates it.
    """
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    pss = rss = 0
    todo = [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss += int(line.split()[1])
        except OSError:
            continue
    return pss / 1024, rss / 1024


def run_drafter(pages: list[Path], jobs: int) -> tuple[float, tuple[float, float]]:
    """Seconds for `drafter extract` over the pages, and the peak (PSS, RSS) of its process
    tree."""
    drafter = str(HERE.parent / ".venv" / "bin" / "drafter")
    env = dict(os.environ, DRAFTER_HOME=tempfile.mkdtemp(prefix="drafter-bench-"))
    started = time.perf_counter()
    proc = subprocess.Popen([drafter, "extract", "--jsonl", "--no-cache", "--jobs", str(jobs),
                             *map(str, pages)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    peak = (0.0, 0.0)
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.wait(0.2):
            pss, rss = tree_memory_mb(proc.pid)
            peak = (max(peak[0], pss), max(peak[1], rss))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = proc.communicate()
    elapsed = time.perf_counter() - started
    stop.set()
    sampler.join()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"drafter failed: {stderr[-500:]}")
    return elapsed, peak


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=HERE.parent.parent / "shared" / "eval" / "dev")
    ap.add_argument("--pages", type=int, default=500)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="drafter-pages-"))
    pages = pages_for(args.data, args.pages, workdir)
    n = len(pages)

    import trafilatura

    htmls = [p.read_text(encoding="utf-8", errors="replace") for p in pages]
    t0 = time.perf_counter()
    texts = [trafilatura.extract(h) or "" for h in htmls]
    t_extract = time.perf_counter() - t0

    from drafter.nlp import load_english

    nlp = load_english()
    t0 = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=32):
        pass
    t_spacy = time.perf_counter() - t0

    t_one, mem_one = run_drafter(pages, 1)
    t_jobs, mem_jobs = run_drafter(pages, args.jobs)
    libs = t_extract + t_spacy
    print(f"pages: {n} ({len(set(htmls))} distinct)")
    print(f"(1) trafilatura.extract           {n / t_extract:7.1f} pages/s  ({t_extract:.1f} s)")
    print(f"(2) en_core_web_sm nlp.pipe (all)  {n / t_spacy:7.1f} pages/s  ({t_spacy:.1f} s)")
    print(f"    (1)+(2)                        {n / libs:7.1f} pages/s  ({libs:.1f} s)")
    print(f"(3) drafter extract, 1 process     {n / t_one:7.1f} pages/s  ({t_one:.1f} s, "
          f"ratio {t_one / libs:.2f})")
    print(f"(3) drafter extract, --jobs {args.jobs}     {n / t_jobs:7.1f} pages/s  ({t_jobs:.1f} s, "
          f"ratio {t_jobs / libs:.2f})")
    for label, (pss, rss) in (("1 process", mem_one), (f"--jobs {args.jobs}", mem_jobs)):
        print(f"    peak memory, {label:9s}      {pss:5.0f} MB PSS, {rss:5.0f} MB RSS summed over "
              f"drafter's processes")
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
