"""Journey view data for the report: volumes and sentiment per stage and touchpoint, in journey order.

It shows the gap between the journey a company imagines and the one its customers live: every
touchpoint of the taxonomy has a row, also those customers never mention (``mentioned`` false,
zero counts), and a last row ``non_rattache`` gives the feedback that fits no touchpoint.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from verbatim.journey.taxonomy import NOT_LINKED, Taxonomy
from verbatim.schema import require_columns

__all__ = ["JOURNEY_VIEW_COLUMNS", "journey_view"]

#: Columns of :func:`journey_view` (one row per touchpoint in journey order, then ``non_rattache``).
JOURNEY_VIEW_COLUMNS: tuple[str, ...] = (
    "stage",  # stage id ("" on the non_rattache row)
    "stage_label",
    "touchpoint",  # touchpoint id, or "non_rattache"
    "label",
    "n_segments",  # segments linked to it (a segment with several touchpoints counts for each)
    "n_verbatims",  # distinct verbatims among them
    "n_customers",  # distinct non-empty customer ids (0 without a customer_id column)
    "segment_share",  # n_segments / all segments (the non_rattache row: the share that fits no touchpoint)
    "negative_share",  # share of its segments with sentiment "negatif" (NaN without sentiment)
    "mean_sentiment",  # mean sentiment_score (or of labels mapped to -1/0/1); NaN without sentiment
    "mentioned",  # n_segments > 0
)

_LABEL_SCORE = {"negatif": -1.0, "neutre": 0.0, "positif": 1.0}


def _sentiment(frame: pd.DataFrame, negative_below: float) -> tuple[pd.Series, pd.Series]:
    """(is_negative, score) per row; NaN where nothing is known."""
    score = pd.Series(np.nan, index=frame.index)
    negative = pd.Series(np.nan, index=frame.index)
    if "sentiment_score" in frame.columns:
        score = pd.to_numeric(frame["sentiment_score"], errors="coerce")
        negative = (score < negative_below).astype(float).where(score.notna())
    if "sentiment" in frame.columns:
        labels = frame["sentiment"].map(_LABEL_SCORE)
        negative = (labels == -1.0).astype(float).where(labels.notna()).combine_first(negative)
        score = score.combine_first(labels)
    return negative, score


def journey_view(segments_linked: pd.DataFrame, taxonomy: Taxonomy, *, negative_below: float = -0.2) -> pd.DataFrame:
    """Per stage and touchpoint (journey order): volumes, negativity and mean sentiment.

    Args:
        segments_linked: reads ``verbatim_id`` and ``touchpoint`` (or ``touchpoints``,
            ``|``-joined, preferred when present); optional ``sentiment`` (``negatif``/``neutre``/
            ``positif``), ``sentiment_score`` ([-1, 1]) and ``customer_id``. Not modified.
        taxonomy: gives the stages, their order and every touchpoint (mentioned or not).
        negative_below: without a ``sentiment`` label, a ``sentiment_score`` below this is negative.

    Returns:
        :data:`JOURNEY_VIEW_COLUMNS`, one row per touchpoint in journey order then one
        ``non_rattache`` row; ``attrs["non_rattache_share"]`` repeats that row's share.

    Raises:
        SchemaError: ``verbatim_id`` or both ``touchpoint`` and ``touchpoints`` are missing.
    """
    require_columns(segments_linked, ("verbatim_id",), "journey view")
    column = "touchpoints" if "touchpoints" in segments_linked.columns else "touchpoint"
    require_columns(segments_linked, (column,), "journey view")
    frame = segments_linked.copy()
    frame["_negative"], frame["_score"] = _sentiment(frame, negative_below)
    frame["_customer"] = frame["customer_id"] if "customer_id" in frame.columns else None
    raw = frame[column].fillna("").astype(str)
    if column == "touchpoints":  # a segment without any touchpoint is non_rattache
        raw = raw.where(raw != "", NOT_LINKED)
    frame["_tp"] = raw.str.split("|")
    exploded = frame.explode("_tp")
    total = len(frame)

    stage_labels = {s.id: s.label or s.id for s in taxonomy.stages}
    entries = [(tp.stage, stage_labels[tp.stage], tp.id, tp.label) for tp in taxonomy.in_journey_order()]
    entries.append(("", "", NOT_LINKED, "Non rattaché"))
    groups = dict(tuple(exploded.groupby("_tp", sort=False)))
    rows = []
    for stage, stage_label, tp, label in entries:
        group = groups.get(tp)
        n = 0 if group is None else len(group)
        customers = 0 if group is None else group["_customer"].dropna().astype(str).replace("", np.nan).nunique()
        rows.append((stage, stage_label, tp, label, n, 0 if group is None else group["verbatim_id"].nunique(),
                     customers, n / total if total else 0.0,
                     np.nan if group is None else group["_negative"].mean(),
                     np.nan if group is None else group["_score"].mean(), n > 0))
    view = pd.DataFrame(rows, columns=list(JOURNEY_VIEW_COLUMNS)).astype(
        {"n_segments": "int64", "n_verbatims": "int64", "n_customers": "int64", "segment_share": "float64",
         "negative_share": "float64", "mean_sentiment": "float64", "mentioned": bool})
    view.attrs["non_rattache_share"] = float(view["segment_share"].iloc[-1])
    return view
