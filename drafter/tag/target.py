"""The kind of victim (target), learned; attackers; addresses and transactions."""

from __future__ import annotations

import math
import re
from collections import defaultdict

from ..corpus import taxonomy
from ..onchain import find_onchain
from ..records import Fact
from .context import Ctx, as_word, looks_like_person, norm_tokens

TARGETS = tuple(taxonomy()["targets"])

def described_as(ctx: Ctx, names: set[str]) -> dict[str, float]:
    """What the article calls the victim beside its name: "crypto exchange Nobitex", "Lendora,
    a lending protocol on Arbitrum,". Each mention adds 2 for the kind of its longest descriptor
    (so "decentralized exchange" is a protocol, not an exchange), at most 4 a kind."""
    cues, text = ctx.cues, ctx.text
    out: dict[str, float] = defaultdict(float)
    for name in sorted(n for n in names if len(n) >= 2):
        for m in re.finditer(as_word(name), text):
            before = text[max(0, m.start() - 45):m.start()]
            after = text[m.end():m.end() + 90]
            found = []  # (length of the descriptor, kind)
            for kind, rx in cues.descriptor_before.items():
                if (hit := rx.search(before)) is not None:
                    found.append((len(hit.group(0).strip()), kind))
            for kind, rx in cues.descriptor_after.items():
                if (hit := rx.match(after)) is not None:
                    found.append((len(hit.group(1)), kind))
            if found:
                kind = max(found)[1]
                out[kind] = min(out[kind] + 2.0, 4.0)
    return out


def pick_target(ctx: Ctx, victim: Fact | None, category: dict[str, float] | None = None
                ) -> Fact | None:
    """The kind of victim: per target, the title's words, the gazetteer's kind for the victim,
    what the article calls it ("crypto exchange X"), the words of the sentences that name it,
    a 51% attack, and the attack category's usual target."""
    cues = ctx.cues
    title = (ctx.article.title or "").lower()
    names = TARGETS
    feats: dict[str, dict[str, float]] = {t: {} for t in names}
    for t, rx in cues.targets.items():
        feats[t]["title_words"] = float(len(rx.findall(title)))
    victim_tokens = set()
    if victim is not None:
        victim_tokens = {norm_tokens(n)[0] for n in victim.extra.get("names", []) if norm_tokens(n)}
        kind = ctx.lex.firm_kind.get(victim.value) or victim.extra.get("kind")
        tracked = victim.value in ctx.lex.tracked_only
        if tracked and looks_like_person(ctx, victim.value):
            kind = "person"
        mapped = ctx.lex.targets["kind_to_target"].get(kind or "")
        if mapped:
            feats[mapped]["tracker_kind" if tracked else "checked_kind"] = 1.0
        if kind == "person":  # a named person lost the funds
            feats["individual"]["person"] = 1.0
        for t, w in described_as(ctx, set(victim.extra.get("names", [])) | {victim.value}).items():
            feats[t]["described"] = w
        called = " ".join({victim.value, *victim.extra.get("names", [])}).lower()
        for t, rx in cues.targets.items():  # "Horizon Bridge", "Kyber Exchange"
            if rx.search(called):
                feats[t]["in_name"] = 1.0
                feats[t][f"{t}|in_name"] = 1.0  # and per kind: a "Bridge" in a name is telling
    sentence_words: dict[str, float] = defaultdict(float)
    for sent in ctx.sents[:40]:
        lower = sent.text.lower()
        if victim_tokens and not any(v in lower for v in victim_tokens):
            continue
        for t, rx in cues.targets.items():
            sentence_words[t] += len(rx.findall(lower))
    for t, n in sentence_words.items():
        feats[t]["sentence_words"] = math.log1p(n)
    if re.search(r"51\s?%\s+attack|51 percent attack|reorg", ctx.text, re.I):
        feats["blockchain"]["consensus"] = 1.0
    for cat, p in (category or {}).items():  # the attack category's usual targets, learned
        for t in names:
            feats[t][f"{t}|{cat}"] = p
    rows = [({**f, f"bias:{t}": 1.0}, t) for t, f in feats.items()]
    ctx.observe("target", rows)
    i, conf = ctx.decisions["target"].pick([r for r, _ in rows])
    if not any(v for k, v in feats[rows[i][1]].items() if "|" not in k):
        if not category:
            return None  # nothing in the text speaks for it, and no category either
        conf = min(conf, 0.5)  # only the attack category speaks for it: a guess
    start = victim.start if victim else 0
    end = victim.end if victim else 0
    return ctx.fact("target", rows[i][1], conf, start, end)


def pick_attackers(ctx: Ctx) -> list[Fact]:
    out = []
    seen = set()
    for span in ctx.firm_spans:
        if span.label_ == "attacker":
            canon = span.id_ or span.text
            if canon not in seen:
                seen.add(canon)
                out.append(ctx.fact("attackers", canon, 0.6, span.start_char, span.end_char))
    return out


def onchain_facts(ctx: Ctx, chains: list[Fact]) -> tuple[list[Fact], list[Fact]]:
    evm = next((c.value for c in chains if c.value not in ("Bitcoin", "Solana", "Tron",
                                                           "Bitcoin Gold", "Litecoin")), "Ethereum")
    found = find_onchain(ctx.text, evm_chain=evm,
                         solana_context=any(c.value == "Solana" for c in chains))
    addresses, txs, seen = [], [], set()
    for o in found:
        if o.value in seen:
            continue
        seen.add(o.value)
        fact = ctx.fact("addresses" if o.kind == "address" else "tx_hashes", o.value, 0.95,
                        o.start, o.end, chain=o.chain)
        (addresses if o.kind == "address" else txs).append(fact)
    return addresses, txs
