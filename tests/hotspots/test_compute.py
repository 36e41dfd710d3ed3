from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from verbatim.config import HotspotsConfig
from verbatim.errors import SchemaError
from verbatim.hotspots import ALL_HOTSPOT_COLUMNS, HOTSPOT_COLUMNS, TRENDS, compute_hotspots
from verbatim.hotspots.simulate import simulate_segments
from verbatim.journey import load_taxonomy

from .conftest import AS_OF


def test_planted_spike_comes_first_with_alert(spiked: pd.DataFrame, cfg: HotspotsConfig) -> None:
    hot = compute_hotspots(spiked, AS_OF, cfg, load_taxonomy("ecommerce"))
    top = hot.iloc[0]
    assert top["touchpoint"] == "livraison" and top["alert"] and top["trend"] == "hausse"
    assert top["rank"] == 1 and "Livraison" in top["explanation"] and top["explanation"].startswith("+")
    assert "attendus" in top["evidence"]
    assert hot[hot["touchpoint"] != "livraison"]["alert"].sum() == 0


def test_stationary_noise_raises_almost_no_alert(cfg: HotspotsConfig) -> None:
    nights = [compute_hotspots(simulate_segments(seed, AS_OF), AS_OF, cfg)["alert"].any() for seed in range(12)]
    assert sum(nights) <= 1


def test_columns_and_types(spiked: pd.DataFrame, cfg: HotspotsConfig) -> None:
    hot = compute_hotspots(spiked, AS_OF, cfg)
    assert tuple(hot.columns) == ALL_HOTSPOT_COLUMNS and tuple(hot.columns[: len(HOTSPOT_COLUMNS)]) == HOTSPOT_COLUMNS
    assert list(hot["rank"]) == list(range(1, len(hot) + 1))
    assert set(hot["trend"]) <= set(TRENDS) and hot["alert"].dtype == bool
    assert (hot["wilson_low"] <= hot["negative_share"]).all() and (hot["negative_share"] <= hot["wilson_high"]).all()
    assert hot["score"].is_monotonic_decreasing
    assert "non_rattache" not in set(hot["touchpoint"]) and "T000" not in set(hot["theme_id"])
    assert set(hot["level"]) == {"touchpoint", "touchpoint×theme"}
    assert (hot.loc[hot["level"] == "touchpoint", "theme_id"] == "").all()
    examples = hot["examples"].iloc[0].split(" | ")
    assert 1 <= len(examples) <= cfg.n_examples and all(len(e) <= cfg.example_chars for e in examples)


def test_small_noisy_cell_does_not_outrank_large_rising_one(spiked: pd.DataFrame, cfg: HotspotsConfig) -> None:
    window = spiked[(spiked["received_at"] > AS_OF - pd.Timedelta(days=2)) & (spiked["touchpoint"] == "compte")]
    small = window.head(3).assign(theme_id="T999", theme_label="petit", sentiment="negatif", sentiment_score=-1.0,
                                  emotion="colère", intents="resiliation|reclamation")
    frame = pd.concat([spiked[~spiked["segment_id"].isin(small["segment_id"])], small], ignore_index=True)
    hot = compute_hotspots(frame, AS_OF, cfg).set_index(["touchpoint", "theme_id"])
    assert hot.loc[("compte", "T999"), "trend"] == "nouveau"
    assert hot.loc[("compte", "T999"), "rank"] > hot.loc[("livraison", ""), "rank"]
    assert not hot.loc[("compte", "T999"), "alert"]


def test_trends(quiet: pd.DataFrame, cfg: HotspotsConfig) -> None:
    recent = quiet["received_at"] > AS_OF - pd.Timedelta(days=cfg.window_days)
    calmer = quiet[~(recent & (quiet["touchpoint"] == "paiement") & (quiet["sentiment"] == "negatif"))]
    hot = compute_hotspots(calmer, AS_OF, cfg).set_index(["touchpoint", "theme_id"])
    assert hot.loc[("paiement", ""), "trend"] == "baisse"
    assert (hot["trend"] == "stable").mean() > 0.7


