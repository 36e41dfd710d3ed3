"""Exploratory harness: sentiment candidates on unseen insurers over cached features (not the shipped benchmark).

Usage::

    python benchmarks/explore_sentiment.py run NAME [NAME ...]   # out-of-fold probabilities of candidates
    python benchmarks/explore_sentiment.py report NAME [NAME ...] # figures of cached candidates
    python benchmarks/explore_sentiment.py stack NAME             # second-stage 3-class decision on NAME
    python benchmarks/explore_sentiment.py segments NAME          # segments scored and rolled up vs whole text

Same folds as ``bench_sentiment.py`` (GroupKFold(5) by insurer on the starred reviews); every fold
trains on the other insurers plus the own neutral facts (weight 10), as ``train.py`` does. The
hashed counts (word 1-2-grams + char 2-5-grams, the shipped :class:`NgramFeaturizer`), rule
features and rule analyses are computed once and cached in ``/tmp/sent_cache/``; each fold only
recomputes the cross-company IDF and guard (:func:`fold_design`). Each candidate is also fitted
on every row and scored on the *seen* own sentences (``dev``, ``heldout``, ``heldout2``); the
clean sets ``heldout3``/``heldout4`` are never read here.

Figures: binary accuracy (1-2 vs 4-5 stars, sign of the score), 3-class macro-F1 with the shipped
labels (band 0.2 up to 20 words, long-text cuts beyond), the same with each fold's long-text cuts
chosen on the other folds ("cut-CV", the fair figure), Spearman with the stars; model alone and
with the French rules (``blend_score``).
"""

from __future__ import annotations

import argparse
import pickle  # noqa: S403 - a local cache of rule analyses in /tmp, never shipped or loaded from elsewhere
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import GroupKFold
from sklearn.preprocessing import normalize

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_sentiment import blend, metrics, star_labels  # noqa: E402
from verbatim.config import SentimentConfig  # noqa: E402
from verbatim.sentiment.features import NgramFeaturizer, neutralise  # noqa: E402
from verbatim.sentiment.model import CLASSES, log_count_ratio  # noqa: E402
from verbatim.sentiment.rules import analyse, rule_features  # noqa: E402
from verbatim.sentiment.scoring import label_of  # noqa: E402
from verbatim.sentiment.train import DEFAULT_DATA, load_reviews, training_rows  # noqa: E402

CACHE = Path("/tmp/sent_cache")  # noqa: S108 - exploration cache
CASES = Path(__file__).resolve().parents[1] / "tests" / "data" / "sentiment_cases.csv"
SEEN_SPLITS = ("dev", "heldout", "heldout2")
SEGMENTS = Path("/tmp/verbatim_bench_themes/segments-cf9b19eb7e25028f377e.parquet")  # noqa: S108 - bench_themes cache
CFG = SentimentConfig()
MODEL_ONLY = SentimentConfig(rule_weight=0.0, negation_rule_weight=0.0, short_text_rule_weight=0.0,
                             contrast_rule_weight=0.0, mild_polarity_floor=False, intensifier_gain=0, softener_gain=0,
                             question_damping=1, shouting_push=0)


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)  # noqa: T201 - exploration output


# ----------------------------------------------------------------------------------- cached inputs
def _cached(name: str, build: Callable[[], object]) -> object:
    CACHE.mkdir(exist_ok=True)
    path = CACHE / name
    if path.suffix == ".npz" and path.is_file():
        return sp.load_npz(path).tocsr()
    if path.suffix == ".npy" and path.is_file():
        return np.load(path, allow_pickle=False)
    if path.suffix == ".pkl" and path.is_file():
        return pickle.loads(path.read_bytes())  # noqa: S301 - our own /tmp cache
    start = time.perf_counter()
    value = build()
    if path.suffix == ".npz":
        sp.save_npz(path, value.tocsr(), compressed=False)
    elif path.suffix == ".npy":
        np.save(path, value)
    else:
        path.write_bytes(pickle.dumps(value))
    log(f"built {name} in {time.perf_counter() - start:.0f} s")
    return value


def char_counts(texts: list[str], bits: int = 19) -> sp.csr_matrix:
    """Character 2-5-grams across word boundaries (analyzer ``char``), same hashing and sublinear TF."""
    from sklearn.feature_extraction.text import HashingVectorizer

    vec = HashingVectorizer(n_features=2**bits, analyzer="char", ngram_range=(2, 5), alternate_sign=False, norm=None,
                            lowercase=False, preprocessor=neutralise)
    counts = vec.transform(texts).tocsr()
    counts.data = np.log1p(counts.data)
    return counts


