"""The hand-labelled journey benchmark files are well formed (ids unique, touchpoints exist)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from verbatim.journey import load_taxonomy

ROOT = Path(__file__).resolve().parents[2]
LABELS = ROOT / "benchmarks" / "labels"


@pytest.mark.parametrize(
    ("file", "taxonomy", "with_text"),
    [
        ("journey_assurance.csv", "assurance", False),
        ("journey_assurance_fresh.csv", "assurance", False),
        ("journey_ecommerce_own.csv", "ecommerce", True),
        ("journey_transport_own.csv", "transport", True),
        ("journey_restauration_own.csv", str(ROOT / "benchmarks" / "taxonomies" / "restauration.yaml"), True),
    ],
)
def test_labels_name_touchpoints_of_their_taxonomy(file: str, taxonomy: str, with_text: bool) -> None:
    labels = pd.read_csv(LABELS / file, keep_default_na=False, dtype=str)
    assert {"id", "touchpoints"} <= set(labels.columns)
    assert labels["id"].is_unique
    known = set(load_taxonomy(taxonomy).ids)
    used = {tp for cell in labels["touchpoints"] for tp in cell.split("|") if tp}
    assert used <= known, used - known
    if with_text:  # own sentences: enough of them, some with no touchpoint, some with several
        assert len(labels) >= 50 and labels["text"].str.strip().ne("").all()
        assert (labels["touchpoints"] == "").sum() >= 3
        assert labels["touchpoints"].str.contains("|", regex=False).sum() >= 5


def test_fresh_insurance_labels_are_new_reviews() -> None:
    """The fresh held-out set shares no review with the tuning labels and is at least 200 reviews."""
    old = pd.read_csv(LABELS / "journey_assurance.csv", dtype=str)["id"]
    fresh = pd.read_csv(LABELS / "journey_assurance_fresh.csv", keep_default_na=False, dtype=str)
    assert len(fresh) >= 200
    assert not set(fresh["id"]) & set(old)


def test_benchmark_sample_is_seeded_spread_over_insurers_and_skips_labelled_ids() -> None:
    import sys

    sys.path.insert(0, str(ROOT))
    from benchmarks.bench_journey import draw_sample

    sizes = {"A": 100, "B": 25, "C": 4}
    rows = [(f"{k}{i}", name, "avis assez long pour compter " * (1 + i % 3)) for k, (name, n) in enumerate(sizes.items())
            for i in range(n)]
    reviews = pd.DataFrame(rows, columns=["id", "insurer", "text"])
    reviews.loc[0, "text"] = "court"  # under 40 characters: never drawn
    first = draw_sample(reviews, 20, seed=7, exclude={"01", "02"})
    assert first == draw_sample(reviews, 20, seed=7, exclude={"01", "02"}) != draw_sample(reviews, 20, seed=8)
    assert not {"00", "01", "02"} & set(first)
    drawn = reviews.set_index("id").loc[first, "insurer"].value_counts()
    assert drawn["A"] > drawn["B"] > drawn["C"] >= 1 and drawn["A"] < 20 * 100 / 129  # square-root shares
