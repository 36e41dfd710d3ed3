"""``compute_hotspots``: the ranked hot-spot table of one night."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime

import numpy as np
import pandas as pd

from verbatim.config import HotspotsConfig
from verbatim.hotspots.cells import CELL_KEYS, Windows, cell_rows, prepare, verbatims_in_cells
from verbatim.hotspots.columns import ALL_HOTSPOT_COLUMNS
from verbatim.hotspots.scoring import add_statistics, explain, onset_days, rank_cells
from verbatim.hotspots.stats import nps_score
from verbatim.hotspots.text import truncate
from verbatim.journey.taxonomy import Taxonomy
from verbatim.schema import empty_frame

log = logging.getLogger(__name__)

_ROUND = {"negative_share": 4, "mean_sentiment": 4, "wilson_low": 4, "wilson_high": 4, "reference_share": 4,
          "excess": 2, "severity": 4, "strong_negative_share": 4, "anger_share": 4, "high_effort_share": 4, "nps": 1,
          "nps_impact": 2, "baseline_negative_share": 4, "expected_negative_verbatims": 2, "ratio": 3, "trend_weight": 3}


def _nps_counts(verbatims: pd.DataFrame) -> pd.DataFrame:
    """``promoters``, ``detractors``, ``answers`` from ``nps_value`` (0-10) of one row per verbatim."""
    score = verbatims["nps_value"]
    return pd.DataFrame({"promoters": (score >= 9).astype(int), "detractors": (score <= 6).astype(int),
                         "answers": score.notna().astype(int)}, index=verbatims.index)


def _window_stats(win: pd.DataFrame, overall_nps: pd.Series) -> pd.DataFrame:
    """Per cell from the window's (cell, verbatim) rows: volumes, dissatisfaction, severity, NPS."""
    win = win.join(_nps_counts(win))
    win["dissatisfied_customer"] = win["customer"].where(win["negative"])
    stats = win.groupby(CELL_KEYS, sort=False).agg(
        level=("level", "first"), n_segments=("n_segments", "sum"), n_verbatims=("verbatim_id", "size"),
        n_customers=("customer", "nunique"), n_dissatisfied=("dissatisfied_customer", "nunique"),
        n_negative_verbatims=("negative", "sum"), strong_negative_share=("strong", "mean"),
        n_resiliation=("resiliation", "sum"), n_juridique=("juridique", "sum"), anger_share=("anger", "mean"),
        high_effort_share=("high_effort", "mean"), severity=("severe", "mean"),
        promoters=("promoters", "sum"), detractors=("detractors", "sum"), n_nps=("answers", "sum"),
    )
    stats["nps"] = nps_score(stats["promoters"], stats["detractors"], stats["n_nps"])
    rest = nps_score(overall_nps["promoters"] - stats["promoters"], overall_nps["detractors"] - stats["detractors"],
                     overall_nps["answers"] - stats["n_nps"])
    overall = nps_score(overall_nps["promoters"], overall_nps["detractors"], overall_nps["answers"])
    stats["nps_impact"] = np.where(stats["n_nps"] > 0, overall - rest, np.nan)
    return stats.drop(columns=["promoters", "detractors"])


def _baseline_stats(base: pd.DataFrame) -> pd.DataFrame:
    """Per cell from the baseline's (cell, verbatim) rows."""
    base = base.assign(dissatisfied_customer=base["customer"].where(base["negative"]))
    stats = base.groupby(CELL_KEYS, sort=False).agg(
        baseline_n_verbatims=("verbatim_id", "size"), baseline_n_customers=("customer", "nunique"),
        baseline_n_dissatisfied=("dissatisfied_customer", "nunique"), baseline_negative_verbatims=("negative", "sum"),
    )
    n = stats["baseline_n_customers"]
    stats["baseline_negative_share"] = np.where(n > 0, stats["baseline_n_dissatisfied"] / n.where(n > 0, 1), np.nan)
    return stats.drop(columns="baseline_n_dissatisfied")


def _examples(rows: pd.DataFrame, cfg: HotspotsConfig) -> pd.Series:
    """Up to ``n_examples`` masked segment texts per cell, most negative first, one per verbatim, ``" | "``-joined."""
    texts = rows[rows["text"] != ""].sort_values([*CELL_KEYS, "sentiment_score", "segment_id"], na_position="last")
    texts = texts.drop_duplicates([*CELL_KEYS, "verbatim_id"]).groupby(CELL_KEYS, sort=False).head(cfg.n_examples)
    cut = texts["text"].map(lambda t: truncate(t, cfg.example_chars).replace(" | ", " / "))
    return cut.groupby([texts[k] for k in CELL_KEYS], sort=False).agg(" | ".join)


def _labels(frame: pd.DataFrame, cells: pd.DataFrame, taxonomy: Taxonomy | None,
            theme_labels: Mapping[str, str] | None) -> pd.DataFrame:
    """``touchpoint_label`` (taxonomy, else the id) and ``theme_label`` (given labels, else the latest seen)."""
    tp_labels = {t.id: t.label for t in taxonomy.touchpoints} if taxonomy is not None else {}
    seen = frame.sort_values(["received_at", "segment_id"]).groupby("theme_id")["theme_label"].last().to_dict()
    given = dict(theme_labels or {})
    out = cells.copy()
    out["touchpoint_label"] = out["touchpoint"].map(lambda t: tp_labels.get(t, t))
    out["theme_label"] = out["theme_id"].map(lambda t: "" if not t else given.get(t) or seen.get(t) or t)
    return out


def _daily(win: pd.DataFrame, index: pd.MultiIndex, days: int) -> np.ndarray:
    """Cells x days counts of dissatisfied verbatims in the window, rows in ``index`` order."""
    neg = win[win["negative"]]
    counts = neg.groupby([*CELL_KEYS, "day"]).size().unstack("day", fill_value=0)
    return counts.reindex(index=index, columns=range(days), fill_value=0).to_numpy(float)


