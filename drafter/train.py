"""Train: the seed corpus plus reviewer-approved dossiers in, a better classifier (or none) out.

Cross-validation is grouped by incident (no incident is in both a training and a test fold) and
stratified by category, with a fixed random state. The new model replaces the current one only
when its cross-validated macro-F1 is not lower, unless forced. Promotion is atomic: the model
file is written under a new name first, then the card that points to it is replaced in one
rename, so a crash leaves either the old model or the new one, never half of each.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import config, corpus
from .classify import CARD_FILE, RANDOM_STATE, build_pipeline, document, file_sha256
from .errors import ModelError


@dataclass
class Dataset:
    docs: list[str]
    labels: list[str]
    groups: list[str]
    from_store: int = 0


@dataclass
class Report:
    labels: list[str]
    accuracy: float
    macro_f1: float
    per_class: dict[str, dict[str, float]]
    confusion: list[list[int]]
    n: int
    extra: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"accuracy": round(self.accuracy, 4), "macro_f1": round(self.macro_f1, 4),
                "per_class": self.per_class, "confusion": self.confusion, "labels": self.labels,
                "n": self.n}


def dataset(store=None, root: Path | None = None) -> Dataset:
    records = corpus.load(root)
    docs = [document(r.title, r.text) for r in records]
    labels = [r.category for r in records]
    groups = [r.incident for r in records]
    extra = 0
    if store is not None:
        for ex in store.training_examples():
            docs.append(document(ex["title"], ex["text"]))
            labels.append(ex["category"])
            groups.append(f"dossier-{ex['dossier_id']}")
            extra += 1
    return Dataset(docs, labels, groups, extra)


def score(labels: list[str], truth: list[str], predicted: list[str], **extra) -> Report:
    from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

    p, r, f, support = precision_recall_fscore_support(truth, predicted, labels=labels,
                                                       zero_division=0)
    per_class = {lab: {"precision": round(float(p[i]), 3), "recall": round(float(r[i]), 3),
                       "f1": round(float(f[i]), 3), "support": int(support[i])}
                 for i, lab in enumerate(labels)}
    present = [i for i, lab in enumerate(labels) if support[i] > 0]
    macro = float(sum(f[i] for i in present) / len(present)) if present else 0.0
    cm = confusion_matrix(truth, predicted, labels=labels).tolist()
    return Report(labels, float(accuracy_score(truth, predicted)), macro, per_class, cm,
                  len(truth), extra)


def cross_validate(data: Dataset, folds: int = 5) -> Report:
    from sklearn.model_selection import StratifiedGroupKFold

    labels = sorted(set(data.labels))
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=RANDOM_STATE)
    predicted = [""] * len(data.docs)
    for train_idx, test_idx in splitter.split(data.docs, data.labels, data.groups):
        model = build_pipeline()
        model.fit([data.docs[i] for i in train_idx], [data.labels[i] for i in train_idx])
        for i, label in zip(test_idx, model.predict([data.docs[i] for i in test_idx])):
            predicted[i] = label
    return score(labels, data.labels, predicted)


def slim(model) -> None:
    """Drop what prediction never reads: the vectorisers' pruned-term sets (most of the file)."""
    for _, vectorizer in model.named_steps["features"].transformer_list:
        if hasattr(vectorizer, "stop_words_"):
            vectorizer.stop_words_ = None


def versions() -> dict[str, str]:
    import numpy
    import scipy
    import sklearn
    import skops

    return {"python": platform.python_version(), "scikit-learn": sklearn.__version__,
            "skops": skops.__version__, "numpy": numpy.__version__, "scipy": scipy.__version__}


def model_files(card: dict) -> list[str]:
    """The file names a model card refers to."""
    names = [str(card.get("file", ""))]
    if isinstance(card.get("inference"), dict):
        names.append(str(card["inference"].get("file", "")))
    return [Path(n).name for n in names if n]


def export_for_prediction(model, docs: list[str]):
    """The fitted pipeline as a `LinearTextModel`, checked to predict what the pipeline predicts
    on every training document."""
    import numpy as np

    from .linear import LinearTextModel

    exported = LinearTextModel.from_pipeline(model)
    expected = model.predict_proba(docs)
    got, _ = exported.predict_proba(docs)
    gap = float(np.abs(expected - got).max()) if len(docs) else 0.0
    if gap > 1e-9:
        raise ModelError(f"the prediction archive disagrees with the scikit-learn model "
                         f"(largest difference {gap:.2g})",
                         "check that scikit-learn is the version in requirements/constraints.txt")
    return exported


@dataclass
class Outcome:
    report: Report
    promoted: bool
    previous_macro_f1: float | None
    path: Path
    seconds: float
    message: str


