from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from verbatim.hotspots.stats import nps_score, rate_test, wilson_interval


def test_wilson_known_values() -> None:
    low, high = wilson_interval(np.array([0, 5, 10]), np.array([10, 10, 10]))
    assert low[0] == 0 and high[0] == pytest.approx(0.2775, abs=1e-4)  # z^2 / (n + z^2)
    assert (low[1], high[1]) == (pytest.approx(0.2366, abs=1e-4), pytest.approx(0.7634, abs=1e-4))
    assert high[2] == pytest.approx(1) and low[2] == pytest.approx(0.7225, abs=1e-4)


def test_wilson_without_trials_knows_nothing() -> None:
    low, high = wilson_interval(np.array([0]), np.array([0]))
    assert (low[0], high[0]) == (0.0, 1.0)


def test_rate_test_matches_exact_binomial() -> None:
    p_up, p_two, expected = rate_test(np.array([30]), np.array([80]), np.array(300), np.array(2400))
    assert expected[0] == pytest.approx(10.0)
    assert p_up[0] == pytest.approx(stats.binomtest(30, 110, 300 / 2700, alternative="greater").pvalue)
    assert p_two[0] <= 2 * p_up[0] + 1e-12


def test_rate_test_small_counts_are_not_significant() -> None:
    p_up, _, _ = rate_test(np.array([2]), np.array([4]), np.array(100), np.array(800))
    assert p_up[0] > 0.05


def test_rate_test_without_exposure_is_nan() -> None:
    p_up, p_two, expected = rate_test(np.array([3]), np.array([0]), np.array(10), np.array(0))
    assert np.isnan(p_up[0]) and np.isnan(p_two[0]) and np.isnan(expected[0])


def test_nps() -> None:
    assert nps_score(np.array([5, 0]), np.array([2, 0]), np.array([10, 0]))[0] == 30
    assert np.isnan(nps_score(np.array([0]), np.array([0]), np.array([0]))[0])
