"""Intents per verbatim: main intent + all intents."""

from __future__ import annotations

import pytest

from verbatim.signals import INTENTS, detect_intents


@pytest.mark.parametrize(("text", "sentiment", "main"), [
    ("Je vais transmettre le dossier à mon avocat.", "negatif", "juridique"),
    ("J'ai saisi l'UFC Que Choisir.", "negatif", "juridique"),
    ("Je vais écrire au médiateur et à 60 millions de consommateurs.", "negatif", "juridique"),
    ("Ma protection juridique va s'en occuper.", "negatif", "juridique"),
    ("Je vais résilier mon abonnement.", "negatif", "resiliation"),
    ("Je vais aller voir ailleurs.", "negatif", "resiliation"),
    ("Je demande le remboursement de ma commande.", "negatif", "reclamation"),
    ("Colis cassé, très déçu.", "negatif", "reclamation"),
    ("Pouvez-vous m'envoyer une attestation ?", "neutre", "demande"),
    ("Il faudrait ajouter le paiement en trois fois.", "neutre", "suggestion"),
    ("Bravo à toute l'équipe, merci !", "positif", "eloge"),
    ("Très bon repas.", "positif", "eloge"),
    ("La commande est partie mardi.", "neutre", ""),
])
def test_main_intent(text: str, sentiment: str, main: str) -> None:
    intents = detect_intents(text, sentiment)
    assert (intents[0] if intents else "") == main


def test_several_intents_main_first() -> None:
    intents = detect_intents("Remboursez-moi ou je résilie et je contacte un avocat. Il faudrait revoir vos délais.",
                             "negatif")
    assert intents[0] == "juridique"
    assert {"resiliation", "reclamation", "suggestion"} <= set(intents)
    assert intents == sorted(intents, key=INTENTS.index)


def test_negative_verbatim_is_not_praise() -> None:
    assert "eloge" not in detect_intents("Je ne recommande pas, merci pour rien.", "negatif")


def test_a_negative_request_is_also_a_complaint() -> None:
    intents = detect_intents("Le modem redémarre tout seul depuis jeudi, pouvez-vous envoyer un technicien ?", "negatif")
    assert intents[:1] == ["reclamation"] and "demande" in intents


def test_praise_of_a_finished_cancellation_is_no_churn_threat() -> None:
    assert "resiliation" not in detect_intents("Clôture du compte faite en deux minutes au guichet, impeccable", "positif")
    assert detect_intents("Je vais résilier si rien ne bouge", "negatif")[0] == "resiliation"
