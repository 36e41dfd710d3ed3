"""Learned signal heads: intents, emotion, effort and ``probleme`` of a verbatim from hashed n-grams.

One small linear model per signal, trained on our own labelled customer messages
(``benchmarks/labels/messages_fr.csv``, ``train`` split) by :mod:`verbatim.signals.train_heads`:

* one binary logistic regression per intent of :data:`~verbatim.signals.intent.INTENTS`;
* one multinomial regression for the emotion (the six of :data:`~verbatim.signals.emotion.EMOTIONS`
  and ``""``, none);
* one multinomial regression for the effort (``faible``/``moyen``/``eleve``/``""``);
* one binary regression for ``probleme``: the message reports a problem, even as a plain fact
  ("plus de réseau depuis lundi").

Features: the hashed word and character n-grams of
:class:`~verbatim.sentiment.features.NgramFeaturizer` (an n-gram must be seen in ``min_groups``
sectors, so that no brand or product name is learnt) and the French rule features of
:func:`~verbatim.sentiment.rules.rule_features`. No vocabulary file, no pickle.

The product does not always follow the heads: per label, :attr:`SignalHeads.decisions` says
whether the ``rules`` (the cue lists), the ``model`` (probability at or above a threshold),
``rules or model`` or ``rules and model`` decide; the training script chooses by cross-validation
by sector on the ``train`` split (see :func:`combine`, :func:`combine_class`).

Files written by :meth:`SignalHeads.save` (``models/signals``):

* ``weights.npz``: per head ``<head>_cols`` (the feature columns with a nonzero weight),
  ``<head>_coef`` (n_classes, len(cols)), ``<head>_intercept``; ``idf_index``/``idf_value`` (the
  nonzero IDF weights), read with ``allow_pickle=False``;
* ``params.json``: constructor parameters, classes, decisions and the cross-validation figures.
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from verbatim.errors import ModelError
from verbatim.sentiment.features import NgramFeaturizer
from verbatim.sentiment.model import read_model_folder
from verbatim.sentiment.rules import FEATURE_NAMES, rule_features
from verbatim.signals.cues import compile_cues, find_cues
from verbatim.signals.effort import EFFORT_LEVELS
from verbatim.signals.emotion import EMOTIONS
from verbatim.signals.intent import INTENTS

log = logging.getLogger(__name__)

FORMAT = "verbatim.signals.v1"
WEIGHTS_FILE = "weights.npz"
PARAMS_FILE = "params.json"
RETRAIN_HINT = "retrain them with: python -m verbatim.signals.train_heads --out models/signals"

#: How the product decides a label: the cue rules, the model, either, or both.
MODES: tuple[str, ...] = ("rules", "model", "rules or model", "rules and model")
#: Classes of the multi-class heads (``""``: none).
EMOTION_CLASSES: tuple[str, ...] = (*EMOTIONS, "")
EFFORT_CLASSES: tuple[str, ...] = (*EFFORT_LEVELS, "")
#: Every label a decision can be made for.
LABELS: tuple[str, ...] = (*INTENTS, "emotion", "effort", "probleme")


#: Cues of a problem stated as a fact (an outage, a breakdown, a delay), without a complaint word.
_PROBLEM_CUES = compile_cues([
    r"depuis (?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|hier|avant-hier|ce matin|cette nuit|"
    r"ce week-end|le \d+|\d+ (?:jours|heures|semaines|mois)|(?:deux|trois|quatre|cinq|dix|quinze|plusieurs|des) "
    r"(?:jours|heures|semaines|mois)|une semaine|un mois|une heure)",
    r"ne (?:fonctionne|marche|répond|s'allume|démarre|charge|s'ouvre|passe) (?:plus|pas)", r"en panne", r"pannes?",
    r"coupure\w*", r"coupée?s?", r"hors service", r"bloquée?s?", r"bug\w*", r"cassée?s?", r"endommagée?s?",
    r"en retard", r"retard\w*", r"pas reçu\w*", r"jamais reçu\w*", r"toujours pas", r"fuite\w*",
    r"prélevée?s? deux fois", r"manquant\w*", r"impossible de", r"aucune? (?:nouvelles?|réponse|retour)",
])


def problem_cue(text: str) -> bool:
    """Whether ``text`` states a problem as a fact ("plus de réseau depuis lundi", "la box ne fonctionne plus")."""
    return bool(find_cues(text, _PROBLEM_CUES, skip_negated=False))


def default_heads_dir() -> Path:
    """The repository's shipped heads: ``<repo>/models/signals``."""
    return Path(__file__).resolve().parents[2] / "models" / "signals"


