"""Sentiment quality and speed: unseen insurers (GroupKFold), other sectors (hand-labelled), throughput.

Prints one markdown block (paste it into BENCHMARKS.md)::

    python benchmarks/bench_sentiment.py [--data ../shared/data/insurance_reviews_fr.csv.gz] [--limit N]
                                         [--folds 5] [--use-embeddings] [--grid]

* Cross-validation: GroupKFold by insurer; each fold trains a fresh model on the other insurers.
  Binary accuracy: 1-2 vs 4-5 stars, sign of the final score. Macro-F1: 3 classes from the
  neutral band. Spearman: final score vs stars.
* Other sectors: the shipped model (``models/sentiment``) on ``tests/data/sentiment_cases.csv``.
* Throughput: :func:`score_segments` (sentiment + emotion + effort) on short segments.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import spearmanr
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import GroupKFold

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import machine, timer  # noqa: E402
from verbatim.config import SentimentConfig  # noqa: E402
from verbatim.sentiment.model import SentimentModel, load_sentiment_model  # noqa: E402
from verbatim.sentiment.rules import analyse  # noqa: E402
from verbatim.sentiment.scoring import blend_score, label_of, score_segments  # noqa: E402
from verbatim.sentiment.train import DEFAULT_DATA, load_reviews  # noqa: E402

CASES = Path(__file__).resolve().parents[1] / "tests" / "data" / "sentiment_cases.csv"


def cached_embeddings(texts: list[str]) -> np.ndarray:
    """USE embeddings of ``texts``, cached in the temp folder under a hash of the texts."""
    from verbatim.sentiment.embeddings import embed

    key = hashlib.sha256("\x1f".join(texts).encode()).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"verbatim_use_{key}.npy"
    if path.is_file():
        return np.load(path, allow_pickle=False)
    emb = embed(texts)
    np.save(path, emb)
    return emb


def blend(model_scores: np.ndarray, analyses: list, cfg: SentimentConfig) -> np.ndarray:
    """Final scores from precomputed model scores and rule analyses (the formula of final_scores)."""
    return np.array([blend_score(m, a, cfg) for m, a in zip(model_scores, analyses, strict=True)])


def metrics(scores: np.ndarray, stars: np.ndarray, cfg: SentimentConfig) -> dict[str, float]:
    """Binary accuracy, 3-class macro-F1 and Spearman of final scores against stars."""
    polar = stars != 3
    binary = accuracy_score(stars[polar] >= 4, scores[polar] >= 0)
    truth = np.where(stars <= 2, "negatif", np.where(stars == 3, "neutre", "positif"))
    pred = np.array([label_of(s, cfg) for s in scores])
    return {"binary": binary, "macro_f1": f1_score(truth, pred, average="macro"),
            "spearman": spearmanr(scores, stars).statistic}


def _oof_cache(texts: list[str], folds: int, use_embeddings: bool) -> Path:
    """Temp file for out-of-fold scores, keyed by the texts, the options and the model's source code."""
    digest = hashlib.sha256("\x1f".join(texts).encode())
    digest.update(f"{folds}{use_embeddings}{SentimentModel().get_params()}".encode())
    for name in ("model", "features", "rules", "lexicon"):
        digest.update((Path(__file__).resolve().parents[1] / "verbatim" / "sentiment" / f"{name}.py").read_bytes())
    return Path(tempfile.gettempdir()) / f"verbatim_oof_{digest.hexdigest()[:16]}.npy"


def cross_validate(reviews: pd.DataFrame, folds: int, use_embeddings: bool) -> np.ndarray:
    """Out-of-fold model scores (P(pos) - P(neg)) with GroupKFold by insurer (cached while the code is unchanged)."""
    texts = reviews["text"].tolist()
    cache = _oof_cache(texts, folds, use_embeddings)
    if cache.is_file():
        return np.load(cache, allow_pickle=False)
    emb = cached_embeddings(texts) if use_embeddings else None
    oof = np.zeros(len(reviews))
    for train_idx, test_idx in GroupKFold(n_splits=folds).split(texts, groups=reviews["insurer"]):
        model = SentimentModel(use_embeddings=use_embeddings)
        tr = [texts[i] for i in train_idx]
        model.fit(tr, reviews["label"].to_numpy()[train_idx], groups=reviews["insurer"].to_numpy()[train_idx],
                  embeddings=None if emb is None else emb[train_idx])
        oof[test_idx] = model.score([texts[i] for i in test_idx], None if emb is None else emb[test_idx])
    np.save(cache, oof)
    return oof


