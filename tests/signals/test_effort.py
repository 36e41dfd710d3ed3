"""Customer-effort cues per segment."""

from __future__ import annotations

import pytest

from verbatim.signals import detect_effort, max_effort


@pytest.mark.parametrize(("text", "level"), [
    ("J'ai dû appeler cinq fois le service client.", "eleve"),
    ("Impossible de joindre un conseiller.", "eleve"),
    ("Toujours pas de remboursement.", "eleve"),
    ("J'ai relancé trois fois par mail.", "eleve"),
    ("On me balade de service en service.", "eleve"),
    ("C'est un vrai parcours du combattant.", "eleve"),
    ("Il a fallu rappeler le lendemain.", "moyen"),
    ("La démarche est un peu compliquée.", "moyen"),
    ("Résiliation faite en quelques clics, très facile.", "faible"),
    ("Problème réglé du premier coup.", "faible"),
    ("Le plat était bon.", ""),
])
def test_detect_effort(text: str, level: str) -> None:
    assert detect_effort(text) == level


def test_negated_ease_is_not_low_effort() -> None:
    assert detect_effort("Ce n'est pas facile de trouver le formulaire.") == "moyen"


def test_max_effort() -> None:
    assert max_effort(["", "faible", "eleve", "moyen"]) == "eleve"
    assert max_effort(["", ""]) == ""
