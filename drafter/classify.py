"""Classify: an article's text in, the attack category with ranked probabilities out.

One scikit-learn `Pipeline` (word and character n-gram TF-IDF, a calibrated linear SVM) over a
document in which the title and the lead are repeated so that they weigh more. `drafter train`
stores it with skops (loaded only with an explicit list of trusted types, never pickle) and, for
prediction, the same numbers as a NumPy archive (`drafter.linear`), beside a model card whose
checksums must match both files. Predicting imports neither scikit-learn nor skops.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from . import config
from .errors import ModelError
from .linear import LinearTextModel
from .records import Article, Fact, Facts

CARD_FILE = "classifier.card.json"
RANDOM_STATE = 0
TITLE_WEIGHT = 3
LEAD_WEIGHT = 2
LEAD_CHARS = 600

# Every type a drafter model file may contain. Anything else in a file is refused.
TRUSTED_TYPES = [
    "builtins.dict",
    "builtins.float",
    "builtins.int",
    "builtins.list",
    "builtins.str",
    "builtins.tuple",
    "numpy.dtype",
    "numpy.float64",
    "numpy.int64",
    "numpy.ndarray",
    "scipy.sparse._csr.csr_matrix",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "drafter.classify.CompactTfidf",
    "sklearn.pipeline.FeatureUnion",
    "sklearn.pipeline.Pipeline",
    "sklearn.preprocessing._label.LabelEncoder",
    "sklearn.svm._classes.LinearSVC",
]


def document(title: str, text: str) -> str:
    """The classifier's view of an article: title and lead repeated so they count more."""
    title = (title or "").strip()
    body = (text or "").strip()
    if title and body.startswith(title):
        body = body[len(title):].lstrip()
    lead = body[:LEAD_CHARS]
    return "\n".join([title] * TITLE_WEIGHT + [lead] * LEAD_WEIGHT + [body])


@functools.cache
def compact_tfidf() -> type:
    """`CompactTfidf`, defined on first use so that importing this module (to predict) does not
    import scikit-learn. skops finds the class as `drafter.classify.CompactTfidf` through the
    module's `__getattr__`."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    class CompactTfidf(TfidfVectorizer):
        """TF-IDF whose vocabulary is saved as two arrays instead of a dict.

        skops writes a dict entry by entry, which made the model file 30 MB and slow to load;
        two NumPy arrays save and load in milliseconds and need no extra trusted type.
        """

        def __getstate__(self):
            state = super().__getstate__()
            vocab = state.pop("vocabulary_", None)
            if vocab is not None:
                import numpy as np

                terms = sorted(vocab, key=vocab.get)
                state["vocabulary_terms_"] = np.array(terms, dtype=str)
            return state

        def __setstate__(self, state):
            terms = state.pop("vocabulary_terms_", None)
            super().__setstate__(state)
            if terms is not None:
                self.vocabulary_ = {str(t): i for i, t in enumerate(terms.tolist())}

    CompactTfidf.__module__ = __name__
    CompactTfidf.__qualname__ = "CompactTfidf"
    return CompactTfidf


def __getattr__(name: str):
    if name == "CompactTfidf":
        return compact_tfidf()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def build_pipeline(random_state: int = RANDOM_STATE):
    """The untrained pipeline: features and a calibrated linear model, fixed randomness."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.pipeline import FeatureUnion, Pipeline
    from sklearn.svm import LinearSVC

    tfidf = compact_tfidf()
    words = tfidf(analyzer="word", ngram_range=(1, 2), min_df=2, sublinear_tf=True,
                            lowercase=True, token_pattern=r"(?u)\b[a-z][a-z0-9%'-]+\b",
                            stop_words="english", max_df=0.6)
    chars = tfidf(analyzer="char_wb", ngram_range=(3, 5), min_df=3, sublinear_tf=True,
                            lowercase=True, max_features=30000)
    svm = LinearSVC(C=0.5, class_weight="balanced", random_state=random_state)
    model = CalibratedClassifierCV(svm, method="sigmoid", cv=3, ensemble=False)
    return Pipeline([("features", FeatureUnion([("words", words), ("chars", chars)])),
                     ("model", model)])


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class Prediction:
    category: str
    scores: dict[str, float]
    terms: list[str]
    """Words and phrases in the document that pushed it toward `category`."""
    uncertainty: float
    """0 when the model is sure, 1 when it cannot tell the top two categories apart."""


