"""Statistics, score, alert, ordering and French explanation of each hot-spot cell.

The score, in "weighted excess dissatisfied customers"::

    excess       = n_customers * (wilson_low - reference_share)
    trend_weight = clip((n_negative_verbatims + a) / (expected_negative_verbatims + a), 1/cap, cap)
    score        = max(excess, 0) * (1 + severity) * trend_weight

* ``excess``: how many more dissatisfied customers the cell has than the average touchpoint
  would give (``reference_share``: pooled negative share of the touchpoint-alone cells of the
  window), counted conservatively with the lower Wilson bound, so that three unhappy customers out
  of three (``wilson_low`` 0.44) weigh less than 40 out of 60.
* ``severity`` in [0, 1]: share of the cell's verbatims with a strongly negative segment, a
  ``resiliation`` or ``juridique`` intent, high effort or anger; doubles the score at most.
* ``trend_weight``: dissatisfied verbatims in the window against those expected from the baseline
  (volume-adjusted), shrunk toward 1 by ``a = trend_prior`` pseudo-counts so that 2 against 0.3
  expected does not count as a x7 rise; 1 without baseline data.

Ties are broken by dissatisfied customers, customers, level (touchpoint first), split,
touchpoint and theme id, so the order is deterministic.

Trend (``hausse``/``baisse``/``stable``/``nouveau``): exact conditional Poisson test
(:func:`~verbatim.hotspots.stats.rate_test`) of the cell's dissatisfied verbatims per verbatim
received (in the same split), two-sided at ``trend_alpha``, only when window + baseline have at
least ``min_volume`` of them; ``nouveau`` when the cell had no verbatim in the baseline (and the
baseline had data). Alert: one-sided p-value of a rise at most ``alert_alpha / m`` (Bonferroni
over the ``m`` tested cells), at least ``alert_min_ratio`` times the expected count and at least
``alert_min_customers`` dissatisfied customers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from verbatim.config import HotspotsConfig
from verbatim.hotspots.cells import Windows
from verbatim.hotspots.columns import LEVEL_TOUCHPOINT
from verbatim.hotspots.stats import rate_test, wilson_interval
from verbatim.hotspots.text import cell_name, number, p_value, percent, plural

__all__ = ["add_statistics", "explain", "onset_days", "rank_cells"]


def add_statistics(cells: pd.DataFrame, cfg: HotspotsConfig, window_exposure: pd.Series,
                   baseline_exposure: pd.Series) -> pd.DataFrame:
    """Shares, interval, trend test, score and alert of each cell.

    Args:
        cells: one row per cell; reads ``split``, ``level``, ``n_customers``, ``n_dissatisfied``,
            ``severity``, ``n_negative_verbatims``, ``baseline_negative_verbatims``,
            ``baseline_n_verbatims``.
        cfg: thresholds (``confidence``, ``min_volume``, ``trend_alpha``, ``alert_*``, ``trend_*``).
        window_exposure: verbatims received in the window, indexed by split value.
        baseline_exposure: verbatims received in the baseline, indexed by split value.

    Returns:
        A copy with ``negative_share``, ``wilson_low``, ``wilson_high``, ``reference_share``,
        ``excess``, ``expected_negative_verbatims``, ``ratio``, ``p_value`` (one-sided, rise),
        ``trend``, ``trend_weight``, ``score`` and ``alert``; also the private ``_p_two`` and
        ``_alert_threshold``.
    """
    out = cells.copy()
    n, d = out["n_customers"].to_numpy(float), out["n_dissatisfied"].to_numpy(float)
    out["negative_share"] = np.where(n > 0, d / np.where(n > 0, n, 1), 0.0)
    low, high = wilson_interval(d, n, cfg.confidence)
    out["wilson_low"], out["wilson_high"] = low, high
    top = out["level"] == LEVEL_TOUCHPOINT
    total = out.loc[top, "n_customers"].sum()
    reference = float(out.loc[top, "n_dissatisfied"].sum() / total) if total else 0.0
    out["reference_share"] = reference
    out["excess"] = n * (low - reference)

    kw = out["n_negative_verbatims"].to_numpy(float)
    kb = out["baseline_negative_verbatims"].to_numpy(float)
    ew = out["split"].map(window_exposure).fillna(0).to_numpy(float)
    eb = out["split"].map(baseline_exposure).fillna(0).to_numpy(float)
    p_up, p_two, expected = rate_test(kw, kb, ew, eb)
    history = eb > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(history, np.where(expected > 0, kw / expected, np.where(kw > 0, np.inf, 1.0)), np.nan)
    out["expected_negative_verbatims"], out["ratio"], out["p_value"], out["_p_two"] = expected, ratio, p_up, p_two

    new = history & (out["baseline_n_verbatims"].to_numpy() == 0)
    tested = history & (kw + kb >= cfg.min_volume)
    significant = tested & ~new & (np.nan_to_num(p_two, nan=1.0) < cfg.trend_alpha)
    out["trend"] = np.select([new, significant & (kw > expected), significant & (kw < expected)],
                             ["nouveau", "hausse", "baisse"], "stable")
    prior, cap = cfg.trend_prior, cfg.trend_weight_cap
    weight = np.where(history, (kw + prior) / (np.nan_to_num(expected) + prior), 1.0)
    out["trend_weight"] = np.clip(weight, 1 / cap, cap)
    out["score"] = np.round(np.maximum(out["excess"], 0) * (1 + out["severity"]) * out["trend_weight"], 2)

    threshold = cfg.alert_alpha / max(int(tested.sum()), 1)
    out["_alert_threshold"] = threshold
    out["alert"] = (tested & (np.nan_to_num(p_up, nan=1.0) <= threshold) & (np.nan_to_num(ratio) >= cfg.alert_min_ratio)
                    & (d >= cfg.alert_min_customers))
    return out


def rank_cells(cells: pd.DataFrame) -> pd.DataFrame:
    """Cells sorted by score (ties: dissatisfied, customers, level, split, touchpoint, theme) with ``rank`` 1..n."""
    order = cells.assign(_level=(cells["level"] != LEVEL_TOUCHPOINT).astype(int)).sort_values(
        ["score", "n_dissatisfied", "n_customers", "_level", "split", "touchpoint", "theme_id"],
        ascending=[False, False, False, True, True, True, True], kind="mergesort",
    ).drop(columns="_level").reset_index(drop=True)
    order.insert(0, "rank", np.arange(1, len(order) + 1))
    return order


def onset_days(daily: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Day (index in the window) where the excess of dissatisfied verbatims starts, per cell.

    The cumulative sum of ``daily - expected / days`` is lowest just before the rise starts (a
    CUSUM change point); the last minimum is taken, so a cell absent at first starts on its first
    dissatisfied day.

    Args:
        daily: cells x days counts of dissatisfied verbatims.
        expected: expected window count per cell (``nan`` = 0).

    Returns:
        Day index per cell (0 = the rise covers the whole window).
    """
    if daily.size == 0:
        return np.zeros(len(daily), dtype=int)
    days = daily.shape[1]
    excess = daily - np.nan_to_num(expected)[:, None] / days
    cumulative = np.hstack([np.zeros((len(daily), 1)), np.cumsum(excess, axis=1)])[:, :days]
    reversed_argmin = np.argmin(cumulative[:, ::-1], axis=1)
    return days - 1 - reversed_argmin


