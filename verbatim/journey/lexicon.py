"""Keyword evidence: accent-insensitive, whole-word matches of keyword lists in segment texts.

Texts and keywords are folded the same way (lower case, no accents, typographic apostrophes and
hyphens unified). A keyword matches as a whole word or phrase (the words of a multi-word keyword
may be separated by any spacing, an apostrophe may be written as a space), with an optional
plural ending (``s``, ``x``, ``es``); a keyword ending in ``é`` (a past participle) also matches
its feminine. A segment is matched on its masked text and on its lemmas, so ``remboursé`` also
matches the keyword ``rembourser`` through its lemma. All groups are matched in one scan,
longest keyword first (see :class:`KeywordMatcher`). Words of a few fixed French expressions are
not evidence, whatever the taxonomy: "à tout prix" is not about a price, "mes attentes" are
expectations, not waiting (:data:`FIGURATIVE`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

__all__ = ["FIGURATIVE", "KeywordMatcher", "fold"]

_APOSTROPHES = str.maketrans({"’": "'", "`": "'", "ʼ": "'", "‘": "'", "-": " ", "‐": " ", "–": " ", "—": " "})


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Lower case, accents removed, apostrophes and hyphens unified (hyphens become spaces)."""
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(_APOSTROPHES))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _word(word: str) -> str:
    """Regex of one keyword word; an apostrophe in it may also be written as a space ("d'information", "d information")."""
    return r"(?:\s*'\s*|\s+)".join(re.escape(part) for part in word.split("'"))


def _phrase(form: str) -> str:
    """Regex of a folded keyword: its words separated by any spacing."""
    return r"\s+".join(_word(w) for w in form.split())


def _key(form: str) -> str:
    """Canonical spelling of a folded keyword or match: apostrophes as spaces, single spaces."""
    return " ".join(form.replace("'", " ").split())


_ENDINGS = ("s", "x", "es", "e")  # plural, and the feminine of a past participle

#: Fixed expressions (folded text) whose words are not meant literally: a keyword inside one does
#: not count, neither in the text nor among the lemmas.
FIGURATIVE = re.compile(
    r"(?<![\w])(?:a\s+(?:tout|aucun|n\s*'?\s*importe\s+quel)\s+prix"  # "à tout prix": at all costs
    r"|(?:mes|nos|vos|ses|leurs)\s+attentes)(?![\w])"  # "répond à mes attentes": expectations
)


class KeywordMatcher:
    """Counts, per text, the distinct keywords of each group that it contains.

    All groups are matched in one scan, longest keyword first, so a keyword inside a longer
    keyword of another group does not count for its own group: in "remboursement des
    cotisations" (a payment keyword), "remboursement" (a claims keyword) and "cotisation" (a price
    keyword) are part of the longer phrase, not evidence of their own. A keyword listed in several
    groups counts for each of them.

    Args:
        groups: one keyword list per group (e.g. per touchpoint).
    """

    def __init__(self, groups: Sequence[Sequence[str]]) -> None:
        self.n_groups = len(groups)
        owners: dict[str, list[int]] = {}
        forms: dict[str, tuple[int, str]] = {}  # canonical keyword -> (length, regex)
        for g, keywords in enumerate(groups):
            for keyword in keywords:
                form = fold(keyword).strip()
                if form:
                    key = _key(form)
                    # "résilié" also matches "résiliée(s)": a keyword ending in é is a past participle
                    forms.setdefault(key, (len(key), _phrase(form) + ("e?" if keyword.strip().endswith("é") else "")))
                    if g not in owners.setdefault(key, []):
                        owners[key].append(g)
        self._owners = {key: np.array(gs) for key, gs in owners.items()}
        ordered = [regex for _, regex in sorted(forms.values(), key=lambda item: -item[0])]
        alternatives = "|".join(ordered)
        self._pattern = re.compile(rf"(?<![\w])(?:{alternatives})(?:s|x|es)?(?![\w])") if ordered else None

    def _keywords(self, text: object) -> set[str]:
        """Canonical keywords found in ``text`` (folded here), plural and feminine endings removed."""
        if self._pattern is None or not isinstance(text, str) or not text:
            return set()
        return self._scan(fold(text))

    def _text_keywords(self, text: object) -> tuple[set[str], set[str]]:
        """Keywords of ``text`` outside :data:`FIGURATIVE` expressions, and those only inside them."""
        if self._pattern is None or not isinstance(text, str) or not text:
            return set(), set()
        folded = fold(text)
        if FIGURATIVE.search(folded) is None:
            return self._scan(folded), set()
        literal = self._scan(FIGURATIVE.sub(" | ", folded))
        return literal, self._scan(" | ".join(m.group(0) for m in FIGURATIVE.finditer(folded))) - literal

    def _scan(self, folded: str) -> set[str]:
        found = set()
        for match in self._pattern.finditer(folded):
            key = _key(match.group(0))
            if key not in self._owners:
                key = next(key[: -len(e)] for e in _ENDINGS if key.endswith(e) and key[: -len(e)] in self._owners)
            found.add(key)
        return found

    def evidence(self, texts: Sequence[str], lemmas: Sequence[str] | None = None, lemma_weight: float = 0.5) -> np.ndarray:
        """Keyword evidence of each text for each group: float array (n_texts, n_groups).

        Each distinct keyword found in the text counts 1; a keyword found only among the lemmas
        counts ``lemma_weight`` (a lemma can hide a homograph: "je conseille" has the lemma
        "conseiller"). A keyword found only inside a :data:`FIGURATIVE` expression of the text
        counts nothing, not even through its lemma.
        """
        out = np.zeros((len(texts), self.n_groups), dtype=np.float64)
        lemma_list = list(lemmas) if lemmas is not None else [""] * len(texts)
        for i, (text, lemma) in enumerate(zip(texts, lemma_list, strict=True)):
            in_text, figurative = self._text_keywords(text)
            for key in in_text:
                out[i, self._owners[key]] += 1.0
            for key in self._keywords(lemma) - in_text - figurative:
                out[i, self._owners[key]] += lemma_weight
        return out