class Classifier:
    """A loaded, trusted classifier and its model card."""

    def __init__(self, model: LinearTextModel, card: dict) -> None:
        self.model = model
        self.card = card
        self.labels = list(model.labels)

    @classmethod
    def load(cls, directory: Path | None = None) -> Classifier:
        """Load the current model; if it is refused, fall back to the previous good one."""
        directory = Path(directory) if directory else config.models_dir()
        try:
            return cls(*load_model(directory))
        except ModelError as exc:
            previous = directory / "previous"
            if not (previous / CARD_FILE).exists():
                raise
            try:
                clf = cls(*load_model(previous))
            except ModelError:
                raise exc from None
            import sys

            print(f"warning: {exc.message}; using the previous model from "
                  f"{clf.card.get('created', 'an earlier training')} ({exc.hint})",
                  file=sys.stderr)
            return clf

    def predict(self, documents: Sequence[str], explain: int = 8) -> list[Prediction]:
        docs = list(documents)
        if not docs:
            return []
        probs, word_rows = self.model.predict_proba(docs)
        out = []
        for row, (indices, values) in zip(probs, word_rows):
            ranked = sorted(zip(self.labels, row), key=lambda kv: kv[1], reverse=True)
            best, p1 = ranked[0]
            p2 = ranked[1][1] if len(ranked) > 1 else 0.0
            terms = self.explain(indices, values, best, explain) if explain else []
            out.append(Prediction(best, {k: round(float(v), 4) for k, v in ranked}, terms,
                                  round(float(1.0 - (p1 - p2)), 4)))
        return out

    @functools.cached_property
    def _word_terms(self) -> list[str]:
        return self.model.word_terms()

    def explain(self, indices, values, category: str, k: int = 8) -> list[str]:
        """The k word features of one document (its word feature indices and values) with the
        largest positive contribution toward `category`."""
        weights = self.model.coef[self.labels.index(category), :self.model.n_words]
        contrib = values * weights[indices]
        pairs = sorted(zip(indices.tolist(), contrib.tolist()), key=lambda p: p[1], reverse=True)
        return [self._word_terms[j] for j, v in pairs[:k] if v > 0]

    def add_category(self, article: Article, facts: Facts) -> Facts:
        """Return `facts` with the category fact filled in."""
        return self.add_categories([article], [facts])[0]

    def predict_articles(self, articles: Sequence[Article]) -> list[Prediction]:
        return self.predict([document(a.title, a.text) for a in articles])

    def add_categories(self, articles: Sequence[Article], facts: Sequence[Facts],
                       predictions: Sequence[Prediction] | None = None) -> list[Facts]:
        """Return each article's facts with the category filled in (classifying the batch
        unless its `predictions` are given)."""
        preds = predictions if predictions is not None else self.predict_articles(articles)
        out = []
        for article, f, pred in zip(articles, facts, preds):
            start, end, sentence = evidence(article.text, pred.terms)
            fact = Fact(field="category", value=pred.category,
                        confidence=round(pred.scores[pred.category], 3),
                        text=article.text[start:end], start=start, end=end, sentence=sentence,
                        extra={"scores": pred.scores, "terms": pred.terms,
                               "uncertainty": pred.uncertainty})
            single = dict(f.single)
            single["category"] = fact
            out.append(Facts(single=single, lists=dict(f.lists)))
        return out


def evidence(text: str, terms: list[str]) -> tuple[int, int, str]:
    """Where the strongest explaining term first occurs, and its sentence."""
    for term in terms:
        m = re.search(rf"(?i)\b{re.escape(term)}\b", text)
        if m:
            s = max(text.rfind(". ", 0, m.start()), text.rfind("\n", 0, m.start())) + 1
            e_dot = text.find(". ", m.end())
            e_nl = text.find("\n", m.end())
            ends = [x for x in (e_dot + 1 if e_dot >= 0 else -1, e_nl) if x >= 0]
            e = min(ends) if ends else len(text)
            return m.start(), m.end(), text[s:e].strip()
    return 0, 0, ""


def load_model(directory: Path) -> tuple[LinearTextModel, dict]:
    """Load and verify the model in `directory`; raise `ModelError` with what to do.

    Both files the card names must match their checksums. Prediction reads the NumPy archive
    (`inference`), never the skops file; a card without one (models written before the archive
    existed) is served from the skops file, loaded with the trusted types only.
    """
    card_path = directory / CARD_FILE
    retrain = "run `drafter train` to rebuild it, or restore models/ from the repository"
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
        path = directory / Path(card["file"]).name
        inference = card.get("inference")
        archive = directory / Path(inference["file"]).name if inference else None
    except (OSError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ModelError(f"no usable category model in {directory}: the model card "
                         f"{card_path.name} is missing or unreadable", retrain) from exc
    for file, digest in ((path, card.get("sha256")),
                         (archive, inference.get("sha256") if inference else None)):
        if file is None:
            continue
        if not file.exists():
            raise ModelError(f"the model file {file} named by the model card is missing", retrain)
        if digest != file_sha256(file):
            raise ModelError(f"the model file {file} does not match its model card (checksum "
                             "differs)", retrain)
    if archive is not None:
        try:
            return LinearTextModel.load(archive), card
        except Exception as exc:  # noqa: BLE001 - numpy and zipfile raise several types
            raise ModelError(f"the model file {archive} is corrupt or could not be loaded "
                             f"({type(exc).__name__})", retrain) from exc
    pipeline = load_pipeline(path, retrain)
    try:
        return LinearTextModel.from_pipeline(pipeline), card
    except (ValueError, AttributeError, KeyError) as exc:
        raise ModelError(f"the model file {path} is not a drafter category model", retrain) from exc


def load_pipeline(path: Path, retrain: str = "run `drafter train` to rebuild it"):
    """The fitted scikit-learn pipeline in a skops file, loaded with the trusted types only."""
    import skops.io as sio

    try:
        return sio.load(path, trusted=TRUSTED_TYPES)
    except Exception as exc:  # noqa: BLE001 - skops raises several types for a bad file
        try:
            untrusted = [t for t in sio.get_untrusted_types(file=path) if t not in TRUSTED_TYPES]
        except Exception:  # noqa: BLE001
            untrusted = []
        if untrusted:
            raise ModelError(f"the model file {path} contains untrusted types: "
                             f"{', '.join(sorted(untrusted)[:3])}", retrain) from exc
        raise ModelError(f"the model file {path} is corrupt or could not be loaded "
                         f"({type(exc).__name__})", retrain) from exc
