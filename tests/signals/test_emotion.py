"""Emotion cues per segment."""

from __future__ import annotations

import pytest

from verbatim.signals import EMOTIONS, detect_emotion


@pytest.mark.parametrize(("text", "score", "emotion"), [
    ("C'est un scandale, je suis furieux !", -0.8, "colère"),
    ("Colis abîmé colère", -0.6, "colère"),
    ("Toujours pas de réponse, j'en ai marre.", -0.6, "frustration"),
    ("Impossible de joindre quelqu'un, c'est exaspérant.", -0.6, "frustration"),
    ("Je suis très déçu par la qualité du repas.", -0.6, "déception"),
    ("Je ne suis pas satisfait de la réparation.", -0.5, "déception"),
    ("Je suis inquiet, sans nouvelles de mon dossier.", -0.4, "inquiétude"),
    ("Merci beaucoup pour votre aide !", 0.7, "gratitude"),
    ("Très satisfait de la livraison.", 0.7, "satisfaction"),
    ("On a adoré ce restaurant.", 0.8, "satisfaction"),
    ("La commande est partie mardi.", 0.0, ""),
])
def test_detect_emotion(text: str, score: float, emotion: str) -> None:
    assert detect_emotion(text, score) == emotion


def test_negated_cue_is_not_an_emotion() -> None:
    assert detect_emotion("Pas déçu du tout, bien au contraire.", 0.5) != "déception"


def test_emotion_never_contradicts_the_score() -> None:
    assert detect_emotion("Merci de me rembourser, c'est un scandale.", -0.8) == "colère"
    assert detect_emotion("Merci, tout est parfait.", 0.8) in {"gratitude", "satisfaction"}
    assert set(EMOTIONS) == {"colère", "frustration", "déception", "inquiétude", "satisfaction", "gratitude"}
