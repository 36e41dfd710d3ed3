"""ThemeModel: French themes, few outliers, order-free, save/load, nightly update, refit."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tests.themes.conftest import TEST_CONFIG
from verbatim.config import EmbedConfig
from verbatim.errors import ModelError, SchemaError
from verbatim.themes import ASSIGNMENT_COLUMNS, OUTLIER_ID, THEME_COLUMNS, ThemeModel, apply_edits, parse_edits


def _majority(assigned: pd.DataFrame, segments: pd.DataFrame) -> pd.Series:
    """Majority subject of each theme's segments, and its share."""
    joined = assigned.merge(segments[["segment_id", "subject"]], on="segment_id")
    joined = joined[joined["theme_id"] != OUTLIER_ID]
    return joined.groupby("theme_id")["subject"].agg(lambda s: s.value_counts(normalize=True).iloc[0])


def test_fit_finds_french_themes_with_few_outliers(fitted):
    model, segments, embeddings = fitted
    themes = model.themes_
    assert list(themes.columns) == list(THEME_COLUMNS)
    assert 5 <= len(themes) <= 15
    assert themes["theme_id"].tolist() == [f"T{i:03d}" for i in range(1, len(themes) + 1)]
    assert model.embeddings_.shape == (len(themes), embeddings.shape[1])
    for label in themes["label"]:
        assert 2 <= len(label.split(" · ")) <= 4
    assert themes["label"].is_unique
    assert any(ch in "".join(themes["label"]) + "".join(w for ws in themes["top_words"] for w in ws) for ch in "éèàç")
    assert not {"bonjour", "merci", "le", "de", "très"} & {w for ws in themes["top_words"] for w in ws}
    assert 1 < themes["category"].nunique() <= TEST_CONFIG.n_categories

    assigned = model.transform(segments, embeddings)
    assert list(assigned.columns) == list(ASSIGNMENT_COLUMNS)
    assert assigned["segment_id"].tolist() == segments["segment_id"].tolist()
    outliers = assigned["theme_id"] == OUTLIER_ID
    assert outliers.mean() < 0.10
    small_talk = (segments["subject"] == "").to_numpy()
    assert outliers[small_talk].all(), "greetings are honestly unassigned"
    assert (_majority(assigned, segments) >= 0.8).all(), "each theme is about one subject"
    assert themes["n_segments"].sum() == (~outliers).sum()


def test_same_input_and_shuffled_input_give_the_same_themes(fitted):
    model, segments, embeddings = fitted
    again = ThemeModel(TEST_CONFIG, EmbedConfig(), seed=42).fit(segments, embeddings)
    perm = np.random.default_rng(3).permutation(len(segments))
    shuffled = ThemeModel(TEST_CONFIG, EmbedConfig(), seed=42).fit(segments.iloc[perm], embeddings[perm])
    for other in (again, shuffled):
        pd.testing.assert_frame_equal(other.themes_, model.themes_)
        pd.testing.assert_frame_equal(other.transform(segments, embeddings), model.transform(segments, embeddings))


