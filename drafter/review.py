"""Review actions on a dossier's facts, shared by the review app and tests.

Every action is one transaction in the archive with an audit event (who, when, before, after),
so a killed process loses nothing and undo works after a restart. Each action may name the
dossier version the reviewer saw; if someone else changed the dossier since, the action is
refused with a `ConflictError` and the reviewer reloads.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
from dataclasses import replace
from pathlib import Path

from . import corpus, dossiers, lexicon, merge, render
from .errors import ConflictError, DrafterError, NotFoundError
from .normalize import parse_amount, parse_date, to_usd
from .records import Dossier, MergedFact
from .store import Store, dumps, now

REQUIRED = merge.REQUIRED
DONE = ("accepted", "edited")


def reviewer_name() -> str:
    env = os.environ.get("DRAFTER_REVIEWER")
    if env:
        return env
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


class ValidationError(DrafterError):
    """A reviewer's edit that does not fit the field."""


def validate(field: str, text: str):
    """Turn what a reviewer typed into the field's value, or raise `ValidationError`."""
    text = text.strip()
    if not text:
        raise ValidationError(f"{field}: a value is required", "type a value or press Escape")
    tax = corpus.taxonomy()
    if field == "funds_stolen_usd":
        lex = lexicon.load()
        amount = parse_amount(text if not text.replace(",", "").replace(".", "").isdigit()
                              else f"${text}", lex)
        usd = to_usd(amount, None, lex)[0] if amount else None
        if usd is None:
            raise ValidationError(f"{text!r} is not an amount drafter can read",
                                  "write it like 26000000, $26M, $1.5bn or 2.1 million USDC")
        return round(usd)
    if field == "incident_date":
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            value = parse_date(text)
            if value.date is None or value.precision != "day":
                raise ValidationError(f"{text!r} is not a date",
                                      "write it as YYYY-MM-DD or like March 4, 2024") from None
            return value.date.isoformat()
    if field == "chains":
        for chain in tax["chains"]:
            if chain.lower() == text.lower():
                return chain
        raise ValidationError(f"{text!r} is not a chain in the taxonomy",
                              "use a canonical name such as Ethereum, BNB Chain or Solana")
    if field == "category":
        if text in corpus.category_ids():
            return text
        raise ValidationError(f"{text!r} is not a category", "pick one with the `c` key")
    if field == "status":
        ids = [s["id"] for s in tax["statuses"]]
        if text in ids:
            return text
        raise ValidationError(f"{text!r} is not a status", f"use one of {', '.join(ids)}")
    if field == "target":
        if text in tax["targets"]:
            return text
        raise ValidationError(f"{text!r} is not a target", f"use one of {', '.join(tax['targets'])}")
    return text


def _fact_row(db, fact_id: int):
    row = db.execute("SELECT f.*, d.version FROM facts f JOIN dossiers d ON d.id = f.dossier_id"
                     " WHERE f.id = ?", (fact_id,)).fetchone()
    if row is None:
        raise NotFoundError(f"no fact {fact_id}", "reload the dossier")
    return row


def _check_version(db, dossier_id: int, expected: int | None) -> None:
    if expected is None:
        return
    row = db.execute("SELECT version, state FROM dossiers WHERE id = ?", (dossier_id,)).fetchone()
    if row is None:
        raise NotFoundError(f"no dossier {dossier_id}")
    if row["version"] != expected:
        raise ConflictError("someone else changed this dossier since you opened it",
                            "press r to reload, then repeat your change")


def _event(db, dossier_id: int, fact_id: int | None, reviewer: str, action: str, before,
           after) -> None:
    db.execute("INSERT INTO review_events (dossier_id, fact_id, reviewer, at, action, before,"
               " after) VALUES (?, ?, ?, ?, ?, ?, ?)",
               (dossier_id, fact_id, reviewer, now(), action, dumps(before), dumps(after)))
    db.execute("UPDATE dossiers SET version = version + 1, updated_at = ?,"
               " state = CASE WHEN state = 'draft' THEN 'in-review' ELSE state END"
               " WHERE id = ?", (now(), dossier_id))


def set_state(store: Store, fact_id: int, state: str, reviewer: str | None = None,
              expected_version: int | None = None, value=None, action: str | None = None) -> None:
    """Accept, reject, skip or edit one fact: one transaction, one audit event."""
    reviewer = reviewer or reviewer_name()
    with store.transaction() as db:
        row = _fact_row(db, fact_id)
        _check_version(db, row["dossier_id"], expected_version)
        if _dossier_state(db, row["dossier_id"]) == "approved":
            raise DrafterError("this dossier is approved and can no longer change",
                               "draft a new dossier or ask an editor to reopen it")
        before = {"state": row["state"], "value": json.loads(row["value"])}
        new_value = before["value"] if value is None else value
        db.execute("UPDATE facts SET state = ?, value = ? WHERE id = ?",
                   (state, dumps(new_value), fact_id))
        _event(db, row["dossier_id"], fact_id, reviewer, action or state, before,
               {"state": state, "value": new_value})


