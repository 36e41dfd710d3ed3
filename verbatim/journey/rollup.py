"""Touchpoints of a verbatim from those of its segments."""

from __future__ import annotations

import pandas as pd

from verbatim.journey.taxonomy import NOT_LINKED, Taxonomy
from verbatim.schema import require_columns

ROLLUP_COLUMNS: tuple[str, ...] = ("verbatim_id", "touchpoint", "touchpoints")


def rollup_touchpoints(links: pd.DataFrame, taxonomy: Taxonomy) -> pd.DataFrame:
    """One row per verbatim: its main touchpoint and all touchpoints its segments reach.

    Reads ``verbatim_id``, ``touchpoint``, ``touchpoints`` (``|``-joined) and
    ``touchpoint_confidence`` of linked segments. The main touchpoint is the one whose segments
    add up to the highest confidence (ties: journey order); ``touchpoints`` lists every
    touchpoint of every segment in journey order. A verbatim whose segments are all
    ``non_rattache`` gets empty strings.

    Returns:
        ``ROLLUP_COLUMNS``, one row per verbatim present in ``links``.
    """
    require_columns(links, ("verbatim_id", "touchpoint", "touchpoints", "touchpoint_confidence"), "rollup_touchpoints")
    order = {tp: i for i, tp in enumerate(taxonomy.ids)}
    rows = []
    for vid, group in links.groupby("verbatim_id", sort=False):
        linked = group[group["touchpoint"] != NOT_LINKED]
        if linked.empty:
            rows.append((vid, "", ""))
            continue
        weight = linked.groupby("touchpoint")["touchpoint_confidence"].sum()
        main = min(weight.index, key=lambda tp: (-round(float(weight[tp]), 6), order.get(tp, len(order))))
        found = {tp for joined in group["touchpoints"] if joined for tp in str(joined).split("|")}
        rows.append((vid, main, "|".join(sorted(found, key=lambda tp: order.get(tp, len(order))))))
    return pd.DataFrame(rows, columns=list(ROLLUP_COLUMNS))