class Data:
    """Reviews + own facts (training rows), folds, cached counts, rule features and analyses."""

    def __init__(self, data: Path = DEFAULT_DATA) -> None:
        self.reviews = load_reviews(data)
        self.rows = training_rows(self.reviews)  # reviews first, then the own facts
        self.n = len(self.reviews)
        self.texts = self.rows["text"].tolist()
        self.labels = self.rows["label"].to_numpy()
        self.groups = self.rows["group"].to_numpy()
        self.weights = self.rows["weight"].to_numpy()
        self.stars = self.reviews["stars"].to_numpy()
        self.fold = np.zeros(self.n, dtype=int)
        for k, (_, test) in enumerate(GroupKFold(n_splits=5).split(self.reviews, groups=self.reviews["insurer"])):
            self.fold[test] = k
        self.counts = _cached("counts-wb.npz", lambda: NgramFeaturizer()._counts(self.texts))
        self.rulef = _cached("rules.npy", lambda: rule_features(self.texts))
        self.analyses = _cached("analyses.pkl", lambda: [analyse(t) for t in self.reviews["text"]])
        self.words = np.array([a.n_words for a in self.analyses])
        cases = pd.read_csv(CASES)
        self.cases = cases[cases["split"].isin(SEEN_SPLITS)].reset_index(drop=True)
        self.case_counts = NgramFeaturizer()._counts(self.cases["text"].tolist())
        self.case_rulef = rule_features(self.cases["text"].tolist())
        self.case_analyses = [analyse(t, CFG.shouting_min_ratio) for t in self.cases["text"]]

    def counts_of(self, kind: str) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """(training rows, seen cases) counts of a feature kind: ``wb`` (shipped) or ``char`` (chars across words)."""
        if kind == "wb":
            return self.counts, self.case_counts
        if kind == "bin":  # presence instead of sublinear term frequency (Wang & Manning binarise their features)
            rows, cases = self.counts.copy(), self.case_counts.copy()
            rows.data[:] = 1.0
            cases.data[:] = 1.0
            return rows, cases
        if kind == "char":
            n_word = 2**18
            chars = _cached("counts-char.npz", lambda: char_counts(self.texts))
            rows = sp.hstack([self.counts[:, :n_word], chars], format="csr")
            cases = sp.hstack([self.case_counts[:, :n_word], char_counts(self.cases["text"].tolist())], format="csr")
            return rows, cases
        raise SystemExit(f"unknown feature kind {kind}")


def fold_design(counts: sp.csr_matrix, train: np.ndarray, groups: np.ndarray, min_groups: int = 3) -> np.ndarray:
    """IDF learnt on the ``train`` rows, zero for n-grams seen in fewer than ``min_groups`` companies (as NgramFeaturizer.fit)."""
    sub = counts[train]
    binary = sub.copy()
    binary.data[:] = 1
    df = np.asarray(binary.sum(axis=0)).ravel()
    idf = np.log((1 + sub.shape[0]) / (1 + df)) + 1
    n_groups = np.zeros(counts.shape[1], dtype=np.int32)
    g = groups[train]
    for name in np.unique(g):
        n_groups += np.asarray(binary[g == name].sum(axis=0)).ravel() > 0
    idf[n_groups < min_groups] = 0.0
    idf[df == 0] = 0.0
    return idf.astype(np.float32)


def design(counts: sp.csr_matrix, rulef: np.ndarray, idf: np.ndarray) -> sp.csr_matrix:
    """TF-IDF rows (L2) + rule features, as SentimentModel._design; only the columns with idf > 0 and the rules."""
    keep = np.flatnonzero(idf > 0)
    tfidf = normalize((counts @ sp.diags(idf)).tocsc()[:, keep].tocsr(), copy=False)
    return sp.hstack([tfidf, sp.csr_matrix(rulef)], format="csr")


# ----------------------------------------------------------------------------------- candidates
def _proba_in_order(clf: object, proba: np.ndarray) -> np.ndarray:
    order = [list(clf.classes_).index(c) for c in CLASSES]
    return proba[:, order]


