"""French sentiment rules: negation scope, intensifiers, softeners, contrast, questions, shouting.

The rules give every text a lexicon score in [-1, 1] (VADER-style normalisation of the sum of
word values) plus flags. The model uses them as features, and :func:`adjust_score` applies the
intensity rules to the final score so that they hold whatever the model learnt:

* negation: a polar word inside the scope of ``ne``/``n'``, ``pas``, ``jamais``, ``aucun``, ``sans``,
  ``ni``, ``rien`` (up to four words back, not across punctuation or ``mais``/``car``/``et``...)
  flips: a negated positive keeps 75 % of its value, a negated negative 70 % ("pas déçu" is
  mildly positive, "pas déçu, bien au contraire" clearly so); ``pas du tout`` strengthens it;
  ``ne ... plus`` counts only with ``ne``; ``je recommande pas`` (no ``ne``) is caught for a few verbs;
* intensifiers (très, trop, vraiment...) multiply the next polar word; ``pas très`` softens;
  softeners (un peu, assez, plutôt...) shrink it; ``peu aimable`` (without ``un``) negates;
* contrast: words after ``mais``/``cependant``... weigh 1.5, words before 0.5 (flags ``contrast``
  and ``connector`` let :func:`~verbatim.sentiment.scoring.blend_score` trust the rules more);
* unmet events: a short statement with a negation and no polar word ("le technicien n'est jamais
  venu", "aucune nouvelle depuis lundi") counts as a mild negative word: what did not happen was due;
* questions are damped, except rhetorical ones ("pourquoi...", "jusqu'à quand", "enfin") that
  voice a complaint; shouting (mostly capitals) pushes the score down.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from verbatim.config import SentimentConfig
from verbatim.sentiment.lexicon import (
    CONTRASTS,
    EMOJIS,
    IDIOMS,
    INTENSIFIERS,
    LEXICON,
    NEGATORS,
    SCOPE_BREAKERS,
    SOFTENERS,
    fold_accents,
)

_TOKEN = re.compile(r"[a-zàâäéèêëîïôöùûüÿçœæ]+(?:-[a-zàâäéèêëîïôöùûüÿçœæ]+)*|\d+|[!?.,;:()]")
_PLACEHOLDER = re.compile(r"\[[A-Z_]+\]")
_APOSTROPHES = str.maketrans({"’": "'", "`": "'", "´": "'", "ʼ": "'"})
_EMOJI = re.compile("|".join(re.escape(e) for e in sorted(EMOJIS, key=len, reverse=True)))
_PUNCT = frozenset(".,;:!?()")
_VERBS_WITH_TRAILING_PAS = frozenset({"recommande", "conseille", "aime", "apprécie", "adore", "plaît", "plait",
                                      "regrette", "marche", "fonctionne", "conseillerai", "recommanderai"})
_NEGATED_POSITIVE = -0.75
_NEGATED_NEGATIVE = -0.7
_ALPHA = 8.0
_UNMET_EVENT = -0.6  # value of a negated statement without any polar word
_UNMET_NEGATORS = frozenset({"pas", "jamais", "aucun", "aucune", "personne"})  # "plus" only with "ne"
_UNMET_MAX_WORDS = 20
_RHETORICAL = re.compile(r"\b(?:pourquoi|enfin|toujours|normal|comment est-il possible|comment peut-on|jusqu'à quand)\b")
_MAX_IDIOM = max(len(k.split()) for k in IDIOMS)
_IDIOM_TOKENS: dict[tuple[str, ...], float] = {}

#: Names of the columns of :func:`rule_features`, in order.
FEATURE_NAMES: tuple[str, ...] = ("rule_score", "positive", "negative", "negated_positive", "negated_negative",
                                  "question", "exclamation", "shouting")


@lru_cache(maxsize=1 << 16)
def normalise(text: str) -> str:
    """Lower-cased text with raw emojis mapped to French words, placeholders removed, one space.

    An emoji's word comes after a comma: an emoji is a clause of its own, never inside a negation
    scope ("sans accroc 🙂" is not "sans content").
    """
    text = _EMOJI.sub(lambda m: " ," + EMOJIS[m.group(0)], text.translate(_APOSTROPHES))
    text = _PLACEHOLDER.sub(" ", text)
    return " ".join(text.lower().split())


def tokenize(text: str) -> list[str]:
    """Word and punctuation tokens of an already :func:`normalise`-d text (elisions split: n'est -> n, est)."""
    return _TOKEN.findall(text.replace("'", " "))


for _idiom, _value in IDIOMS.items():
    _IDIOM_TOKENS[tuple(tokenize(normalise(_idiom)))] = _value
for _idiom, _value in IDIOMS.items():  # accent-free spellings ("a eviter"), after the written ones
    _IDIOM_TOKENS.setdefault(tuple(tokenize(normalise(fold_accents(_idiom)))), _value)


def is_negated(tokens: list[str], i: int, window: int = 4) -> bool:
    """Whether token ``i`` lies in a negation scope (see the module docstring).

    ``pas de X`` and ``sans X`` negate only the next two words ("pas de réseau, colère" keeps
    "colère"); ``jamais aussi mal`` is a comparison, not a negation.
    """
    if i > 0 and tokens[i - 1] in ("aussi", "autant"):
        return False
    for j in range(i - 1, max(-1, i - 1 - window), -1):
        tok = tokens[j]
        if tok in _PUNCT or tok in SCOPE_BREAKERS:
            break
        if tok in NEGATORS:  # includes ne/n', so "ne ... plus" is caught while "plus rapide" is not
            short = tok == "sans" or (tok == "pas" and j + 1 < len(tokens) and tokens[j + 1] in ("de", "d"))
            return not short or i - j <= 2
    return i + 1 < len(tokens) and tokens[i] in _VERBS_WITH_TRAILING_PAS and tokens[i + 1] in ("pas", "jamais", "plus")


@dataclass(frozen=True)
class RuleAnalysis:
    """What the rules found in one text."""

    score: float  # lexicon score in [-1, 1]
    positive: float  # sum of positive contributions
    negative: float  # sum of negative contributions (<= 0)
    negated_positive: int
    negated_negative: int
    intensified: bool
    softened: bool
    question: bool
    exclamation: int
    shouting: bool
    n_words: int = 0
    contrast: bool = False  # a polar word follows a contrast connector (mais, cependant...)
    connector: bool = False  # a contrast connector is present (with or without a polar word after it)


def _modifier(tokens: list[str], i: int) -> tuple[float, bool, bool]:
    """Multiplier from the (up to two) words before ``i``: intensifiers, softeners, ``pas très``."""
    mult, intensified, softened = 1.0, False, False
    for j in (i - 1, i - 2):
        if j < 0:
            break
        tok = tokens[j]
        if tok in INTENSIFIERS:
            if j > 0 and tokens[j - 1] == "pas":
                mult *= 0.5
                softened = True
            else:
                mult *= INTENSIFIERS[tok]
                intensified = True
        elif tok == "peu" and j > 0 and tokens[j - 1] == "un":
            mult *= SOFTENERS["un_peu"]
            softened = True
        elif tok in SOFTENERS and tok != "peu":  # bare 'peu' negates (peu aimable), see analyse
            mult *= SOFTENERS[tok]
            softened = True
        elif tok not in ("ne", "n", "pas", "si", "est", "c", "suis", "était", "a", "été"):
            break
    return mult, intensified, softened


def shouting_ratio(text: str) -> float:
    """Share of upper-case letters among the letters of ``text`` (placeholders ignored; 0 if < 8 letters)."""
    letters = "".join(filter(str.isalpha, _PLACEHOLDER.sub(" ", text) if "[" in text else text))
    if len(letters) < 8:
        return 0.0
    return sum(map(str.isupper, letters)) / len(letters)


def analyse(text: str, shouting_min_ratio: float = 0.7) -> RuleAnalysis:
    """Apply the French rules to one raw text (case kept for shouting detection)."""
    return _analyse(text, shouting_min_ratio)


@lru_cache(maxsize=1 << 14)  # scoring reads each segment's analysis twice (model features, then the blend)
def _analyse(text: str, shouting_min_ratio: float) -> RuleAnalysis:
    norm = normalise(text)
    tokens = tokenize(norm)
    contrast_at = max((k for k, t in enumerate(tokens) if t in CONTRASTS), default=-1)
    pos = neg = 0.0
    neg_pos = neg_neg = 0
    any_int = any_soft = contrasted = False
    i = 0
    while i < len(tokens):
        value, width = None, 1
        negated = False
        for n in range(min(_MAX_IDIOM, len(tokens) - i), 1, -1):
            key = tuple(tokens[i:i + n])
            if key in _IDIOM_TOKENS:
                value, width = _IDIOM_TOKENS[key], n
                negated = not NEGATORS.intersection(key) and is_negated(tokens, i)  # "pas de frais cachés"
                break
        if value is None:
            tok = tokens[i]
            if tok in LEXICON and not (tok in INTENSIFIERS and i + 1 < len(tokens) and tokens[i + 1] in LEXICON):
                value = LEXICON[tok]
                if is_negated(tokens, i):
                    negated = True
                elif i > 0 and tokens[i - 1] == "peu" and (i < 2 or tokens[i - 2] != "un") and value > 0:
                    negated = True
        if value is not None:
            mult, intensified, softened = _modifier(tokens, i)
            any_int |= intensified
            any_soft |= softened
            value *= mult
            if negated:
                strong = "tout" in tokens[i + 1:i + 3] or "tout" in tokens[max(0, i - 3):i]
                if value > 0:
                    neg_pos += 1
                    value *= _NEGATED_POSITIVE * (1.2 if strong else 1.0)
                else:
                    neg_neg += 1
                    value *= _NEGATED_NEGATIVE * (1.2 if strong else 1.0)
            if contrast_at >= 0:
                value *= 1.5 if i > contrast_at else 0.5
                contrasted |= i > contrast_at
            if value > 0:
                pos += value
            else:
                neg += value
        i += width
    n_words = sum(t not in _PUNCT for t in tokens)
    if not pos and not neg and "?" not in tokens and n_words <= _UNMET_MAX_WORDS and (
            _UNMET_NEGATORS.intersection(tokens) or ("plus" in tokens and ("ne" in tokens or "n" in tokens))):
        neg = _UNMET_EVENT
    total = pos + neg
    score = total / math.sqrt(total * total + _ALPHA)
    return RuleAnalysis(
        score=score, positive=pos, negative=neg, negated_positive=neg_pos, negated_negative=neg_neg,
        intensified=any_int, softened=any_soft, question="?" in tokens and not _RHETORICAL.search(norm),
        exclamation=tokens.count("!"), shouting=shouting_ratio(text) >= shouting_min_ratio,
        n_words=n_words, contrast=contrasted, connector=contrast_at >= 0,
    )


def features_of(analysis: RuleAnalysis) -> list[float]:
    """The numeric features of one analysis, in the order of :data:`FEATURE_NAMES`."""
    a = analysis
    return [a.score, math.tanh(a.positive / 4), math.tanh(-a.negative / 4), min(a.negated_positive, 3) / 3,
            min(a.negated_negative, 3) / 3, float(a.question), min(a.exclamation, 3) / 3, float(a.shouting)]


def rule_features(texts: list[str]) -> np.ndarray:
    """Matrix (n_texts, len(FEATURE_NAMES)) of rule features, float32."""
    return np.asarray([features_of(analyse(t)) for t in texts], dtype=np.float32).reshape(len(texts), len(FEATURE_NAMES))


def adjust_score(score: float, analysis: RuleAnalysis, cfg: SentimentConfig) -> float:
    """Apply intensity rules to a score in [-1, 1]: intensifiers, softeners, questions, shouting."""
    s = float(score)
    if analysis.intensified and not analysis.softened:
        s = math.copysign(abs(s) + cfg.intensifier_gain * (1 - abs(s)), s)
    elif analysis.softened and not analysis.intensified:
        s *= 1 - cfg.softener_gain
    if analysis.question:
        s *= cfg.question_damping
    if analysis.shouting:
        s -= cfg.shouting_push
    return max(-1.0, min(1.0, s))
