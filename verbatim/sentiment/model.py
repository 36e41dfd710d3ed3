"""The trained sentiment model: n-grams + French rule features (+ optional USE embeddings) -> logistic regression.

Shipped: NB-weighted one-vs-rest logistic regression (``nb_scaling``, C = 4), chosen on unseen
insurers (GroupKFold by insurer) and the seen own sentences; see ``BENCHMARKS.md``.

Files written by :meth:`SentimentModel.save` (loaded without unpickling):

* ``weights.npz``: ``coef`` (3, n_features), ``intercept`` (3,), ``idf`` — read with ``allow_pickle=False``;
* ``params.json``: constructor parameters, classes, feature layout and training metadata.
"""

from __future__ import annotations

import json
import logging
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from verbatim.errors import ModelError
from verbatim.sentiment.features import NgramFeaturizer
from verbatim.sentiment.rules import FEATURE_NAMES, rule_features

log = logging.getLogger(__name__)

CLASSES: tuple[str, ...] = ("negatif", "neutre", "positif")
FORMAT = "verbatim.sentiment.v1"
WEIGHTS_FILE = "weights.npz"
PARAMS_FILE = "params.json"
RETRAIN_HINT = "retrain it with: python -m verbatim.sentiment.train --data ../shared/data/insurance_reviews_fr.csv.gz --out models/sentiment"


def default_model_dir() -> Path:
    """The repository's shipped model folder: ``<repo>/models/sentiment``."""
    return Path(__file__).resolve().parents[2] / "models" / "sentiment"


