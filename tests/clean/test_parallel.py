"""``CleanConfig.workers``: the worker pool gives exactly the result of the in-process run."""

from __future__ import annotations

import pandas as pd
import pytest

from verbatim import workers
from verbatim.clean import clean_verbatims
from verbatim.clean import pipeline as clean_pipeline
from verbatim.config import CleanConfig

# Hand-written sentences (fictitious people, numbers and addresses), combined below into ~300 texts.
_SENTENCES = [
    "Très déçu par le service client, personne ne répond au téléphone.",
    "Le conseiller a été très aimable et mon dossier a été traité rapidement.",
    "Remboursement reçu en trois jours, rien à redire !",
    "J'attends toujours le passage de l'expert depuis six semaines...",
    "Tarif trop élevé pour des garanties aussi faibles, je vais résilier.",
    "Appli pratique mais elle plante à chaque fois que je veux envoyer une photo.",
    "Merci à Mme Lefèvre pour sa patience et ses explications claires.",
    "Mon numéro est le 06 11 22 33 44, rappelez-moi svp.",
    "Vous pouvez m'écrire à camille.exemple@mail-test.fr pour la suite.",
    "J'habite au 14 rue des Lilas 69003 Lyon depuis mars.",
    "Je m'appelle Paul Martin et je suis client depuis dix ans.",
    "INADMISSIBLE, trois relances et toujours aucune réponse !!!!",
    "Prix correct, par contre le délai de traitement est beaucoup trop long.",
    "c nul, pb avec ma cmd depuis une semaine",
    "Trèèèès satisfait du dépannage, le garagiste est arrivé en une heure 👍",
    "Franchement 😡😡 on m'a raccroché au nez deux fois.",
    "Le contrat n° AB-2024-55871 a été modifié sans mon accord.",
    "Bon rapport qualité prix, cependant la souscription en ligne est compliquée.",
    "Sinistre dégât des eaux : indemnisation correcte mais bien trop lente.",
    "Je recommande, l'équipe est à l'écoute et réactive.",
    "Le devis annoncé n'a rien à voir avec la facture finale.",
    "Impossible de joindre quelqu'un le samedi, c'est dommage.",
    "Mon IBAN FR76 3000 6000 0112 3456 7890 189 a bien été pris en compte.",
    "Néanmoins je reste fidèle car les garanties sont complètes.",
    "Bonjour, je souhaite simplement une attestation d'assurance.",
    "Votre site https://www.exemple-assur.fr/espace ne fonctionne plus.",
    "Les frais de dossier sont abusifs, toutefois l'accueil en agence est parfait.",
    "Suite à mon accident le 12/03, tout a été pris en charge sans souci.",
    "Quelle galère pour obtenir un simple remboursement de lunettes ?",
    "Monsieur le directeur, je vous demande de revoir ma cotisation.",
    "Délai respecté, interlocuteur compétent, je suis ravi.",
    "Ras",
    "ok",
    "The delivery was late and nobody answered my emails.",
    "El seguro no cubrió los daños de mi coche.",
    "Pourtant j'avais bien envoyé tous les justificatifs demandés.",
]
_CHANNELS = ["survey", "email", "chat", "social"]
_EMAIL_TAIL = "\nCordialement,\nJeanne Morel\n\nLe lun. 3 mars 2025 à 10:02, Service Client a écrit :\n> Bonjour"
_SOCIAL_HEAD = "@AssurTest #ServiceClient "
_CHAT_TURNS = "bonjour\n{}\nok merci bonne journée"


def _texts() -> list[tuple[str, str]]:
    rows = []
    n = len(_SENTENCES)
    for i in range(300):
        channel = _CHANNELS[i % 4]
        picked = [_SENTENCES[(i * k + k * k) % n] for k in range(1, 1 + i % 3 + 1)]
        text = " ".join(picked) if i % 5 else "\n".join(picked)
        if channel == "email":
            text += _EMAIL_TAIL
        elif channel == "social":
            text = _SOCIAL_HEAD + text
        elif channel == "chat":
            text = _CHAT_TURNS.format(text)
        rows.append((channel, text))
    rows[7] = ("survey", None)  # missing text
    rows[8] = ("chat", "merci beaucoup")  # empty after clean-up
    return rows


@pytest.fixture(scope="module")
def frame():
    rows = _texts()
    return pd.DataFrame(
        {
            "verbatim_id": [f"p{i:04d}" for i in range(len(rows))],
            "channel": [c for c, _ in rows],
            "text": [t for _, t in rows],
        }
    )


@pytest.fixture(scope="module")
def worker_pool():
    yield
    clean_pipeline.shutdown_workers()


def test_workers_give_the_same_result(frame, nlp_fast, worker_pool):
    serial_cleaned, serial_segments = clean_verbatims(frame, CleanConfig())
    cfg = CleanConfig(workers=2, parallel_min_rows=50)
    parallel_cleaned, parallel_segments = clean_verbatims(frame, cfg)
    assert workers.running() is not None  # the parallel path really ran
    pd.testing.assert_frame_equal(parallel_cleaned, serial_cleaned)
    pd.testing.assert_frame_equal(parallel_segments, serial_segments)
    assert serial_cleaned["analysed"].sum() > 250 and len(serial_segments) > 300

    pool = workers.running()
    again_cleaned, _ = clean_verbatims(frame.iloc[::-1].reset_index(drop=True), cfg)
    assert workers.running() is pool  # the pool is reused across calls
    pd.testing.assert_frame_equal(again_cleaned, serial_cleaned.iloc[::-1].reset_index(drop=True))


def test_small_frames_stay_in_process(frame, nlp_fast, worker_pool, monkeypatch):
    def no_pool(*args, **kwargs):  # pragma: no cover - fails the test if reached
        raise AssertionError("the pool must not be used below parallel_min_rows")

    monkeypatch.setattr(clean_pipeline, "_clean_parallel", no_pool)
    cleaned, _ = clean_verbatims(frame.head(20), CleanConfig(workers=2, parallel_min_rows=50))
    assert len(cleaned) == 20
