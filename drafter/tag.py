"""Tag: an `Article` in, `Facts` out. (Placeholder until the tagging issue lands: no facts.)"""

from __future__ import annotations

from collections.abc import Sequence

from .records import Article, Facts


class Tagger:
    def tag_many(self, articles: Sequence[Article]) -> list[Facts]:
        return [Facts() for _ in articles]
