"""Roll segment sentiment up to verbatims, add intents and survey-score conflicts.

The rule (thresholds in :class:`~verbatim.config.SentimentConfig`):

1. The verbatim score blends its **whole text's own score** (weight ``whole_text_weight``) with
   the mean of its segment scores weighted by segment length (characters, at least 10), so a long
   sentence weighs more than "Bonjour.". The whole text keeps the context that a segment cut out
   of it loses; on unseen insurers' reviews the blend scores as well as the whole text, and
   better than the segments alone (BENCHMARKS.md, Sentiment, "The roll-up reads the whole
   verbatim too"). Without a model (``model=None``) the verbatim score is the segment mean.
2. **One strongly negative segment wins**: if a segment scores at or below ``strong_negative``
   and the whole text does not read positive (its own label, rule 3, is not ``positif``), the
   verbatim is ``negatif`` and its score is the lowest of the blended score, the mean of
   (blended score, worst segment) and the negative cut of rule 3 for its length. Polite openings
   and closings ("merci d'avance") do not hide a complaint; a praising review with one sharp
   aside stays positive, and ``mixed``.
3. Otherwise the label follows :func:`~verbatim.sentiment.scoring.label_of` on the score and the
   verbatim's word count: the neutral band up to ``short_text_words`` words, the long-text cuts
   beyond, as for a long segment.
4. ``mixed`` is true when the verbatim has a segment at or above ``+mixed_cut`` and one at or
   below ``-mixed_cut`` ("livraison en retard mais conseiller très aimable").
5. ``emotion``: the emotion of the strongest segment that has one (negative emotions first when
   the verbatim is negative); ``effort``: the highest segment level; ``intent``/``intents`` from
   :func:`~verbatim.signals.intent.detect_intents` on the verbatim text. With signal heads
   (:mod:`verbatim.signals.heads`, the shipped ones by default) each intent, the emotion, the
   effort and ``probleme`` (a problem reported, even as a plain fact) are then decided as the heads'
   ``decisions`` say: the rules, the model, either or both (chosen by cross-validation by sector on
   our own labelled messages); without heads, ``probleme`` is the rules' reading (``negatif``, a
   complaint, or a problem stated as a fact: :func:`~verbatim.signals.heads.problem_rule`).
6. ``score_conflict``: an NPS >= ``nps_promoter`` or a CSAT >= ``csat_high`` with a text scoring
   <= ``-conflict_margin``, or an NPS <= ``nps_detractor`` or a CSAT <= ``csat_low`` with a text
   scoring >= ``+conflict_margin``. Neither the survey score nor the text score is changed.
7. With heads, a ``neutre`` verbatim whose ``probleme`` is decided and whose problem head gives at
   least ``problem_negative_threshold`` reads ``negatif`` ("plus de réseau depuis lundi"), its
   intents decided again as a negative verbatim's; its score is kept. ``None``: never.

Verbatims without segments get ``neutre``/0 and no emotion or effort.
"""

from __future__ import annotations

import logging
import math

import numpy as np
import pandas as pd

from verbatim.config import SentimentConfig
from verbatim.schema import require_columns
from verbatim.sentiment.model import SentimentModel
from verbatim.sentiment.rules import analyse
from verbatim.sentiment.scoring import label_of, score_texts
from verbatim.signals.effort import max_effort
from verbatim.signals.emotion import EMOTIONS
from verbatim.signals.heads import SignalHeads, decide_signals, problem_rule, shipped_signal_heads
from verbatim.signals.intent import detect_intents

log = logging.getLogger(__name__)

#: Columns of the frame returned by :func:`rollup_verbatims`.
VERBATIM_SENTIMENT_COLUMNS: tuple[str, ...] = ("verbatim_id", "sentiment", "sentiment_score", "mixed", "emotion",
                                               "effort", "intent", "intents", "score_conflict", "n_segments",
                                               "probleme")
#: ``heads`` default of :func:`rollup_verbatims`: the shipped signal heads (``models/signals``), loaded once.
SHIPPED_HEADS = "shipped"
_NEGATIVE_EMOTIONS = frozenset(EMOTIONS[:4])


