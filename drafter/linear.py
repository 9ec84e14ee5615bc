"""The category model's prediction path in plain NumPy: no scikit-learn, no skops at run time.

`drafter train` fits a scikit-learn pipeline (word and char_wb TF-IDF, a sigmoid-calibrated
linear SVM) and saves it with skops. Prediction needs only the fitted numbers: both
vocabularies with their IDF weights, the SVM's weights and intercepts and the calibrators'
sigmoid parameters. `LinearTextModel` holds exactly those, computes the same features and the
same calibrated probabilities as the pipeline, and is stored beside the skops file as a NumPy
archive that is read with `allow_pickle=False` (arrays only, no code). Importing scikit-learn
and skops took half of a cold start.

`from_pipeline` is the only place that reads scikit-learn objects; `drafter train` checks that
the two agree on every training document before it writes anything.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

FORMAT = 1
WHITE_SPACES = re.compile(r"\s\s+")


@dataclass
class Vocabulary:
    """One TF-IDF feature block: its terms, their IDF weights and how terms are made."""

    terms: dict[str, int]
    idf: np.ndarray
    analyzer: str
    """"word" or "char_wb"."""
    ngram_range: tuple[int, int]
    token_pattern: re.Pattern[str] | None
    stop_words: frozenset[str]
    _per_word: dict[str, list[int]] = field(default_factory=dict, repr=False)

    def grams(self, doc: str) -> list[str]:
        """The n-grams of `doc`, as the vectoriser that learned this vocabulary makes them."""
        doc = doc.lower()
        low, high = self.ngram_range
        if self.analyzer == "char_wb":
            out = []
            for word in WHITE_SPACES.sub(" ", doc).split():
                word = f" {word} "
                for n in range(low, high + 1):
                    offset = 0
                    out.append(word[offset:offset + n])
                    while offset + n < len(word):
                        offset += 1
                        out.append(word[offset:offset + n])
                    if offset == 0:  # a word shorter than n counts once
                        break
            return out
        assert self.token_pattern is not None
        tokens = [t for t in self.token_pattern.findall(doc) if t not in self.stop_words]
        out = list(tokens) if low == 1 else []
        for n in range(max(low, 2), min(high, len(tokens)) + 1):
            out.extend(" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
        return out

    def word_features(self, word: str) -> list[int]:
        """The known character n-grams of one word (char_wb: n-grams never cross words)."""
        found = self._per_word.get(word)
        if found is None:
            if len(self._per_word) > 200_000:
                self._per_word.clear()
            found = self._per_word[word] = [
                j for j in map(self.terms.get, self.grams(word)) if j is not None]
        return found

    def features(self, doc: str) -> tuple[np.ndarray, np.ndarray]:
        """(indices, values) of `doc`'s sublinear, IDF-weighted, L2-normalised TF-IDF row."""
        if self.analyzer == "char_wb":  # words repeat: count each distinct word's n-grams once
            counts: Counter[int] = Counter()
            for word, n in Counter(WHITE_SPACES.sub(" ", doc.lower()).split()).items():
                for j in self.word_features(word):
                    counts[j] += n
        else:
            counts = Counter(j for j in map(self.terms.get, self.grams(doc)) if j is not None)
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        idx = np.fromiter(sorted(counts), dtype=np.int64, count=len(counts))
        tf = np.array([counts[j] for j in idx], dtype=np.float64)
        values = (np.log(tf) + 1.0) * self.idf[idx]
        norm = np.sqrt(np.dot(values, values))
        return idx, values / norm if norm > 0 else values


