"""Masked example verbatims for the drill-downs: most negative first, capped, one per verbatim."""

from __future__ import annotations

import logging

import pandas as pd

from verbatim.report.format import is_missing

log = logging.getLogger(__name__)

__all__ = ["by_theme", "explode_touchpoints", "for_mask", "to_examples"]


def _clip(text: object, max_chars: int) -> str:
    text = "" if is_missing(text) else " ".join(str(text).split())
    return text if len(text) <= max_chars else text[: max_chars - 1].rstrip() + "…"


def _most_negative_first(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows by increasing ``sentiment_score`` (unknown last), the most recent first among equals."""
    return frame.sort_values(["sentiment_score", "received_at"], ascending=[True, False], na_position="last", kind="stable")


def to_examples(frame: pd.DataFrame, max_chars: int, timezone: str = "UTC") -> list[dict[str, object]]:
    """Template rows from segments: ``text`` (masked, clipped), ``channel``, ``date``, ``sentiment``, ``score``.

    Reads ``text``, ``channel``, ``received_at``, ``sentiment``, ``sentiment_score``. The text is
    returned as plain text: the template escapes it. ``date`` is the day in ``timezone``.
    """
    return [{"text": _clip(r.text, max_chars), "channel": r.channel or "", "sentiment": r.sentiment or "",
             "score": r.sentiment_score,
             "date": "" if pd.isna(r.received_at) else pd.Timestamp(r.received_at).tz_convert(timezone).strftime("%d/%m/%Y")}
            for r in frame.itertuples(index=False)]


def by_theme(segments: pd.DataFrame, theme_ids: list[str], k: int, max_chars: int,
             timezone: str = "UTC") -> dict[str, list[dict[str, object]]]:
    """Up to ``k`` examples per theme in ``theme_ids``, most negative first, one segment per verbatim.

    Reads ``theme_id``, ``verbatim_id`` and the columns of :func:`to_examples`.
    """
    frame = segments[segments["theme_id"].isin(theme_ids) & segments["text"].notna()]
    frame = _most_negative_first(frame).drop_duplicates(["theme_id", "verbatim_id"])
    top = frame.groupby("theme_id", sort=False).head(k)
    return {tid: to_examples(group, max_chars, timezone) for tid, group in top.groupby("theme_id", sort=False)}


def explode_touchpoints(segments: pd.DataFrame) -> pd.DataFrame:
    """One row per (segment, touchpoint) in column ``_tp`` (from ``touchpoints``, ``|``-joined, else ``touchpoint``)."""
    tps = segments["touchpoints"].where(segments["touchpoints"].notna() & (segments["touchpoints"] != ""), segments["touchpoint"])
    return segments.assign(_tp=tps.fillna("").astype(str).str.split("|")).explode("_tp")


def for_mask(exploded: pd.DataFrame, touchpoint: str | None, theme_id: str | None, k: int,
             max_chars: int, timezone: str = "UTC") -> list[dict[str, object]]:
    """Up to ``k`` examples of one hot spot: segments of ``touchpoint`` and/or ``theme_id`` (None = any).

    Reads ``_tp`` (see :func:`explode_touchpoints`), ``theme_id``, ``verbatim_id`` and the
    columns of :func:`to_examples`.
    """
    mask = exploded["text"].notna()
    if touchpoint:
        mask &= exploded["_tp"] == touchpoint
    if theme_id:
        mask &= exploded["theme_id"] == theme_id
    rows = _most_negative_first(exploded[mask]).drop_duplicates("verbatim_id").head(k)
    return to_examples(rows, max_chars, timezone)
