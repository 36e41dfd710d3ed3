"""The sentiment model: scikit-learn conventions, pickle-free persistence, helpful errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from verbatim.errors import ModelError
from verbatim.sentiment import SentimentModel, default_model_dir, load_sentiment_model

TEXTS = [
    "Livraison rapide, très content.", "Conseiller aimable et efficace.", "Parfait, je recommande.",
    "Produit conforme, rien à dire.", "Colis jamais arrivé, scandaleux.", "Service client nul et injoignable.",
    "Remboursement refusé, inadmissible.", "Très déçu de la qualité.", "Commande reçue hier.",
    "Le produit est correct sans plus.", "Moyen, ni bon ni mauvais.", "Délai annoncé respecté, prix moyen.",
]
LABELS = ["positif"] * 4 + ["negatif"] * 4 + ["neutre"] * 4


@pytest.fixture(scope="module")
def small_model() -> SentimentModel:
    return SentimentModel(word_bits=10, char_bits=11, min_groups=1).fit(TEXTS, LABELS)


def test_init_stores_params_only() -> None:
    model = SentimentModel(C=2.0)
    assert model.get_params()["C"] == 2.0
    assert not [k for k in vars(model) if k.endswith("_")]


def test_unfitted_model_raises(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not fitted"):
        SentimentModel().predict_proba(["bonjour"])
    with pytest.raises(ModelError, match="not fitted"):
        SentimentModel().save(tmp_path / "never-written")
    assert not (tmp_path / "never-written").exists()


def test_unknown_labels_raise() -> None:
    with pytest.raises(ModelError, match="unknown sentiment labels"):
        SentimentModel(word_bits=8, char_bits=8).fit(["a", "b"], ["bien", "mal"])


def test_predict_proba_and_score(small_model: SentimentModel) -> None:
    proba = small_model.predict_proba(TEXTS)
    assert proba.shape == (len(TEXTS), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    scores = small_model.score(TEXTS)
    assert scores.min() >= -1 and scores.max() <= 1
    assert scores[:4].mean() > scores[4:8].mean()


def test_save_load_round_trip_without_pickle(small_model: SentimentModel, tmp_path: Path, monkeypatch) -> None:
    folder = small_model.save(tmp_path / "m")
    assert sorted(p.name for p in folder.iterdir()) == ["params.json", "weights.npz"]
    calls = []
    real_load = np.load

    def spy(*args, **kwargs):
        calls.append(kwargs.get("allow_pickle"))
        return real_load(*args, **kwargs)

    monkeypatch.setattr(np, "load", spy)
    loaded = SentimentModel.load(folder)
    assert calls == [False]
    np.testing.assert_allclose(loaded.predict_proba(TEXTS), small_model.predict_proba(TEXTS), rtol=1e-5)
    assert loaded.get_params() == small_model.get_params()


def test_weights_file_holds_no_object_arrays(small_model: SentimentModel, tmp_path: Path) -> None:
    folder = small_model.save(tmp_path / "m")
    with np.load(folder / "weights.npz", allow_pickle=False) as arrays:
        assert all(arrays[k].dtype != object for k in arrays.files)
    json.loads((folder / "params.json").read_text(encoding="utf-8"))


def test_missing_model_dir_says_how_to_retrain(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"python -m verbatim\.sentiment\.train"):
        load_sentiment_model(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match=r"lacks.*retrain"):
        load_sentiment_model(tmp_path / "empty")


def test_wrong_format_is_refused(small_model: SentimentModel, tmp_path: Path) -> None:
    folder = small_model.save(tmp_path / "m")
    meta = json.loads((folder / "params.json").read_text(encoding="utf-8"))
    meta["format"] = "something.else"
    (folder / "params.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match="format"):
        SentimentModel.load(folder)


def test_shipped_model_is_small_and_loads(model: SentimentModel) -> None:
    folder = default_model_dir()
    assert folder == Path(__file__).resolve().parents[2] / "models" / "sentiment"
    size = sum(p.stat().st_size for p in folder.iterdir())
    assert size < 50 * 1024 * 1024
    assert model.metadata_["n_train"] > 10_000


def test_sample_weight_moves_the_fit() -> None:
    plain = SentimentModel(word_bits=10, char_bits=11, min_groups=1).fit(TEXTS, LABELS)
    weights = np.where(np.array(LABELS) == "neutre", 20.0, 1.0)
    heavy = SentimentModel(word_bits=10, char_bits=11, min_groups=1).fit(TEXTS, LABELS, sample_weight=weights)
    neutral = np.array(LABELS) == "neutre"
    assert heavy.predict_proba(TEXTS)[neutral, 1].mean() > plain.predict_proba(TEXTS)[neutral, 1].mean()


def test_log_count_ratio_favours_the_columns_of_the_target_rows() -> None:
    import scipy.sparse as sp

    from verbatim.sentiment.model import log_count_ratio

    X = sp.csr_matrix(np.array([[1.0, 0.0, 0.5], [2.0, 0.0, 0.0], [0.0, 3.0, 0.2], [0.0, 1.0, 0.0]]))
    r = log_count_ratio(X, np.array([True, True, False, False]))
    assert r[0] > 0 > r[1]
    assert r[2] == pytest.approx(0.0)  # seen once on each side
    np.testing.assert_allclose(r[0], np.log((3 / 6) / (1 / 6)))  # alpha 1: p = (3, 1, 2), q = (1, 3, 2)


def test_nb_scaling_and_multinomial_both_learn_and_round_trip(tmp_path: Path) -> None:
    for nb in (True, False):
        model = SentimentModel(word_bits=10, char_bits=11, min_groups=1, nb_scaling=nb).fit(TEXTS, LABELS)
        proba = model.predict_proba(TEXTS)
        np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
        assert (model.predict(TEXTS) == np.array(LABELS)).mean() >= 0.75
        loaded = SentimentModel.load(model.save(tmp_path / f"m{nb}"))
        assert loaded.nb_scaling is nb
        np.testing.assert_allclose(loaded.predict_proba(TEXTS), proba, rtol=1e-5)


def test_models_saved_before_nb_scaling_load_as_multinomial(small_model: SentimentModel, tmp_path: Path) -> None:
    folder = small_model.save(tmp_path / "old")
    meta = json.loads((folder / "params.json").read_text(encoding="utf-8"))
    del meta["params"]["nb_scaling"], meta["params"]["nb_alpha"]
    (folder / "params.json").write_text(json.dumps(meta), encoding="utf-8")
    assert SentimentModel.load(folder).nb_scaling is False
