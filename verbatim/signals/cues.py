"""Matching French cue lists against a text, with the sentiment rules' negation scope."""

from __future__ import annotations

import re
from collections.abc import Iterable

from verbatim.sentiment.rules import is_negated, normalise, tokenize


def compile_cues(patterns: Iterable[str]) -> re.Pattern[str]:
    """One regex matching any of ``patterns`` (regex fragments) on whole words of a normalised text."""
    return re.compile(r"(?<![\w])(?:" + "|".join(patterns) + r")(?![\w])")


def find_cues(text: str, pattern: re.Pattern[str], skip_negated: bool = True) -> list[str]:
    """Cues of ``pattern`` found in ``text`` (normalised first); negated cues are skipped if asked.

    A cue is negated when its first word lies in a negation scope ("pas satisfait", "sans colère").
    """
    norm = normalise(text)
    found = []
    for match in pattern.finditer(norm):
        if skip_negated:
            before = tokenize(norm[:match.start()])
            first = tokenize(match.group(0))[:1]
            if first and is_negated(before + first, len(before)):
                continue
        found.append(match.group(0))
    return found