def test_fitting_on_the_sample_ids_alone_gives_the_same_themes(fitted):
    """The store-backed first fit reads only ``sample_ids`` rows: same themes as a fit on everything."""
    from verbatim.themes.model import sample_ids

    model, segments, embeddings = fitted
    cfg = TEST_CONFIG.model_copy(update={"fit_sample_size": len(segments) * 2 // 3})
    full = ThemeModel(cfg, EmbedConfig(), seed=42).fit(segments, embeddings)
    keep = segments["segment_id"].isin(sample_ids(segments["segment_id"].astype(str).tolist(), cfg, 42)).to_numpy()
    assert keep.sum() == cfg.fit_sample_size
    sampled = ThemeModel(cfg, EmbedConfig(), seed=42).fit(segments[keep], embeddings[keep])
    cols = ["theme_id", "label", "top_words", "category_id", "category"]
    pd.testing.assert_frame_equal(sampled.themes_[cols], full.themes_[cols])
    pd.testing.assert_frame_equal(sampled.transform(segments, embeddings), full.transform(segments, embeddings))


def test_save_load_round_trip_without_pickle(fitted, tmp_path):
    model, segments, embeddings = fitted
    model.save(tmp_path / "themes")
    assert sorted(p.name for p in (tmp_path / "themes").iterdir()) == ["themes.json", "themes.safetensors"]
    json.loads((tmp_path / "themes" / "themes.json").read_text(encoding="utf-8"))
    loaded = ThemeModel.load(tmp_path / "themes")
    pd.testing.assert_frame_equal(loaded.themes_, model.themes_)
    np.testing.assert_array_equal(loaded.embeddings_, model.embeddings_)
    pd.testing.assert_frame_equal(loaded.transform(segments, embeddings), model.transform(segments, embeddings))
    with pytest.raises(ModelError, match="no theme model"):
        ThemeModel.load(tmp_path / "nothing")


def test_unfitted_model_and_bad_input_raise_clear_errors(fitted, tmp_path):
    model, segments, embeddings = fitted
    fresh = ThemeModel(TEST_CONFIG)
    for call in (lambda: fresh.transform(segments, embeddings), lambda: fresh.update(segments, embeddings),
                 lambda: fresh.refit(segments, embeddings), lambda: fresh.save(tmp_path / "never")):
        with pytest.raises(ModelError, match="not fitted"):
            call()
    with pytest.raises(SchemaError, match="one embedding row per segment"):
        model.transform(segments, embeddings[:-1])
    with pytest.raises(SchemaError, match="segment_id"):
        model.transform(segments.drop(columns="segment_id"), embeddings)


def test_update_assigns_new_segments_to_existing_themes(fitted, make_segments):
    model, _, _ = fitted
    model = _copy(model)
    night, night_emb = make_segments(per_subject=20, small_talk=4, seed=9, prefix="n")
    result = model.update(night, night_emb)
    assert result["segment_id"].tolist() == night["segment_id"].tolist()
    assert set(result["theme_id"]) <= {*model.themes_["theme_id"], OUTLIER_ID}
    assert (result["theme_id"] == OUTLIER_ID).mean() < 0.10
    assert len(model.themes_) == len(fitted[0].themes_)
    assert model.themes_["n_segments"].sum() == fitted[0].themes_["n_segments"].sum() + (result["theme_id"] != OUTLIER_ID).sum()


def test_pool_triggers_discovery_of_a_new_theme(make_segments, tmp_path):
    known = ("livraison", "paiement", "service client", "produit")
    segments, embeddings = make_segments(subjects=known)
    # a stricter threshold than the default: the synthetic subjects share their sentence frames;
    # discovery triggered by the pool's size only (night 1 fills it to ~40, night 2 passes 60)
    cfg = TEST_CONFIG.model_copy(update={"pool_min_size": 60, "pool_min_share": 0.99, "min_similarity": 0.35})
    model = ThemeModel(cfg, EmbedConfig(), seed=42).fit(segments, embeddings)
    before = model.themes_.copy()
    night1, emb1 = make_segments(per_subject=40, small_talk=0, subjects=("site",), seed=5, prefix="a")
    first = model.update(night1, emb1)
    assert len(model.themes_) == len(before) and len(model.pool_) > 0.5 * len(night1)
    model.save(tmp_path / "m")  # the pool survives a save
    model = ThemeModel.load(tmp_path / "m")
    night2, emb2 = make_segments(per_subject=40, small_talk=0, subjects=("site",), seed=6, prefix="b")
    second = model.update(night2, emb2)
    new = model.themes_[~model.themes_["theme_id"].isin(before["theme_id"])]
    assert len(new) >= 1 and new["theme_id"].min() == f"T{len(before) + 1:03d}"
    assert any(w in " ".join(new["label"]) for w in ("site", "application", "page", "connexion", "erreur", "passe"))
    pd.testing.assert_frame_equal(model.themes_.loc[: len(before) - 1, ["theme_id", "label"]], before[["theme_id", "label"]])
    taken = pd.concat([first, second])
    assert second["theme_id"].isin(new["theme_id"]).mean() > 0.5, "most of the new subject goes to the new themes"
    assert set(taken.loc[taken["segment_id"].str.startswith("a"), "theme_id"]) & set(new["theme_id"]), \
        "pooled segments of the first night are returned with their new theme"


def test_refit_keeps_ids_labels_and_merges(fitted, make_segments):
    model, segments, embeddings = fitted
    night, night_emb = make_segments(per_subject=30, small_talk=3, seed=11, prefix="r")
    all_segments = pd.concat([segments, night], ignore_index=True)
    all_emb = np.vstack([embeddings, night_emb])
    perm = np.random.default_rng(1).permutation(len(all_segments))
    refitted = model.refit(all_segments.iloc[perm], all_emb[perm])
    common = set(refitted.themes_["theme_id"]) & set(model.themes_["theme_id"])
    assert len(common) >= 0.8 * len(model.themes_)
    old_labels = model.themes_.set_index("theme_id")["label"]
    new_labels = refitted.themes_.set_index("theme_id")["label"]
    assert all(new_labels[t] == old_labels[t] for t in common)
    assert refitted.next_id_ >= model.next_id_

    a, b = sorted(common)[:2]
    edits = parse_edits({"merge": {b: a}, "rename": {a: "Sujet fusionné"}})
    for m in (model, refitted):
        themes, assigned = apply_edits(m.themes_, m.transform(all_segments, all_emb), edits)
        assert b not in set(themes["theme_id"]) and b not in set(assigned["theme_id"])
        assert themes.set_index("theme_id").loc[a, "label"] == "Sujet fusionné"
        assert (assigned.loc[assigned["theme_id"] == a, "theme_label"] == "Sujet fusionné").all()


def _copy(model: ThemeModel) -> ThemeModel:
    """A deep copy through save/load (the session model must not be mutated)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        model.save(folder)
        return ThemeModel.load(folder)