def _dossier_state(db, dossier_id: int) -> str:
    return db.execute("SELECT state FROM dossiers WHERE id = ?", (dossier_id,)).fetchone()[0]


def accept(store, fact_id, **kw):
    set_state(store, fact_id, "accepted", **kw)


def reject(store, fact_id, **kw):
    set_state(store, fact_id, "rejected", **kw)


def skip(store, fact_id, **kw):
    set_state(store, fact_id, "skipped", **kw)


def edit(store: Store, fact_id: int, field: str, text: str, **kw) -> None:
    set_state(store, fact_id, "edited", value=validate(field, text), action="edit", **kw)


def resolve(store: Store, fact_id: int, value, **kw) -> None:
    """Resolve a conflict by choosing one source's value."""
    set_state(store, fact_id, "accepted", value=value, action="resolve", **kw)


def undo(store: Store, dossier_id: int, reviewer: str | None = None,
         expected_version: int | None = None) -> str | None:
    """Undo the latest action on the dossier that is not undone yet; survives restarts."""
    reviewer = reviewer or reviewer_name()
    with store.transaction() as db:
        _check_version(db, dossier_id, expected_version)
        if _dossier_state(db, dossier_id) == "approved":
            raise DrafterError("this dossier is approved and can no longer change")
        row = db.execute("SELECT * FROM review_events WHERE dossier_id = ? AND undone = 0 AND"
                         " action NOT IN ('undo', 'approve') ORDER BY id DESC LIMIT 1",
                         (dossier_id,)).fetchone()
        if row is None:
            return None
        before = json.loads(row["before"]) if row["before"] else None
        if row["fact_id"] is not None and before is not None:
            db.execute("UPDATE facts SET state = ?, value = ? WHERE id = ?",
                       (before["state"], dumps(before["value"]), row["fact_id"]))
        db.execute("UPDATE review_events SET undone = 1 WHERE id = ?", (row["id"],))
        _event(db, dossier_id, row["fact_id"], reviewer, "undo", {"event": row["id"]}, before)
        return str(row["action"])


def current(store: Store, dossier_id: int) -> Dossier:
    """The dossier as reviewed so far: title and deck follow the reviewed facts."""
    return merge.retitle(store.dossier(dossier_id))


def pending_required(d: Dossier) -> list[str]:
    return [name for name in REQUIRED if d.facts[name].state not in DONE]


def approve(store: Store, dossier_id: int, reviewer: str | None = None,
            expected_version: int | None = None, exports: Path | None = None) -> list[Path]:
    """Approve the dossier: every required fact must be accepted or edited first."""
    reviewer = reviewer or reviewer_name()
    d = current(store, dossier_id)
    missing = pending_required(d)
    if missing:
        raise DrafterError(f"cannot approve yet: {', '.join(missing)} still need a decision",
                           "accept (a) or edit (e) every required fact first")
    text = "\n\n".join(store.article(s.article_id).text for s in d.sources if s.article_id)
    title = "\n".join(s.title for s in d.sources)
    with store.transaction() as db:
        _check_version(db, dossier_id, expected_version)
        db.execute("UPDATE dossiers SET state = 'approved', title = ?, category = ? WHERE id = ?",
                   (d.title, d.facts["category"].value, dossier_id))
        data = json.loads(db.execute("SELECT data FROM dossiers WHERE id = ?",
                                     (dossier_id,)).fetchone()[0])
        data["deck"] = d.deck
        db.execute("UPDATE dossiers SET data = ? WHERE id = ?", (dumps(data), dossier_id))
        db.execute("INSERT OR REPLACE INTO training_examples (dossier_id, category, text,"
                   " approved_at) VALUES (?, ?, ?, ?)",
                   (dossier_id, d.facts["category"].value, title + "\n" + text, now()))
        _event(db, dossier_id, None, reviewer, "approve", {"state": d.state},
               {"state": "approved"})
    approved = replace(current(store, dossier_id), state="approved")
    return dossiers.export_all(store, approved, exports)


def events(store: Store, dossier_id: int) -> list[dict]:
    rows = store.db.execute("SELECT * FROM review_events WHERE dossier_id = ? ORDER BY id",
                            (dossier_id,))
    return [dict(r) for r in rows]


def fact_label(f: MergedFact) -> str:
    if f.value is None:
        return render.placeholder(f.field.replace("_", " "))
    if f.field == "funds_stolen_usd":
        return merge.money_short(f.value)
    return str(f.value)
