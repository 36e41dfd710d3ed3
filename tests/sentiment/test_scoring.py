"""The blend of model and rules: contrast weight and the mild-polarity floor (no model needed)."""

from __future__ import annotations

import pytest

from verbatim.config import SentimentConfig
from verbatim.sentiment.rules import analyse
from verbatim.sentiment.scoring import blend_score, label_of

CFG = SentimentConfig()


@pytest.mark.parametrize(("text", "sign"), [("Un peu cher.", -1), ("Accueil un peu froid.", -1),
                                            ("Plutôt correct.", 1)])
def test_floor_lifts_mild_one_sided_segments_out_of_the_band(text: str, sign: int) -> None:
    score = blend_score(0.0, analyse(text), CFG)
    assert score == pytest.approx(sign * CFG.neutral_band)
    assert label_of(score, CFG) == ("positif" if sign > 0 else "negatif")
    off = CFG.model_copy(update={"mild_polarity_floor": False})
    assert label_of(blend_score(0.0, analyse(text), off), off) == "neutre"


def test_floor_yields_to_a_model_that_clearly_disagrees() -> None:
    score = blend_score(0.9, analyse("Un peu cher."), CFG)
    assert 0 < score < CFG.neutral_band  # the rules soften the model but do not flip it to negatif


@pytest.mark.parametrize("text", [
    "C'est un peu cher ?",  # a question
    "Prix correct mais livraison en dix jours.",  # "mais" followed by nothing the lexicon knows
    "Le dossier est en cours.",  # no polar word
])
def test_floor_leaves_questions_unknown_contrasts_and_plain_facts(text: str) -> None:
    assert abs(blend_score(0.0, analyse(text), CFG)) < CFG.neutral_band


def test_contrast_gives_the_rules_more_weight() -> None:
    analysis = analyse("Prix attractif mais réseau instable.")
    assert analysis.contrast
    low = CFG.model_copy(update={"contrast_rule_weight": 0.0, "mild_polarity_floor": False})
    assert blend_score(0.8, analysis, CFG) < blend_score(0.8, analysis, low)


def test_long_texts_use_their_own_cuts() -> None:
    low, high = CFG.long_text_negative_cut, CFG.long_text_positive_cut
    long = CFG.short_text_words + 1
    assert label_of(high - 0.01, CFG, long) == "neutre" and label_of(high, CFG, long) == "positif"
    assert label_of(low + 0.01, CFG, long) == "neutre" and label_of(low, CFG, long) == "negatif"
    assert label_of(CFG.neutral_band, CFG, CFG.short_text_words) == "positif"  # short texts keep the band
