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


def _matches(patterns: Sequence[re.Pattern[str] | None], text: str) -> list[set[str]]:
    """Distinct keyword forms of each group found in ``text``, without those inside a longer keyword of another group."""
    found = [[(m.start(), m.end(), m.group(0)) for m in p.finditer(text)] if p is not None and text else []
             for p in patterns]
    spans = [(start, end, g) for g, matches in enumerate(found) for start, end, _ in matches]
    if len(spans) < 2:
        return [{form for _, _, form in matches} for matches in found]
    return [{form for start, end, form in matches
             if not any(g != j and s <= start and end <= e and e - s > end - start for s, e, g in spans)}
            for j, matches in enumerate(found)]


class KeywordMatcher:
    """Counts, per text, the distinct keywords of each group that it contains.

    A keyword inside a longer keyword of another group does not count for its own group: in
    "remboursement des cotisations" (a payment keyword), "remboursement" (a claims keyword) and
    "cotisation" (a price keyword) are part of the longer phrase, not evidence of their own.

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
            in_text = _matches(self.patterns, fold(text) if isinstance(text, str) else "")
            in_lemmas = _matches(self.patterns, fold(lemma) if isinstance(lemma, str) else "")
            for j, (forms, lemma_forms) in enumerate(zip(in_text, in_lemmas, strict=True)):
                out[i, j] = len(forms) + lemma_weight * len(lemma_forms - forms)
        return out
