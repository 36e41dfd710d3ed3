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


_SPACE = r"\s+"  # between the words of a keyword: any spacing
_APOSTROPHE = r"(?:\s*'\s*|\s+)"  # an apostrophe may also be written as a space ("d'information", "d information")


def _atoms(form: str) -> list[str]:
    """Regex pieces of a folded keyword, one per character or separator."""
    atoms: list[str] = []
    for w, word in enumerate(form.split()):
        if w:
            atoms.append(_SPACE)
        for p, part in enumerate(word.split("'")):
            if p:
                atoms.append(_APOSTROPHE)
            atoms.extend(re.escape(c) for c in part)
    return atoms


class _Node:
    """Node of the keyword trie: children by regex piece; ``end`` is 1 (a keyword ends here) or 2 (a participle ends here)."""

    __slots__ = ("children", "end", "longest")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.end = 0
        self.longest = 0  # length of the longest keyword through this node

    def regex(self) -> str:
        """Alternatives of the subtree, longest keywords first; ending here is the last choice."""
        branches = [atom + child.regex() for atom, child in
                    sorted(self.children.items(), key=lambda item: -item[1].longest)]
        if self.end == 2:
            branches.append("e")  # "résilié" also matches "résiliée(s)"
        if self.end:
            return f"(?:{'|'.join(branches)})?" if branches else ""
        return branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"


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
_FIGURATIVE_HINTS = ("prix", "attentes")  # a word of every FIGURATIVE expression: most texts skip the search


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
        root = _Node()
        for g, keywords in enumerate(groups):
            for keyword in keywords:
                form = fold(keyword).strip()
                if form:
                    key = _key(form)
                    if key not in owners:  # the first spelling of a keyword gives its pattern
                        node = root
                        for atom in _atoms(form):
                            node.longest = max(node.longest, len(key))
                            node = node.children.setdefault(atom, _Node())
                        node.longest = max(node.longest, len(key))
                        # "résilié" also matches "résiliée(s)": a keyword ending in é is a past participle
                        node.end = max(node.end, 2 if keyword.strip().endswith("é") else 1)
                    if g not in owners.setdefault(key, []):
                        owners[key].append(g)
        self._owners = {key: np.array(gs) for key, gs in owners.items()}
        # one trie-shaped regex (shared prefixes written once) is much faster than one alternative per keyword
        self._pattern = re.compile(rf"(?<![\w])(?:{root.regex()})(?:s|x|es)?(?![\w])") if owners else None

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
        if not any(hint in folded for hint in _FIGURATIVE_HINTS) or FIGURATIVE.search(folded) is None:
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
