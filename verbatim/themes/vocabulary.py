"""French topic words: stop words, feedback filler, brand names, and the c-TF-IDF vectorizer.

Topic words come from the segments' ``lemmas`` column (space-joined lower-case content lemmas
written by :mod:`verbatim.clean`), so "remboursé", "rembourser" and "remboursements" count as
one word. Accents are kept: the token pattern is Unicode-aware (never BERTopic's English
``[A-Za-z0-9 ]`` filter).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import CountVectorizer

from verbatim.config import ThemesConfig

#: Words of customer feedback that say nothing about the subject (greetings, politeness, filler).
FEEDBACK_FILLER: frozenset[str] = frozenset(
    """
    bonjour bonsoir salut merci remercier cordialement cordial salutation salutations madame monsieur
    avance journée soirée continuation cdt cdlt
    mme mr mlle svp stp please ok okay bref voilà voila etc vraiment franchement bien bon bonne très
    trop assez tout toujours jamais rien chose truc fois an année mois jour semaine heure depuis
    aujourd hui hier demain alors donc ensuite enfin puis faire fait avoir être aller dire mettre
    pouvoir vouloir devoir falloir savoir voir venir prendre donner trouver passer rester sembler
    avis commentaire client cliente clients personne gens
    """.split()
)

#: Placeholders written by PII masking ("[TEL]" -> "tel" once lower-cased).
PLACEHOLDER_WORDS: frozenset[str] = frozenset({"tel", "email", "iban", "nom", "adresse", "url", "carte", "secu"})

_WORD_PATTERN = r"(?u)\b[^\W\d_][^\W\d_'-]+\b"  # letters only (accents kept), two or more


def _fold(word: str) -> str:
    return unicodedata.normalize("NFC", word.strip().lower())


def stop_words(cfg: ThemesConfig) -> frozenset[str]:
    """spaCy's French stop words + feedback filler + configured words and brand names (lower case).

    Every word of a brand name is stopped: list the distinctive part of multi-word names
    ("olivier", not "l'olivier assurance", or "assurance" would never be a topic word).
    """
    from spacy.lang.fr.stop_words import STOP_WORDS

    words = {_fold(w) for w in STOP_WORDS} | FEEDBACK_FILLER | PLACEHOLDER_WORDS
    words |= {_fold(w) for w in cfg.stop_words}
    for brand in cfg.brands:
        words |= set(re.findall(_WORD_PATTERN, _fold(brand)))
    single = re.compile(_WORD_PATTERN)
    return frozenset(w for w in words if single.fullmatch(w))  # "quelqu'un", "dix-neuf" can never match a token


def documents(segments: pd.DataFrame) -> list[str]:
    """The text c-TF-IDF sees for each segment: its ``lemmas`` if the column exists, else its lower-cased ``text``."""
    column = "lemmas" if "lemmas" in segments.columns else "text"
    return [_fold(t) if isinstance(t, str) else "" for t in segments[column].tolist()]


def make_vectorizer(cfg: ThemesConfig, n_documents: int, vocabulary: Iterable[str] | None = None) -> CountVectorizer:
    """Word counter for c-TF-IDF: French stop words removed, accents kept, rare words dropped.

    Args:
        cfg: reads ``min_df``, ``min_df_share``, ``stop_words``, ``brands``.
        n_documents: documents it will be fitted on (``min_df`` is lowered for tiny corpora;
            ``min_df_share`` raises it on large ones, where a word seen in a few dozen segments
            out of 50,000 is noise that never co-occurs with the theme's other words).
        vocabulary: a fixed vocabulary (a fitted model's), instead of learning one.
    """
    min_df = max(1, min(cfg.min_df, n_documents // 50), int(round(cfg.min_df_share * n_documents)))
    return CountVectorizer(
        token_pattern=_WORD_PATTERN,
        lowercase=True,
        stop_words=sorted(stop_words(cfg)),
        min_df=min_df if vocabulary is None else 1,
        vocabulary=list(vocabulary) if vocabulary is not None else None,
        dtype=np.int64,
    )


def has_content(docs: list[str], cfg: ThemesConfig) -> list[bool]:
    """Whether each document keeps at least one topic word (greetings and empty talk do not)."""
    stops = stop_words(cfg)
    pattern = re.compile(_WORD_PATTERN)
    return [any(w not in stops for w in pattern.findall(d)) for d in docs]