def other_sectors(model: SentimentModel, cfg: SentimentConfig) -> pd.DataFrame:
    """Hand-labelled cases scored by the full pipeline; adds ``pred`` and ``sector``."""
    cases = pd.read_csv(CASES)
    scored = score_segments(cases, model, cfg)
    scored["pred"] = scored["sentiment"]
    scored["sector"] = scored["id"].str.split("-").str[0]
    return scored


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=None, help="seeded sample of starred reviews for the CV")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--use-embeddings", action="store_true", help="add USE embeddings to the CV model")
    parser.add_argument("--grid", action="store_true", help="also print figures for other rule weights / bands")
    parser.add_argument("--skip-cv", action="store_true")
    args = parser.parse_args()
    cfg = SentimentConfig()
    lines = ["```", f"bench_sentiment  ({machine()})"]

    if not args.skip_cv:
        reviews = load_reviews(args.data, args.limit)
        with timer() as elapsed:
            oof = cross_validate(reviews, args.folds, args.use_embeddings)
        analyses = [analyse(t) for t in reviews["text"]]
        stars = reviews["stars"].to_numpy()
        lines.append(f"unseen insurers: GroupKFold({args.folds}) by insurer on {len(reviews)} starred reviews, "
                     f"{reviews['insurer'].nunique()} insurers, embeddings={'USE' if args.use_embeddings else 'no'} "
                     f"({elapsed():.0f} s, 0 s when the out-of-fold scores come from the temp cache)")
        model_only = SentimentConfig(rule_weight=0.0, negation_rule_weight=0.0, intensifier_gain=0, softener_gain=0, question_damping=1,
                                     shouting_push=0)
        for name, c in [("model only", model_only), ("model + rules (shipped config)", cfg)]:
            m = metrics(blend(oof, analyses, c), stars, c)
            lines.append(f"  {name:32s} binary acc {m['binary']:.3f}  macro-F1 {m['macro_f1']:.3f}  "
                         f"Spearman {m['spearman']:.3f}")
        rules_only = metrics(np.array([a.score for a in analyses]), stars, cfg)
        lines.append(f"  {'rules only (lexicon)':32s} binary acc {rules_only['binary']:.3f}  "
                     f"macro-F1 {rules_only['macro_f1']:.3f}  Spearman {rules_only['spearman']:.3f}")
        if args.grid:
            for w in (0.0, 0.15, 0.3, 0.45):
                for band in (0.1, 0.2, 0.3, 0.4):
                    c = cfg.model_copy(update={"rule_weight": w, "neutral_band": band,
                                               "negation_rule_weight": max(w, cfg.negation_rule_weight)})
                    m = metrics(blend(oof, analyses, c), stars, c)
                    lines.append(f"    grid rule_weight={w:.2f} band={band:.1f}: binary {m['binary']:.3f} "
                                 f"macro-F1 {m['macro_f1']:.3f} Spearman {m['spearman']:.3f}")

    model = load_sentiment_model()
    scored = other_sectors(model, cfg)
    lines.append("other sectors: shipped model + rules on hand-written French sentences (tests/data/sentiment_cases.csv; "
                 "'dev' rows guided the lexicon and rules, 'held-out' rows (ids *-hNN) were written afterwards "
                 "and never used for tuning)")
    for split, part in scored.groupby(np.where(scored["id"].str.contains("-h"), "held-out", "dev")):
        polar = part["label"] != "neutre"
        bin_acc = accuracy_score(part.loc[polar, "label"] == "positif", part.loc[polar, "sentiment_score"] >= 0)
        lines.append(f"  {split:8s} n={len(part)}: 3-class accuracy {accuracy_score(part['label'], part['pred']):.3f}, "
                     f"macro-F1 {f1_score(part['label'], part['pred'], average='macro'):.3f}, "
                     f"binary accuracy {bin_acc:.3f} ({int(polar.sum())} polar)")
        for key in ("sector", "rule"):
            parts = [f"{k} {accuracy_score(g['label'], g['pred']):.2f} (n={len(g)})" for k, g in part.groupby(key)]
            lines.append(f"    by {key}: " + ", ".join(parts))

    segments = pd.DataFrame({"text": (scored["text"].tolist() * 40)[:5000]})
    score_segments(segments.head(50), model, cfg)  # warm-up
    with timer() as elapsed:
        score_segments(segments, model, cfg)
    lines.append(f"throughput: score_segments (sentiment + emotion + effort) {len(segments) / elapsed():,.0f} "
                 f"segments/s on short segments (shipped model, embeddings={'USE' if model.use_embeddings else 'no'})")
    lines.append("```")
    print("\n".join(lines))  # noqa: T201 - benchmark output
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