def lr(C: float = 4.0) -> Callable:
    def fit(X: sp.csr_matrix, y: np.ndarray, w: np.ndarray) -> Callable:
        from sklearn.linear_model import LogisticRegression

        clf = LogisticRegression(C=C, class_weight="balanced", max_iter=300, tol=1e-3, random_state=42)
        clf.fit(X, y, sample_weight=w)
        return lambda Z: _proba_in_order(clf, clf.predict_proba(Z))
    return fit


def nblr(C: float = 4.0, mode: str = "ovr", n_rules: int = 8, alpha: float = 1.0) -> Callable:
    """NB-weighted logistic regression: n-gram columns scaled by |r| (multinomial, r of 1-2 vs 4-5) or by r_c per class (OvR).

    ``r``: :func:`~verbatim.sentiment.model.log_count_ratio` (Wang & Manning 2012), as the shipped model.
    """

    def fit(X: sp.csr_matrix, y: np.ndarray, w: np.ndarray) -> Callable:
        from sklearn.linear_model import LogisticRegression

        ones = np.ones(n_rules)
        if mode == "multi":
            polar = y != "neutre"
            r = log_count_ratio(X[polar][:, :-n_rules], y[polar] == "positif")
            scale = sp.diags(np.r_[np.abs(r), ones])
            clf = LogisticRegression(C=C, class_weight="balanced", max_iter=300, tol=1e-3, random_state=42)
            clf.fit(X @ scale, y, sample_weight=w)
            return lambda Z: _proba_in_order(clf, clf.predict_proba(Z @ scale))
        models = []
        for c in CLASSES:
            r = log_count_ratio(X[:, :-n_rules], y == c, alpha)
            scale = sp.diags(np.r_[r, ones])
            clf = LogisticRegression(C=C, class_weight="balanced", max_iter=300, tol=1e-3, random_state=42)
            clf.fit(X @ scale, (y == c).astype(int), sample_weight=w)
            models.append((clf, scale))

        def predict(Z: sp.csr_matrix) -> np.ndarray:
            p = np.column_stack([clf.predict_proba(Z @ scale)[:, 1] for clf, scale in models])
            return p / p.sum(axis=1, keepdims=True)
        return predict
    return fit


def sgd(alpha: float = 2e-5) -> Callable:
    def fit(X: sp.csr_matrix, y: np.ndarray, w: np.ndarray) -> Callable:
        from sklearn.linear_model import SGDClassifier

        clf = SGDClassifier(loss="modified_huber", alpha=alpha, class_weight="balanced", max_iter=50, tol=1e-4,
                            random_state=42, n_jobs=1)
        clf.fit(X, y, sample_weight=w)
        return lambda Z: _proba_in_order(clf, clf.predict_proba(Z))
    return fit


def svc(C: float = 0.1) -> Callable:
    def fit(X: sp.csr_matrix, y: np.ndarray, w: np.ndarray) -> Callable:
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.svm import LinearSVC

        clf = CalibratedClassifierCV(LinearSVC(C=C, class_weight="balanced", random_state=42), cv=3, method="sigmoid")
        clf.fit(X, y, sample_weight=w)
        return lambda Z: _proba_in_order(clf, clf.predict_proba(Z))
    return fit


CANDIDATES: dict[str, tuple[str, Callable]] = {
    "lr4": ("wb", lr(4.0)),
    "nblr_ovr4": ("wb", nblr(4.0, "ovr")),
    "nblr_ovr1": ("wb", nblr(1.0, "ovr")),
    "nblr_ovr10": ("wb", nblr(10.0, "ovr")),
    "nblr_ovr4_a0.25": ("wb", nblr(4.0, "ovr", alpha=0.25)),
    "nblr_ovr4_bin": ("bin", nblr(4.0, "ovr")),
    "nblr_multi4": ("wb", nblr(4.0, "multi")),
    "nblr_multi1": ("wb", nblr(1.0, "multi")),
    "char_lr4": ("char", lr(4.0)),
    "sgd2e-5": ("wb", sgd(2e-5)),
    "sgd1e-4": ("wb", sgd(1e-4)),
    "svc0.1": ("wb", svc(0.1)),
    "svc0.3": ("wb", svc(0.3)),
}


