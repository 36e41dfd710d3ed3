"""French text normalisation: one form for characters, spaces, elisions, elongations and shorthand.

:func:`normalise` returns the normalised text and the :class:`Signals` of intensity it removed
(elongations, exclamation and question marks, shouting, emojis, expanded shorthand).

Decisions:

* Unicode NFC; one apostrophe (``'``) and one double quote (``"``); accents are never stripped.
* Casing is kept in the text; words written in capitals ("INADMISSIBLE") are recorded as a signal.
* Letter elongations ("trèèèès") collapse to one letter; runs of more than three ``!``/``?``
  keep their first three characters; the counts go to the signals. Digits are never touched
  (a phone number such as ``0600000000`` must stay maskable).
* Emojis are replaced by a French word (``😡`` -> ``colère``), after a comma when they follow a
  word: an emoji is a clause of its own, so "sans accroc 🙂" never reads "sans accroc content"
  (a negation scope) for the sentiment rules. A run of the same emoji gives one word. Unknown
  emojis stay in the text. All are listed in the signals.
* Shorthand is expanded only as a standalone token: never inside a word, an address, a code or
  after a number (``12 mm`` stays, ``mm`` alone becomes ``même``).

The function is idempotent: ``normalise(normalise(t).text).text == normalise(t).text``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass

from verbatim.clean.lexicon import ACRONYMS, EMOJI_WORDS, SHORTHAND, SHORTHAND_LOWER_ONLY

__all__ = ["Normalised", "Signals", "normalise", "shouting_words"]


@dataclass(frozen=True)
class Signals:
    """Intensity markers found while normalising one text.

    Attributes:
        elongations: letter runs collapsed ("trèèèès" counts one).
        exclamations: ``!`` in the text before collapsing.
        questions: ``?`` in the text before collapsing.
        shouting: words written in capitals (acronyms excluded), in order of appearance.
        emojis: emojis found, in order of appearance (repeats kept: they are intensity).
        shorthand: shorthand tokens expanded.
    """

    elongations: int = 0
    exclamations: int = 0
    questions: int = 0
    shouting: tuple[str, ...] = ()
    emojis: tuple[str, ...] = ()
    shorthand: int = 0

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready mapping (tuples become lists)."""
        out = asdict(self)
        out["shouting"] = list(self.shouting)
        out["emojis"] = list(self.emojis)
        return out


@dataclass(frozen=True)
class Normalised:
    """Result of :func:`normalise`: the text and its signals."""

    text: str
    signals: Signals


# --- characters -------------------------------------------------------------------------------
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u2060\ufeff\u00ad\u200e\u200f"), None)
_CHAR_MAP = str.maketrans(
    {
        **_INVISIBLE,
        **dict.fromkeys("’‘`´ʼ′‛", "'"),
        **dict.fromkeys("«»“”„‟″", '"'),
        **dict.fromkeys("\t\u00a0\u202f\u2009\u2007\u2002\u2003\u2004\u2005\u2006\u2008\u200a\u3000\u000b\u000c", " "),
        "\u2028": "\n",
        "\u2029": "\n",
        "\r": "\n",
        "…": "...",
    }
)
#: Any character ``_CHAR_MAP`` changes: ``str.translate`` is skipped for texts without one.
_CHAR_MAP_ANY = re.compile("[" + re.escape("".join(chr(c) for c in _CHAR_MAP)) + "]")
_GUILLEMET_OPEN = re.compile(r"«[ \t\u00a0\u202f\u2009]*")
_GUILLEMET_CLOSE = re.compile(r"[ \t\u00a0\u202f\u2009]*»")
_EMOJI_MODIFIERS = re.compile("[\ufe0e\ufe0f\u200d\U0001f3fb-\U0001f3ff]")
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff\u2190-\u21ff\u2700-\u27bf\u2665\u2605\u263a\u2639]"
)

