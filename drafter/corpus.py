"""The seed corpus: labelled incident write-ups under `corpus/writeups/*.jsonl`."""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from . import config
from .errors import DrafterError


@dataclass(frozen=True, slots=True)
class Record:
    """One labelled write-up (format: corpus/README.md)."""

    id: str
    incident: str
    category: str
    title: str
    text: str
    register: str
    status: str
    target: str
    date: str
    amount_usd: float | None
    chains: tuple[str, ...]
    raw: dict
    published: str | None = None
    """The date the piece is dated (long-form articles); None for the short write-ups."""
    victim: str = ""
    aliases: tuple[str, ...] = ()


@functools.lru_cache(maxsize=2)
def taxonomy(root: Path | None = None) -> dict:
    base = Path(root) if root else config.corpus_dir()
    return json.loads((base / "taxonomy.json").read_text(encoding="utf-8"))


def category_ids(root: Path | None = None) -> list[str]:
    return [c["id"] for c in taxonomy(root)["categories"]]


def category_label(category: str) -> str:
    for c in taxonomy()["categories"]:
        if c["id"] == category:
            return c["label"]
    return category


FOLDERS = ("writeups", "articles")


def load(root: Path | None = None, folders: tuple[str, ...] = FOLDERS) -> list[Record]:
    """Every record in the corpus, in file order: the short write-ups, then the long-form
    articles (corpus/README.md documents both)."""
    base = Path(root) if root else config.corpus_dir()
    out = []
    paths = [p for folder in folders for p in sorted((base / folder).glob("*.jsonl"))]
    for path in paths:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                r = json.loads(line)
                out.append(Record(
                    id=r["id"], incident=r["incident"], category=r["category"],
                    title=r.get("title", ""), text=r["text"], register=r["register"],
                    status=r["status"], target=r["target"], date=r["date"],
                    amount_usd=r.get("amount_usd"), chains=tuple(r.get("chains", [])), raw=r,
                    published=r.get("published"), victim=r.get("victim", ""),
                    aliases=tuple(r.get("aliases", []))))
            except (json.JSONDecodeError, KeyError) as exc:
                raise DrafterError(f"{path}:{n}: bad corpus record ({exc})",
                                   "fix the line; corpus/README.md documents the format") from exc
    return out


def digest(root: Path | None = None) -> str:
    """A hash of the corpus files, recorded in the model card."""
    base = Path(root) if root else config.corpus_dir()
    h = hashlib.sha256()
    for path in [p for folder in FOLDERS for p in sorted((base / folder).glob("*.jsonl"))]:
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]