def run(d: Data, name: str, segments: pd.DataFrame | None = None) -> None:
    """Out-of-fold probabilities of candidate ``name`` on the reviews (and their segments), plus a full fit on the seen cases."""
    kind, fit = CANDIDATES[name]
    counts, case_counts = d.counts_of(kind)
    oof = np.zeros((d.n, 3))
    seg_oof = None
    if segments is not None:
        seg_counts = _cached("counts-seg.npz", lambda: NgramFeaturizer()._counts(segments["text"].tolist()))
        seg_rulef = _cached("rules-seg.npy", lambda: rule_features(segments["text"].tolist()))
        seg_oof = np.zeros((len(segments), 3))
        seg_fold = segments["fold"].to_numpy()
    facts = np.arange(d.n, len(d.rows))
    start = time.perf_counter()
    for k in range(5):
        train = np.r_[np.flatnonzero(d.fold != k), facts]
        test = np.flatnonzero(d.fold == k)
        idf = fold_design(counts, train, d.groups)
        X = design(counts, d.rulef, idf)
        predict = fit(X[train], d.labels[train], d.weights[train])
        oof[test] = predict(X[test])
        if seg_oof is not None:
            rows = np.flatnonzero(seg_fold == k)
            seg_oof[rows] = predict(design(seg_counts[rows], seg_rulef[rows], idf))
        log(f"{name} fold {k} done ({time.perf_counter() - start:.0f} s)")
    all_rows = np.arange(len(d.rows))
    idf = fold_design(counts, all_rows, d.groups)
    predict = fit(design(counts, d.rulef, idf), d.labels, d.weights)
    cases = predict(design(case_counts, d.case_rulef, idf))
    np.save(CACHE / f"oof-{name}.npy", oof)
    np.save(CACHE / f"cases-{name}.npy", cases)
    if seg_oof is not None:
        np.save(CACHE / f"segoof-{name}.npy", seg_oof)
    log(f"{name}: CV + full fit in {time.perf_counter() - start:.0f} s")


# ----------------------------------------------------------------------------------- figures
def score_of(p: np.ndarray) -> np.ndarray:
    return p[:, 2] - p[:, 0]


def _macro_f1(truth: np.ndarray, pred: np.ndarray) -> float:
    """Macro-F1 of integer labels 0..2 (fast; same value as sklearn's f1_score(average='macro'))."""
    conf = np.bincount(truth * 3 + pred, minlength=9).reshape(3, 3)
    tp = np.diag(conf).astype(float)
    denom = conf.sum(axis=0) + conf.sum(axis=1)
    return float(np.mean(np.where(denom > 0, 2 * tp / np.maximum(denom, 1), 0.0)))


def crossfit(scores: np.ndarray, d: Data, all_long: bool = False) -> float:
    """Macro-F1 when each fold's long-text cuts are the best (grid 0.025) on the other folds (as bench_sentiment.crossfit_cuts)."""
    truth = np.searchsorted(np.array(CLASSES), star_labels(d.stars))
    long = np.ones(d.n, bool) if all_long else d.words > CFG.short_text_words
    pred = np.where(scores <= -CFG.neutral_band, 0, np.where(scores >= CFG.neutral_band, 2, 1))
    grid = np.round(np.arange(-0.6, 0.61, 0.025), 3)
    for k in range(5):
        rows = (d.fold != k) & long
        best = max((_macro_f1(truth[rows], np.where(scores[rows] <= lo, 0, np.where(scores[rows] >= hi, 2, 1))), lo, hi)
                   for lo in grid[grid <= 0] for hi in grid[grid >= 0])
        test = (d.fold == k) & long
        pred[test] = np.where(scores[test] <= best[1], 0, np.where(scores[test] >= best[2], 2, 1))
    return _macro_f1(truth, pred)


def review_figures(d: Data, scores: np.ndarray) -> str:
    """'binary / band F1 / shipped-cuts F1 / cut-CV F1 / Spearman' of model scores alone and + rules."""
    out = []
    band = CFG.model_copy(update={"long_text_negative_cut": -CFG.neutral_band, "long_text_positive_cut": CFG.neutral_band})
    for cfg in (MODEL_ONLY, CFG):
        final = blend(scores, d.analyses, cfg)
        m = metrics(final, d.stars, cfg.model_copy(update={"long_text_negative_cut": CFG.long_text_negative_cut,
                                                           "long_text_positive_cut": CFG.long_text_positive_cut}), d.words)
        band_f1 = metrics(final, d.stars, band, d.words)["macro_f1"]
        cut_cv = crossfit(final, d)
        out.append(f"{m['binary']:.3f} / {band_f1:.3f} / {m['macro_f1']:.3f} / {cut_cv:.3f} / {m['spearman']:.3f}")
    return " | ".join(out)