# --- elisions and punctuation -----------------------------------------------------------------
_ELISION = re.compile(
    r"\b(?<!')(qu|jusqu|lorsqu|puisqu|quoiqu|presqu|aujourd|prud|[cdjlmnst])(?: +' *|' +)(?=[^\W\d_])",
    re.IGNORECASE,
)
_SPACE_BEFORE = re.compile(r" +(?=[,)\]]|\.(?![\d.]*\w))")
_SPACE_AFTER_OPEN = re.compile(r"(?<=[(\[]) +")
_COMMA_GLUED = re.compile(r"(?<=[^\W\d_]),(?=[^\W\d_])")
_COMMA_BEFORE_LETTER = re.compile(r",(?=[^\W\d_])")  # cheap pre-check of _COMMA_GLUED (literal prefix)
_LETTER_RUN = re.compile(r"([^\W\d_])\1{2,}")
_MARK_RUN = re.compile(r"[!?]{4,}")
_DOT_RUN = re.compile(r"\.{4,}")
_ROMAN = frozenset("IVXLCDM")

# --- whitespace -------------------------------------------------------------------------------
_SPACES = re.compile(r" {2,}")
_LINE_EDGES = re.compile(r" *\n *")
_BLANK_LINES = re.compile(r"\n{3,}")

# --- shorthand --------------------------------------------------------------------------------
_BEFORE = r"\b(?<![\w@#./\-'&:\[])(?<!\d )"
_AFTER = r"(?![\w@/\-'&:\]])(?![.,]\w)"


def _alternation(keys: list[str]) -> str:
    ordered = sorted(keys, key=len, reverse=True)
    return "|".join(re.escape(k).replace(r"\ ", " +") for k in ordered)


_SHORTHAND = re.compile(_BEFORE + "(" + _alternation(list(SHORTHAND)) + ")" + _AFTER, re.IGNORECASE)
_SHORTHAND_LOWER = re.compile(_BEFORE + "(" + _alternation(list(SHORTHAND_LOWER_ONLY)) + ")" + _AFTER)

# --- shouting ---------------------------------------------------------------------------------
_WORD = re.compile(r"(?<!\[)\b[^\W\d_]{3,}\b(?!\])")
#: Three letters in a row none of which is a Latin lower-case letter: a word in capitals (all its
#: cased letters upper) has such a run, so texts without one skip the word scan.
_NOT_LOWER_RUN = re.compile(r"[^\W\d_a-zß-öø-ÿ]{3}")


def _replace_emojis(text: str, found: list[str]) -> str:
    if not _EMOJI.search(text):
        return text
    text = _EMOJI_MODIFIERS.sub("", text)
    out: list[str] = []
    last = 0
    previous, previous_end = "", -1
    for match in _EMOJI.finditer(text):
        char = match.group()
        found.append(char)
        word = EMOJI_WORDS.get(char)
        out.append(text[last : match.start()])
        last = match.end()
        if word is None:
            out.append(char)
            previous = ""
        elif not (char == previous and match.start() == previous_end):
            before = out[-1].rstrip(" ")  # the text since the previous emoji; line breaks are kept
            if before and before[-1].isalnum():  # a clause of its own: "sans accroc 🙂" -> "sans accroc, content"
                out[-1] = before
                out.append(f", {word} ")
            else:
                out.append(f" {word} ")
            previous = char
        previous_end = match.end()
    out.append(text[last:])
    return "".join(out)


def _collapse_letters(text: str) -> tuple[str, int]:
    count = 0

    def repl(match: re.Match[str]) -> str:
        nonlocal count
        char = match.group(1)
        if char in "wW":
            return match.group()
        if char in _ROMAN:
            start, end = match.start(), match.end()
            while start > 0 and text[start - 1].isalpha():
                start -= 1
            while end < len(text) and text[end].isalpha():
                end += 1
            if set(text[start:end]) <= _ROMAN:
                return match.group()
        count += 1
        return char

    return _LETTER_RUN.sub(repl, text), count


_LETTERS = re.compile(r"[^\W\d_]+")
_ALL_SHORTHAND = [*SHORTHAND, *SHORTHAND_LOWER_ONLY]
_SHORTHAND_WORDS = frozenset(k for k in _ALL_SHORTHAND if " " not in k)
#: Words of each multi-word key: a key can only match when all its words are in the text.
_SHORTHAND_PHRASES = tuple(frozenset(k.split()) for k in _ALL_SHORTHAND if " " in k)