def test_new_cell_absent_from_baseline(quiet: pd.DataFrame, cfg: HotspotsConfig) -> None:
    recent = quiet["received_at"] > AS_OF - pd.Timedelta(days=cfg.window_days)
    frame = quiet.copy()
    frame.loc[recent & (frame["touchpoint"] == "fidelite"), "theme_id"] = "T777"
    hot = compute_hotspots(frame, AS_OF, cfg).set_index(["touchpoint", "theme_id"])
    assert hot.loc[("fidelite", "T777"), "trend"] == "nouveau"
    assert hot.loc[("fidelite", "T777"), "baseline_n_verbatims"] == 0


def test_no_history_is_stable_without_alert(quiet: pd.DataFrame, cfg: HotspotsConfig) -> None:
    recent = quiet[quiet["received_at"] > AS_OF - pd.Timedelta(days=cfg.window_days)]
    hot = compute_hotspots(recent, AS_OF, cfg)
    assert set(hot["trend"]) == {"stable"} and not hot["alert"].any() and hot["p_value"].isna().all()


def test_as_of_replay_ignores_later_data(spiked: pd.DataFrame, cfg: HotspotsConfig) -> None:
    past = AS_OF - pd.Timedelta(days=10)
    replay = compute_hotspots(spiked, past, cfg)
    truncated = compute_hotspots(spiked[spiked["received_at"] <= past], past, cfg)
    pd.testing.assert_frame_equal(replay, truncated)
    assert replay["window_end"].iloc[0] == past
    assert not (replay["touchpoint"].iloc[0] == "livraison" and replay["alert"].iloc[0])
    by_date = compute_hotspots(spiked, (AS_OF - pd.Timedelta(days=1)).date(), cfg)  # a date = the end of that day
    assert by_date["window_end"].iloc[0] == AS_OF


def test_deterministic_order_with_ties(quiet: pd.DataFrame, cfg: HotspotsConfig) -> None:
    first = compute_hotspots(quiet, AS_OF, cfg)
    shuffled = compute_hotspots(quiet.sample(frac=1, random_state=7), AS_OF, cfg)
    pd.testing.assert_frame_equal(first, shuffled)
    zero = first[first["score"] == 0]
    assert len(zero) > 1  # ties exist, broken by dissatisfied customers, customers, then ids
    keys = list(zip(-zero["n_dissatisfied"], -zero["n_customers"], zero["level"] != "touchpoint", zero["touchpoint"],
                    zero["theme_id"], strict=True))
    assert keys == sorted(keys)


def test_input_not_modified_and_schema_checked(quiet: pd.DataFrame, cfg: HotspotsConfig) -> None:
    before = quiet.copy()
    compute_hotspots(quiet, AS_OF, cfg)
    pd.testing.assert_frame_equal(quiet, before)
    with pytest.raises(SchemaError, match="touchpoint"):
        compute_hotspots(quiet.drop(columns="touchpoint"), AS_OF, cfg)


def test_empty_input(quiet: pd.DataFrame, cfg: HotspotsConfig) -> None:
    hot = compute_hotspots(quiet.iloc[:0], AS_OF, cfg)
    assert hot.empty and tuple(hot.columns) == ALL_HOTSPOT_COLUMNS


@pytest.mark.parametrize("split_by, values", [("channel", {"survey", "email", "chat", "social"}), ("produit", {"P0", "P1"})])
def test_split_by_channel_or_metadata(quiet: pd.DataFrame, split_by: str, values: set[str]) -> None:
    hot = compute_hotspots(quiet, AS_OF, HotspotsConfig(split_by=split_by))
    assert set(hot["split"]) == values
    assert hot["explanation"].str.contains(r"\[", regex=True).all()


def test_nps_impact_and_severity(spiked: pd.DataFrame, cfg: HotspotsConfig) -> None:
    hot = compute_hotspots(spiked, AS_OF, cfg).set_index(["touchpoint", "theme_id"])
    spike = hot.loc[("livraison", "")]
    assert spike["nps_impact"] < 0 and spike["n_nps"] > 0
    assert 0 < spike["severity"] <= 1 and spike["severity"] > hot["severity"].median()
    assert np.isfinite(hot["score"]).all()
