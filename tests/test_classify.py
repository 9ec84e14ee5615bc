"""The category classifier: training, promotion guard, skops round trip, trust, explanations."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from drafter import config, corpus
from drafter.classify import CARD_FILE, Classifier, document
from drafter.errors import ModelError
from drafter.records import Article, Facts
from drafter.store import Store
from drafter.train import dataset, train

SMALL = ["consensus-attack", "governance-attack", "rug-pull"]


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory) -> Path:
    """A three-category slice of the real corpus, with the taxonomy beside it."""
    root = tmp_path_factory.mktemp("corpus")
    (root / "writeups").mkdir()
    for cat in SMALL:
        shutil.copy(config.corpus_dir() / "writeups" / f"{cat}.jsonl", root / "writeups")
    shutil.copy(config.corpus_dir() / "taxonomy.json", root)
    return root


@pytest.fixture(scope="module")
def trained(small_corpus, tmp_path_factory) -> Path:
    models = tmp_path_factory.mktemp("models")
    outcome = train(directory=models, root=small_corpus, folds=3)
    assert outcome.promoted
    return models


def test_training_on_a_small_labelled_set(trained):
    card = json.loads((trained / CARD_FILE).read_text())
    assert card["labels"] == SMALL
    assert card["cv"]["macro_f1"] > 0.8
    assert card["cv"]["grouped_by"] == "incident"
    assert {"scikit-learn", "skops", "numpy"} <= set(card["versions"])
    assert card["corpus_sha256"]


def test_skops_round_trip_predicts_and_explains(trained):
    clf = Classifier.load(trained)
    text = ("Miners rented enough hashrate to perform a 51% attack, reorganising the chain and "
            "double-spending coins deposited at two exchanges.")
    [pred] = clf.predict([document("Chain suffers 51% attack", text)])
    assert pred.category == "consensus-attack"
    assert set(pred.scores) == set(SMALL)
    assert abs(sum(pred.scores.values()) - 1.0) < 0.01
    assert pred.terms and all(isinstance(t, str) for t in pred.terms)
    assert 0.0 <= pred.uncertainty <= 1.0


def test_the_category_fact_carries_scores_for_every_category(trained):
    clf = Classifier.load(trained)
    article = Article(source="s", url=None, title="Founders vanish with investor money",
                      text="The founders of the yield project deleted the website and moved "
                           "the pooled deposits to their own wallets before disappearing.")
    fact = clf.add_category(article, Facts()).get("category")
    assert fact.value == "rug-pull"
    assert set(fact.extra["scores"]) == set(SMALL)
    assert fact.confidence == pytest.approx(fact.extra["scores"]["rug-pull"], abs=1e-3)
    assert type(fact.value) is str


def test_a_worse_model_is_not_promoted_unless_forced(small_corpus, tmp_path):
    models = tmp_path / "models"
    first = train(directory=models, root=small_corpus, folds=3)
    card = json.loads((models / CARD_FILE).read_text())
    card["cv"]["macro_f1"] = 1.01  # pretend the current model is better than anything
    (models / CARD_FILE).write_text(json.dumps(card))
    second = train(directory=models, root=small_corpus, folds=3)
    assert not second.promoted and "kept the current model" in second.message
    assert json.loads((models / CARD_FILE).read_text())["cv"]["macro_f1"] == 1.01
    forced = train(directory=models, root=small_corpus, folds=3, force=True)
    assert forced.promoted
    assert json.loads((models / CARD_FILE).read_text())["cv"]["macro_f1"] < 1.01
    assert first.report.macro_f1 == forced.report.macro_f1  # fixed random state


def test_a_model_file_with_an_untrusted_type_is_refused(trained, tmp_path):
    import skops.io as sio

    from drafter.classify import file_sha256

    models = tmp_path / "tampered"
    models.mkdir()
    bad = models / "classifier-bad.skops"
    sio.dump({"payload": Path("/etc/passwd")}, bad)  # a type the loader never trusts
    (models / CARD_FILE).write_text(json.dumps({"file": bad.name, "sha256": file_sha256(bad)}))
    with pytest.raises(ModelError, match="untrusted types"):
        Classifier.load(models)


def test_a_model_that_does_not_match_its_card_is_refused(trained, tmp_path):
    models = tmp_path / "mismatch"
    shutil.copytree(trained, models)
    card = json.loads((models / CARD_FILE).read_text())
    with open(models / card["file"], "ab") as fh:
        fh.write(b"tampered")
    with pytest.raises(ModelError, match="does not match its model card"):
        Classifier.load(models)


def test_a_missing_model_names_the_fix(tmp_path):
    with pytest.raises(ModelError) as err:
        Classifier.load(tmp_path)
    assert "drafter train" in err.value.hint


def test_approved_dossiers_join_the_training_data():
    store = Store()
    with store.transaction() as db:
        db.execute("INSERT INTO dossiers (number, title, category, state, data, created_at,"
                   " updated_at) VALUES (1, 'T', 'rug-pull', 'approved', '{}', 'now', 'now')")
        db.execute("INSERT INTO training_examples (dossier_id, category, text, approved_at)"
                   " VALUES (1, 'rug-pull', 'the founders left with the money', 'now')")
    data = dataset(store)
    assert data.from_store == 1
    assert len(data.docs) == len(corpus.load()) + 1
    assert data.labels[-1] == "rug-pull"


def test_the_shipped_model_loads_and_knows_every_category():
    clf = Classifier.load()
    assert sorted(clf.labels) == sorted(corpus.category_ids())
    assert clf.card["cv"]["macro_f1"] >= 0.8


def test_the_prediction_archive_predicts_what_the_pipeline_predicts(trained, small_corpus):
    """The NumPy archive and the skops pipeline give the same probabilities, to rounding."""
    import numpy as np

    from drafter.classify import load_pipeline

    card = json.loads((trained / CARD_FILE).read_text())
    pipeline = load_pipeline(trained / card["file"])
    docs = dataset(root=small_corpus).docs[:60]
    expected = pipeline.predict_proba(docs)
    got, _ = Classifier.load(trained).model.predict_proba(docs)
    assert np.abs(expected - got).max() < 1e-9


def test_a_card_without_an_archive_is_served_from_the_skops_file(trained, tmp_path):
    """Models written before the archive existed (say in models/previous) still load."""
    models = tmp_path / "older"
    shutil.copytree(trained, models)
    card = json.loads((models / CARD_FILE).read_text())
    (models / card.pop("inference")["file"]).unlink()
    (models / CARD_FILE).write_text(json.dumps(card))
    doc = document("Founders vanish", "The founders deleted the site and kept the deposits.")
    [old] = Classifier.load(models).predict([doc])
    [new] = Classifier.load(trained).predict([doc])
    assert (old.category, old.scores, old.terms) == (new.category, new.scores, new.terms)


def test_predicting_imports_neither_scikit_learn_nor_skops():
    import subprocess
    import sys

    code = ("import sys; from drafter.classify import Classifier, document; "
            "c = Classifier.load(); c.predict([document('Bridge drained', 'Keys were stolen.')]); "
            "print(sorted(m for m in ('sklearn', 'skops', 'scipy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