def _has_shorthand_candidate(text: str) -> bool:
    """False when no shorthand key can match (every key is made of whole letter runs)."""
    words = set(_LETTERS.findall(text.lower()))
    return not _SHORTHAND_WORDS.isdisjoint(words) or any(phrase <= words for phrase in _SHORTHAND_PHRASES)


def _expand_shorthand(text: str) -> tuple[str, int]:
    if not _has_shorthand_candidate(text):
        return text, 0  # cheap pre-check: no candidate word at all
    count = 0

    def repl_any_case(match: re.Match[str]) -> str:
        nonlocal count
        token = match.group(1)
        expansion = SHORTHAND[re.sub(" +", " ", token.lower())]
        count += 1
        if token[0].isupper():
            return expansion[0].upper() + expansion[1:]
        return expansion

    def repl_lower(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return SHORTHAND_LOWER_ONLY[match.group(1)]

    text = _SHORTHAND.sub(repl_any_case, text)
    text = _SHORTHAND_LOWER.sub(repl_lower, text)
    return text, count


def shouting_words(text: str) -> tuple[str, ...]:
    """Words of three letters or more written in capitals, acronyms and placeholders excluded.

    A text written entirely in capitals counts every such word: that is the signal.
    """
    if not _NOT_LOWER_RUN.search(text):
        return ()
    return tuple(w for w in _WORD.findall(text) if w.isupper() and w not in ACRONYMS and not set(w) <= _ROMAN)


def normalise_characters(text: str) -> str:
    """NFC, invisible characters removed, one apostrophe, one double quote, one space character."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if "«" in text or "»" in text:
        text = _GUILLEMET_CLOSE.sub("»", _GUILLEMET_OPEN.sub("«", text))
    return text.translate(_CHAR_MAP) if _CHAR_MAP_ANY.search(text) else text


def tidy_spaces(text: str) -> str:
    """Single spaces, no space at line edges, at most one blank line, stripped."""
    # Each rule only runs when its text can match (substring tests are much cheaper than a scan).
    if "  " in text:
        text = _SPACES.sub(" ", text)
    if "\n" in text:
        if " \n" in text or "\n " in text:
            text = _LINE_EDGES.sub("\n", text)
        if "\n\n\n" in text:
            text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


def normalise(text: str) -> Normalised:
    """Normalise one French text and collect its intensity signals.

    Args:
        text: any text (channel clean-up already applied, or not).

    Returns:
        The normalised text (original casing, accents kept) and its :class:`Signals`.
    """
    emojis: list[str] = []
    text = normalise_characters(text)
    text = _replace_emojis(text, emojis)
    text = tidy_spaces(text)
    exclamations = text.count("!")
    questions = text.count("?")
    # Pre-checks: each rule runs only when the characters it needs are in the text.
    if " '" in text or "' " in text:
        text = _ELISION.sub(r"\1'", text)
    if " ," in text or " ." in text or " )" in text or " ]" in text:
        text = _SPACE_BEFORE.sub("", text)
    if "( " in text or "[ " in text:
        text = _SPACE_AFTER_OPEN.sub("", text)
    if "," in text and _COMMA_BEFORE_LETTER.search(text):
        text = _COMMA_GLUED.sub(", ", text)
    text, elongations = _collapse_letters(text)
    if exclamations + questions >= 4:  # the steps above never add nor remove "!" or "?"
        text = _MARK_RUN.sub(lambda m: m.group()[:3], text)
    if "...." in text:
        text = _DOT_RUN.sub("...", text)
    text, shorthand = _expand_shorthand(text)
    text = tidy_spaces(text)
    signals = Signals(
        elongations=elongations,
        exclamations=exclamations,
        questions=questions,
        shouting=shouting_words(text),
        emojis=tuple(emojis),
        shorthand=shorthand,
    )
    return Normalised(text, signals)