class LinearTextModel:
    """Calibrated linear classifier over word and character TF-IDF features."""

    def __init__(self, labels: list[str], words: Vocabulary, chars: Vocabulary,
                 coef: np.ndarray, intercept: np.ndarray, cal_a: np.ndarray,
                 cal_b: np.ndarray) -> None:
        self.labels = labels
        self.words = words
        self.chars = chars
        self.coef = coef            # (n_labels, n_word_features + n_char_features)
        self.intercept = intercept  # (n_labels,)
        self.cal_a = cal_a          # (n_labels,) sigmoid calibration, per label
        self.cal_b = cal_b
        self.n_words = len(words.idf)

    def predict_proba(self, docs: list[str]) -> tuple[np.ndarray, list[tuple]]:
        """Calibrated probabilities (one row per document, columns in `labels` order) and each
        document's word features (indices, values), which explain the prediction."""
        probs = np.zeros((len(docs), len(self.labels)))
        word_rows = []
        for i, doc in enumerate(docs):
            w_idx, w_val = self.words.features(doc)
            c_idx, c_val = self.chars.features(doc)
            scores = (self.coef[:, w_idx] @ w_val + self.coef[:, self.n_words + c_idx] @ c_val
                      + self.intercept)
            p = 1.0 / (1.0 + np.exp(self.cal_a * scores + self.cal_b))
            total = p.sum()
            p = p / total if total != 0 else np.full_like(p, 1.0 / len(p))
            p[(p > 1.0) & (p <= 1.0 + 1e-5)] = 1.0
            probs[i] = p
            word_rows.append((w_idx, w_val))
        return probs, word_rows

    def word_terms(self) -> list[str]:
        terms = [""] * self.n_words
        for term, j in self.words.terms.items():
            terms[j] = term
        return terms

    # reading and writing ----------------------------------------------------------------------

    @classmethod
    def from_pipeline(cls, pipeline) -> LinearTextModel:
        """The numbers a fitted drafter pipeline predicts with (see classify.build_pipeline)."""
        (_, words), (_, chars) = pipeline.named_steps["features"].transformer_list
        calibrated = pipeline.named_steps["model"].calibrated_classifiers_
        if len(calibrated) != 1 or calibrated[0].method != "sigmoid":
            raise ValueError("expected one sigmoid-calibrated classifier (ensemble=False)")
        svm = calibrated[0].estimator
        labels = [str(c) for c in pipeline.classes_]
        if [str(c) for c in svm.classes_] != labels or len(labels) < 3:
            raise ValueError("expected a multi-class model whose classes are in label order")
        a = np.array([c.a_ for c in calibrated[0].calibrators], dtype=np.float64)
        b = np.array([c.b_ for c in calibrated[0].calibrators], dtype=np.float64)
        return cls(labels, _vocabulary(words), _vocabulary(chars),
                   np.asarray(svm.coef_, dtype=np.float64),
                   np.asarray(svm.intercept_, dtype=np.float64), a, b)

    def save(self, path: Path) -> None:
        arrays = {"format": np.array(FORMAT), "labels": np.array(self.labels),
                  "coef": self.coef, "intercept": self.intercept,
                  "cal_a": self.cal_a, "cal_b": self.cal_b}
        for name, vocab in (("words", self.words), ("chars", self.chars)):
            terms = sorted(vocab.terms, key=vocab.terms.get)
            arrays[f"{name}_terms"] = np.array(terms, dtype=str)
            arrays[f"{name}_idf"] = vocab.idf
            arrays[f"{name}_analyzer"] = np.array(vocab.analyzer)
            arrays[f"{name}_ngram_range"] = np.array(vocab.ngram_range)
            arrays[f"{name}_token_pattern"] = np.array(
                vocab.token_pattern.pattern if vocab.token_pattern else "")
            arrays[f"{name}_stop_words"] = np.array(sorted(vocab.stop_words), dtype=str)
        with open(path, "wb") as fh:
            np.savez_compressed(fh, **arrays)

    @classmethod
    def load(cls, path: Path) -> LinearTextModel:
        """Read a saved model; raises ValueError (or OSError) for a file that is not one."""
        with np.load(path, allow_pickle=False) as data:
            if int(data["format"]) != FORMAT:
                raise ValueError(f"unknown model format {int(data['format'])}")
            vocabs = {}
            for name in ("words", "chars"):
                pattern = str(data[f"{name}_token_pattern"])
                terms = data[f"{name}_terms"].tolist()
                vocabs[name] = Vocabulary(
                    terms={t: i for i, t in enumerate(terms)},
                    idf=data[f"{name}_idf"].astype(np.float64),
                    analyzer=str(data[f"{name}_analyzer"]),
                    ngram_range=tuple(int(n) for n in data[f"{name}_ngram_range"]),
                    token_pattern=re.compile(pattern) if pattern else None,
                    stop_words=frozenset(data[f"{name}_stop_words"].tolist()))
            model = cls([str(x) for x in data["labels"]], vocabs["words"], vocabs["chars"],
                        data["coef"].astype(np.float64), data["intercept"].astype(np.float64),
                        data["cal_a"].astype(np.float64), data["cal_b"].astype(np.float64))
        n_features = len(model.words.idf) + len(model.chars.idf)
        if model.coef.shape != (len(model.labels), n_features) or \
                model.intercept.shape != (len(model.labels),):
            raise ValueError("the weights do not fit the vocabularies")
        return model


def _vocabulary(vectorizer) -> Vocabulary:
    """One fitted TfidfVectorizer's transform, as data."""
    settings = vectorizer.get_params()
    if settings["analyzer"] not in ("word", "char_wb") or not settings["lowercase"] or \
            settings["strip_accents"] or settings["preprocessor"] or settings["tokenizer"] or \
            settings["norm"] != "l2" or not settings["use_idf"] or not settings["sublinear_tf"]:
        raise ValueError(f"unsupported vectoriser settings: {settings}")
    stop = vectorizer.get_stop_words() or frozenset()
    pattern = settings["token_pattern"] if settings["analyzer"] == "word" else None
    return Vocabulary(terms=dict(vectorizer.vocabulary_), idf=np.asarray(vectorizer.idf_,
                                                                         dtype=np.float64),
                      analyzer=settings["analyzer"], ngram_range=tuple(settings["ngram_range"]),
                      token_pattern=re.compile(pattern) if pattern else None,
                      stop_words=frozenset(stop))
