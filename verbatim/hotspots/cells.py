"""Windows and cells: which segments count, in which period, for which hot-spot cell.

A *cell* is a place of the journey: a touchpoint alone (``theme_id == ""``) or a touchpoint x
theme, optionally split by the value of ``HotspotsConfig.split_by`` (``channel`` or a metadata
key). Segments linked to no touchpoint (``non_rattache``) belong to no cell but count in the
exposure (all verbatims received); unassigned segments (theme ``T000``) count only in their
touchpoint-alone cell.

The *unit* of the shares is the customer: ``customer_id``, or the verbatim itself when the
customer is unknown (each anonymous verbatim is its own customer). A customer is dissatisfied in
a cell when at least one of their segments in the cell is ``negatif``.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from verbatim.config import HotspotsConfig
from verbatim.hotspots.columns import LEVEL_THEME, LEVEL_TOUCHPOINT
from verbatim.journey.taxonomy import NOT_LINKED
from verbatim.schema import require_columns
from verbatim.themes.ids import OUTLIER_ID

log = logging.getLogger(__name__)

#: Columns read from the analysed-segments frame (``Store.analysed_segments``).
REQUIRED_COLUMNS: tuple[str, ...] = (
    "segment_id", "verbatim_id", "channel", "received_at", "customer_id", "nps", "text", "sentiment",
    "sentiment_score", "emotion", "effort", "theme_id", "theme_label", "touchpoint", "intents",
)
#: Keys of a cell.
CELL_KEYS: list[str] = ["split", "touchpoint", "theme_id"]
THREAT_INTENTS = ("resiliation", "juridique")


@dataclass(frozen=True)
class Windows:
    """The analysed periods: baseline ``(baseline_start, window_start]``, window ``(window_start, end]`` (UTC)."""

    baseline_start: pd.Timestamp
    window_start: pd.Timestamp
    end: pd.Timestamp
    window_days: int

    @classmethod
    def of(cls, as_of: datetime | date | str, cfg: HotspotsConfig) -> Windows:
        """Windows ending at ``as_of``.

        ``as_of`` may be a datetime (naive = UTC), an ISO string, or a date (= the end of that day,
        so the day itself is in the window).
        """
        if isinstance(as_of, date) and not isinstance(as_of, datetime):
            end = pd.Timestamp(as_of) + pd.Timedelta(days=1)
        else:
            end = pd.Timestamp(as_of)
        end = end.tz_localize("UTC") if end.tzinfo is None else end.tz_convert("UTC")
        window_start = end - timedelta(days=cfg.window_days)
        return cls(window_start - timedelta(days=cfg.baseline_days), window_start, end, cfg.window_days)

    def day_label(self, day: int) -> str:
        """French weekday and date of day ``day`` (0 = first day) of the window: ``"lundi 16/11"``."""
        when = (self.window_start + timedelta(days=day)).date()
        names = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
        return f"{names[when.weekday()]} {when:%d/%m}"


def _split_values(segments: pd.DataFrame, split_by: str | None) -> pd.Series:
    """Value of the split field per segment: a column (``channel``...) or a key of the ``metadata`` JSON."""
    if split_by is None:
        return pd.Series("", index=segments.index, dtype=object)
    if split_by in segments.columns:
        return segments[split_by].fillna("").astype(str)
    if "metadata" not in segments.columns:
        log.warning("hotspots: split_by=%r is neither a column nor available in metadata; cells are not split", split_by)
        return pd.Series("", index=segments.index, dtype=object)

    def _value(raw: object) -> str:
        try:
            data = json.loads(raw) if isinstance(raw, str) and raw else (raw if isinstance(raw, dict) else {})
        except json.JSONDecodeError:
            return ""
        value = data.get(split_by) if isinstance(data, dict) else None
        return "" if value is None else str(value)

    return segments["metadata"].map({m: _value(m) for m in segments["metadata"].dropna().unique()}).fillna("").astype(str)


def _text(series: pd.Series) -> pd.Series:
    return series.fillna("").astype(str).str.strip()


def prepare(segments: pd.DataFrame, windows: Windows, cfg: HotspotsConfig) -> pd.DataFrame:
    """The segments of the baseline and the window, with the derived columns the cells need.

    Args:
        segments: the analysed segments (reads :data:`REQUIRED_COLUMNS`, ``metadata`` when
            splitting by a metadata key); not modified.
        windows: the periods.
        cfg: ``split_by`` and ``strong_negative``.

    Returns:
        One row per segment received in ``(baseline_start, end]`` with the input columns plus
        ``period`` (``"window"``/``"baseline"``), ``day`` (day index in the window, -1 in the
        baseline), ``customer`` (customer id, or ``"~" + verbatim_id`` when unknown),
        ``has_customer``, ``split``, ``negative``, ``strong``, ``anger``, ``high_effort``,
        ``resiliation``, ``juridique`` (booleans) and ``nps_value`` (float).

    Raises:
        SchemaError: a required column is missing.
    """
    require_columns(segments, REQUIRED_COLUMNS, "hotspots")
    when = pd.to_datetime(segments["received_at"], utc=True)
    keep = (when > windows.baseline_start) & (when <= windows.end)
    frame = segments.loc[keep].copy()
    when = when[keep]
    frame["received_at"] = when
    in_window = when > windows.window_start
    frame["period"] = np.where(in_window, "window", "baseline")
    frame["day"] = np.where(in_window, ((when - windows.window_start) / pd.Timedelta(days=1)).fillna(0).astype(int), -1)
    frame["day"] = frame["day"].clip(upper=windows.window_days - 1)
    customer = _text(frame["customer_id"])
    frame["has_customer"] = customer != ""
    frame["customer"] = customer.where(frame["has_customer"], "~" + frame["verbatim_id"].astype(str))
    frame["split"] = _split_values(frame, cfg.split_by)
    frame["touchpoint"] = _text(frame["touchpoint"])
    frame["theme_id"] = _text(frame["theme_id"])
    frame["theme_label"] = _text(frame["theme_label"])
    frame["text"] = frame["text"].fillna("").astype(str).map(lambda t: " ".join(t.split()))  # = \s+ -> " ", stripped
    score = pd.to_numeric(frame["sentiment_score"], errors="coerce")
    frame["sentiment_score"] = score
    frame["negative"] = (_text(frame["sentiment"]) == "negatif").to_numpy()
    frame["strong"] = (score <= cfg.strong_negative).fillna(False).to_numpy(dtype=bool)
    frame["anger"] = (_text(frame["emotion"]) == "colère").to_numpy()
    frame["high_effort"] = (_text(frame["effort"]) == "eleve").to_numpy()
    intents = "|" + _text(frame["intents"]) + "|"
    for intent in THREAT_INTENTS:
        frame[intent] = intents.str.contains(f"|{intent}|", regex=False).to_numpy()
    frame["nps_value"] = pd.to_numeric(frame["nps"], errors="coerce").astype(float)
    return frame


def cell_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Segments repeated once per cell they belong to: touchpoint alone, and touchpoint x theme.

    Reads ``touchpoint`` and ``theme_id`` of :func:`prepare`'s frame; segments of ``non_rattache``
    (or without touchpoint) are dropped; themes ``""`` and ``T000`` only feed the touchpoint cell.
    Adds ``level`` (``touchpoint`` or ``touchpoint×theme``); the touchpoint-alone rows get
    ``theme_id = ""``.
    """
    linked = frame[(frame["touchpoint"] != "") & (frame["touchpoint"] != NOT_LINKED)]
    alone = linked.assign(theme_id="", level=LEVEL_TOUCHPOINT)
    themed = linked[(linked["theme_id"] != "") & (linked["theme_id"] != OUTLIER_ID)].assign(level=LEVEL_THEME)
    return pd.concat([alone, themed], ignore_index=True)


def verbatims_in_cells(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per (cell, period, verbatim) from :func:`cell_rows`.

    Returns:
        Columns :data:`CELL_KEYS`, ``level``, ``period``, ``verbatim_id``, ``customer``, ``day``,
        ``n_segments``, ``min_score``, ``negative``, ``strong``, ``anger``, ``high_effort``,
        ``resiliation``, ``juridique``, ``severe`` (any of the four severity signals) and ``nps_value``.
    """
    flags = ["negative", "strong", "anger", "high_effort", "resiliation", "juridique"]
    grouped = rows.groupby([*CELL_KEYS, "level", "period", "verbatim_id"], sort=False, observed=True)
    out = grouped.agg(
        customer=("customer", "first"), day=("day", "first"), n_segments=("segment_id", "size"),
        min_score=("sentiment_score", "min"), nps_value=("nps_value", "first"),
        **{f: (f, "any") for f in flags},
    ).reset_index()
    out["severe"] = out[["strong", "anger", "high_effort", "resiliation", "juridique"]].any(axis=1)
    return out
