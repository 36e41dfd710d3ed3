"""Small-count statistics of the hot spots: Wilson interval, conditional Poisson (binomial) rate test, NPS.

All functions are vectorised over numpy arrays and never divide by zero silently: undefined
values are ``nan``.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["nps_score", "rate_test", "wilson_interval"]


def wilson_interval(successes: np.ndarray, trials: np.ndarray, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a proportion ``successes / trials``.

    Args:
        successes: counts (array-like of ints).
        trials: counts, same shape; where 0, the interval is ``(0, 1)`` (nothing is known).
        confidence: two-sided level, e.g. 0.95 (z = 1.96).

    Returns:
        ``(low, high)`` arrays in [0, 1].
    """
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    z = stats.norm.ppf(0.5 + confidence / 2)
    safe_n = np.where(n > 0, n, 1.0)
    p = k / safe_n
    denom = 1 + z**2 / safe_n
    center = (p + z**2 / (2 * safe_n)) / denom
    half = z / denom * np.sqrt(p * (1 - p) / safe_n + z**2 / (4 * safe_n**2))
    low = np.where(n > 0, np.clip(center - half, 0.0, 1.0), 0.0)
    high = np.where(n > 0, np.clip(center + half, 0.0, 1.0), 1.0)
    return low, high


def rate_test(window_count: np.ndarray, baseline_count: np.ndarray, window_exposure: np.ndarray,
              baseline_exposure: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact conditional test of two Poisson rates (window against baseline), exposure-adjusted.

    Under the null hypothesis that the cell's rate per unit of exposure (here: per verbatim
    received overall) did not change, the window count given the total ``window + baseline`` is
    binomial with ``p0 = window_exposure / (window_exposure + baseline_exposure)``. Exact, so it
    stays valid for the small counts of small cells.

    Args:
        window_count: events of the cell in the window.
        baseline_count: events of the cell in the baseline.
        window_exposure: exposure of the window (e.g. all verbatims received in the window).
        baseline_exposure: exposure of the baseline.

    Returns:
        ``(p_up, p_two_sided, expected)``: one-sided p-value of a rise, two-sided p-value, and
        the window count expected from the baseline rate (``baseline_count * window_exposure /
        baseline_exposure``). All ``nan`` where either exposure is 0.
    """
    kw = np.asarray(window_count, dtype=float)
    kb = np.asarray(baseline_count, dtype=float)
    ew = np.asarray(window_exposure, dtype=float) * np.ones_like(kw)
    eb = np.asarray(baseline_exposure, dtype=float) * np.ones_like(kw)
    valid = (ew > 0) & (eb > 0)
    p0 = np.where(valid, ew / np.where(valid, ew + eb, 1.0), 0.5)
    n = kw + kb
    p_up = stats.binom.sf(kw - 1, n, p0)
    p_down = stats.binom.cdf(kw, n, p0)
    p_two = np.minimum(1.0, 2 * np.minimum(p_up, p_down))
    expected = kb * ew / np.where(valid, eb, 1.0)
    nan = np.full_like(kw, np.nan)
    return np.where(valid, p_up, nan), np.where(valid, p_two, nan), np.where(valid, expected, nan)


def nps_score(promoters: np.ndarray, detractors: np.ndarray, answers: np.ndarray) -> np.ndarray:
    """Net Promoter Score ``100 * (promoters - detractors) / answers`` (``nan`` without answers)."""
    p = np.asarray(promoters, dtype=float)
    d = np.asarray(detractors, dtype=float)
    m = np.asarray(answers, dtype=float)
    return np.where(m > 0, 100 * (p - d) / np.where(m > 0, m, 1.0), np.nan)
