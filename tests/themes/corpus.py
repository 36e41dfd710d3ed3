"""A small synthetic French feedback corpus about five subjects, written for these tests."""

from __future__ import annotations

import itertools
import random

SUBJECTS: dict[str, tuple[list[str], list[str], list[str]]] = {
    "livraison": (
        ["La livraison", "Mon colis", "Le livreur", "L'expédition de la commande", "Le transporteur"],
        ["est arrivé avec trois jours de retard", "n'a jamais été livré à domicile", "a été déposé au mauvais point relais",
         "était très rapide, reçu en deux jours", "a perdu le colis pendant la livraison", "est arrivé abîmé, carton écrasé"],
        ["", " malgré le suivi du colis", " alors que la date de livraison était promise", " et le suivi ne marche pas"],
    ),
    "paiement": (
        ["Le paiement par carte", "Le prélèvement bancaire", "Ma facture", "Le remboursement", "Le montant débité"],
        ["a été prélevé deux fois sur mon compte", "a échoué trois fois sur la page de paiement",
         "n'est toujours pas remboursé après un mois", "est plus élevé que le prix affiché", "a été bloqué par la banque",
         "comporte des frais cachés"],
        ["", " sans aucune explication", " et j'attends le remboursement", " malgré ma réclamation sur la facture"],
    ),
    "service client": (
        ["Le service client", "La conseillère au téléphone", "Le conseiller", "L'équipe du support", "Le service après-vente"],
        ["a été très aimable et patient", "ne répond jamais aux appels ni aux courriels", "m'a raccroché au nez",
         "a résolu mon problème en cinq minutes", "m'a fait attendre quarante minutes au téléphone",
         "donne des réponses différentes à chaque appel"],
        ["", " lors de mon appel", " quand j'ai appelé hier", " malgré mes nombreuses relances"],
    ),
    "produit": (
        ["Le produit", "La qualité du tissu", "Le téléviseur", "L'aspirateur", "La machine à café"],
        ["est tombé en panne au bout d'une semaine", "ne correspond pas à la description", "est solide et de bonne qualité",
         "a un défaut de fabrication", "fonctionne parfaitement depuis six mois", "est fragile et mal fini"],
        ["", " pour ce prix", " d'après la notice", " comparé au modèle précédent"],
    ),
    "site": (
        ["Le site internet", "L'application mobile", "La page de connexion", "Mon espace client en ligne", "Le moteur de recherche du site"],
        ["plante à chaque mise à jour", "est lent et difficile à utiliser", "refuse mon mot de passe",
         "est clair et bien conçu", "affiche un message d'erreur", "ne trouve jamais les articles recherchés"],
        ["", " sur mon téléphone", " depuis la nouvelle version", " avec le navigateur"],
    ),
}

#: Greetings and empty talk: honestly no subject.
SMALL_TALK = ["Bonjour.", "Merci.", "Cordialement.", "Bonne journée à vous.", "Voilà.", "Merci d'avance, bonne soirée."]


def sentences(subject: str) -> list[str]:
    """Every template sentence of one subject (5 x 6 x 4 = 120)."""
    starts, middles, ends = SUBJECTS[subject]
    return [f"{s} {m}{e}." for s, m, e in itertools.product(starts, middles, ends)]


def corpus(per_subject: int = 90, small_talk: int = 12, subjects: tuple[str, ...] | None = None, seed: int = 0,
           prefix: str = "v") -> list[tuple[str, str, str]]:
    """``(verbatim_id, text, subject)``: ``per_subject`` sentences of each subject plus small talk (subject ""), shuffled."""
    rng = random.Random(seed)
    rows = []
    for subject in subjects or tuple(SUBJECTS):
        rows += [(text, subject) for text in rng.sample(sentences(subject), per_subject)]
    rows += [(SMALL_TALK[i % len(SMALL_TALK)], "") for i in range(small_talk)]
    rng.shuffle(rows)
    return [(f"{prefix}{i:04d}", text, subject) for i, (text, subject) in enumerate(rows)]