def _truthy(values: pd.Series) -> np.ndarray:
    return values.fillna("").astype(str).str.strip().str.lower().isin({"1", "true", "vrai", "oui", "yes"}).to_numpy()


class SignalHeads:
    """Intent, emotion, effort and ``probleme`` heads over hashed n-grams, scikit-learn style.

    Args:
        C: inverse regularisation of the logistic regressions.
        word_bits, char_bits, min_groups: see :class:`~verbatim.sentiment.features.NgramFeaturizer`.
        rule_scale: weight of the French rule features next to the n-grams.
        effort: fit the effort head too.
        decisions: per label of :data:`LABELS`, ``{"mode": one of MODES, "threshold": float}``;
            labels not named are decided by the rules.
        seed: random seed of the solver.
    """

    def __init__(self, C: float = 4.0, word_bits: int = 17, char_bits: int = 18, min_groups: int = 2,
                 rule_scale: float = 1.0, effort: bool = True, decisions: dict[str, dict[str, Any]] | None = None,
                 seed: int = 42) -> None:
        self.C = C
        self.word_bits = word_bits
        self.char_bits = char_bits
        self.min_groups = min_groups
        self.rule_scale = rule_scale
        self.effort = effort
        self.decisions = decisions
        self.seed = seed

    def get_params(self) -> dict[str, Any]:
        """Constructor parameters (JSON-serialisable)."""
        return {"C": self.C, "word_bits": self.word_bits, "char_bits": self.char_bits, "min_groups": self.min_groups,
                "rule_scale": self.rule_scale, "effort": self.effort, "decisions": self.decisions, "seed": self.seed}

    def _check_fitted(self) -> None:
        if not hasattr(self, "heads_"):
            raise ModelError("SignalHeads is not fitted: call fit(texts, frame) or use load_signal_heads(); " + RETRAIN_HINT)

    def _design(self, texts: list[str]) -> sp.csr_matrix:
        cues = np.array([[problem_cue(t)] for t in texts], dtype=float)
        rules = np.hstack([rule_features(texts), cues]) * self.rule_scale
        return sp.hstack([self.featurizer_.transform(texts), sp.csr_matrix(rules)], format="csr")

    # ----- scikit-learn API -------------------------------------------------------------------
    def fit(self, texts: list[str], frame: pd.DataFrame, groups: np.ndarray | None = None) -> SignalHeads:
        """Learn every head.

        Args:
            texts: the verbatims' (clean) texts.
            frame: one row per text with ``intents`` (``|``-joined), ``emotion``, ``effort`` (when
                ``effort``) and ``probleme`` (``1``/``0``, or booleans).
            groups: a group per text (the sector); n-grams seen in fewer than ``min_groups`` groups are ignored.
        """
        texts = [str(t) for t in texts]
        missing = [c for c in ("intents", "emotion", "probleme", *(("effort",) if self.effort else ())) if c not in frame]
        if missing:
            raise ModelError(f"SignalHeads.fit needs columns {missing} in the label frame")
        if len(frame) != len(texts):
            raise ModelError(f"SignalHeads.fit got {len(texts)} texts and {len(frame)} label rows")
        intents = frame["intents"].fillna("").astype(str).map(lambda v: set(filter(None, v.split("|"))))
        targets: dict[str, tuple[tuple[str, ...], np.ndarray]] = {
            f"intent_{i}": (("no", "yes"), np.array([i in s for s in intents], dtype=int)) for i in INTENTS}
        targets["probleme"] = (("no", "yes"), _truthy(frame["probleme"]).astype(int))
        heads_multi = {"emotion": EMOTION_CLASSES, **({"effort": EFFORT_CLASSES} if self.effort else {})}
        for head, classes in heads_multi.items():
            values = frame[head].fillna("").astype(str).to_numpy()
            unknown = sorted(set(values) - set(classes))
            if unknown:
                raise ModelError(f"unknown {head} labels {unknown}; expected one of {list(classes)}")
            targets[head] = (classes, np.array([classes.index(v) for v in values]))

        self.featurizer_ = NgramFeaturizer(self.word_bits, self.char_bits, self.min_groups).fit(texts, groups)
        X = self._design(texts)
        n_ngrams = self.featurizer_.idf_.shape[0]
        cols = np.r_[np.flatnonzero(self.featurizer_.idf_ > 0), np.arange(n_ngrams, X.shape[1])]
        Xk = X[:, cols]
        self.n_features_ = X.shape[1]
        self.heads_: dict[str, dict[str, Any]] = {}
        for head, (classes, y) in targets.items():
            self.heads_[head] = self._fit_head(Xk, y, classes, cols, binary=len(classes) == 2)
        log.info("signal heads fitted on %d texts (%d features kept)", len(texts), len(cols))
        return self

    def _fit_head(self, X: sp.csr_matrix, y: np.ndarray, classes: tuple[str, ...], cols: np.ndarray,
                  binary: bool) -> dict[str, Any]:
        present = np.unique(y)
        n_rows = 1 if binary else len(classes)
        coef = np.zeros((n_rows, len(cols)), dtype=np.float32)
        intercept = np.full(n_rows, -30.0 if not binary else 0.0, dtype=np.float32)
        if len(present) == 1:  # a label never (or always) seen: a constant head
            if binary:
                intercept[0] = 30.0 if present[0] == 1 else -30.0
            else:
                intercept[present[0]] = 0.0
        else:
            clf = LogisticRegression(C=self.C, class_weight="balanced" if binary else None, max_iter=500, tol=1e-4,
                                     random_state=self.seed)
            clf.fit(X, y)
            if binary:
                coef[0], intercept[0] = clf.coef_[0], clf.intercept_[0]
            elif len(present) == 2:  # sklearn fits one row for two classes: class 1 vs class 0
                a, b = present
                coef[b], intercept[b] = clf.coef_[0], clf.intercept_[0]
                intercept[a] = 0.0
            else:
                for row, c in enumerate(clf.classes_):
                    coef[c], intercept[c] = clf.coef_[row], clf.intercept_[row]
        keep = np.flatnonzero(np.abs(coef).max(axis=0) >= 1e-6)
        return {"classes": classes, "cols": cols[keep].astype(np.int64), "coef": coef[:, keep], "intercept": intercept}

    def _logits(self, X: sp.csr_matrix, head: str) -> np.ndarray:
        h = self.heads_[head]
        return np.asarray(X[:, h["cols"]] @ h["coef"].T) + h["intercept"]

    def predict_proba(self, texts: list[str]) -> dict[str, np.ndarray]:
        """Probabilities per head: ``intents`` (n, 6) in :data:`INTENTS` order, ``emotion`` (n, 7) in
        :data:`EMOTION_CLASSES` order, ``effort`` (n, 4) in :data:`EFFORT_CLASSES` order (when fitted),
        ``probleme`` (n,)."""
        self._check_fitted()
        texts = ["" if t is None else str(t) for t in texts]
        if not texts:
            out = {"intents": np.zeros((0, len(INTENTS))), "emotion": np.zeros((0, len(EMOTION_CLASSES))),
                   "probleme": np.zeros(0)}
            if "effort" in self.heads_:
                out["effort"] = np.zeros((0, len(EFFORT_CLASSES)))
            return out
        X = self._design(texts)
        sigmoid = lambda z: 1.0 / (1.0 + np.exp(-z))  # noqa: E731
        out = {"intents": np.column_stack([sigmoid(self._logits(X, f"intent_{i}")[:, 0]) for i in INTENTS]),
               "probleme": sigmoid(self._logits(X, "probleme")[:, 0])}
        for head in ("emotion", "effort"):
            if head in self.heads_:
                z = self._logits(X, head)
                z = np.exp(z - z.max(axis=1, keepdims=True))
                out[head] = z / z.sum(axis=1, keepdims=True)
        return out

    def decision(self, label: str) -> tuple[str, float]:
        """``(mode, threshold)`` the product uses for ``label`` (``("rules", 0.5)`` when none was chosen)."""
        chosen = (self.decisions or {}).get(label) or {}
        mode = chosen.get("mode", "rules")
        if mode not in MODES:
            raise ModelError(f"signal heads: decision {mode!r} for {label!r} is not one of {list(MODES)}")
        if mode != "rules" and label == "effort" and "effort" not in getattr(self, "heads_", {"effort": 1}):
            raise ModelError("signal heads: effort is decided with the model but no effort head was fitted")
        return mode, float(chosen.get("threshold", 0.5))

    # ----- persistence (no pickle) ------------------------------------------------------------
    def save(self, path: Path | str, metadata: dict[str, Any] | None = None) -> Path:
        """Write ``weights.npz`` and ``params.json`` into folder ``path``; returns the folder."""
        self._check_fitted()
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        idf = self.featurizer_.idf_
        arrays: dict[str, np.ndarray] = {"idf_index": np.flatnonzero(idf).astype(np.int64),
                                         "idf_value": idf[idf != 0].astype(np.float32)}
        for head, h in self.heads_.items():
            arrays[f"{head}_cols"] = h["cols"]
            arrays[f"{head}_coef"] = h["coef"].astype(np.float32)
            arrays[f"{head}_intercept"] = h["intercept"].astype(np.float32)
        np.savez_compressed(path / WEIGHTS_FILE, **arrays)
        params = {"format": FORMAT, "params": self.get_params(), "n_features": int(self.n_features_),
                  "heads": {head: list(h["classes"]) for head, h in self.heads_.items()},
                  "rule_features": [*FEATURE_NAMES, "problem_cue"], "metadata": metadata or {}}
        (path / PARAMS_FILE).write_text(json.dumps(params, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: Path | str) -> SignalHeads:
        """Read heads written by :meth:`save` (``np.load(..., allow_pickle=False)`` + JSON only)."""
        meta, arrays = read_model_folder(path, "signal heads", FORMAT, RETRAIN_HINT)
        try:
            heads = cls(**meta["params"])
            heads.featurizer_ = NgramFeaturizer(heads.word_bits, heads.char_bits, heads.min_groups)
            n_ngrams = 2**heads.word_bits + 2**heads.char_bits
            idf = np.zeros(n_ngrams, dtype=np.float32)
            idf[arrays["idf_index"]] = arrays["idf_value"]
            heads.featurizer_.idf_ = idf
            heads.n_features_ = int(meta["n_features"])
            heads.heads_ = {head: {"classes": tuple(classes), "cols": arrays[f"{head}_cols"].astype(np.int64),
                                   "coef": arrays[f"{head}_coef"].astype(np.float32),
                                   "intercept": arrays[f"{head}_intercept"].astype(np.float32)}
                            for head, classes in meta["heads"].items()}
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            raise ModelError(f"signal heads in {str(path)!r} cannot be read ({exc}); {RETRAIN_HINT}") from None
        heads.metadata_ = meta.get("metadata", {})
        return heads


def load_signal_heads(path: Path | str | None = None) -> SignalHeads:
    """Load the shipped heads (``models/signals`` at the repository root) or those at ``path``.

    Raises:
        ModelError: the folder or its files are missing or unreadable; the message says how to retrain.
    """
    folder = Path(path) if path is not None else default_heads_dir()
    if not folder.is_dir():
        raise ModelError(f"signal heads folder {str(folder)!r} not found; {RETRAIN_HINT}")
    return SignalHeads.load(folder)


@lru_cache(maxsize=1)
def shipped_signal_heads() -> SignalHeads:
    """The shipped heads, loaded once per process."""
    return load_signal_heads()


# ----- how the product decides ----------------------------------------------------------------
def combine(mode: str, rule: np.ndarray | bool, proba: np.ndarray | float, threshold: float) -> np.ndarray:
    """Binary decision(s) of a label from the rules' answer and the model's probability.

    ``rules``: the rules; ``model``: ``proba >= threshold``; ``rules or model``; ``rules and model``.
    """
    rule = np.asarray(rule, dtype=bool)
    model = np.asarray(proba, dtype=float) >= threshold
    if mode == "rules":
        return rule
    if mode == "model":
        return model
    if mode == "rules or model":
        return rule | model
    if mode == "rules and model":
        return rule & model
    raise ModelError(f"unknown decision mode {mode!r}; expected one of {list(MODES)}")


def combine_class(mode: str, rule: str, proba: np.ndarray, classes: tuple[str, ...], threshold: float) -> str:
    """One multi-class decision (emotion, effort; ``""`` is none) from the rules' label and the model's probabilities.

    The model's label is its most probable class other than none when that probability reaches
    ``threshold``, else none. ``rules or model``: the rules' label, or the model's when the rules
    found none; ``rules and model``: the rules' label when the model gives it at least ``threshold``.
    """
    idx = [k for k, c in enumerate(classes) if c]
    best = idx[int(np.argmax(proba[idx]))]
    model = classes[best] if proba[best] >= threshold else ""
    if mode == "rules":
        return rule
    if mode == "model":
        return model
    if mode == "rules or model":
        return rule or model
    if mode == "rules and model":
        return rule if rule and rule in classes and proba[classes.index(rule)] >= threshold else ""
    raise ModelError(f"unknown decision mode {mode!r}; expected one of {list(MODES)}")


def problem_rule(sentiment: str, rule_intents: list[str], text: str = "") -> bool:
    """The rules' reading of ``probleme``: the verbatim reads ``negatif``, the cues found a complaint, or
    ``text`` states a problem as a fact (:func:`problem_cue`; not in a ``positif`` verbatim)."""
    return (sentiment == "negatif" or "reclamation" in rule_intents
            or (sentiment != "positif" and bool(text) and problem_cue(text)))


def decide_signals(decisions: SignalHeads, sentiments: list[str], rule_intents: list[list[str]], rule_emotions: list[str],
                   rule_efforts: list[str], proba: dict[str, np.ndarray],
                   texts: list[str] | None = None) -> tuple[list[list[str]], list[str], list[str], list[bool]]:
    """The product's intents, emotion, effort and ``probleme`` of n verbatims (:meth:`SignalHeads.decision` per label).

    Args:
        decisions: the heads whose decisions apply (only :meth:`SignalHeads.decision` is read).
        sentiments: each verbatim's label (``negatif``/``neutre``/``positif``).
        rule_intents, rule_emotions, rule_efforts: what the cue rules found.
        proba: :meth:`SignalHeads.predict_proba` of the verbatims' texts.
        texts: the verbatims' texts, for the rules' problem cues (:func:`problem_rule`).

    Returns:
        ``(intents, emotions, efforts, probleme)``; intents sorted in :data:`INTENTS` order (main first).
    """
    n = len(sentiments)
    chosen = np.zeros((n, len(INTENTS)), dtype=bool)
    for j, intent in enumerate(INTENTS):
        mode, threshold = decisions.decision(intent)
        rule = np.array([intent in r for r in rule_intents], dtype=bool)
        chosen[:, j] = combine(mode, rule, proba["intents"][:, j], threshold) if n else rule
    intents = [[intent for j, intent in enumerate(INTENTS) if chosen[i, j]] for i in range(n)]
    mode, threshold = decisions.decision("emotion")
    emotions = [combine_class(mode, rule_emotions[i], proba["emotion"][i], EMOTION_CLASSES, threshold)
                for i in range(n)]
    mode, threshold = decisions.decision("effort")
    efforts = [combine_class(mode, rule_efforts[i], proba["effort"][i], EFFORT_CLASSES, threshold)
               if mode != "rules" else rule_efforts[i] for i in range(n)]
    mode, threshold = decisions.decision("probleme")
    texts = texts if texts is not None else [""] * n
    rule = np.array([problem_rule(s, r, t) for s, r, t in zip(sentiments, rule_intents, texts, strict=True)], dtype=bool)
    probleme = combine(mode, rule, proba["probleme"], threshold).tolist() if n else []
    return intents, emotions, efforts, [bool(p) for p in probleme]
