"""The callback list: very dissatisfied customers of the window, one line per customer, most urgent first.

A verbatim qualifies when one of its segments is strongly negative (``sentiment_score <=
strong_negative``) and it carries a severity signal: a ``resiliation`` or ``juridique`` intent,
anger (``colère``) or high effort. Its urgency::

    severity = -min segment score + 1 (juridique) + 1 (resiliation) + 0.5 (anger) + 0.5 (high effort)
               + 0.5 (its hot spot is in alert)

Each customer (``customer_id`` known; anonymous verbatims never make a line) appears once, with
their most urgent verbatim (ties: the most recent) and the count of their other verbatims in the
window. Lines are ordered by severity, then the oldest first (waiting longest), then customer id.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

import numpy as np
import pandas as pd

from verbatim.config import HotspotsConfig
from verbatim.hotspots.cells import CELL_KEYS, Windows, prepare
from verbatim.hotspots.columns import ALL_CALLBACK_COLUMNS
from verbatim.hotspots.text import cell_name, number, truncate
from verbatim.journey.taxonomy import NOT_LINKED
from verbatim.schema import empty_frame

log = logging.getLogger(__name__)

__all__ = ["compute_callbacks"]

_SIGNALS = (("juridique", 1.0, "menace juridique"), ("resiliation", 1.0, "menace de résiliation"),
            ("anger", 0.5, "colère"), ("high_effort", 0.5, "effort élevé"))


def _hotspot_lookup(hotspots: pd.DataFrame | None) -> pd.DataFrame:
    """Cell keys -> ``rank``, ``alert``, ``name`` (``"#3 Livraison · retard colis"``)."""
    if hotspots is None or hotspots.empty:
        return pd.DataFrame(columns=["rank", "alert", "name"], index=pd.MultiIndex.from_tuples([], names=CELL_KEYS))
    cells = hotspots.assign(split=hotspots["split"].fillna("") if "split" in hotspots else "",
                            touchpoint_label=hotspots.get("touchpoint_label", hotspots["touchpoint"]))
    cells["name"] = [f"#{r.rank} {cell_name(r.touchpoint_label, r.theme_label, r.split)}" for r in cells.itertuples()]
    return cells.set_index(CELL_KEYS)[["rank", "alert", "name"]]


def _best_hotspot(worst: pd.DataFrame, lookup: pd.DataFrame) -> pd.DataFrame:
    """The best-ranked hot spot among the worst segment's touchpoint x theme and touchpoint cells."""
    themed = lookup.reindex(pd.MultiIndex.from_frame(worst[CELL_KEYS]))
    alone = lookup.reindex(pd.MultiIndex.from_frame(worst[CELL_KEYS].assign(theme_id="")))
    themed_rank = pd.to_numeric(themed["rank"], errors="coerce").to_numpy(float)
    alone_rank = pd.to_numeric(alone["rank"], errors="coerce").to_numpy(float)
    use_themed = np.nan_to_num(themed_rank, nan=np.inf) < np.nan_to_num(alone_rank, nan=np.inf)
    name = np.where(use_themed, themed["name"].to_numpy(object), alone["name"].to_numpy(object))
    alert = themed["alert"].fillna(False).to_numpy(bool) | alone["alert"].fillna(False).to_numpy(bool)
    return pd.DataFrame({"hotspot": pd.Series(name).fillna("").to_numpy(object), "in_alert": alert}, index=worst.index)


def _excerpts(frame: pd.DataFrame, worst: pd.DataFrame, limit: int) -> pd.Series:
    """Per verbatim: its most negative segment, then its other segments in order, ``" … "``-joined and cut."""
    rest = frame[~frame["segment_id"].isin(worst["segment_id"])].sort_values(["verbatim_id", "segment_id"])
    others = rest[rest["text"] != ""].groupby("verbatim_id")["text"].agg(" … ".join)
    full = worst["text"].where(~others.reindex(worst.index).notna(), worst["text"] + " … " + others.reindex(worst.index))
    return full.map(lambda t: truncate(t, limit))


def _reason(row: pd.Series, n_other: int) -> str:
    parts = [f"très négatif ({number(row['sentiment_score'], 2)})"]
    parts += [label for flag, _, label in _SIGNALS if row[flag]]
    if row["in_alert"]:
        parts.append("hot spot en alerte")
    more = f" ; +{n_other} autre{'s' if n_other > 1 else ''} message{'s' if n_other > 1 else ''}" if n_other else ""
    return " · ".join(parts) + more


