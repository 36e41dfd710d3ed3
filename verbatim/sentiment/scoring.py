"""Per-segment sentiment: model score blended with the French rules, then labelled.

Segment score = ``(1 - w) * model + w * rules`` (``w`` from :func:`blend_score`: larger in short
segments and when a negation flipped a word), then the intensity rules of
:func:`~verbatim.sentiment.rules.adjust_score` (intensifiers, softeners, questions, shouting).
Label: ``negatif`` below ``-neutral_band``, ``positif`` above ``+neutral_band``, ``neutre`` between;
texts longer than ``short_text_words`` use ``long_text_negative_cut``/``long_text_positive_cut`` instead
(chosen for macro-F1 on unseen insurers' reviews, which are long and often mixed).
"""

from __future__ import annotations

import logging
import math

import numpy as np
import pandas as pd

from verbatim.config import SentimentConfig
from verbatim.schema import require_columns
from verbatim.sentiment.model import SentimentModel
from verbatim.sentiment.rules import RuleAnalysis, adjust_score, analyse

log = logging.getLogger(__name__)

#: Columns added by :func:`score_segments`.
SEGMENT_SENTIMENT_COLUMNS: tuple[str, ...] = ("sentiment", "sentiment_score", "sentiment_strength", "emotion", "effort")


def label_of(score: float, cfg: SentimentConfig, n_words: int = 0) -> str:
    """``negatif``/``neutre``/``positif`` from a score: the neutral band, or the long-text cuts past ``short_text_words``."""
    if n_words > cfg.short_text_words:
        low, high = cfg.long_text_negative_cut, cfg.long_text_positive_cut
    else:
        low, high = -cfg.neutral_band, cfg.neutral_band
    if score <= low:
        return "negatif"
    if score >= high:
        return "positif"
    return "neutre"


def blend_score(model_score: float, analysis: RuleAnalysis, cfg: SentimentConfig) -> float:
    """Final score of one text from its model score and rule analysis.

    The rules weigh ``rule_weight``. In short segments (at most ``short_text_words`` words) where
    they found a polar word, they weigh ``short_text_rule_weight`` (a few n-grams say little), or
    ``negation_rule_weight`` when they flipped a negated word (n-gram models read "pas déçu" as
    "déçu"). Long texts keep ``rule_weight``: their n-grams outvote a local negation, as the
    cross-validation on reviews showed. Short segments with a polar word after "mais" give the
    rules ``contrast_rule_weight``. Then :func:`adjust_score`, then the mild-polarity floor.

    Mild-polarity floor (``mild_polarity_floor``): a short segment that is not a question, whose
    rules are one-sided (only positive or only negative words and no "mais" without a polar word
    after it, or a polar word after "mais") with a rule score of
    at least ``mild_polarity_min_rules``, and whose score would fall in the neutral band, gets a
    score of ``±neutral_band`` on the rules' side: "un peu cher", "accueil un peu froid", "plutôt
    correct" are mild, not neutral. A model that clearly disagrees (its own score beyond the band
    on the other side) wins.
    """
    weight = cfg.rule_weight
    short = analysis.n_words <= cfg.short_text_words and bool(analysis.positive or analysis.negative)
    if short:
        negated = analysis.negated_positive or analysis.negated_negative
        weight = max(weight, cfg.negation_rule_weight if negated else cfg.short_text_rule_weight)
        if analysis.contrast:
            weight = max(weight, cfg.contrast_rule_weight)
    score = adjust_score((1 - weight) * model_score + weight * analysis.score, analysis, cfg)
    one_sided = analysis.contrast or not (analysis.positive and analysis.negative or analysis.connector)
    model_disagrees = math.copysign(1.0, analysis.score) * model_score <= -cfg.neutral_band
    if (cfg.mild_polarity_floor and short and one_sided and not analysis.question and not model_disagrees
            and abs(score) < cfg.neutral_band and abs(analysis.score) >= cfg.mild_polarity_min_rules):
        score = math.copysign(cfg.neutral_band, analysis.score)
    return score


def score_texts(texts: list[str], model: SentimentModel, cfg: SentimentConfig,
                embeddings: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Final sentiment scores in [-1, 1] of raw texts (model + rules + intensity adjustments) and their word counts."""
    texts = ["" if t is None else str(t) for t in texts]
    out = np.zeros(len(texts), dtype=np.float64)
    words = np.zeros(len(texts), dtype=np.int64)
    for start in range(0, len(texts), cfg.batch_size):
        batch = texts[start:start + cfg.batch_size]
        emb = None if embeddings is None else embeddings[start:start + cfg.batch_size]
        model_scores = model.score(batch, emb)
        for k, (text, m) in enumerate(zip(batch, model_scores, strict=True)):
            analysis = analyse(text, cfg.shouting_min_ratio)
            out[start + k] = blend_score(m, analysis, cfg)
            words[start + k] = analysis.n_words
    return out, words


def final_scores(texts: list[str], model: SentimentModel, cfg: SentimentConfig,
                 embeddings: np.ndarray | None = None) -> np.ndarray:
    """Final sentiment scores in [-1, 1] of raw texts (see :func:`score_texts`)."""
    return score_texts(texts, model, cfg, embeddings)[0]


def score_segments(segments: pd.DataFrame, model: SentimentModel, cfg: SentimentConfig | None = None) -> pd.DataFrame:
    """Sentiment, emotion and effort of each segment.

    Reads column ``text`` (PII-masked French). Returns a copy with added columns ``sentiment``
    (``negatif``/``neutre``/``positif``), ``sentiment_score`` (float in [-1, 1]),
    ``sentiment_strength`` (``|sentiment_score|``), ``emotion`` (see
    :mod:`verbatim.signals.emotion`, empty if none) and ``effort`` (``faible``/``moyen``/``eleve``
    or empty). The input frame is not modified.
    """
    from verbatim.signals.effort import detect_effort
    from verbatim.signals.emotion import detect_emotion

    cfg = cfg or SentimentConfig()
    require_columns(segments, ["text"], "score_segments")
    out = segments.copy()
    texts = out["text"].fillna("").astype(str).tolist()
    scores, words = score_texts(texts, model, cfg)
    out["sentiment_score"] = scores
    out["sentiment"] = [label_of(s, cfg, n) for s, n in zip(scores, words, strict=True)]
    out["sentiment_strength"] = np.abs(scores)
    out["emotion"] = [detect_emotion(t, s) for t, s in zip(texts, scores, strict=True)]
    out["effort"] = [detect_effort(t) for t in texts]
    log.info("scored %d segments", len(out))
    return out