def verbatim_score(scores: np.ndarray, lengths: np.ndarray, cfg: SentimentConfig, whole: float | None = None,
                   n_words: int = 0) -> tuple[float, str, bool]:
    """``(score, label, mixed)`` of one verbatim from its segment scores and lengths (rules 1-4 of the module
    docstring); ``whole`` is its whole text's score (None: segments only), ``n_words`` its word count."""
    weights = np.maximum(lengths, 10).astype(float)
    score = float(np.average(scores, weights=weights))
    if whole is not None:
        score = cfg.whole_text_weight * whole + (1 - cfg.whole_text_weight) * score
    worst, best = float(scores.min()), float(scores.max())
    mixed = best >= cfg.mixed_cut and worst <= -cfg.mixed_cut
    if worst <= cfg.strong_negative and (whole is None or label_of(whole, cfg, n_words) != "positif"):
        negative_cut = cfg.long_text_negative_cut if n_words > cfg.short_text_words else -cfg.neutral_band
        return min(score, (score + worst) / 2, negative_cut), "negatif", mixed
    return score, label_of(score, cfg, n_words), mixed


def _dominant_emotion(emotions: list[str], strengths: np.ndarray, label: str) -> str:
    candidates = [(s, e) for e, s in zip(emotions, strengths, strict=True) if e]
    if label == "negatif" and any(e in _NEGATIVE_EMOTIONS for _, e in candidates):
        candidates = [(s, e) for s, e in candidates if e in _NEGATIVE_EMOTIONS]
    if label == "positif" and any(e not in _NEGATIVE_EMOTIONS for _, e in candidates):
        candidates = [(s, e) for s, e in candidates if e not in _NEGATIVE_EMOTIONS]
    return max(candidates, key=lambda c: c[0])[1] if candidates else ""


def _number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def score_conflict(score: float, nps: object = None, csat: object = None, cfg: SentimentConfig | None = None) -> bool:
    """Whether a survey score (NPS 0-10, CSAT 1-5) contradicts a text score (rule 6 of the module docstring)."""
    cfg = cfg or SentimentConfig()
    nps_v, csat_v = _number(nps), _number(csat)
    negative_text = score <= -cfg.conflict_margin
    positive_text = score >= cfg.conflict_margin
    if nps_v is not None and ((nps_v >= cfg.nps_promoter and negative_text) or (nps_v <= cfg.nps_detractor and positive_text)):
        return True
    return csat_v is not None and ((csat_v >= cfg.csat_high and negative_text) or (csat_v <= cfg.csat_low and positive_text))


