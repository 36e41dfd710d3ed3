"""Keyword evidence: accent-insensitive, whole-word matches of keyword lists in segment texts.

Texts and keywords are folded the same way (lower case, no accents, typographic apostrophes and
hyphens unified). A keyword matches as a whole word or phrase (the words of a multi-word keyword
may be separated by any spacing), with an optional plural ending (``s``, ``x``, ``es``). A
segment is matched on its masked text and on its lemmas, so ``remboursé`` also matches the
keyword ``rembourser`` through its lemma.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

__all__ = ["KeywordMatcher", "fold"]

_APOSTROPHES = str.maketrans({"’": "'", "`": "'", "ʼ": "'", "‘": "'", "-": " ", "‐": " ", "–": " ", "—": " "})


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Lower case, accents removed, apostrophes and hyphens unified (hyphens become spaces)."""
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(_APOSTROPHES))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _word(word: str) -> str:
    """Regex of one keyword word; an apostrophe in it may also be written as a space ("d'information", "d information")."""
    return r"(?:\s*'\s*|\s+)".join(re.escape(part) for part in word.split("'"))


def _pattern(keywords: Sequence[str]) -> re.Pattern[str] | None:
    forms = sorted({fold(k).strip() for k in keywords if fold(k).strip()}, key=len, reverse=True)
    if not forms:
        return None
    alternatives = "|".join(r"\s+".join(_word(w) for w in form.split()) for form in forms)
    return re.compile(rf"(?<![\w])(?:{alternatives})(?:s|x|es)?(?![\w])")


class KeywordMatcher:
    """Counts, per text, the distinct keywords of each group that it contains.

    Args:
        groups: one keyword list per group (e.g. per touchpoint).
    """

    def __init__(self, groups: Sequence[Sequence[str]]) -> None:
        self.patterns = [_pattern(g) for g in groups]

    def evidence(self, texts: Sequence[str], lemmas: Sequence[str] | None = None, lemma_weight: float = 0.5) -> np.ndarray:
        """Keyword evidence of each text for each group: float array (n_texts, n_groups).

        Each distinct keyword form found in the text counts 1; a form found only among the
        lemmas counts ``lemma_weight`` (a lemma can hide a homograph: "je conseille" has the
        lemma "conseiller").
        """
        out = np.zeros((len(texts), len(self.patterns)), dtype=np.float64)
        lemma_list = list(lemmas) if lemmas is not None else [""] * len(texts)
        for i, (text, lemma) in enumerate(zip(texts, lemma_list, strict=True)):
            folded = fold(text) if isinstance(text, str) else ""
            folded_lemmas = fold(lemma) if isinstance(lemma, str) else ""
            for j, pattern in enumerate(self.patterns):
                if pattern is None:
                    continue
                in_text = {m.group(0) for m in pattern.finditer(folded)}
                in_lemmas = {m.group(0) for m in pattern.finditer(folded_lemmas)} - in_text if folded_lemmas else set()
                out[i, j] = len(in_text) + lemma_weight * len(in_lemmas)
        return out
