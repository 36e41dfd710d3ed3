from __future__ import annotations

import pandas as pd
import pytest

from verbatim.config import HotspotsConfig
from verbatim.hotspots import ALL_CALLBACK_COLUMNS, compute_callbacks, compute_hotspots

from .conftest import AS_OF


@pytest.fixture
def callbacks(spiked: pd.DataFrame, cfg: HotspotsConfig) -> pd.DataFrame:
    return compute_callbacks(spiked, AS_OF, cfg, compute_hotspots(spiked, AS_OF, cfg))


def test_one_line_per_customer_with_id_in_priority_order(callbacks: pd.DataFrame) -> None:
    assert tuple(callbacks.columns) == ALL_CALLBACK_COLUMNS and len(callbacks) > 10
    assert callbacks["customer_id"].is_unique and (callbacks["customer_id"] != "").all()
    assert list(callbacks["priority"]) == list(range(1, len(callbacks) + 1))
    assert callbacks["severity"].is_monotonic_decreasing


def test_only_window_and_very_dissatisfied(callbacks: pd.DataFrame, spiked: pd.DataFrame, cfg: HotspotsConfig) -> None:
    assert (callbacks["received_at"] > AS_OF - pd.Timedelta(days=cfg.window_days)).all()
    assert (callbacks["received_at"] <= AS_OF).all()
    assert (callbacks["sentiment_score"] <= cfg.strong_negative).all()
    assert callbacks["reason"].str.contains("résiliation|juridique|colère|effort", regex=True).all()


def test_worst_verbatim_and_count_of_others(spiked: pd.DataFrame, cfg: HotspotsConfig) -> None:
    recent = spiked[spiked["received_at"] > AS_OF - pd.Timedelta(days=2)]
    a, b = recent[recent["segment"] == 0].iloc[0], recent[recent["segment"] == 0].iloc[1]
    mild = pd.DataFrame([a, b]).assign(customer_id="CLI-TEST", sentiment="negatif", emotion="colère", intents="reclamation",
                                       sentiment_score=[-0.6, -0.95], touchpoint="livraison")
    frame = pd.concat([spiked[~spiked["segment_id"].isin(mild["segment_id"])], mild], ignore_index=True)
    out = compute_callbacks(frame, AS_OF, cfg).set_index("customer_id")
    assert out.loc["CLI-TEST", "verbatim_id"] == b["verbatim_id"]
    assert out.loc["CLI-TEST", "n_other_verbatims"] == 1 and "+1 autre message" in out.loc["CLI-TEST", "reason"]


def test_anonymous_customers_never_listed(spiked: pd.DataFrame, cfg: HotspotsConfig) -> None:
    out = compute_callbacks(spiked.assign(customer_id=""), AS_OF, cfg)
    assert out.empty and tuple(out.columns) == ALL_CALLBACK_COLUMNS


def test_hotspot_names_and_alert_bonus(callbacks: pd.DataFrame) -> None:
    first = callbacks.iloc[0]
    assert first["hotspot"].startswith("#") and "hot spot en alerte" in first["reason"]
    assert callbacks["hotspot"].str.match(r"^(#\d+ .+)?$").all()
    assert callbacks["excerpt"].str.len().max() <= 160