class SentimentModel:
    """Three-class French sentiment classifier, scikit-learn style.

    Args:
        C: inverse regularisation of the logistic regression.
        word_bits, char_bits, min_groups: see :class:`~verbatim.sentiment.features.NgramFeaturizer`.
        rule_scale: weight of the French rule features next to the n-grams.
        use_embeddings: add multilingual USE sentence embeddings as a third block.
        embedding_scale: weight of the embedding block.
        nb_scaling: NB-weighted one-vs-rest logistic regression (Wang & Manning 2012): one binary
            regression per class on the n-gram columns scaled by that class's log-count ratio
            (:func:`log_count_ratio`), probabilities = per-class sigmoids normalised to sum 1;
            ``False``: one multinomial regression (softmax). Both store the same arrays: the
            ratios are folded into ``coef_``, so scoring costs the same.
        nb_alpha: smoothing of the log-count ratios.
        seed: random seed of the solver.
    """

    def __init__(self, C: float = 4.0, word_bits: int = 18, char_bits: int = 19, min_groups: int = 3,
                 rule_scale: float = 1.0, use_embeddings: bool = False, embedding_scale: float = 1.0,
                 nb_scaling: bool = True, nb_alpha: float = 1.0, seed: int = 42) -> None:
        self.C = C
        self.word_bits = word_bits
        self.char_bits = char_bits
        self.min_groups = min_groups
        self.rule_scale = rule_scale
        self.use_embeddings = use_embeddings
        self.embedding_scale = embedding_scale
        self.nb_scaling = nb_scaling
        self.nb_alpha = nb_alpha
        self.seed = seed

    def get_params(self) -> dict[str, Any]:
        """Constructor parameters (JSON-serialisable)."""
        return {"C": self.C, "word_bits": self.word_bits, "char_bits": self.char_bits, "min_groups": self.min_groups,
                "rule_scale": self.rule_scale, "use_embeddings": self.use_embeddings,
                "embedding_scale": self.embedding_scale, "nb_scaling": self.nb_scaling, "nb_alpha": self.nb_alpha,
                "seed": self.seed}

    # ----- features -------------------------------------------------------------------------
    def _design(self, texts: list[str], embeddings: np.ndarray | None = None) -> sp.csr_matrix:
        blocks = [self.featurizer_.transform(texts), sp.csr_matrix(rule_features(texts) * self.rule_scale)]
        if self.use_embeddings:
            if embeddings is None:
                from verbatim.sentiment.embeddings import embed

                embeddings = embed(texts)
            blocks.append(sp.csr_matrix(embeddings * self.embedding_scale))
        return sp.hstack(blocks, format="csr")

    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise ModelError("SentimentModel is not fitted: call fit(texts, labels) or use load_sentiment_model(); "
                             + RETRAIN_HINT)

    # ----- scikit-learn API -------------------------------------------------------------------
    def fit(self, texts: list[str], labels: list[str] | np.ndarray, groups: np.ndarray | None = None,
            embeddings: np.ndarray | None = None, sample_weight: np.ndarray | None = None) -> SentimentModel:
        """Learn from texts and labels among :data:`CLASSES`; ``groups`` (company per text) drive ``min_groups``.

        ``embeddings`` (precomputed USE vectors, one row per text) avoid re-embedding in cross-validation;
        ``sample_weight`` multiplies the balanced class weights row by row.
        """
        texts = list(texts)
        labels = np.asarray(labels)
        unknown = sorted(set(labels.tolist()) - set(CLASSES))
        if unknown:
            raise ModelError(f"unknown sentiment labels {unknown}; expected one of {list(CLASSES)}")
        self.featurizer_ = NgramFeaturizer(self.word_bits, self.char_bits, self.min_groups).fit(texts, groups)
        X = self._design(texts, embeddings)
        n_ngrams = self.featurizer_.idf_.shape[0]
        # n-grams with zero IDF (masked) are all-zero columns: leave them out of the solver (5x faster)
        cols = np.r_[np.flatnonzero(self.featurizer_.idf_ > 0), np.arange(n_ngrams, X.shape[1])]
        self.coef_ = np.zeros((len(CLASSES), X.shape[1]), dtype=np.float32)
        X = X[:, cols]
        n_kept = int((self.featurizer_.idf_ > 0).sum())  # the kept n-gram columns come first in X
        self.intercept_ = np.zeros(len(CLASSES), dtype=np.float32)
        def regression() -> LogisticRegression:
            return LogisticRegression(C=self.C, class_weight="balanced", max_iter=300, tol=1e-3, random_state=self.seed)

        if self.nb_scaling:
            for k, c in enumerate(CLASSES):
                target = labels == c
                scale = np.ones(X.shape[1])
                scale[:n_kept] = log_count_ratio(X[:, :n_kept], target, self.nb_alpha)
                clf = regression()
                clf.fit(X @ sp.diags(scale), target.astype(int), sample_weight=sample_weight)
                self.coef_[k, cols] = clf.coef_[0] * scale  # w . (r * x) = (w * r) . x
                self.intercept_[k] = clf.intercept_[0]
        else:
            clf = regression()
            clf.fit(X, labels, sample_weight=sample_weight)
            order = [list(clf.classes_).index(c) for c in CLASSES]
            self.coef_[:, cols] = clf.coef_[order]
            self.intercept_ = clf.intercept_[order].astype(np.float32)
        self.classes_ = np.array(CLASSES)
        log.info("sentiment model fitted on %d texts (%d features)", len(texts), X.shape[1])
        return self

    def decision_function(self, texts: list[str], embeddings: np.ndarray | None = None) -> np.ndarray:
        """Class logits (n, 3) in the order of :data:`CLASSES`."""
        self._check_fitted()
        X = self._design(list(texts), embeddings)
        return np.asarray(X @ self.coef_.T) + self.intercept_

    def predict_proba(self, texts: list[str], embeddings: np.ndarray | None = None) -> np.ndarray:
        """Class probabilities (n, 3) in the order of :data:`CLASSES`.

        Softmax of the logits, or with ``nb_scaling`` the per-class sigmoids normalised to sum 1.
        """
        z = self.decision_function(texts, embeddings)
        if self.nb_scaling:
            p = 1.0 / (1.0 + np.exp(-z))
            return p / p.sum(axis=1, keepdims=True)
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def predict(self, texts: list[str]) -> np.ndarray:
        """Most probable class per text."""
        return self.classes_[self.predict_proba(texts).argmax(axis=1)]

    def score(self, texts: list[str], embeddings: np.ndarray | None = None) -> np.ndarray:
        """Model polarity in [-1, 1]: P(positif) - P(negatif)."""
        p = self.predict_proba(texts, embeddings)
        return (p[:, 2] - p[:, 0]).astype(np.float64)

    # ----- persistence (no pickle) ------------------------------------------------------------
    def save(self, path: Path | str, metadata: dict[str, Any] | None = None) -> Path:
        """Write ``weights.npz`` and ``params.json`` into folder ``path``; returns the folder."""
        self._check_fitted()
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        coef = self.coef_.copy()
        coef[np.abs(coef) < 1e-6] = 0.0
        np.savez_compressed(path / WEIGHTS_FILE, coef=coef, intercept=self.intercept_, idf=self.featurizer_.idf_)
        params = {"format": FORMAT, "params": self.get_params(), "classes": list(CLASSES),
                  "rule_features": list(FEATURE_NAMES), "metadata": metadata or {}}
        (path / PARAMS_FILE).write_text(json.dumps(params, indent=2, ensure_ascii=False), encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: Path | str) -> SentimentModel:
        """Read a model written by :meth:`save` (``np.load(..., allow_pickle=False)`` + JSON only)."""
        meta, arrays = read_model_folder(path, "sentiment model", FORMAT, RETRAIN_HINT)
        try:
            coef, intercept, idf = arrays["coef"], arrays["intercept"], arrays["idf"]
        except KeyError as exc:
            raise ModelError(f"sentiment model in {str(path)!r} cannot be read ({exc}); {RETRAIN_HINT}") from None
        model = cls(**{"nb_scaling": False, **meta["params"]})  # models saved before nb_scaling were multinomial
        model.featurizer_ = NgramFeaturizer(model.word_bits, model.char_bits, model.min_groups)
        model.featurizer_.idf_ = idf.astype(np.float32)
        model.coef_ = coef.astype(np.float32)
        model.intercept_ = intercept.astype(np.float32)
        model.classes_ = np.array(CLASSES)
        model.metadata_ = meta.get("metadata", {})
        return model


