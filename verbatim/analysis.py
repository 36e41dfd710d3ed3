"""The analysis of opinion units, stage by stage: sentiment, embeddings, themes, touchpoints.

Pure functions over DataFrames shared by ``verbatim annotate`` (everything at once, themes fitted
on the input) and the nightly flow (new segments only, themes from the stored model). The
models are passed in, so a caller loads each of them once.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from verbatim.config import Config
from verbatim.journey import NOT_LINKED, Taxonomy, link_segments, rollup_touchpoints
from verbatim.schema import require_columns
from verbatim.sentiment import rollup_verbatims, score_segments
from verbatim.sentiment.model import SentimentModel
from verbatim.themes import OUTLIER_ID

log = logging.getLogger(__name__)


def enrich_segments(segments: pd.DataFrame, model: SentimentModel, cfg: Config) -> pd.DataFrame:
    """Sentiment, emotion and effort per segment.

    Reads ``text``; returns a copy with ``sentiment``, ``sentiment_score``, ``sentiment_strength``,
    ``emotion`` and ``effort`` added.
    """
    return score_segments(segments, model, cfg.sentiment)


def enrich_verbatims(scored: pd.DataFrame, cleaned: pd.DataFrame, model: SentimentModel, cfg: Config,
                     transformer: Any = None) -> pd.DataFrame:
    """Per-verbatim sentiment (segments rolled up with the whole text's own score), intents and survey-score conflicts.

    Reads ``scored`` (output of :func:`enrich_segments`, with ``verbatim_id``) and ``cleaned``
    (``verbatim_id``, ``clean_text``, optional ``nps``/``csat``/``ces``). Returns
    ``VERBATIM_SENTIMENT_COLUMNS`` (see :mod:`verbatim.sentiment.rollup`), one row per verbatim.
    With ``transformer`` (see :func:`verbatim.sentiment.hybrid.load_transformer`, loaded once by the
    caller), the verbatims the fast model is unsure about take its labels
    (:func:`verbatim.sentiment.hybrid.refine_verbatims`).
    """
    require_columns(cleaned, ("verbatim_id", "clean_text"), "enrich_verbatims")
    verbatims = cleaned.rename(columns={"clean_text": "text"})
    per_verbatim = rollup_verbatims(scored, verbatims, cfg.sentiment, model)
    if transformer is None or cfg.sentiment.transformer == "off":
        return per_verbatim
    from verbatim.sentiment.hybrid import refine_verbatims

    return refine_verbatims(per_verbatim, verbatims["text"].fillna("").astype(str).tolist(), transformer, cfg.sentiment)


def link(segments: pd.DataFrame, embeddings: np.ndarray, assignments: pd.DataFrame | None, taxonomy: Taxonomy,
         cfg: Config) -> pd.DataFrame:
    """Touchpoints of each segment, helped by the votes of its theme (unassigned segments do not vote).

    Reads ``segment_id``, ``text``, ``lemmas`` and ``assignments`` (``segment_id``, ``theme_id``).
    Returns ``LINK_COLUMNS`` of :mod:`verbatim.journey.link`, one row per segment in input order.
    """
    votes = None
    if assignments is not None and len(assignments):
        votes = assignments.loc[assignments["theme_id"] != OUTLIER_ID, ["segment_id", "theme_id"]]
    return link_segments(segments, embeddings, taxonomy, cfg.journey, theme_votes=votes, embed_cfg=cfg.embed)


def main_theme(assignments: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    """Each verbatim's main theme: the theme holding most of its text (outliers only when nothing else).

    Reads ``assignments`` (``segment_id``, ``theme_id``, ``theme_label``) and ``segments``
    (``segment_id``, ``verbatim_id``, ``text``). Returns ``verbatim_id``, ``theme_id``, ``theme_label``.
    """
    frame = segments[["segment_id", "verbatim_id", "text"]].merge(assignments, on="segment_id", how="inner")
    if frame.empty:
        return pd.DataFrame(columns=["verbatim_id", "theme_id", "theme_label"])
    frame = frame.assign(weight=frame["text"].str.len() + np.where(frame["theme_id"] == OUTLIER_ID, -1e6, 0))
    totals = frame.groupby(["verbatim_id", "theme_id", "theme_label"], as_index=False)["weight"].sum()
    totals = totals.sort_values(["verbatim_id", "weight", "theme_id"], ascending=[True, False, True])
    return totals.drop_duplicates("verbatim_id")[["verbatim_id", "theme_id", "theme_label"]].reset_index(drop=True)


def verbatim_touchpoints(links: pd.DataFrame, segments: pd.DataFrame, taxonomy: Taxonomy) -> pd.DataFrame:
    """``verbatim_id``, ``touchpoint``, ``touchpoints`` from segment links (see :func:`rollup_touchpoints`)."""
    frame = links.merge(segments[["segment_id", "verbatim_id"]], on="segment_id", how="left")
    return rollup_touchpoints(frame, taxonomy)


def linked_share(links: pd.DataFrame) -> float:
    """Share of segments linked to a touchpoint (the rest is ``non_rattache``)."""
    return float((links["touchpoint"] != NOT_LINKED).mean()) if len(links) else 0.0


#: Columns of ``themes.csv`` (contract) followed by extra, documented ones.
THEMES_CSV_COLUMNS: tuple[str, ...] = ("theme_id", "label", "top_words", "n_segments", "n_verbatims", "touchpoint",
                                       "negative_share", "mean_sentiment", "category")


def theme_summary(themes: pd.DataFrame, assignments: pd.DataFrame, scored: pd.DataFrame,
                  theme_tps: pd.DataFrame) -> pd.DataFrame:
    """One row per theme (plus the unassigned pool) for ``themes.csv`` and ``annotate --themes-out``.

    Args:
        themes: ``theme_id``, ``label``, ``top_words`` (list or string), ``category``.
        assignments: ``segment_id``, ``theme_id``.
        scored: ``segment_id``, ``verbatim_id``, ``sentiment``, ``sentiment_score``.
        theme_tps: ``theme_id``, ``touchpoint`` (see :func:`verbatim.journey.theme_touchpoints`).

    Returns:
        ``THEMES_CSV_COLUMNS``: counts of segments and distinct verbatims, share of negative
        segments, mean sentiment, main touchpoint; ``top_words`` ``|``-joined. Sorted by
        decreasing ``n_segments``, the unassigned row (``T000``) last.
    """
    frame = assignments[["segment_id", "theme_id"]].merge(
        scored[["segment_id", "verbatim_id", "sentiment", "sentiment_score"]], on="segment_id", how="left")
    stats = frame.groupby("theme_id").agg(
        n_segments=("segment_id", "size"), n_verbatims=("verbatim_id", "nunique"),
        negative_share=("sentiment", lambda s: float((s == "negatif").mean())),
        mean_sentiment=("sentiment_score", "mean"),
    ).reset_index()
    return summary_table(themes, stats, theme_tps)


def summary_table(themes: pd.DataFrame, stats: pd.DataFrame, theme_tps: pd.DataFrame) -> pd.DataFrame:
    """:func:`theme_summary` from counts made elsewhere (e.g. aggregated by the store, see
    :meth:`verbatim.store.Store.theme_counts`).

    Args:
        themes: ``theme_id``, ``label``, ``top_words``, ``category``.
        stats: one row per theme with segments: ``theme_id``, ``n_segments``, ``n_verbatims``,
            ``negative_share`` (share of its segments scored ``negatif``), ``mean_sentiment``
            (mean ``sentiment_score`` of its scored segments).
        theme_tps: ``theme_id``, ``touchpoint``.
    """
    table = themes[["theme_id", "label", "top_words", "category"]].copy()
    if (stats["theme_id"] == OUTLIER_ID).any() and OUTLIER_ID not in set(table["theme_id"]):
        from verbatim.themes import OUTLIER_LABEL

        table = pd.concat([table, pd.DataFrame([{"theme_id": OUTLIER_ID, "label": OUTLIER_LABEL, "top_words": [], "category": ""}])],
                          ignore_index=True)
    table["top_words"] = table["top_words"].map(lambda w: "|".join(w) if isinstance(w, list | tuple | np.ndarray) else str(w or ""))
    table = table.merge(stats, on="theme_id", how="left")
    tps = theme_tps[["theme_id", "touchpoint"]] if len(theme_tps) else pd.DataFrame(columns=["theme_id", "touchpoint"])
    table = table.merge(tps, on="theme_id", how="left")
    table["touchpoint"] = table["touchpoint"].fillna("").replace(NOT_LINKED, "")
    table[["n_segments", "n_verbatims"]] = table[["n_segments", "n_verbatims"]].fillna(0).astype("int64")
    table["negative_share"] = table["negative_share"].fillna(0.0).round(4)
    table["mean_sentiment"] = table["mean_sentiment"].fillna(0.0).round(4)
    table["_last"] = table["theme_id"] == OUTLIER_ID
    table = table.sort_values(["_last", "n_segments", "theme_id"], ascending=[True, False, True])
    return table[list(THEMES_CSV_COLUMNS)].reset_index(drop=True)
