"""Customer effort of a segment (like a CES): ``faible``, ``moyen``, ``eleve`` or empty.

* ``eleve``: repeated contacts or being sent around ("j'ai dû appeler cinq fois", "on me balade",
  "toujours pas", "relancé", "impossible de joindre", "parcours du combattant", "des semaines");
* ``moyen``: some effort ("plusieurs fois", "rappeler", "relance", "attendre", "compliqué");
* ``faible``: explicit ease ("facile", "simple", "en quelques clics", "sans effort", "rapidement").

The highest level found wins; easy cues count only when no effort cue is present.
"""

from __future__ import annotations

from verbatim.signals.cues import compile_cues, find_cues

#: Effort levels, lowest first ("" means no cue).
EFFORT_LEVELS: tuple[str, ...] = ("faible", "moyen", "eleve")

_NUMBER = r"(?:\d+|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|quinze|vingt|trente|cent|plusieurs|de nombreuses|maintes|mille|x)"
_HIGH = [
    rf"{_NUMBER} (?:fois|appels|coups de fil|mails|e-mails|courriers|lettres|relances|réclamations|visites|"
    r"déplacements|conseillers|interlocuteurs)",
    r"dû (?:appeler|rappeler|relancer|écrire|réécrire|envoyer|renvoyer|me déplacer|insister|revenir|recommencer)",
    r"du (?:rappeler|relancer|réécrire|renvoyer|insister)",
    r"obligée? de (?:rappeler|relancer|réécrire|renvoyer|insister|me déplacer)",
    r"relanc[ée]\w*", r"j'ai relancé", r"toujours pas", r"toujours rien", r"toujours en attente",
    r"impossible de (?:joindre|contacter|avoir|obtenir|parler|résilier|trouver|se connecter|me connecter)",
    r"on me balade", r"baladée?s?", r"de service en service", r"renvoyée? (?:d'un|de|vers)",
    r"parcours du combattant", r"(?:des|plusieurs) (?:semaines|mois)", r"depuis (?:des|plusieurs) (?:semaines|mois)",
    r"personne ne (?:répond|rappelle|m'a rappelée?)", r"injoignables?", r"répéter (?:mon|ma|mes|à chaque)",
    r"tout recommencer", r"des heures", r"heures? d'attente", r"[ée]ni[èe]me (?:appel|relance|mail|fois)",
    r"sans cesse", r"à chaque fois", r"encore et encore",
]
_MEDIUM = [
    r"rappel\w*", r"relance", r"attendre", r"attente", r"compliqu\w*", r"difficile\w*", r"insist\w*",
    r"plusieurs démarches", r"démarches?", r"pas simple", r"pas facile", r"galère\w*", r"longtemps",
    r"re-?contact\w*", r"une semaine", r"renvoyer",
]
_LOW = [r"facile\w*", r"simple\w*", r"simplement", r"en quelques clics", r"sans effort", r"rapidement",
        r"en un appel", r"du premier coup", r"immédiatement", r"tout de suite", r"sans difficulté",
        r"fluide\w*", r"intuiti\w*", r"en 5 minutes", r"en quelques minutes", r"sans problème", r"sans souci"]
_LEVELS = [("eleve", compile_cues(_HIGH)), ("moyen", compile_cues(_MEDIUM)), ("faible", compile_cues(_LOW))]


def detect_effort(text: str) -> str:
    """Effort level of one segment (``eleve``/``moyen``/``faible``) or ``""`` when no cue matches."""
    for level, pattern in _LEVELS:
        if find_cues(text, pattern, skip_negated=level == "faible"):  # "pas facile" is not ease
            return level
    return ""


def max_effort(levels: list[str]) -> str:
    """Highest effort level among ``levels`` (empty strings ignored), ``""`` if none."""
    ranks = [EFFORT_LEVELS.index(v) for v in levels if v in EFFORT_LEVELS]
    return EFFORT_LEVELS[max(ranks)] if ranks else ""
