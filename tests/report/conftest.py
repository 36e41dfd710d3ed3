"""Synthetic report inputs: analysed segments, themes, hot spots, journey view and run.json."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
import pytest

from verbatim.journey import journey_view, load_taxonomy
from verbatim.store import ANALYSED_SEGMENT_COLUMNS

AS_OF = datetime(2026, 11, 20, 22, 59, 59, tzinfo=UTC)
CHANNELS = ("email", "chat", "survey", "social")
TOUCHPOINTS = ("livraison", "paiement", "service_client", "commande", "produit", "non_rattache")
THEMES = {f"T{i:03d}": f"thème {i} · mot{i} · autre{i}" for i in range(1, 9)}
SENTIMENTS = np.array(["negatif", "neutre", "positif"])
TAX = load_taxonomy("ecommerce")


@dataclass
class Inputs:
    segments: pd.DataFrame
    themes: pd.DataFrame
    hotspots: pd.DataFrame
    journey: pd.DataFrame
    run: dict[str, Any]

    def kwargs(self) -> dict[str, Any]:
        return {"segments": self.segments, "themes": self.themes, "hotspots": self.hotspots, "journey": self.journey,
                "run": self.run, "config_summary": {"journey": {"taxonomy": "ecommerce"}, "models": {"sentiment": "test v1"}},
                "as_of": AS_OF}


def customer_ids(n: int) -> np.ndarray:
    return np.array([f"CUSTID-{i:06d}" for i in range(n)])


def make_segments(n_verbatims: int, days: int = 60, seed: int = 0) -> pd.DataFrame:
    """Analysed segments (``ANALYSED_SEGMENT_COLUMNS``): 1-3 segments per verbatim, 4 channels, NPS on surveys."""
    rng = np.random.default_rng(seed)
    n_seg = rng.integers(1, 4, n_verbatims)
    vid = np.repeat(np.array([f"v{i:07d}" for i in range(n_verbatims)]), n_seg)
    n = len(vid)
    offsets = rng.uniform(0, days * 86400, n_verbatims)
    received = pd.Timestamp(AS_OF) - pd.to_timedelta(np.repeat(offsets, n_seg), unit="s")
    channel = np.repeat(rng.choice(CHANNELS, n_verbatims), n_seg)
    nps = np.repeat(rng.integers(0, 11, n_verbatims), n_seg).astype("float64")
    nps[channel != "survey"] = np.nan
    score = rng.uniform(-1, 1, n)
    sentiment = np.where(score < -0.2, "negatif", np.where(score > 0.2, "positif", "neutre"))
    theme = rng.choice(list(THEMES), n)
    tp = rng.choice(TOUCHPOINTS, n)
    segment = np.concatenate([np.arange(k) for k in n_seg])
    frame = pd.DataFrame({
        "segment_id": [f"{v}-{s:03d}" for v, s in zip(vid, segment, strict=True)], "verbatim_id": vid, "segment": segment,
        "channel": channel, "received_at": received, "customer_id": np.repeat(customer_ids(n_verbatims), n_seg),
        "nps": pd.array(nps, dtype="Int16").astype("Int16"), "csat": pd.array([pd.NA] * n, dtype="Int16"),
        "ces": pd.array([pd.NA] * n, dtype="Int16"),
        "text": [f"Segment {i} : livraison en retard, conseiller aimable." for i in range(n)],
        "sentiment": sentiment, "sentiment_score": score, "sentiment_strength": np.abs(score), "emotion": "", "effort": "",
        "theme_id": theme, "theme_label": [THEMES[t] for t in theme], "touchpoint": tp, "touchpoints": tp,
        "touchpoint_confidence": 0.9, "family": "acces", "dimension": "utile", "verbatim_sentiment": np.repeat(
            rng.choice(SENTIMENTS, n_verbatims), n_seg), "intent": "reclamation", "intents": "reclamation",
        "score_conflict": False, "mixed": False,
        "metadata": np.where(channel == "social", '{"author": "@someone", "platform": "x"}', '{"question": "Commentaire"}'),
    })
    return frame[list(ANALYSED_SEGMENT_COLUMNS)].sort_values("received_at").reset_index(drop=True)


def make_themes(segments: pd.DataFrame) -> pd.DataFrame:
    """``themes.csv`` rows from the segments."""
    g = segments.groupby("theme_id").agg(n_segments=("segment_id", "size"), n_verbatims=("verbatim_id", "nunique"),
                                         negative_share=("sentiment", lambda s: float((s == "negatif").mean())),
                                         mean_sentiment=("sentiment_score", "mean")).reindex(list(THEMES)).fillna(0)
    return pd.DataFrame({
        "theme_id": list(THEMES), "label": list(THEMES.values()), "top_words": [f"mot{i}|autre{i}|encore" for i in range(1, 9)],
        "n_segments": g["n_segments"].astype(int).to_numpy(), "n_verbatims": g["n_verbatims"].astype(int).to_numpy(),
        "touchpoint": ["livraison", "paiement", "service_client", "commande", "produit", "livraison", "", "paiement"],
        "negative_share": g["negative_share"].to_numpy(), "mean_sentiment": g["mean_sentiment"].to_numpy(),
        "category": ["livraison · colis"] * 4 + ["prix · qualité"] * 4,
    }).sort_values("n_segments", ascending=False, kind="stable").reset_index(drop=True)


def make_hotspots(n: int = 6) -> pd.DataFrame:
    """``hotspots.csv`` rows (contract columns + explanation, touchpoint_label, level); the 2 last ones alert."""
    tps = [TOUCHPOINTS[i % 5] for i in range(n)]
    ids = [list(THEMES)[i % 8] for i in range(n)]
    return pd.DataFrame({
        "rank": range(1, n + 1), "touchpoint": tps, "theme_id": ids, "theme_label": [THEMES[t] for t in ids],
        "n_segments": [40 - i for i in range(n)], "n_verbatims": [30 - i for i in range(n)], "n_customers": [20 - i for i in range(n)],
        "negative_share": np.linspace(0.9, 0.4, n), "mean_sentiment": np.linspace(-0.6, -0.1, n),
        "trend": (["hausse", "stable", "baisse", "nouveau"] * n)[:n], "score": np.linspace(9, 2, n),
        "examples": "exemple un | exemple deux", "alert": [i >= n - 2 for i in range(n)],
        "explanation": [f"explication {i + 1}" for i in range(n)], "touchpoint_label": tps, "level": "theme",
    })


def make_run() -> dict[str, Any]:
    return {"run_id": "2026-11-20_test", "counts": {"read": 120, "new": 100, "already_seen": 12, "quarantined": 8},
            "sources": {"survey.csv": {"read": 120, "new": 100, "already_seen": 12, "quarantined": 8}},
            "quarantine_reasons": {"empty_text": 5, "malformed_row": 3}, "timings": {"clean": 1.5, "total": 3.0},
            "stages": {"clean": {"languages": {"fr": 98, "en": 2}}}, "status": "completed"}


def make_inputs(n_verbatims: int = 300, seed: int = 0) -> Inputs:
    segments = make_segments(n_verbatims, seed=seed)
    return Inputs(segments, make_themes(segments), make_hotspots(), journey_view(segments, TAX), make_run())


@pytest.fixture
def inputs() -> Inputs:
    return make_inputs()