def compute_callbacks(segments: pd.DataFrame, as_of: datetime | date | str, cfg: HotspotsConfig,
                      hotspots: pd.DataFrame | None = None) -> pd.DataFrame:
    """Customers to call back: very dissatisfied in the window, one line each, in priority order.

    The only output with customer ids. Texts are the already masked segment texts.

    Args:
        segments: analysed segments (same columns as :func:`~verbatim.hotspots.compute_hotspots`
            reads); not modified.
        as_of: end of the window (as in :func:`~verbatim.hotspots.compute_hotspots`).
        cfg: ``window_days``, ``strong_negative``, ``example_chars``, ``split_by``.
        hotspots: the night's hot spots (reads ``rank``, ``split``, ``touchpoint``,
            ``touchpoint_label``, ``theme_id``, ``theme_label``, ``alert``); ``None``: no
            ``hotspot`` names and no alert bonus.

    Returns:
        :data:`~verbatim.hotspots.columns.ALL_CALLBACK_COLUMNS`: ``priority`` (1 = first),
        ``customer_id``, ``channel``, ``received_at`` (UTC) and ``verbatim_id`` of the worst
        verbatim, ``excerpt`` (its most negative segment, masked, cut at ``example_chars``),
        ``reason`` (French: signals found, other messages), ``hotspot`` (``"#rank label"`` of the
        best-ranked cell of that segment, ``""`` when non linked); ``n_other_verbatims`` (the
        customer's other verbatims in the window), ``severity`` (urgency above),
        ``sentiment_score``, ``touchpoint``, ``theme_id`` of that segment.
    """
    windows = Windows.of(as_of, cfg)
    frame = prepare(segments, windows, cfg)
    frame = frame[(frame["period"] == "window") & frame["has_customer"]]
    if frame.empty:
        return empty_frame(ALL_CALLBACK_COLUMNS)
    flags = [flag for flag, _, _ in _SIGNALS]
    per_verbatim = frame.groupby("verbatim_id")[["strong", *flags]].any()
    worst = (frame.sort_values(["sentiment_score", "segment_id"], na_position="last")
             .drop_duplicates("verbatim_id").set_index("verbatim_id"))
    worst = worst.drop(columns=["strong", *flags]).join(per_verbatim)
    linked = frame[~frame["touchpoint"].isin(["", NOT_LINKED])].sort_values(["sentiment_score", "segment_id"], na_position="last")
    linked = linked.drop_duplicates("verbatim_id").set_index("verbatim_id")
    worst.loc[linked.index, ["touchpoint", "theme_id"]] = linked[["touchpoint", "theme_id"]]  # hot spot of the worst linked segment
    worst["excerpt"] = _excerpts(frame, worst, cfg.example_chars)
    n_messages = frame.groupby("customer")["verbatim_id"].nunique()
    eligible = worst[worst["strong"] & worst[flags].any(axis=1)].copy()
    if eligible.empty:
        return empty_frame(ALL_CALLBACK_COLUMNS)

    eligible = eligible.join(_best_hotspot(eligible, _hotspot_lookup(hotspots)))
    weights = np.array([w for _, w, _ in _SIGNALS])
    eligible["severity"] = (-eligible["sentiment_score"].fillna(0) + eligible[flags].to_numpy(float) @ weights
                            + 0.5 * eligible["in_alert"]).round(3)
    eligible = eligible.reset_index()
    best = (eligible.sort_values(["customer", "severity", "received_at", "verbatim_id"], ascending=[True, False, False, True])
            .drop_duplicates("customer"))
    best = best.sort_values(["severity", "received_at", "customer"], ascending=[False, True, True], kind="mergesort")
    best["n_other_verbatims"] = (best["customer"].map(n_messages) - 1).astype(int)
    out = pd.DataFrame({
        "priority": np.arange(1, len(best) + 1),
        "customer_id": best["customer"].to_numpy(),
        "channel": best["channel"].fillna("").to_numpy(),
        "received_at": best["received_at"].reset_index(drop=True),
        "verbatim_id": best["verbatim_id"].to_numpy(),
        "excerpt": best["excerpt"].to_numpy(),
        "reason": [_reason(row, int(n)) for (_, row), n in zip(best.iterrows(), best["n_other_verbatims"], strict=True)],
        "hotspot": best["hotspot"].to_numpy(),
        "n_other_verbatims": best["n_other_verbatims"].to_numpy(),
        "severity": best["severity"].to_numpy(),
        "sentiment_score": best["sentiment_score"].round(4).to_numpy(),
        "touchpoint": best["touchpoint"].to_numpy(),
        "theme_id": best["theme_id"].to_numpy(),
    })
    log.info("callbacks as of %s: %d customers to call back", windows.end.date(), len(out))
    return out[list(ALL_CALLBACK_COLUMNS)]
