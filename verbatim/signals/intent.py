"""Intents of a verbatim: juridique, resiliation, reclamation, demande, suggestion, eloge.

A verbatim can carry several intents (a complaint that threatens to leave): all are returned,
the first in :data:`INTENTS` order being the main one (legal threat > cancellation threat >
complaint > request > suggestion > praise). A negative verbatim is always a complaint
(``reclamation``), also when it asks for something ("le décodeur s'éteint, pouvez-vous passer ?");
a positive one is never a churn threat (a cancellation praised for its speed). Cue-less positive
verbatims are praise (``eloge``); cue-less neutral ones have no intent.
"""

from __future__ import annotations

from verbatim.signals.cues import compile_cues, find_cues

#: Intent labels, main-intent priority first.
INTENTS: tuple[str, ...] = ("juridique", "resiliation", "reclamation", "demande", "suggestion", "eloge")

_CUES = {
    "juridique": [r"avocat\w*", r"ufc", r"que choisir", r"m[ée]diat\w*", r"protection juridique", r"60 millions",
                  r"soixante millions", r"tribunal\w*", r"justice", r"en justice", r"porter plainte", r"plainte",
                  r"dgccrf", r"huissier\w*", r"mise en demeure", r"juridique\w*", r"procès", r"poursuivre",
                  r"poursuites", r"association de consommateurs", r"défenseur des droits", r"signal ?conso",
                  r"acpr", r"arcep", r"cnil"],
    "resiliation": [r"r[ée]sili\w*", r"je vais partir", r"je pars", r"je m'en vais", r"quitter", r"quitte",
                    r"changer (?:d'|de )(?:assureur|banque|opérateur|fournisseur|compagnie|crémerie)",
                    r"aller voir ailleurs", r"vais voir ailleurs", r"à la concurrence", r"chez un concurrent",
                    r"clôtur\w*", r"fermer mon compte", r"désabonn\w*", r"me désinscrire", r"annuler mon abonnement",
                    r"mettre fin", r"plus jamais", r"dernière fois", r"ne reviendrai"],
    "reclamation": [r"r[ée]clamation\w*", r"litige\w*", r"rembourse\w*", r"exige\w*", r"inadmissible\w*",
                    r"inacceptable\w*", r"erreur\w*", r"anomalie\w*", r"toujours pas", r"jamais reçu", r"pas reçu",
                    r"contest\w*", r"dédommag\w*", r"geste commercial", r"scandal\w*", r"arnaque\w*"],
    "demande": [r"pouvez-vous", r"pourriez-vous", r"pourrais-je", r"puis-je", r"est-ce que", r"comment (?:faire|puis|je)",
                r"je souhaite\w*", r"je souhaiterais", r"j'aimerais (?:savoir|connaître|avoir|obtenir)",
                r"merci de (?:me|bien vouloir)", r"quand (?:allez|vais|pourrai)", r"je voudrais",
                r"besoin d'(?:une|un) (?:information|renseignement|attestation|devis)", r"renseignement\w*"],
    "suggestion": [r"il faudrait", r"il serait (?:bien|bon|utile|temps)", r"ce serait (?:bien|bon|mieux|top)",
                   r"vous devriez", r"pourquoi ne pas", r"je suggère", r"je propose", r"suggestion\w*",
                   r"dommage qu", r"gagnerait à", r"il manque", r"ajouter", r"améliorer", r"amélioration\w*",
                   r"serait appréciable", r"serait un plus"],
    "eloge": [r"bravo", r"merci\w*", r"remerci\w*", r"félicit\w*", r"je recommande\w*", r"recommande vivement",
              r"excellent\w*", r"parfait\w*", r"au top", r"super", r"très satisfait\w*", r"ravi\w*"],
}
_PATTERNS = {intent: compile_cues(cues) for intent, cues in _CUES.items()}
_NEGATION_SENSITIVE = frozenset({"eloge"})


def detect_intents(text: str, sentiment: str = "neutre") -> list[str]:
    """All intents of one verbatim, main intent first (see module docstring).

    Args:
        text: the whole verbatim (clean, PII-masked text).
        sentiment: its rolled-up sentiment (``negatif``/``neutre``/``positif``).
    """
    found = []
    for intent in INTENTS:
        if intent == "eloge" and sentiment == "negatif":
            continue
        if intent == "reclamation" and sentiment == "positif":
            continue
        if find_cues(text, _PATTERNS[intent], skip_negated=intent in _NEGATION_SENSITIVE):
            found.append(intent)
    if "?" in text and "demande" not in found and sentiment != "negatif":
        found.append("demande")
    if sentiment == "positif" and "resiliation" in found:
        found.remove("resiliation")  # "résiliation faite en cinq minutes, parfait": praise of a finished act, no threat
    if sentiment == "negatif" and "reclamation" not in found:
        found.append("reclamation")  # a negative message is a complaint, also when it asks for something
    if not found and sentiment == "positif":
        found.append("eloge")
    return sorted(found, key=INTENTS.index)