def current_card(directory: Path) -> dict | None:
    try:
        return json.loads((directory / CARD_FILE).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def train(store=None, directory: Path | None = None, force: bool = False,
          root: Path | None = None, folds: int = 5) -> Outcome:
    """Cross-validate, fit on everything, and promote the model if it is not worse."""
    import skops.io as sio

    started = time.perf_counter()
    directory = Path(directory) if directory else config.models_dir()
    directory.mkdir(parents=True, exist_ok=True)
    data = dataset(store, root)
    report = cross_validate(data, folds)
    model = build_pipeline()
    model.fit(data.docs, data.labels)
    slim(model)
    previous = current_card(directory)
    prev_f1 = previous.get("cv", {}).get("macro_f1") if previous else None
    better = prev_f1 is None or report.macro_f1 >= prev_f1 - 1e-9
    seconds = time.perf_counter() - started
    if not (better or force):
        return Outcome(report, False, prev_f1, directory / previous["file"], seconds,
                       f"kept the current model: its macro-F1 {prev_f1:.3f} is higher than the "
                       f"new model's {report.macro_f1:.3f} (use --force to replace it anyway)")
    exported = export_for_prediction(model, data.docs)
    tmp = directory / f".classifier-{os.getpid()}.tmp"
    sio.dump(model, tmp)
    digest = file_sha256(tmp)
    final = directory / f"classifier-{digest[:12]}.skops"
    archive_tmp = directory / f".classifier-{os.getpid()}.npz.tmp"
    exported.save(archive_tmp)
    archive = directory / f"classifier-{digest[:12]}.npz"
    os.replace(tmp, final)
    os.replace(archive_tmp, archive)
    card = {
        "file": final.name,
        "sha256": digest,
        "inference": {"file": archive.name, "sha256": file_sha256(archive),
                      "format": "drafter.linear NumPy archive, read with allow_pickle=False"},
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "labels": list(model.classes_),
        "corpus_sha256": corpus.digest(root),
        "training_documents": len(data.docs),
        "from_approved_dossiers": data.from_store,
        "random_state": RANDOM_STATE,
        "pipeline": "word 1-2-gram + char_wb 3-5-gram TF-IDF -> LinearSVC, sigmoid-calibrated",
        "cv": {"folds": folds, "grouped_by": "incident", **report.to_json()},
        "versions": versions(),
        "train_seconds": round(seconds, 2),
    }
    card_tmp = directory / f".card-{os.getpid()}.tmp"
    card_tmp.write_text(json.dumps(card, indent=1) + "\n", encoding="utf-8")
    os.replace(card_tmp, directory / CARD_FILE)
    kept = set(model_files(previous)) if previous else set()
    for old in [*directory.glob("classifier-*.skops"), *directory.glob("classifier-*.npz")]:
        if old not in (final, archive) and old.name not in kept:
            old.unlink(missing_ok=True)
    if previous and previous.get("file") != final.name:
        backup = directory / "previous"
        backup.mkdir(exist_ok=True)
        for name in kept:
            if (directory / name).exists():
                os.replace(directory / name, backup / name)
        (backup / CARD_FILE).write_text(json.dumps(previous, indent=1) + "\n")
    verb = "replaced" if previous else "wrote"
    note = "" if better else " (forced, although it scores lower)"
    return Outcome(report, True, prev_f1, final, seconds,
                   f"{verb} the model: macro-F1 {report.macro_f1:.3f}"
                   + (f" (was {prev_f1:.3f})" if prev_f1 is not None else "") + note)


def format_report(report: Report) -> str:
    """Per-class table and confusion matrix, for the terminal."""
    short = {lab: "".join(w[0] for w in lab.split("-")).upper() for lab in report.labels}
    lines = [f"{'category':30s} {'prec':>6s} {'rec':>6s} {'f1':>6s} {'n':>5s}"]
    for lab in report.labels:
        c = report.per_class[lab]
        lines.append(f"{lab + ' (' + short[lab] + ')':30s} {c['precision']:6.3f} {c['recall']:6.3f}"
                     f" {c['f1']:6.3f} {c['support']:5d}")
    lines.append(f"{'accuracy':30s} {report.accuracy:20.3f} {report.n:5d}")
    lines.append(f"{'macro-F1':30s} {report.macro_f1:20.3f}")
    lines.append("")
    lines.append("confusion matrix (rows: truth, columns: predicted)")
    lines.append("      " + " ".join(f"{short[lab]:>4s}" for lab in report.labels))
    for lab, row in zip(report.labels, report.confusion):
        lines.append(f"{short[lab]:>5s} " + " ".join(f"{v:4d}" for v in row))
    return "\n".join(lines)


def labelled_pages(folder: Path) -> list[tuple[Path, str]]:
    """Saved pages (*.html, *.txt) with a ground-truth .json beside them naming a category."""
    out = []
    for page in sorted([*folder.glob("*.html"), *folder.glob("*.htm"), *folder.glob("*.txt")]):
        truth = page.with_suffix(".json")
        if truth.exists():
            category = json.loads(truth.read_text(encoding="utf-8")).get("category")
            if category:
                out.append((page, category))
    return out


def evaluate(classifier, folder: Path) -> Report:
    """Score `classifier` on a folder of labelled pages."""
    from .config import FetchSettings
    from .errors import DrafterError
    from .extract import extract
    from .fetch import read_local

    pages = labelled_pages(folder)
    docs, truth, failed = [], [], []
    for page, category in pages:
        try:
            article = extract(read_local(str(page), FetchSettings()))
        except DrafterError as exc:
            failed.append(f"{page.name}: {exc.message}")
            continue
        docs.append(document(article.title, article.text))
        truth.append(category)
    predicted = [p.category for p in classifier.predict(docs, explain=0)] if docs else []
    labels = sorted(set(classifier.labels) | set(truth))
    report = score(labels, truth, predicted, failed=failed)
    report.extra["misses"] = [f"{page.name}: got {p}, want {t}" for (page, _), p, t in
                              zip([x for x in pages], predicted, truth) if p != t]
    return report
