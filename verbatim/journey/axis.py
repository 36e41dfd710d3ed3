"""The cross-sector axis: four interaction families x three dimensions (12 variables).

Touchpoints differ from one sector to the next; this axis does not, so companies of different
sectors can compare. Every segment gets:

* a **family**, the kind of interaction it talks about: ``acces`` (finding, choosing, buying,
  subscribing, reaching the offer and its channels), ``usage`` (using the product or service,
  what it delivers, incidents), ``relation_client`` (exchanges with people of the company),
  ``partage`` (recommending, loyalty, community, sharing an opinion with others);
* a **dimension**, what the customer judges: ``utile`` (value, result, price, does it work),
  ``facile`` (effort, speed, simplicity, clarity), ``agreable`` (pleasure, courtesy, feelings).

How (no training, any language the embedding model reads): each variable has a French
description and examples (prototype embeddings, like touchpoints) and a keyword list. The score
of a variable is the best cosine similarity to its prototypes plus ``keyword_bonus`` per distinct
keyword found; for families, the default family of the segment's touchpoint (``family`` in the
taxonomy) adds ``touchpoint_bonus``. The highest score wins, so every segment gets exactly one
family and one dimension.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DIMENSIONS", "FAMILIES", "AxisValue"]


@dataclass(frozen=True)
class AxisValue:
    """One family or dimension: id, French label, description, examples and keywords."""

    id: str
    label: str
    description: str
    examples: tuple[str, ...]
    keywords: tuple[str, ...]


FAMILIES: tuple[AxisValue, ...] = (
    AxisValue(
        "acces", "Accès",
        "Accéder à l'offre : s'informer, comparer, choisir, acheter ou souscrire, trouver le bon canal, "
        "horaires et disponibilité, site et application pour y parvenir.",
        ("impossible de trouver l'information sur le site", "souscription rapide en ligne",
         "les horaires d'ouverture ne sont pas pratiques", "prix attractif par rapport aux concurrents",
         "j'ai pu commander en quelques clics"),
        ("information", "devis", "souscrire", "souscription", "inscription", "commander", "acheter", "achat",
         "réserver", "réservation", "horaires", "site", "application", "offre", "prix", "tarif"),
    ),
    AxisValue(
        "usage", "Usage",
        "Utiliser le produit ou le service : ce qu'il apporte, son fonctionnement, sa qualité, la livraison, "
        "les incidents, les remboursements et la prise en charge.",
        ("le produit est tombé en panne", "colis livré en retard", "remboursement reçu en deux jours",
         "le service fonctionne parfaitement", "mon dossier de sinistre n'avance pas"),
        ("produit", "qualité", "panne", "fonctionne", "livraison", "colis", "remboursement", "sinistre",
         "réparation", "utilisation", "utiliser", "prise en charge", "incident", "retard"),
    ),
    AxisValue(
        "relation_client", "Relation client",
        "Échanger avec les personnes de l'entreprise : conseillers, service client, accueil, écoute, "
        "réponses aux demandes et aux réclamations.",
        ("conseillère très aimable et à l'écoute", "impossible de joindre le service client",
         "personne ne répond à mes mails", "accueil chaleureux en agence", "ma réclamation a été bien traitée"),
        ("conseiller", "conseillère", "service client", "accueil", "écoute", "aimable", "joindre", "téléphone",
         "réponse", "réclamation", "interlocuteur", "personnel", "agent", "vendeur"),
    ),
    AxisValue(
        "partage", "Partage",
        "Partager et s'engager : recommander ou déconseiller à son entourage, fidélité, parrainage, avis, "
        "communauté, valeurs et confiance dans la marque.",
        ("je recommande à tous mes amis", "client fidèle depuis vingt ans", "à fuir, je le dirai autour de moi",
         "le parrainage est avantageux", "je ne reviendrai jamais"),
        ("recommande", "recommander", "déconseille", "fuir", "fidèle", "fidélité", "parrainage", "avis",
         "confiance", "entourage", "amis", "jamais plus"),
    ),
)

DIMENSIONS: tuple[AxisValue, ...] = (
    AxisValue(
        "utile", "Utile",
        "Ce que l'expérience apporte vraiment : résultat obtenu, problème résolu, valeur pour le prix, "
        "garanties, qualité, efficacité.",
        ("mon problème a été résolu", "bon rapport qualité prix", "les garanties sont complètes",
         "aucune solution proposée", "le produit ne sert à rien"),
        ("utile", "efficace", "efficacité", "résolu", "solution", "qualité", "prix", "cher", "garantie",
         "rembourser", "remboursement", "inutile", "sert"),
    ),
    AxisValue(
        "facile", "Facile",
        "L'effort demandé au client : rapidité, délais, simplicité des démarches, clarté, joignabilité, "
        "nombre de relances.",
        ("démarches simples et rapides", "trois semaines d'attente", "il a fallu relancer cinq fois",
         "impossible de joindre quelqu'un", "tout se fait en quelques clics"),
        ("facile", "simple", "simplicité", "rapide", "rapidement", "rapidité", "délai", "attente", "attendre",
         "compliqué", "relancer", "relance", "clair", "clics", "long", "lent", "joindre"),
    ),
    AxisValue(
        "agreable", "Agréable",
        "Ce que le client ressent : amabilité, courtoisie, respect, empathie, plaisir ou colère, confort, "
        "sentiment d'être considéré.",
        ("conseillère très aimable et souriante", "on m'a raccroché au nez", "personnel méprisant",
         "expérience très agréable", "je me suis senti écouté"),
        ("aimable", "agréable", "désagréable", "courtois", "sympathique", "gentil", "souriant", "respect",
         "mépris", "méprisant", "chaleureux", "écoute", "honte", "raccroche", "poli", "impoli", "confort"),
    ),
)