def compute_hotspots(segments: pd.DataFrame, as_of: datetime | date | str, cfg: HotspotsConfig,
                     taxonomy: Taxonomy | None = None, theme_labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Rank the places of the journey where dissatisfaction concentrates and rises.

    Window: the ``cfg.window_days`` days ending at ``as_of``; baseline: the ``cfg.baseline_days``
    days before it; later segments are ignored (replays give the hot spots of that day). Cells
    and units are described in :mod:`verbatim.hotspots.cells`, the score, trend and alert in
    :mod:`verbatim.hotspots.scoring`. Only cells with a verbatim in the window are listed;
    ``non_rattache`` never makes a cell.

    Args:
        segments: analysed segments (``Store.analysed_segments``); reads ``segment_id``,
            ``verbatim_id``, ``channel``, ``received_at``, ``customer_id``, ``nps``, ``text``
            (masked), ``sentiment``, ``sentiment_score``, ``emotion``, ``effort``, ``theme_id``,
            ``theme_label``, ``touchpoint``, ``intents`` (and ``metadata`` when ``cfg.split_by``
            is a metadata key). Not modified.
        as_of: end of the window (datetime, naive = UTC; or a date = the end of that day).
        cfg: windows and thresholds.
        taxonomy: gives the touchpoint labels (ids are used without it).
        theme_labels: theme id -> label (analyst names); default: the labels in ``segments``.

    Returns:
        One row per cell in rank order with :data:`~verbatim.hotspots.columns.ALL_HOTSPOT_COLUMNS`:

        * contract: ``rank`` (1 = hottest), ``touchpoint`` (id), ``theme_id`` (``""`` for the
          touchpoint-alone cell), ``theme_label``, ``n_segments``, ``n_verbatims``,
          ``n_customers`` (window, in the cell), ``negative_share`` (dissatisfied customers /
          customers), ``mean_sentiment`` (mean segment score), ``trend`` (``hausse``,
          ``stable``, ``baisse``, ``nouveau``), ``score``, ``examples`` (masked, ``" | "``-joined),
          ``alert`` (bool);
        * ``level`` (``touchpoint`` / ``touchpoint×theme``), ``split`` (value of ``cfg.split_by``,
          ``""`` when not split), ``touchpoint_label``, ``n_dissatisfied`` (customers),
          ``wilson_low``/``wilson_high`` (interval of ``negative_share``), ``reference_share``
          (pooled share of the touchpoint cells), ``excess`` (dissatisfied customers beyond the
          reference, lower bound), ``severity`` (share of verbatims with a severity signal) and
          its parts ``strong_negative_share``, ``n_resiliation``, ``n_juridique``,
          ``anger_share``, ``high_effort_share``; ``nps`` (of the cell's verbatims), ``n_nps``
          (answers), ``nps_impact`` (overall NPS minus the NPS without the cell: negative = the
          cell drags it down); ``n_negative_verbatims`` and ``baseline_*`` (volumes of the
          baseline), ``expected_negative_verbatims`` (from the baseline rate, volume-adjusted),
          ``ratio`` (window / expected), ``trend_weight``, ``p_value`` (one-sided test of a rise),
          ``onset`` (day index in the window where the rise starts), ``explanation`` (one French
          line), ``evidence`` (the figures), ``window_start``/``window_end`` (UTC).

    Raises:
        SchemaError: a required column is missing.
    """
    windows = Windows.of(as_of, cfg)
    frame = prepare(segments, windows, cfg)
    rows = cell_rows(frame)
    win_rows = rows[rows["period"] == "window"]
    if win_rows.empty:
        log.info("hotspots: no linked segment in the window ending %s", windows.end)
        return empty_frame(ALL_HOTSPOT_COLUMNS)

    verbatims = verbatims_in_cells(rows)
    win = verbatims[verbatims["period"] == "window"]
    window_verbatims = frame[frame["period"] == "window"].drop_duplicates("verbatim_id")
    cells = _window_stats(win, _nps_counts(window_verbatims).sum())
    cells = cells.join(_baseline_stats(verbatims[verbatims["period"] == "baseline"]))
    fill = {"baseline_n_verbatims": 0, "baseline_n_customers": 0, "baseline_negative_verbatims": 0}
    cells = cells.fillna(fill).astype(dict.fromkeys(fill, int))
    cells["mean_sentiment"] = win_rows.groupby(CELL_KEYS)["sentiment_score"].mean()
    cells["examples"] = _examples(win_rows, cfg)
    cells["onset"] = 0
    cells = cells.fillna({"examples": ""}).reset_index()

    exposure = frame.groupby(["period", "split"])["verbatim_id"].nunique()
    cells = add_statistics(cells, cfg, exposure.get("window", pd.Series(dtype=float)),
                           exposure.get("baseline", pd.Series(dtype=float)))
    daily = _daily(win, pd.MultiIndex.from_frame(cells[CELL_KEYS]), windows.window_days)
    cells["onset"] = onset_days(daily, cells["expected_negative_verbatims"].to_numpy())
    cells = _labels(frame, cells, taxonomy, theme_labels)
    cells = explain(cells, windows, cfg)
    cells["window_start"], cells["window_end"] = windows.window_start, windows.end
    cells = rank_cells(cells).round(_ROUND)
    out = cells[list(ALL_HOTSPOT_COLUMNS)].copy()
    out["alert"] = out["alert"].astype(bool)
    log.info("hotspots as of %s: %d cells, %d alerts, top: %s", windows.end.date(), len(out), int(out["alert"].sum()),
             out["explanation"].iloc[0])
    return out