def case_figures(d: Data, probs: np.ndarray) -> str:
    """3-class accuracy and binary accuracy (polar rows) with the rules, on the seen own sentences per split."""
    final = blend(score_of(probs), d.case_analyses, CFG)
    pred = np.array([label_of(s, CFG, a.n_words) for s, a in zip(final, d.case_analyses, strict=True)])
    truth = d.cases["label"].to_numpy()
    parts = []
    for split in SEEN_SPLITS + ("all",):
        rows = np.ones(len(truth), bool) if split == "all" else (d.cases["split"] == split).to_numpy()
        polar = rows & (truth != "neutre")
        parts.append(f"{split} {accuracy_score(truth[rows], pred[rows]):.3f}/"
                     f"{accuracy_score(truth[polar] == 'positif', final[polar] >= 0):.3f} "
                     f"({int((pred[rows] == truth[rows]).sum())}/{int(rows.sum())})")
    return ", ".join(parts)


def load_probs(name: str) -> tuple[np.ndarray, np.ndarray]:
    """(oof, cases) probabilities of a candidate, or the average of candidates joined by '+'."""
    names = name.split("+")
    oof = np.mean([np.load(CACHE / f"oof-{n}.npy") for n in names], axis=0)
    cases = np.mean([np.load(CACHE / f"cases-{n}.npy") for n in names], axis=0)
    return oof, cases


def report(d: Data, name: str) -> None:
    oof, cases = load_probs(name)
    log(f"{name}: reviews model | + rules (binary / band F1 / cuts F1 / cut-CV F1 / Spearman): "
        f"{review_figures(d, score_of(oof))}")
    log(f"{name}: seen cases 3-class/binary with rules: {case_figures(d, cases)}")


def segment_features(d: Data, name: str) -> np.ndarray | None:
    """Per review: worst, best and length-weighted mean segment score (model + rules), number of segments; None if not run."""
    path = CACHE / f"segoof-{name.split('+')[0]}.npy"
    if not path.is_file():
        return None
    segments = segments_frame(d)
    seg_an = _cached("analyses-seg.pkl", lambda: [analyse(t) for t in segments["text"]])
    seg_final = blend(score_of(np.load(path)), seg_an, CFG)
    out = np.zeros((d.n, 4))
    lengths = np.maximum(segments["text"].str.len().to_numpy(), 10)
    for review, pos in segments.groupby("review").indices.items():
        s = seg_final[pos]
        out[review] = [s.min(), s.max(), np.average(s, weights=lengths[pos]), np.log1p(len(pos))]
    return out


def stack(d: Data, name: str) -> None:
    """3-class decision from a small model on [probabilities, rule features, log words, final score (+ segment scores)].

    Fold k's second stage is fitted on the out-of-fold rows of the other folds (their first-stage
    models never saw them; fold k's labels are never used for it). Long texts only (> short_text_words):
    short ones keep the band, as the long-text cuts do.
    """
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression

    oof, _ = load_probs(name)
    final = blend(score_of(oof), d.analyses, CFG)
    base = np.column_stack([oof, d.rulef[:d.n], np.log1p(d.words), final])
    seg = segment_features(d, name)
    truth = star_labels(d.stars)
    long = d.words > CFG.short_text_words
    shipped = np.array([label_of(s, CFG, n) for s, n in zip(final, d.words, strict=True)], dtype=object)
    log(f"{name}: shipped labels macro-F1 {f1_score(truth, shipped.astype(str), average='macro'):.3f}")
    variants = [("LR C=1", base, lambda: LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000)),
                ("HGB", base, lambda: HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05, max_leaf_nodes=15,
                                                                     class_weight="balanced", random_state=42))]
    if seg is not None:
        both = np.column_stack([base, seg])
        variants += [("LR C=1 + segments", both, lambda: LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000)),
                     ("HGB + segments", both, lambda: HistGradientBoostingClassifier(
                         max_iter=200, learning_rate=0.05, max_leaf_nodes=15, class_weight="balanced", random_state=42))]
    for title, feats, make in variants:
        pred = shipped.copy()
        for k in range(5):
            train, test = (d.fold != k) & long, (d.fold == k) & long
            clf = make().fit(feats[train], truth[train])
            pred[test] = clf.predict(feats[test])
        log(f"{name}: stacker {title}: 3-class macro-F1 {f1_score(truth, pred.astype(str), average='macro'):.3f} "
            "(binary unchanged: sign of the final score)")