def rollup_verbatims(segments_scored: pd.DataFrame, verbatims: pd.DataFrame, cfg: SentimentConfig | None = None,
                     model: SentimentModel | None = None,
                     heads: SignalHeads | str | None = SHIPPED_HEADS) -> pd.DataFrame:
    """One sentiment row per verbatim.

    Args:
        segments_scored: output of :func:`~verbatim.sentiment.scoring.score_segments`; reads
            ``verbatim_id``, ``text``, ``sentiment_score``, ``emotion``, ``effort``.
        verbatims: reads ``verbatim_id``, ``text`` (clean text) and, when present, ``nps``, ``csat``.
        cfg: thresholds; defaults to :class:`SentimentConfig`.
        model: the segments' sentiment model; when given, each verbatim's whole text is scored
            too (rules 1-3 of the module docstring). The product always passes it.
        heads: the signal heads deciding intents, emotion, effort and ``probleme`` with the rules
            (rule 5); default: the shipped ones (loaded once per process); ``None``: the rules alone.

    Returns:
        A new frame, one row per verbatim in ``verbatims`` order, with the columns of
        :data:`VERBATIM_SENTIMENT_COLUMNS`: ``verbatim_id``, ``sentiment``, ``sentiment_score``,
        ``mixed`` (bool), ``emotion`` (dominant), ``effort`` (max level), ``intent`` (main),
        ``intents`` (``|``-joined), ``score_conflict`` (bool), ``n_segments``, ``probleme`` (bool).

    Raises:
        ModelError: the shipped heads are asked for and cannot be loaded.
    """
    cfg = cfg or SentimentConfig()
    require_columns(segments_scored, ["verbatim_id", "text", "sentiment_score", "emotion", "effort"], "rollup_verbatims")
    require_columns(verbatims, ["verbatim_id", "text"], "rollup_verbatims")
    # whole-frame columns once, then positions per verbatim (pandas per group cost 40 % of the stage)
    positions = segments_scored.groupby("verbatim_id", sort=False).indices if len(segments_scored) else {}
    all_scores = segments_scored["sentiment_score"].to_numpy(dtype=float)
    all_lengths = segments_scored["text"].fillna("").astype(str).str.len().to_numpy()
    all_emotions = segments_scored["emotion"].fillna("").to_numpy(dtype=object)
    all_efforts = segments_scored["effort"].fillna("").to_numpy(dtype=object)
    texts = verbatims["text"].fillna("").astype(str).tolist()
    # whole-text scores and word counts, only for the verbatims that have segments (the others are neutre/0)
    with_segments = [i for i, vid in enumerate(verbatims["verbatim_id"]) if len(positions.get(vid, ())) > 0]
    words = np.zeros(len(texts), dtype=int)
    wholes = np.zeros(len(texts)) if model is not None else None
    if model is not None and with_segments:
        wholes[with_segments], words[with_segments] = score_texts([texts[i] for i in with_segments], model, cfg)
    elif with_segments:
        words[with_segments] = [analyse(texts[i], cfg.shouting_min_ratio).n_words for i in with_segments]
    if isinstance(heads, str):
        if heads != SHIPPED_HEADS:
            raise ValueError(f"heads must be a SignalHeads, None or {SHIPPED_HEADS!r}, not {heads!r}")
        heads = shipped_signal_heads()
    rows = []
    for i, record in enumerate(verbatims.to_dict("records")):
        vid = record["verbatim_id"]
        pos = positions.get(vid)
        if pos is None or len(pos) == 0:
            score, label, mixed, emotion, effort, n = 0.0, "neutre", False, "", "", 0
        else:
            scores = all_scores[pos]
            whole = None if wholes is None else float(wholes[i])
            score, label, mixed = verbatim_score(scores, all_lengths[pos], cfg, whole, int(words[i]))
            emotion = _dominant_emotion(all_emotions[pos].tolist(), np.abs(scores), label)
            effort = max_effort(all_efforts[pos].tolist())
            n = len(pos)
        intents = detect_intents(texts[i], label)
        rows.append({
            "verbatim_id": vid, "sentiment": label, "sentiment_score": float(np.clip(score, -1, 1)), "mixed": bool(mixed),
            "emotion": emotion, "effort": effort, "intents": intents,
            "score_conflict": score_conflict(score, record.get("nps"), record.get("csat"), cfg), "n_segments": n,
            "probleme": n > 0 and problem_rule(label, intents, texts[i]),
        })
    if heads is not None and with_segments:
        chosen = [rows[i] for i in with_segments]
        proba = heads.predict_proba([texts[i] for i in with_segments])
        decided = decide_signals(heads, [r["sentiment"] for r in chosen], [r["intents"] for r in chosen],
                                 [r["emotion"] for r in chosen], [r["effort"] for r in chosen], proba,
                                 [texts[i] for i in with_segments])
        for row, intents, emotion, effort, problem in zip(chosen, *decided, strict=True):
            row.update(intents=intents, emotion=emotion, effort=effort, probleme=problem)
        cut = cfg.problem_negative_threshold
        flip = [k for k, row in enumerate(chosen)
                if cut is not None and row["sentiment"] == "neutre" and row["probleme"] and proba["probleme"][k] >= cut]
        if flip:  # rule 7: a problem stated as a plain fact is negatif; its intents are decided again as such
            sub = {key: values[flip] for key, values in proba.items()}
            again = decide_signals(heads, ["negatif"] * len(flip), [detect_intents(texts[with_segments[k]], "negatif")
                                                                    for k in flip],
                                   [chosen[k]["emotion"] for k in flip], [chosen[k]["effort"] for k in flip], sub,
                                   [texts[with_segments[k]] for k in flip])[0]
            for k, intents in zip(flip, again, strict=True):
                chosen[k].update(sentiment="negatif", intents=intents)
    for row in rows:
        row["intent"] = row["intents"][0] if row["intents"] else ""
        row["intents"] = "|".join(row["intents"])
    log.info("rolled up %d verbatims from %d segments", len(rows), len(segments_scored))
    return pd.DataFrame(rows, columns=list(VERBATIM_SENTIMENT_COLUMNS))
