"""The report's figures, computed from analysed segments: periods, scores, volumes, trends.

Everything here aggregates: no function returns more rows than there are channels, themes,
touchpoints or time buckets, which keeps the report small whatever the number of verbatims.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from verbatim.journey.taxonomy import NOT_LINKED

log = logging.getLogger(__name__)

__all__ = [
    "REPORT_SEGMENT_COLUMNS", "Periods", "csat_satisfied", "nps", "prepare_segments", "score_table", "sentiment_split",
    "split_periods", "step_of", "theme_trends", "trend_label", "trend_series", "verbatims_of", "volume_table",
]

#: Columns of the analysed segments the report reads (missing ones are added empty). ``customer_id``
#: is deliberately absent: it is dropped on entry, so it cannot reach the report.
REPORT_SEGMENT_COLUMNS: tuple[str, ...] = (
    "segment_id", "verbatim_id", "channel", "received_at", "nps", "csat", "ces", "text", "sentiment",
    "sentiment_score", "theme_id", "theme_label", "touchpoint", "touchpoints", "verbatim_sentiment", "language",
)

SENTIMENTS: tuple[str, ...] = ("negatif", "neutre", "positif")
ALL_KEY = "__all__"  # trend_series key of the all-touchpoints series


@dataclass(frozen=True)
class Periods:
    """The report's period and the one before it, and the segments of each.

    Attributes:
        start: start of the period (exclusive); ``end`` (inclusive) is the as-of instant.
        previous_start: start of the previous period (exclusive); it ends at ``start``.
        current: segments received in (start, end].
        previous: segments of the previous period.
        history: every segment received up to ``end`` (current, previous and older).
    """

    start: pd.Timestamp
    end: pd.Timestamp
    previous_start: pd.Timestamp
    current: pd.DataFrame
    previous: pd.DataFrame
    history: pd.DataFrame


def prepare_segments(frame: pd.DataFrame | None) -> pd.DataFrame:
    """A copy with exactly :data:`REPORT_SEGMENT_COLUMNS`, ``received_at`` in UTC and numeric scores.

    Reads the analysed-segment columns listed above (``Store.analysed_segments`` gives them all
    but ``language``); missing columns become null; ``customer_id`` and any other column are dropped.
    """
    frame = pd.DataFrame() if frame is None else frame
    out = pd.DataFrame({c: frame[c] if c in frame.columns else pd.Series(None, index=frame.index, dtype=object)
                        for c in REPORT_SEGMENT_COLUMNS})
    out["received_at"] = pd.to_datetime(out["received_at"], utc=True)
    for col in ("nps", "csat", "ces", "sentiment_score"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
    for col in ("touchpoint", "theme_id", "theme_label", "channel", "sentiment", "text"):
        out[col] = out[col].astype(object).where(out[col].notna(), None)
    out["touchpoint"] = out["touchpoint"].fillna(NOT_LINKED).replace("", NOT_LINKED)
    return out.reset_index(drop=True)


def split_periods(segments: pd.DataFrame | None, previous: pd.DataFrame | None, as_of: datetime, days: int) -> Periods:
    """Split the segments into the report's period, the period before it and the whole history.

    Args:
        segments: analysed segments (at least the report's period; more history feeds the trends).
        previous: the previous period's segments when the caller has them apart; when None they
            are taken from ``segments`` (the ``days`` before the period).
        as_of: end of the period (inclusive); later segments are ignored (replays).
        days: length of each period.
    """
    end = pd.Timestamp(as_of)
    end = end.tz_localize("UTC") if end.tzinfo is None else end.tz_convert("UTC")
    start, previous_start = end - pd.Timedelta(days=days), end - pd.Timedelta(days=2 * days)
    history = prepare_segments(segments)
    if previous is not None:
        history = pd.concat([history, prepare_segments(previous)], ignore_index=True)
        history = history.drop_duplicates("segment_id") if history["segment_id"].notna().all() else history
    history = history[history["received_at"] <= end].sort_values("received_at", kind="stable").reset_index(drop=True)
    at = history["received_at"]
    current = history[(at > start) & (at <= end)]
    before = history[(at > previous_start) & (at <= start)] if previous is None else prepare_segments(previous)
    return Periods(start, end, previous_start, current, before, history)


def verbatims_of(segments: pd.DataFrame) -> pd.DataFrame:
    """One row per verbatim (its first segment): ``verbatim_id``, ``channel``, scores, ``verbatim_sentiment``..."""
    return segments.drop_duplicates("verbatim_id")


def nps(scores: pd.Series) -> float:
    """Net Promoter Score in points: % of 9-10 minus % of 0-6 among the non-null 0-10 answers (NaN if none)."""
    s = pd.to_numeric(scores, errors="coerce").dropna()
    return float(100 * ((s >= 9).mean() - (s <= 6).mean())) if len(s) else math.nan


def csat_satisfied(scores: pd.Series) -> float:
    """CSAT in %: share of 4-5 among the non-null 1-5 answers (NaN if none)."""
    s = pd.to_numeric(scores, errors="coerce").dropna()
    return float(100 * (s >= 4).mean()) if len(s) else math.nan


def _mean(scores: pd.Series) -> float:
    s = pd.to_numeric(scores, errors="coerce").dropna()
    return float(s.mean()) if len(s) else math.nan


#: (column, label, function, unit, direction of "better": 1 up, -1 down, 0 none)
_SCORES = (
    ("nps", "NPS", nps, "pts", 1),
    ("csat", "CSAT (satisfaits)", csat_satisfied, "pts", 1),
    ("ces", "CES (moyenne)", _mean, "", 0),
)


def score_table(current: pd.DataFrame, previous: pd.DataFrame) -> list[dict[str, object]]:
    """NPS, CSAT and CES over the verbatims of each period, with the change.

    Reads ``verbatim_id``, ``nps``, ``csat``, ``ces``. Returns one dict per score: ``key``,
    ``label``, ``value``, ``previous``, ``change`` (NaN when either side has no answer), ``n``,
    ``n_previous``, ``unit``, ``better`` (``1``/``-1``/``0``: sign of the change that is good news).
    """
    cur, prev = verbatims_of(current), verbatims_of(previous)
    rows = []
    for col, label, fn, unit, better in _SCORES:
        value, before = fn(cur[col]), fn(prev[col])
        rows.append({"key": col, "label": label, "value": value, "previous": before, "change": value - before,
                     "n": int(cur[col].notna().sum()), "n_previous": int(prev[col].notna().sum()),
                     "unit": unit, "better": better})
    return rows


def _change(current: float, previous: float) -> float:
    return (current - previous) / previous if previous else math.nan


def volume_table(current: pd.DataFrame, previous: pd.DataFrame, column: str) -> list[dict[str, object]]:
    """Verbatims and segments per value of ``column`` (``channel``, ``language``) in each period.

    Returns dicts ``name``, ``n_verbatims``, ``n_segments``, ``n_previous`` (verbatims),
    ``change`` (relative), ``share`` (of the period's verbatims); largest first, then a total row
    (``name`` = "Total", ``total`` True).
    """
    def counts(frame: pd.DataFrame) -> pd.DataFrame:
        keys = frame[column].fillna("inconnu").astype(str)
        return frame.assign(_k=keys).groupby("_k").agg(v=("verbatim_id", "nunique"), s=("verbatim_id", "size"))

    cur, prev = counts(current), counts(previous)
    names = sorted(set(cur.index) | set(prev.index), key=lambda k: (-int(cur["v"].get(k, 0)), k))
    total = int(current["verbatim_id"].nunique())
    rows = []
    for name in names:
        n, before = int(cur["v"].get(name, 0)), int(prev["v"].get(name, 0))
        rows.append({"name": name, "n_verbatims": n, "n_segments": int(cur["s"].get(name, 0)), "n_previous": before,
                     "change": _change(n, before), "share": n / total if total else math.nan, "total": False})
    before = int(previous["verbatim_id"].nunique())
    rows.append({"name": "Total", "n_verbatims": total, "n_segments": len(current), "n_previous": before,
                 "change": _change(total, before), "share": 1.0 if total else math.nan, "total": True})
    return rows


def sentiment_split(frame: pd.DataFrame, column: str) -> dict[str, object]:
    """Counts and shares of ``negatif``/``neutre``/``positif`` in ``column`` (rows with another value are ignored).

    Returns ``{"n": total, "parts": [{"key", "n", "share"}, ...]}`` in :data:`SENTIMENTS` order.
    """
    counts = frame[column].value_counts()
    n = int(sum(int(counts.get(k, 0)) for k in SENTIMENTS))
    return {"n": n, "parts": [{"key": k, "n": int(counts.get(k, 0)), "share": int(counts.get(k, 0)) / n if n else math.nan}
                              for k in SENTIMENTS]}


def trend_label(current: int, previous: int, ratio: float, min_change: int) -> str:
    """``nouveau`` (nothing before), ``hausse``, ``baisse`` or ``stable`` from two period counts."""
    if previous == 0:
        return "nouveau" if current > 0 else "stable"
    if current >= previous * ratio and current - previous >= min_change:
        return "hausse"
    if current * ratio <= previous and previous - current >= min_change:
        return "baisse"
    return "stable"


def theme_trends(current: pd.DataFrame, previous: pd.DataFrame, ratio: float, min_change: int) -> pd.DataFrame:
    """Per ``theme_id``: segments in each period and the :func:`trend_label` (``n_current``, ``n_previous``, ``trend``)."""
    cur = current.groupby("theme_id").size()
    prev = previous.groupby("theme_id").size()
    ids = sorted(set(cur.index) | set(prev.index))
    frame = pd.DataFrame({"theme_id": pd.Series(ids, dtype=object), "n_current": [int(cur.get(i, 0)) for i in ids],
                          "n_previous": [int(prev.get(i, 0)) for i in ids]})
    frame["trend"] = [trend_label(c, p, ratio, min_change) for c, p in zip(frame["n_current"], frame["n_previous"], strict=True)]
    return frame


def trend_series(history: pd.DataFrame, end: pd.Timestamp, step_days: int, days: int) -> pd.DataFrame:
    """Segments and negative share per time bucket, for every main ``touchpoint`` and for all (``__all__``).

    Buckets are ``step_days`` long and end at ``end`` (so the last one is complete and matches
    the report's period when both are a week). Reads ``received_at``, ``touchpoint``, ``sentiment``.

    Returns:
        ``key``, ``bucket_end`` (Timestamp), ``n_segments``, ``negative_share`` (NaN for an empty
        bucket): every key has every bucket, oldest first.
    """
    n_buckets = max(1, math.ceil(days / step_days))
    step = pd.Timedelta(days=step_days)
    ends = [end - k * step for k in range(n_buckets - 1, -1, -1)]
    age = ((end - history["received_at"]) / step).to_numpy(dtype="float64")
    bucket = np.floor(age)
    keep = bucket < n_buckets
    frame = pd.DataFrame({"bucket": (n_buckets - 1 - bucket[keep]).astype("int64"),
                          "touchpoint": history["touchpoint"].to_numpy()[keep],
                          "negative": (history["sentiment"] == "negatif").to_numpy()[keep]})
    both = pd.concat([frame, frame.assign(touchpoint=ALL_KEY)], ignore_index=True)
    stats = both.groupby(["touchpoint", "bucket"]).agg(n_segments=("negative", "size"), negative_share=("negative", "mean"))
    keys = [ALL_KEY] + sorted(set(frame["touchpoint"]))
    index = pd.MultiIndex.from_product([keys, range(n_buckets)], names=["touchpoint", "bucket"])
    stats = stats.reindex(index).reset_index()
    stats["n_segments"] = stats["n_segments"].fillna(0).astype("int64")
    stats["bucket_end"] = [ends[b] for b in stats["bucket"]]
    return stats.rename(columns={"touchpoint": "key"})[["key", "bucket_end", "n_segments", "negative_share"]]


def step_of(granularity: str) -> int:
    """Days per trend bucket."""
    return 1 if granularity == "daily" else 7
