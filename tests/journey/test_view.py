"""Journey view data: journey order, untouched touchpoints kept, non_rattache share."""

from __future__ import annotations

import numpy as np
import pandas as pd

from verbatim.journey import JOURNEY_VIEW_COLUMNS, NOT_LINKED, journey_view, load_taxonomy

TAX = load_taxonomy("ecommerce")


def _linked() -> pd.DataFrame:
    return pd.DataFrame({
        "verbatim_id": ["v1", "v1", "v2", "v3", "v4"],
        "customer_id": ["c1", "c1", "c2", None, "c1"],
        "touchpoint": ["livraison", "service_client", "livraison", NOT_LINKED, "paiement"],
        "touchpoints": ["livraison|retours_remboursements", "service_client", "livraison", "", "paiement"],
        "sentiment": ["negatif", "positif", "negatif", "neutre", "neutre"],
        "sentiment_score": [-0.8, 0.7, -0.5, 0.0, 0.1],
    })


def test_view_in_journey_order_with_untouched_touchpoints() -> None:
    view = journey_view(_linked(), TAX)
    assert list(view.columns) == list(JOURNEY_VIEW_COLUMNS)
    assert view["touchpoint"].tolist() == [t.id for t in TAX.in_journey_order()] + [NOT_LINKED]
    rows = view.set_index("touchpoint")
    assert rows.loc["livraison", "n_segments"] == 2 and rows.loc["livraison", "n_verbatims"] == 2
    assert rows.loc["livraison", "n_customers"] == 2 and rows.loc["livraison", "negative_share"] == 1.0
    assert rows.loc["livraison", "mean_sentiment"] == -0.65
    assert rows.loc["retours_remboursements", "n_segments"] == 1  # second touchpoint of a segment counts
    assert not rows.loc["decouverte", "mentioned"] and rows.loc["decouverte", "n_segments"] == 0
    assert np.isnan(rows.loc["decouverte", "negative_share"])
    assert rows.loc[NOT_LINKED, "segment_share"] == 0.2 and view.attrs["non_rattache_share"] == 0.2


def test_view_without_sentiment_or_customers() -> None:
    frame = _linked().drop(columns=["sentiment", "sentiment_score", "customer_id", "touchpoints"])
    before = frame.copy()
    view = journey_view(frame, TAX).set_index("touchpoint")
    pd.testing.assert_frame_equal(frame, before)
    assert view.loc["livraison", "n_segments"] == 2 and np.isnan(view.loc["livraison", "mean_sentiment"])
    assert view["n_customers"].sum() == 0 and view.loc[NOT_LINKED, "n_segments"] == 1


def test_view_with_score_only() -> None:
    frame = _linked().drop(columns=["sentiment"])
    view = journey_view(frame, TAX).set_index("touchpoint")
    assert view.loc["livraison", "negative_share"] == 1.0 and view.loc["paiement", "negative_share"] == 0.0
