"""Tag: `Article`s in, `Facts` out.

Two layers. `components` holds the registered spaCy components that find candidates: amounts,
dates, addresses and transaction hashes (grammars built from `corpus/lexicons/`), chains and
firms (phrase matching over `corpus/patterns/chains.jsonl` and `corpus/gazetteer/firms.jsonl`),
with their parsed values kept on the Doc. Then one module per fact decision computes each
candidate's features from its context (`context`: cue lexicons, sentences, other incidents) and
lets the learned decision (`drafter/decide.py`, trained by `drafter train`) pick: `victim`,
`funds` (amount roles and the stolen amount), `dates`, `chains`, `status`, `target`.
No spaCy object leaves this package: facts carry character offsets and their sentence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from spacy.tokens import Doc

from .. import lexicon as lexicon_mod
from ..decide import Decisions
from ..lexicon import Lexicon
from ..records import Article, Fact, Facts
from .chains import CHAIN_MIN_PROBABILITY, elsewhen, pick_chains
from .components import AMOUNTS_KEY, DATES_KEY, PhraseSpans, build_nlp
from .context import Ctx, Cues, Sent, cue_regex
from .dates import date_candidates, pick_incident_date
from .funds import amount_facts, clause_cues, pick_funds
from .status import pick_status
from .target import described_as, onchain_facts, pick_attackers, pick_target
from .victim import group_firms, pick_victim, prefix_match, unknown_title_names

__all__ = ["AMOUNTS_KEY", "CHAIN_MIN_PROBABILITY", "DATES_KEY", "Ctx", "PhraseSpans", "Sent",
           "Tagger", "amount_facts", "clause_cues", "cue_regex", "described_as", "group_firms",
           "prefix_match", "unknown_title_names"]


# the tagger ----------------------------------------------------------------------------------

class Tagger:
    """Loads the pipeline once; `tag_many` tags a batch with `nlp.pipe`."""

    def __init__(self, lex: Lexicon | None = None, batch_size: int = 16,
                 decisions: Decisions | None = None) -> None:
        self.lex = lex or lexicon_mod.load()
        self.decisions = decisions or Decisions.load()
        self.observed: list[dict] | None = None  # set by `drafter train` to collect features
        self.cues = Cues(self.lex)
        self.nlp = build_nlp(self.lex)
        self.batch_size = batch_size

    def tag_many(self, articles: Sequence[Article], jobs: int = 1,
                 categories: Sequence[dict[str, float]] | None = None) -> list[Facts]:
        """Tag a batch: one `nlp.pipe` pass (in `jobs` processes when asked and worth it).

        `categories`, when given, holds each article's attack-category probabilities from the
        classifier; they weigh in on the target (a 51% attack hits a blockchain).
        """
        texts = [a.text for a in articles]
        titles = [a.title or "" for a in articles]
        n_process = jobs if jobs > 1 and len(texts) >= 4 * jobs else 1
        docs = list(self.nlp.pipe(texts, batch_size=self.batch_size, n_process=n_process))
        title_docs = list(self.nlp.pipe(titles, batch_size=64))
        cats = categories if categories is not None else [None] * len(articles)
        return [self.facts(a, d, t, c) for a, d, t, c in zip(articles, docs, title_docs, cats)]

    def tag(self, article: Article, category: dict[str, float] | None = None) -> Facts:
        return self.tag_many([article], categories=[category] if category else None)[0]

    def facts(self, article: Article, doc: Doc, title_doc: Doc | None = None,
              category: dict[str, float] | None = None) -> Facts:
        published = None
        if article.published:
            try:
                published = dt.date.fromisoformat(article.published)
            except ValueError:
                published = None
        ctx = Ctx(article, doc, title_doc, self.lex, self.cues, published,
                  decisions=self.decisions, observed={} if self.observed is not None else None)
        if self.observed is not None:
            self.observed.append(ctx.observed)
        firms, victim = pick_victim(ctx)
        victim_names = set(victim.extra.get("names", [])) if victim else set()
        amounts = amount_facts(ctx, victim_names, published)
        funds = pick_funds(ctx, amounts)
        if funds is not None:  # the firm named where the loss is stated is the likelier victim
            loss_sents = {a.sent.index for a in amounts if a.usd
                          and abs(a.usd - funds.value) <= 0.03 * funds.value}
            firms2, victim2 = pick_victim(ctx, loss_sents)
            if victim2 is not None and (victim is None or victim2.value != victim.value):
                firms, victim = firms2, victim2
                victim_names = set(victim.extra.get("names", []))
                amounts = amount_facts(ctx, victim_names, published)
                funds = pick_funds(ctx, amounts)
        dates = date_candidates(ctx, victim_names, funds, amounts)
        incident = pick_incident_date(ctx, dates)
        chains = pick_chains(ctx, amounts, victim_names, elsewhen(ctx, dates, incident))
        status = pick_status(ctx, amounts, victim_names)
        target = pick_target(ctx, victim, category)
        attackers = pick_attackers(ctx)
        addresses, txs = onchain_facts(ctx, chains)
        if victim is not None:
            victim = Fact(victim.field, victim.value, victim.confidence, victim.text, victim.start,
                          victim.end, victim.sentence, {})
        return Facts(
            single={"incident_date": incident, "funds_stolen_usd": funds, "victim": victim,
                    "category": None, "status": status, "target": target},
            lists={"chains": tuple(chains), "attackers": tuple(attackers),
                   "addresses": tuple(addresses), "tx_hashes": tuple(txs),
                   "amounts": tuple(a.fact for a in amounts), "firms": tuple(firms)},
        )
