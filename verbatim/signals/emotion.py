"""Emotion of a segment: colère, frustration, déception, inquiétude, satisfaction, gratitude (or empty).

Cues are French words and phrases (the cleaning stage maps emojis to words such as ``colère``,
``adore``, ``merci``). Negated cues are ignored ("pas déçu"), and a negated satisfaction cue
("pas satisfait") counts as déception. When several emotions match, the first of
:data:`EMOTIONS` wins (anger outranks frustration, which outranks disappointment...). Negative
emotions need a score below +0.2 and positive ones a score above -0.2, so that a cue never
contradicts the sentence's sentiment.
"""

from __future__ import annotations

from verbatim.signals.cues import compile_cues, find_cues

#: Emotion labels in priority order (first match wins).
EMOTIONS: tuple[str, ...] = ("colère", "frustration", "inquiétude", "déception", "gratitude", "satisfaction")
_NEGATIVE = frozenset({"colère", "frustration", "inquiétude", "déception"})

_CUES = {
    "colère": [r"col[èe]re", r"furieu\w*", r"scandal\w*", r"honte\w*", r"honteu\w*", r"inadmissible\w*",
               r"inacceptable\w*", r"escroc\w*", r"escroquerie\w*", r"arnaque\w*", r"voleurs?", r"enrag\w*",
               r"r[ée]volt[ée]\w*", r"outr[ée]\w*", r"indign\w*", r"inqualifiable\w*", r"d[ée]go[uû]t\w*",
               r"foutage de gueule", r"se fout", r"se moque", r"plus jamais", r"fuyez", r"à fuir", r"a fuir"],
    "frustration": [r"toujours pas", r"toujours rien", r"encore une fois", r"[ée]ni[èe]me", r"marre",
                    r"ras[ -]le[ -]bol", r"exasp[ée]r\w*", r"agac\w*", r"[ée]nerv\w*", r"frustr\w*",
                    r"impossible de", r"on me balade", r"baladé\w*", r"perte de temps", r"pénible\w*",
                    r"lassant\w*", r"usant\w*", r"galère\w*", r"tourne en rond", r"aucune réponse", r"sans réponse"],
    "inquiétude": [r"inqui[èé]t\w*", r"peur", r"crain\w*", r"angoiss\w*", r"stress\w*", r"sans nouvelles?",
                   r"que va-t-il se passer", r"je m'inquiète", r"soucieu\w*", r"anxi\w*", r"urgent\w*"],
    "déception": [r"d[ée]çu\w*", r"d[ée]cevant\w*", r"d[ée]ception\w*", r"dommage", r"regrett?\w*",
                  r"attendais mieux", r"pas à la hauteur", r"laisse à désirer", r"triste\w*", r"hélas", r"bof"],
    "gratitude": [r"merci\w*", r"remerci\w*", r"reconnaissan\w*", r"gr[âa]ce à vous", r"bravo", r"félicit\w*"],
    "satisfaction": [r"satisf\w*", r"content\w*", r"ravi\w*", r"enchant\w*", r"parfait\w*", r"excellent\w*",
                     r"super", r"top", r"génial\w*", r"adore\w*", r"adoré\w*", r"recommande\w*", r"impeccable\w*",
                     r"nickel", r"au top", r"rien à redire", r"très bien", r"heureu\w*"],
}
_PATTERNS = {emotion: compile_cues(cues) for emotion, cues in _CUES.items()}
_SATISFACTION_ANY = compile_cues(_CUES["satisfaction"])


def detect_emotion(text: str, score: float = 0.0) -> str:
    """Dominant emotion of one segment, or ``""`` when no cue matches.

    Args:
        text: the segment (PII-masked French).
        score: its sentiment score in [-1, 1], used to keep the emotion consistent with it.
    """
    for emotion in EMOTIONS:
        if emotion in _NEGATIVE and score >= 0.2:
            continue
        if emotion not in _NEGATIVE and score <= -0.2:
            continue
        if find_cues(text, _PATTERNS[emotion]):
            return emotion
    if score <= -0.2 and find_cues(text, _SATISFACTION_ANY, skip_negated=False):
        return "déception"  # "pas satisfait", "je ne recommande pas"
    return ""
