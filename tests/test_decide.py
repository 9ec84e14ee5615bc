"""The learned fact decisions: loading (and refusing) their weights, training them from the
corpus and from reviewer decisions, and the promotion guard."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from drafter import dossiers, review
from drafter import train_facts as tf
from drafter.decide import CARD_FILE, FIELDS, MODEL_FILE, Decision, Decisions, one_of
from drafter.errors import ModelError
from drafter.records import Article
from drafter.store import Store

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "models"


@pytest.fixture
def models(tmp_path):
    """A copy of the shipped models to spoil."""
    target = tmp_path / "models"
    shutil.copytree(SHIPPED, target, ignore=shutil.ignore_patterns("previous"))
    return target


def test_the_shipped_decisions_load_and_match_their_card():
    decisions = Decisions.load(SHIPPED / MODEL_FILE)
    card = json.loads((SHIPPED / CARD_FILE).read_text())
    assert set(decisions.by_field) == set(FIELDS) == set(card["fields"])
    for name in FIELDS:
        d = decisions[name]
        assert d.coef.shape == (len(d.names),) and np.all(d.scale > 0)


def test_a_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(ModelError, match="missing") as exc:
        Decisions.load(tmp_path / MODEL_FILE)
    assert "drafter train" in exc.value.hint


def test_a_corrupt_model_is_refused(models):
    (models / MODEL_FILE).write_bytes(b"PK\x03\x04 not really an archive")
    card = json.loads((models / CARD_FILE).read_text())
    card.pop("sha256")  # no checksum to catch it: the reader itself must refuse
    (models / CARD_FILE).write_text(json.dumps(card))
    with pytest.raises(ModelError, match="corrupt or unreadable"):
        Decisions.load(models / MODEL_FILE)


def test_a_tampered_model_does_not_match_its_card(models):
    decisions = Decisions.load(models / MODEL_FILE)
    decisions["victim"].coef[:] = 0.0
    decisions.save(models / MODEL_FILE)
    with pytest.raises(ModelError, match="does not match its model card"):
        Decisions.load(models / MODEL_FILE)


def test_malformed_weights_are_refused(models):
    with np.load(models / MODEL_FILE) as z:
        arrays = dict(z)
    arrays["chains.coef"] = arrays["chains.coef"][:-1]
    np.savez(models / MODEL_FILE, **arrays)
    card = json.loads((models / CARD_FILE).read_text())
    card.pop("sha256")
    (models / CARD_FILE).write_text(json.dumps(card))
    with pytest.raises(ModelError, match="malformed"):
        Decisions.load(models / MODEL_FILE)


def test_a_refused_model_falls_back_to_the_previous_one(models, capsys):
    (models / "previous").mkdir()
    shutil.copy2(models / MODEL_FILE, models / "previous" / MODEL_FILE)
    shutil.copy2(models / CARD_FILE, models / "previous" / CARD_FILE)
    (models / MODEL_FILE).write_bytes(b"garbage")
    decisions = Decisions.load(models / MODEL_FILE)
    assert set(decisions.by_field) == set(FIELDS)
    assert "using the previous fact decisions" in capsys.readouterr().err


def test_extract_with_a_corrupt_decision_model_says_what_to_do(models, tmp_path):
    import subprocess

    (models / MODEL_FILE).write_bytes(b"garbage")
    proc = subprocess.run(
        [sys.executable, "-m", "drafter", "extract", str(ROOT / "corpus/samples/wintermute-news.html")],
        capture_output=True, text=True, env={"DRAFTER_MODELS_DIR": str(models),
                                             "DRAFTER_HOME": str(tmp_path / "home"),
                                             "PATH": "/usr/bin:/bin"}, cwd=ROOT)
    assert proc.returncode != 0
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1 and "fact-decision model" in lines[0]
    assert "Traceback" not in proc.stderr


def test_a_pick_pools_candidates_of_the_same_value():
    d = Decision("funds_stolen_usd", ("x",), np.array([1.0]), 0.0, np.zeros(1), np.ones(1),
                 np.array([1.0, 0.0, 0.0]))
    rows = [{"x": 2.0}, {"x": 2.0}, {"x": 2.5}]
    best, alone = d.pick(rows)
    assert best == 2
    _, pooled = d.pick(rows, [10.0, 10.0, 10.5], lambda a, b: abs(a - b) <= 0.1 * a)
    assert pooled > alone  # three statements of about the same figure are one answer


def test_one_of_gives_each_value_its_own_features_and_bias():
    assert one_of("recovered", {"full": 1.0}) == {"recovered:full": 1.0, "recovered:bias": 1.0}


# training -----------------------------------------------------------------------------------

def small_examples(n: int = 160) -> list[tf.Example]:
    """A slice of the corpus with every register, to train quickly."""
    examples = tf.corpus_examples(augment=False)
    long_form = [e for e in examples if e.article.published][: n // 2]
    short = [e for e in examples if not e.article.published][: n // 2]
    return long_form + short


def test_training_writes_every_decision_with_a_card(tmp_path):
    results = tf.train_facts(directory=tmp_path, examples=small_examples(), log=lambda m: None)
    assert {r.name for r in results} == set(FIELDS) and all(r.promoted for r in results)
    card = json.loads((tmp_path / CARD_FILE).read_text())
    assert set(card["fields"]) == set(FIELDS)
    for name in FIELDS:
        entry = card["fields"][name]
        assert entry["held_out_new"] is not None and entry["cv_grouped_by_incident"] is not None
        lo, hi = entry["held_out_new_95"]
        assert lo <= entry["held_out_new"] <= hi
    Decisions.load(tmp_path / MODEL_FILE)  # what was written reads back and matches its card


def test_the_promotion_guard_keeps_a_better_decision_unless_forced(tmp_path):
    examples = small_examples()
    tf.train_facts(directory=tmp_path, examples=examples, log=lambda m: None)
    before = Decisions.load(tmp_path / MODEL_FILE)
    # the same held-out incidents, but only a handful of articles to learn from: worse
    held = [e for e in examples if tf.held_out(e.group)]
    few = [e for e in examples if not tf.held_out(e.group)][:12]
    results = tf.train_facts(directory=tmp_path, examples=held + few, log=lambda m: None)
    worse = [r for r in results if r.held_out_new < r.held_out_old]
    assert worse, "a model trained on 12 articles should lose somewhere"
    after = Decisions.load(tmp_path / MODEL_FILE)
    for r in worse:
        assert not r.promoted
        assert np.allclose(after[r.name].coef, before[r.name].coef)  # the better one stays
    forced = tf.train_facts(directory=tmp_path, examples=held + few, force=True,
                            log=lambda m: None)
    assert all(r.promoted for r in forced)


def test_reviewer_decisions_become_training_examples(pipeline):
    store = Store()
    d = dossiers.draft(store, pipeline, [str(ROOT / "tests/data/atomic-a.html")]).dossier
    review.edit(store, d.facts["funds_stolen_usd"].id, "funds_stolen_usd", "$35 million",
                reviewer="ana")
    review.accept(store, d.facts["victim"].id, reviewer="ana")
    chain = d.lists["chains"][0]
    review.reject(store, chain.id, reviewer="ana")
    examples = tf.store_examples(store)
    assert len(examples) == 1 and examples[0].origin == "review"
    ex = examples[0]
    assert ex.gold["funds_stolen_usd"] == [35_000_000]
    assert ex.gold["victim"] == [d.facts["victim"].value]
    assert ex.rejected["chains"] == [chain.value]
    assert ex.gold["incident_date"] is None  # not reviewed: not a label
    assert isinstance(ex.article, Article) and ex.article.text


def test_accepted_and_rejected_list_items_label_the_candidates(pipeline):
    store = Store()
    d = dossiers.draft(store, pipeline, [str(ROOT / "tests/data/atomic-a.html")]).dossier
    kept, dropped = d.lists["chains"][0], d.lists["chains"][1]
    review.accept(store, kept.id, reviewer="ana")
    review.reject(store, dropped.id, reviewer="ana")
    examples = tf.store_examples(store)
    table = tf.collect(examples, Decisions.load())["chains"]
    labels = dict(zip(chain_names(examples), table.labels))
    assert labels[kept.value] == 1 and labels[dropped.value] == 0


def chain_names(examples):
    """The chain each row of the chains table stands for, in order (the tagger lists them
    sorted by name per article)."""
    from drafter.tag import Tagger

    tagger = Tagger()
    tagger.observed = []
    tagger.tag_many([e.article for e in examples], categories=[e.category for e in examples])
    return [c for obs in tagger.observed for _, c in obs["chains"]]
