"""Roll-up of segment sentiment per verbatim, and survey-score conflicts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from verbatim.config import SentimentConfig
from verbatim.errors import SchemaError
from verbatim.sentiment import (
    VERBATIM_SENTIMENT_COLUMNS,
    final_scores,
    label_of,
    rollup_verbatims,
    score_conflict,
    score_segments,
)
from verbatim.sentiment.rollup import verbatim_score


def _segments(rows: list[tuple[str, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["verbatim_id", "text"])
    frame["segment"] = frame.groupby("verbatim_id").cumcount()
    return frame


def _verbatims(segments: pd.DataFrame, **scores) -> pd.DataFrame:
    texts = segments.groupby("verbatim_id", sort=False)["text"].agg(" ".join).reset_index()
    for key, value in scores.items():
        texts[key] = value
    return texts


def test_one_strong_negative_among_polite_segments_makes_a_negative_verbatim(model, cfg) -> None:
    seg = _segments([("v1", "Bonjour madame, merci pour votre aide."), ("v1", "Votre conseillère est très aimable."),
                     ("v1", "Mais c'est un scandale, mon colis n'est jamais arrivé !"), ("v1", "Cordialement.")])
    out = rollup_verbatims(score_segments(seg, model, cfg), _verbatims(seg), cfg, model)
    assert out.loc[0, "sentiment"] == "negatif"
    assert out.loc[0, "sentiment_score"] <= -cfg.neutral_band


def test_a_praising_verbatim_with_one_sharp_aside_stays_positive_and_mixed(model, cfg) -> None:
    seg = _segments([("v1", "Je suis cliente depuis dix ans et tout se passe à merveille."),
                     ("v1", "Les conseillers sont compétents, aimables et très réactifs."),
                     ("v1", "Seul le site internet est vraiment lamentable, une honte !"),
                     ("v1", "Je recommande vivement cette enseigne à tous mes proches, un grand merci !")])
    scored = score_segments(seg, model, cfg)
    assert scored["sentiment_score"].min() <= cfg.strong_negative  # the aside alone is strongly negative
    out = rollup_verbatims(scored, _verbatims(seg), cfg, model)
    assert out.loc[0, "sentiment"] == "positif"
    assert bool(out.loc[0, "mixed"])
    # segments alone (no whole-text score): rule 2 makes it negatif
    assert rollup_verbatims(scored, _verbatims(seg), cfg).loc[0, "sentiment"] == "negatif"


def test_verbatim_score_blends_whole_text_and_segments(model, cfg) -> None:
    seg = _segments([("v", "Remboursement reçu en trois jours."), ("v", "Rien à redire, merci.")])
    scored = score_segments(seg, model, cfg)
    text = _verbatims(seg)
    whole = final_scores(text["text"].tolist(), model, cfg)[0]
    lengths = scored["text"].str.len().clip(lower=10)
    mean = float((scored["sentiment_score"] * lengths).sum() / lengths.sum())
    out = rollup_verbatims(scored, text, cfg, model)
    assert out.loc[0, "sentiment_score"] == pytest.approx(cfg.whole_text_weight * whole + (1 - cfg.whole_text_weight) * mean)
    only_segments = cfg.model_copy(update={"whole_text_weight": 0.0})
    assert rollup_verbatims(scored, text, only_segments, model).loc[0, "sentiment_score"] == pytest.approx(mean)


def test_long_verbatims_are_labelled_with_the_long_text_cuts(model, cfg) -> None:
    text = ("Le contrat a été signé en mars et la carte est arrivée en avril comme prévu. Les tarifs sont "
            "dans la moyenne du marché, sans plus, et l'application fonctionne.")
    seg = _segments([("v", text)])
    scored = score_segments(seg, model, cfg)
    out = rollup_verbatims(scored, _verbatims(seg), cfg, model, heads=None).iloc[0]  # the cuts alone (no rule 7)
    assert len(text.split()) > cfg.short_text_words
    assert out["sentiment"] == label_of(out["sentiment_score"], cfg, len(text.split()))
    wide = cfg.model_copy(update={"long_text_negative_cut": -0.99, "long_text_positive_cut": 0.99})
    assert rollup_verbatims(scored, _verbatims(seg), wide, model, heads=None).loc[0, "sentiment"] == "neutre"


@pytest.mark.parametrize(("whole", "n_words", "label"), [
    (0.1, 40, "negatif"), (0.3, 40, "negatif"), (0.5, 40, "positif"), (0.3, 10, "positif"), (None, 40, "negatif"),
])
def test_the_strong_negative_rule_yields_only_to_a_whole_text_labelled_positive(cfg, whole, n_words, label) -> None:
    scores, lengths = np.array([-0.9, 0.8, 0.8, 0.8]), np.array([40, 40, 40, 40])
    score, got, _ = verbatim_score(scores, lengths, cfg, whole, n_words)
    assert got == label
    assert label_of(score, cfg, n_words) == label  # the score agrees with the label, whatever the cuts


def test_mixed_verbatim_is_flagged(model, cfg) -> None:
    seg = _segments([("v1", "La livraison était vraiment très en retard, inadmissible."),
                     ("v1", "Le conseiller était très aimable et efficace.")])
    out = rollup_verbatims(score_segments(seg, model, cfg), _verbatims(seg), cfg, model)
    assert bool(out.loc[0, "mixed"])


def test_plain_verbatims_are_not_mixed(model, cfg) -> None:
    seg = _segments([("a", "Parfait, livraison rapide."), ("a", "Je recommande."), ("b", "Colis perdu, service nul.")])
    out = rollup_verbatims(score_segments(seg, model, cfg), _verbatims(seg), cfg, model)
    assert out["sentiment"].tolist() == ["positif", "negatif"]
    assert not out["mixed"].any()


def test_verbatims_without_segments_are_neutral(model, cfg) -> None:
    seg = _segments([("a", "Parfait, livraison rapide.")])
    verbatims = pd.DataFrame({"verbatim_id": ["a", "b"], "text": ["Parfait, livraison rapide.", ""]})
    out = rollup_verbatims(score_segments(seg, model, cfg), verbatims, cfg, model)
    assert list(out.columns) == list(VERBATIM_SENTIMENT_COLUMNS)
    assert out.loc[1, ["sentiment", "sentiment_score", "n_segments"]].tolist() == ["neutre", 0.0, 0]


def test_score_conflict_flags_contradictions(model, cfg) -> None:
    seg = _segments([("angry", "C'est honteux, personne ne répond et je suis furieux."),
                     ("happy", "Service parfait, conseiller très aimable, bravo."),
                     ("fine", "Service parfait, conseiller très aimable, bravo.")])
    verbatims = _verbatims(seg, nps=[10, 0, 9])
    out = rollup_verbatims(score_segments(seg, model, cfg), verbatims, cfg, model).set_index("verbatim_id")
    assert out.loc["angry", "score_conflict"] and out.loc["happy", "score_conflict"]
    assert not out.loc["fine", "score_conflict"]
    assert out.loc["angry", "sentiment"] == "negatif"  # the text is not overridden by the survey score


@pytest.mark.parametrize(("score", "nps", "csat", "expected"), [
    (-0.8, 10, None, True), (0.8, 0, None, True), (0.8, 10, None, False), (-0.8, 5, None, False),
    (-0.8, None, 5, True), (0.8, None, 1, True), (0.1, 10, 1, False), (-0.8, float("nan"), None, False),
])
def test_score_conflict_rules(score: float, nps, csat, expected: bool) -> None:
    assert score_conflict(score, nps, csat, SentimentConfig()) is expected


def test_rollup_adds_signals(model, cfg) -> None:
    seg = _segments([("v", "J'ai dû appeler cinq fois, toujours pas de réponse."),
                     ("v", "Je vais saisir le médiateur et résilier mon contrat.")])
    out = rollup_verbatims(score_segments(seg, model, cfg), _verbatims(seg), cfg, model)
    row = out.iloc[0]
    assert row["effort"] == "eleve"
    assert row["intent"] == "juridique"
    assert set(row["intents"].split("|")) >= {"juridique", "resiliation"}
    assert row["emotion"] in {"frustration", "colère"}


def test_inputs_are_not_modified_and_schema_is_checked(model, cfg) -> None:
    seg = _segments([("a", "Très bien.")])
    before = seg.copy()
    scored = score_segments(seg, model, cfg)
    pd.testing.assert_frame_equal(seg, before)
    assert {"sentiment", "sentiment_score", "sentiment_strength", "emotion", "effort"} <= set(scored.columns)
    with pytest.raises(SchemaError, match="text"):
        score_segments(pd.DataFrame({"body": ["x"]}), model, cfg)
    with pytest.raises(SchemaError):
        rollup_verbatims(scored.drop(columns=["sentiment_score"]), _verbatims(seg), cfg)