def read_model_folder(path: Path | str, what: str, expected_format: str, hint: str) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The ``params.json`` mapping and the ``weights.npz`` arrays of a model folder (JSON and ``allow_pickle=False`` only).

    Shared by the models saved as these two files (sentiment model, signal heads).

    Raises:
        ModelError: a file is missing or unreadable, or its ``format`` is not ``expected_format``; the message
            names ``what`` and ends with ``hint`` (how to rebuild it).
    """
    path = Path(path)
    missing = [f for f in (WEIGHTS_FILE, PARAMS_FILE) if not (path / f).is_file()]
    if missing:
        raise ModelError(f"{what} folder {str(path)!r} lacks {missing}; {hint}")
    try:
        meta = json.loads((path / PARAMS_FILE).read_text(encoding="utf-8"))
        with np.load(path / WEIGHTS_FILE, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        raise ModelError(f"{what} in {str(path)!r} cannot be read ({exc}); {hint}") from None
    if not isinstance(meta, dict) or meta.get("format") != expected_format:
        found = meta.get("format") if isinstance(meta, dict) else None
        raise ModelError(f"{what} in {str(path)!r} has format {found!r}, expected {expected_format!r}; {hint}")
    return meta, arrays


def log_count_ratio(X: sp.csr_matrix, target: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """Log-count ratio per column (Wang & Manning 2012): ``log((p / |p|_1) / (q / |q|_1))``.

    ``p`` (``q``) = ``alpha`` + number of ``target`` (other) rows where the column is non-zero.
    """
    present = X.copy()
    present.data = (present.data != 0).astype(np.float64)
    p = alpha + np.asarray(present[target].sum(axis=0)).ravel()
    q = alpha + np.asarray(present[~target].sum(axis=0)).ravel()
    return np.log((p / p.sum()) / (q / q.sum()))


def load_sentiment_model(path: Path | str | None = None) -> SentimentModel:
    """Load the shipped sentiment model (``models/sentiment`` at the repository root) or the one at ``path``.

    Raises:
        ModelError: the folder or its files are missing or unreadable; the message says how to retrain.
    """
    folder = Path(path) if path is not None else default_model_dir()
    if not folder.is_dir():
        raise ModelError(f"sentiment model folder {str(folder)!r} not found; {RETRAIN_HINT} "
                         "(or set [sentiment].model_dir in the configuration)")
    return SentimentModel.load(folder)