def segments_frame(d: Data) -> pd.DataFrame:
    """Segments of the starred reviews (bench_themes cache of the cleaning stage), with their review's fold."""
    seg = pd.read_parquet(SEGMENTS, columns=["verbatim_id", "text"])
    index = pd.Series(np.arange(d.n), index=d.reviews["id"].astype(str).to_numpy())
    seg = seg[seg["verbatim_id"].isin(index.index)].reset_index(drop=True)
    seg["review"] = index.loc[seg["verbatim_id"]].to_numpy()
    seg["fold"] = d.fold[seg["review"].to_numpy()]
    return seg


def segment_report(d: Data, name: str, segments: pd.DataFrame) -> None:
    """Whole-text scores vs segments scored (model + rules) and rolled up with rollup.verbatim_score.

    The product's roll-up blends each verbatim's whole-text score with its segments (rules 1-3 of
    :mod:`verbatim.sentiment.rollup`); "segments alone" is the same rule without the whole text.
    """
    from verbatim.sentiment.rollup import verbatim_score

    seg_oof = np.load(CACHE / f"segoof-{name}.npy")
    seg_an = _cached("analyses-seg.pkl", lambda: [analyse(t) for t in segments["text"]])
    seg_final = blend(score_of(seg_oof), seg_an, CFG)
    lengths = segments["text"].str.len().to_numpy()
    oof, _ = load_probs(name)
    whole = blend(score_of(oof), d.analyses, CFG)
    rolled, alone, mean_only = np.zeros(d.n), np.zeros(d.n), np.zeros(d.n)  # mean_only: no strong-negative rule
    rolled_label = np.full(d.n, "neutre", dtype=object)
    alone_label = rolled_label.copy()
    for review, pos in segments.groupby("review").indices.items():
        rolled[review], rolled_label[review], _ = verbatim_score(seg_final[pos], lengths[pos], CFG, whole[review],
                                                                 d.words[review])
        alone[review], alone_label[review], _ = verbatim_score(seg_final[pos], lengths[pos], CFG, None, d.words[review])
        mean_only[review] = np.average(seg_final[pos], weights=np.maximum(lengths[pos], 10))
    has = np.zeros(d.n, bool)
    has[segments["review"].unique()] = True
    truth, polar = star_labels(d.stars), d.stars != 3
    n_seg = np.bincount(segments["review"], minlength=d.n)
    for title, rows in (("all", has), ("1 segment", has & (n_seg == 1)), ("2-3 segments", has & (n_seg >= 2) & (n_seg <= 3)),
                        ("4+ segments", has & (n_seg >= 4))):
        pr = rows & polar
        whole_lab = np.array([label_of(s, CFG, n) for s, n in zip(whole[rows], d.words[rows], strict=True)])
        parts = [f"whole text {accuracy_score(d.stars[pr] >= 4, whole[pr] >= 0):.3f} / "
                 f"{f1_score(truth[rows], whole_lab, average='macro'):.3f}"]
        for label, score, labels in (("roll-up (shipped)", rolled, rolled_label), ("segments alone", alone, alone_label)):
            parts.append(f"{label} {accuracy_score(d.stars[pr] >= 4, score[pr] >= 0):.3f} / "
                         f"{f1_score(truth[rows], labels[rows].astype(str), average='macro'):.3f}")
        log(f"{name} {title} (n={int(rows.sum())}, polar {int(pr.sum())}), binary / macro-F1: " + " | ".join(parts))
    for label, score in (("roll-up (shipped)", rolled), ("segments alone", alone), ("segment mean, no strong-negative rule", mean_only)):
        pr = has & polar
        log(f"{name}: {label}: binary {accuracy_score(d.stars[pr] >= 4, score[pr] >= 0):.3f}, "
            f"macro-F1 with cuts chosen on the other folds {crossfit(score, d, all_long=True):.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["run", "report", "stack", "segments"])
    parser.add_argument("names", nargs="+")
    args = parser.parse_args()
    d = Data()
    log(f"{d.n} reviews, {len(d.rows) - d.n} own facts, {len(d.cases)} seen cases")
    for name in args.names:
        if args.action == "run":
            run(d, name)
            report(d, name)
        elif args.action == "report":
            report(d, name)
        elif args.action == "stack":
            stack(d, name)
        else:
            segments = segments_frame(d)
            if not (CACHE / f"segoof-{name}.npy").is_file():
                run(d, name, segments)
            segment_report(d, name, segments)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
