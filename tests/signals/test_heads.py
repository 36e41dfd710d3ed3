"""Learned signal heads: fit, save/load without pickle, decisions, and the shipped artefact."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from verbatim.errors import ModelError
from verbatim.signals.heads import (
    EFFORT_CLASSES,
    EMOTION_CLASSES,
    SignalHeads,
    combine,
    combine_class,
    decide_signals,
    default_heads_dir,
    load_signal_heads,
    problem_rule,
)
from verbatim.signals.intent import INTENTS

_ROWS = [
    ("Plus de connexion internet depuis lundi, la box clignote.", "reclamation", "frustration", "eleve", "1", "a"),
    ("Colis jamais reçu, je demande le remboursement.", "reclamation", "colère", "", "1", "b"),
    ("Coupure d'électricité depuis ce matin dans tout le quartier.", "reclamation", "", "", "1", "c"),
    ("Je vais résilier mon abonnement, c'est fini.", "resiliation|reclamation", "colère", "", "1", "a"),
    ("Pouvez-vous m'envoyer une attestation ?", "demande", "", "", "0", "b"),
    ("Comment faire pour changer mon adresse ?", "demande", "", "", "0", "c"),
    ("Il faudrait ajouter le paiement en trois fois.", "suggestion", "", "", "0", "a"),
    ("Ce serait bien d'avoir une application.", "suggestion", "", "", "0", "b"),
    ("Merci beaucoup, service parfait et rapide !", "eloge", "gratitude", "faible", "0", "c"),
    ("Très satisfait, je recommande.", "eloge", "satisfaction", "faible", "0", "a"),
    ("Je vais saisir mon avocat et le tribunal.", "juridique|reclamation", "colère", "", "1", "b"),
    ("Bravo à toute l'équipe, merci.", "eloge", "gratitude", "", "0", "c"),
]


def _frame() -> tuple[list[str], pd.DataFrame, np.ndarray]:
    frame = pd.DataFrame(_ROWS, columns=["text", "intents", "emotion", "effort", "probleme", "sector"])
    return frame["text"].tolist(), frame, frame["sector"].to_numpy()


@pytest.fixture(scope="module")
def fitted() -> SignalHeads:
    texts, frame, groups = _frame()
    decisions = {"demande": {"mode": "model", "threshold": 0.5}, "probleme": {"mode": "rules or model", "threshold": 0.5}}
    return SignalHeads(C=10.0, word_bits=12, char_bits=13, min_groups=1, decisions=decisions).fit(texts, frame, groups)


def test_fit_predict_shapes_and_learns(fitted: SignalHeads) -> None:
    texts, frame, _ = _frame()
    proba = fitted.predict_proba(texts)
    assert proba["intents"].shape == (len(texts), len(INTENTS))
    assert proba["emotion"].shape == (len(texts), len(EMOTION_CLASSES))
    assert proba["effort"].shape == (len(texts), len(EFFORT_CLASSES))
    np.testing.assert_allclose(proba["emotion"].sum(axis=1), 1.0, rtol=1e-5)
    gold = frame["probleme"].to_numpy() == "1"
    assert (proba["probleme"][gold].mean()) > (proba["probleme"][~gold].mean())
    demande = INTENTS.index("demande")
    assert proba["intents"][4, demande] > 0.5 > proba["intents"][0, demande]
    assert fitted.predict_proba([])["intents"].shape == (0, len(INTENTS))


def test_init_stores_params_only() -> None:
    heads = SignalHeads(C=2.0)
    assert heads.get_params()["C"] == 2.0
    assert not [k for k in vars(heads) if k.endswith("_")]


def test_unfitted_raises_model_error(tmp_path) -> None:
    with pytest.raises(ModelError, match="not fitted"):
        SignalHeads().predict_proba(["bonjour"])
    with pytest.raises(ModelError, match="not fitted"):
        SignalHeads().save(tmp_path)


def test_fit_refuses_unknown_labels() -> None:
    texts, frame, groups = _frame()
    with pytest.raises(ModelError, match="unknown emotion"):
        SignalHeads(word_bits=10, char_bits=10, min_groups=1).fit(texts, frame.assign(emotion="joie"), groups)
    with pytest.raises(ModelError, match="columns"):
        SignalHeads(word_bits=10, char_bits=10, min_groups=1).fit(texts, frame.drop(columns=["probleme"]), groups)


def test_save_load_round_trip(fitted: SignalHeads, tmp_path) -> None:
    texts, _, _ = _frame()
    fitted.save(tmp_path, {"note": "test"})
    with np.load(tmp_path / "weights.npz", allow_pickle=False) as arrays:
        assert arrays["idf_index"].size == np.count_nonzero(fitted.featurizer_.idf_)
        assert arrays["intent_demande_cols"].size < 2**12 + 2**13  # only the nonzero columns
    loaded = load_signal_heads(tmp_path)
    assert loaded.decision("demande") == ("model", 0.5)
    assert loaded.decision("eloge") == ("rules", 0.5)
    assert loaded.metadata_ == {"note": "test"}
    a, b = fitted.predict_proba(texts), loaded.predict_proba(texts)
    for key in a:
        np.testing.assert_allclose(a[key], b[key], rtol=1e-5, atol=1e-6)


def test_load_errors(tmp_path) -> None:
    with pytest.raises(ModelError, match="not found"):
        load_signal_heads(tmp_path / "absent")
    with pytest.raises(ModelError, match="lacks"):
        load_signal_heads(tmp_path)
    (tmp_path / "weights.npz").write_bytes(b"not a zip")
    (tmp_path / "params.json").write_text(json.dumps({"format": "verbatim.signals.v1"}), encoding="utf-8")
    with pytest.raises(ModelError, match="cannot be read"):
        load_signal_heads(tmp_path)


def test_combine_modes() -> None:
    rule = np.array([True, True, False, False])
    proba = np.array([0.9, 0.1, 0.9, 0.1])
    assert combine("rules", rule, proba, 0.5).tolist() == [True, True, False, False]
    assert combine("model", rule, proba, 0.5).tolist() == [True, False, True, False]
    assert combine("rules or model", rule, proba, 0.5).tolist() == [True, True, True, False]
    assert combine("rules and model", rule, proba, 0.5).tolist() == [True, False, False, False]
    with pytest.raises(ModelError):
        combine("vote", rule, proba, 0.5)


def test_combine_class_modes() -> None:
    classes = EMOTION_CLASSES
    proba = np.zeros(len(classes))
    proba[classes.index("colère")], proba[classes.index("")] = 0.6, 0.4
    assert combine_class("rules", "frustration", proba, classes, 0.5) == "frustration"
    assert combine_class("model", "frustration", proba, classes, 0.5) == "colère"
    assert combine_class("model", "", proba, classes, 0.7) == ""  # below the threshold: none
    assert combine_class("rules or model", "", proba, classes, 0.5) == "colère"
    assert combine_class("rules or model", "frustration", proba, classes, 0.5) == "frustration"
    assert combine_class("rules and model", "colère", proba, classes, 0.5) == "colère"
    assert combine_class("rules and model", "frustration", proba, classes, 0.5) == ""


def test_decide_signals_follows_decisions() -> None:
    heads = SignalHeads(decisions={"suggestion": {"mode": "model", "threshold": 0.5},
                                   "emotion": {"mode": "rules or model", "threshold": 0.3},
                                   "probleme": {"mode": "rules or model", "threshold": 0.5}})
    n = 2
    intents = np.zeros((n, len(INTENTS)))
    intents[0, INTENTS.index("suggestion")] = 0.8
    emotion = np.zeros((n, len(EMOTION_CLASSES)))
    emotion[:, EMOTION_CLASSES.index("inquiétude")] = 0.9
    proba = {"intents": intents, "emotion": emotion, "effort": np.zeros((n, 4)), "probleme": np.array([0.1, 0.8])}
    out_intents, emotions, efforts, problems = decide_signals(
        heads, ["neutre", "neutre"], [["demande"], ["suggestion", "demande"]], ["", "colère"], ["", "eleve"], proba)
    assert out_intents == [["demande", "suggestion"], ["demande"]]
    assert emotions == ["inquiétude", "colère"]
    assert efforts == ["", "eleve"]  # effort: rules
    assert problems == [False, True]
    assert problem_rule("negatif", []) and problem_rule("neutre", ["reclamation"]) and not problem_rule("positif", ["eloge"])


# ----- the shipped artefact --------------------------------------------------------------------
@pytest.fixture(scope="module")
def shipped() -> SignalHeads:
    return load_signal_heads()


def test_shipped_artefact_is_small_and_documented(shipped: SignalHeads) -> None:
    folder = default_heads_dir()
    assert sum(f.stat().st_size for f in folder.iterdir()) < 5_000_000
    meta = json.loads((folder / "params.json").read_text(encoding="utf-8"))
    assert set(meta["params"]["decisions"]) == {*INTENTS, "emotion", "effort", "probleme"}
    assert meta["metadata"]["split"] == "train"
    assert "cv_decisions" in meta["metadata"] and "neutral_problem_relabel" in meta["metadata"]


def _rollup(texts: list[str], heads: SignalHeads | None) -> pd.DataFrame:
    from verbatim.config import Config
    from verbatim.sentiment import load_sentiment_model, rollup_verbatims, score_segments

    cfg = Config().sentiment
    model = load_sentiment_model()
    ids = [f"v{i}" for i in range(len(texts))]
    segments = pd.DataFrame({"verbatim_id": ids, "segment_id": [f"{v}-0" for v in ids], "text": texts})
    return rollup_verbatims(score_segments(segments, model, cfg), pd.DataFrame({"verbatim_id": ids, "text": texts}),
                            cfg, model, heads=heads)


def test_shipped_heads_read_a_stated_problem_as_a_complaint(shipped: SignalHeads) -> None:
    row = _rollup(["Plus de réseau mobile dans le village depuis lundi."], shipped).iloc[0]
    assert "reclamation" in row["intents"].split("|")
    assert bool(row["probleme"])


def test_shipped_heads_no_churn_for_praise_of_a_quick_closure(shipped: SignalHeads) -> None:
    row = _rollup(["Clôture de mon compte faite en cinq minutes, conseiller très aimable, merci !"], shipped).iloc[0]
    assert "resiliation" not in row["intents"].split("|")
    assert not bool(row["probleme"])


def test_rollup_default_uses_the_shipped_heads_and_none_the_rules(shipped: SignalHeads) -> None:
    texts = ["Plus de réseau mobile dans le village depuis lundi.", "Il faudrait ouvrir le samedi."]
    rules = _rollup(texts, None)
    assert rules.columns[-1] == "probleme" and rules["probleme"].dtype == bool
    from verbatim.config import Config
    from verbatim.sentiment import load_sentiment_model, rollup_verbatims, score_segments

    cfg, model = Config().sentiment, load_sentiment_model()
    segments = pd.DataFrame({"verbatim_id": ["a", "b"], "segment_id": ["a-0", "b-0"], "text": texts})
    default = rollup_verbatims(score_segments(segments, model, cfg), pd.DataFrame({"verbatim_id": ["a", "b"], "text": texts}),
                               cfg, model)
    pd.testing.assert_frame_equal(default.drop(columns="verbatim_id"), _rollup(texts, shipped).drop(columns="verbatim_id"))