def _threats(row: pd.Series) -> str:
    parts = []
    if row["n_resiliation"]:
        parts.append(plural(int(row["n_resiliation"]), "menace de résiliation", "menaces de résiliation"))
    if row["n_juridique"]:
        parts.append(plural(int(row["n_juridique"]), "menace juridique", "menaces juridiques"))
    return f", dont {' et '.join(parts)}" if parts else ""


def _explanation(row: pd.Series, windows: Windows) -> str:
    name = cell_name(row["touchpoint_label"], row["theme_label"], row["split"])
    since = f" depuis {windows.day_label(int(row['onset']))}" if row["trend"] in ("hausse", "nouveau") and row["onset"] > 0 else ""
    counts = f"{plural(int(row['n_dissatisfied']), 'client mécontent', 'clients mécontents')} sur {int(row['n_customers'])} " \
             f"({percent(row['negative_share'])}, moyenne {percent(row['reference_share'])})"
    if row["trend"] == "hausse" and not np.isfinite(row["ratio"]):
        head = f"Premiers mécontents sur {name}{since}"
    elif row["trend"] == "hausse":
        head = f"+{round(100 * (row['ratio'] - 1))} % de mécontents sur {name}{since}"
    elif row["trend"] == "baisse":
        head = f"−{round(100 * (1 - row['ratio']))} % de mécontents sur {name}"
    elif row["trend"] == "nouveau":
        head = f"Nouveau : {name}{since}"
    else:
        head = f"{name}, stable"
    impact = f" ; pèse {number(-row['nps_impact'])} pts sur le NPS" if row["nps_impact"] <= -0.5 else ""
    return f"{head} : {counts}{_threats(row)}{impact}"


def _evidence(row: pd.Series, windows: Windows, cfg: HotspotsConfig) -> str:
    kw, kb = int(row["n_negative_verbatims"]), int(row["baseline_negative_verbatims"])
    if np.isnan(row["expected_negative_verbatims"]):
        trend = f"{kw} verbatims mécontents en {windows.window_days} j, pas de données sur les {cfg.baseline_days} j précédents"
    else:
        trend = (f"{kw} verbatims mécontents en {windows.window_days} j contre {number(row['expected_negative_verbatims'])} "
                 f"attendus ({kb} sur les {cfg.baseline_days} j précédents, ajusté du volume), "
                 f"p = {p_value(row['p_value'])} (seuil d'alerte {p_value(row['_alert_threshold'])})")
    return (f"{trend} ; {row['n_dissatisfied']}/{row['n_customers']} clients mécontents, IC {round(100 * cfg.confidence)} % "
            f"{percent(row['wilson_low'])}–{percent(row['wilson_high'])} contre {percent(row['reference_share'])} en moyenne ; "
            f"sévérité {percent(row['severity'])}")


def explain(cells: pd.DataFrame, windows: Windows, cfg: HotspotsConfig) -> pd.DataFrame:
    """Add ``explanation`` (one French line) and ``evidence`` (the figures behind the trend and alert).

    Reads the columns of :func:`add_statistics` plus ``touchpoint_label``, ``theme_label``,
    ``onset``, ``n_resiliation``, ``n_juridique`` and ``nps_impact``.
    """
    out = cells.copy()
    out["explanation"] = [_explanation(row, windows) for _, row in out.iterrows()]
    out["evidence"] = [_evidence(row, windows, cfg) for _, row in out.iterrows()]
    return out
