"""Personal data masking: typed placeholders instead of e-mails, phones, IBANs, cards, NIRs,
addresses and introduced names.

Placeholders: ``[EMAIL]``, ``[TEL]``, ``[IBAN]``, ``[CARTE]``, ``[NIR]``, ``[ADRESSE]``, ``[NOM]``
and, when reference numbers are not kept, ``[REF]``.

Decisions:

* Numbers are checked where a checksum exists: IBAN by mod-97 (a known country's IBAN of the
  right length is masked even with a bad checksum when "IBAN"/"RIB" precedes it), cards by Luhn,
  NIR by its key (a NIR without a valid key is masked only after "sécu", "NIR"...).
* Phones: French numbers in every common form (pairs with one consistent separator, +33,
  0033, ``(0)``) and international ``+`` numbers. Dates such as ``01.02.2026`` do not match.
* Names are masked only where the text introduces them: after a title (``M.``, ``Mme``,
  ``Monsieur``...), after "je m'appelle" / "mon nom est", and after a sign-off ("Cordialement",
  "Bien à vous", "Cdlt"...) when the one to three words that follow end the text, end their line
  or are followed by contact details: "Cordialement, Prénom Nom, 06 12 34 56 78",
  "Bien cordialement Marie Dubois [TEL]", "Cdlt Jean-Marc DUPONT", "Cordialement,\nMarie Dubois\n...". The title is kept (``M. [NOM]``); "Monsieur le directeur" is left alone because
  a name never starts with a stop word or a role noun.
* Addresses: number + street type + name (strict street types accept a lower-case name,
  ambiguous ones such as "place" or "cours" need a capital), lieu-dit, postcode + city, BP/CS.
* Order, contract and claim numbers are kept unless ``keep_reference_numbers=False``.
* Masking is idempotent: placeholders never match a rule, and the rules are re-applied until
  nothing changes (at most three passes; a second pass only runs when the first masked something).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from spacy.lang.fr.stop_words import STOP_WORDS

from verbatim.clean.lexicon import NOT_NAME_WORDS

__all__ = ["PLACEHOLDERS", "MaskResult", "mask", "mask_text"]

#: Placeholder of each type, in the order rules run.
PLACEHOLDERS: dict[str, str] = {
    name: f"[{name}]" for name in ("EMAIL", "IBAN", "NIR", "CARTE", "TEL", "ADRESSE", "NOM", "REF")
}

Span = tuple[int, int]


@dataclass(frozen=True)
class MaskResult:
    """Masked text and the number of items masked per placeholder type (``{"TEL": 1}``)."""

    text: str
    counts: dict[str, int] = field(default_factory=dict)


# --- building blocks ----------------------------------------------------------------------------
_UP = "A-ZÀ-ÖØ-Þ"
_CAPWORD = rf"[{_UP}][^\W\d_]*(?:-[{_UP}][^\W\d_]*)*"
_ANYWORD = r"[^\W\d_]+(?:-[^\W\d_]+)*"
_APOS = "['’]"
_REF_WORDS = r"(?:commande|cmde?|contrat|dossier|sinistre|facture|r[ée]f[ée]rence|r[ée]f|police|adh[ée]rent|client|num[ée]ro|n°|no|num)"
_REF_BEFORE = re.compile(_REF_WORDS + r"\.?\s*(?:n°|no\.?|num[ée]ro|:|#)?\s*:?\s*$", re.IGNORECASE)
_NAME_STOP = frozenset(w.lower() for w in STOP_WORDS) | NOT_NAME_WORDS
_DIGITS = "0123456789"
_INITIAL = re.compile(rf"[{_UP}]\.")


def _digit_count(text: str) -> int:
    return sum(text.count(d) for d in _DIGITS)


def _after_reference_word(text: str, start: int) -> bool:
    return bool(_REF_BEFORE.search(text[max(0, start - 25) : start]))


def _name_end(text: str, start: int, end: int) -> int | None:
    """End of the leading words of ``text[start:end]`` that can be a name (None: not a name)."""
    stop = start
    for word in re.finditer(r"[^\s,;:!?()]+", text[start:end]):
        if _INITIAL.fullmatch(word.group()):
            stop = start + word.end()
            continue
        token = word.group().strip(".'’").lower()
        if not token or token in _NAME_STOP or token.split("'")[0] in _NAME_STOP:
            break
        stop = start + word.end()
    return stop if stop > start else None


# --- e-mail ---------------------------------------------------------------------------------------
_EMAIL = re.compile(r"(?<![\w.+\-])[\w.+\-]{1,64}@[\w\-]{1,63}(?:\.[\w\-]{1,63}){0,8}\.[A-Za-z]{2,24}\b")


def _find_email(text: str) -> Iterator[Span]:
    if "@" in text:
        for m in _EMAIL.finditer(text):
            yield m.span()


# --- IBAN -----------------------------------------------------------------------------------------
_IBAN_LENGTHS = {
    "FR": 27, "MC": 27, "DE": 22, "ES": 24, "IT": 27, "BE": 16, "LU": 20, "CH": 21, "GB": 22, "NL": 18,
    "PT": 25, "IE": 22, "AT": 20, "PL": 28, "SE": 24, "DK": 18, "FI": 18, "NO": 15, "GR": 27, "RO": 24,
    "CZ": 24, "HU": 28, "SK": 24, "SI": 19, "HR": 21, "BG": 22, "LT": 20, "LV": 21, "EE": 20, "CY": 28,
    "MT": 31, "LI": 21, "IS": 26, "MA": 28, "TN": 24, "DZ": 26, "SM": 27, "AD": 24, "TR": 26, "SA": 24,
}
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ \-]?[A-Za-z0-9]){11,32}")
_IBAN_CONTEXT = re.compile(r"(?:iban|rib|bic|virement)\W{0,20}$", re.IGNORECASE)


def _mod97_ok(compact: str) -> bool:
    rearranged = compact[4:] + compact[:4]
    digits = "".join(str(int(c, 36)) for c in rearranged)
    return int(digits) % 97 == 1


def _iban_span(text: str, start: int, end: int) -> Span | None:
    country = text[start : start + 2].upper()
    positions = [i for i in range(start, end) if text[i].isalnum()]
    compact = "".join(text[i] for i in positions).upper()
    expected = _IBAN_LENGTHS.get(country)
    if expected is not None:
        if len(compact) < expected:
            return None
        candidate = compact[:expected]
        if _mod97_ok(candidate) or (
            _IBAN_CONTEXT.search(text[max(0, start - 30) : start]) and candidate[2:].isalnum() and candidate[2:4].isdigit()
        ):
            return start, positions[expected - 1] + 1
        return None
    for length in range(min(34, len(compact)), 14, -1):
        if _mod97_ok(compact[:length]):
            return start, positions[length - 1] + 1
    return None


def _find_iban(text: str) -> Iterator[Span]:
    for m in _IBAN.finditer(text):
        span = _iban_span(text, *m.span())
        if span:
            yield span


# --- NIR (French social security number) ----------------------------------------------------------
_NIR = re.compile(
    r"(?<![\w])([12])[ .]?(\d{2})[ .]?(0[1-9]|1[0-2]|[2-9]\d)[ .]?(\d{2}|2[AaBb])[ .]?(\d{3})[ .]?(\d{3})(?:[ .]?(\d{2}))?(?![\w])"
)
_NIR_CONTEXT = re.compile(r"(?:s[ée]cu|s[ée]curit[ée] sociale|nir|insee|n°\s*ss|num[ée]ro\s*ss)\W{0,25}$", re.IGNORECASE)


def _find_nir(text: str) -> Iterator[Span]:
    for m in _NIR.finditer(text):
        body = "".join(m.groups()[:6]).upper().replace("2A", "19").replace("2B", "18")
        key = m.group(7)
        context = bool(_NIR_CONTEXT.search(text[max(0, m.start() - 40) : m.start()]))
        if (key is not None and 97 - int(body) % 97 == int(key)) or context:
            yield m.span()


# --- payment card ---------------------------------------------------------------------------------
_CARD = re.compile(r"(?<![\w])[2-6](?:[ \-]?\d){12,18}(?![\d])")


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _find_card(text: str) -> Iterator[Span]:
    for m in _CARD.finditer(text):
        raw = m.group()
        digits = re.sub(r"\D", "", raw)
        if not _luhn_ok(digits):
            continue
        if raw.isdigit() and _after_reference_word(text, m.start()):
            continue  # "commande 4970101234567890": a reference that happens to pass Luhn
        yield m.span()


# --- phone ----------------------------------------------------------------------------------------
_PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"(?:\+|00)\s?33\s?(?:\(0\)\s?)?[1-9]([ .\-]?)\d{2}(?:\1\d{2}){3}"  # +33 6 12 34 56 78
    r"|\(?0[1-9]\)?([ .\-]?)\d{2}(?:\2\d{2}){3}"  # 06 12 34 56 78, 06.12..., 0612345678
    r"|(?:\+|00)(?!33)[1-9]\d{0,2}(?:[ .\-]?\(?\d{1,4}\)?){2,5}"  # international
    r")(?![\d])"
)


def _find_phone(text: str) -> Iterator[Span]:
    for m in _PHONE.finditer(text):
        if 8 <= _digit_count(m.group()) <= 15:
            yield m.span()


# --- postal address -------------------------------------------------------------------------------
_PART = rf"(?:(?:de|du|des|la|le|les|aux|au|à|sur|sous|en|saint|sainte|st|ste)\s+|[ldLD]{_APOS})"
_STRICT_STREET = (
    r"rue|avenue|av|bd|boulevard|all[ée]e|impasse|imp|quai|faubourg|fbg|chauss[ée]e|ruelle|esplanade|parvis|rond-point|sentier|hameau"
)
_LOOSE_STREET = r"chemin|place|route|cours|square|voie|passage|villa|cit[ée]|r[ée]sidence|promenade|clos|domaine|lotissement"
_CITY = rf"[{_UP}][^\W\d_]*(?:[ \-](?:(?:sur|sous|en|le|la|les|lès|de|du|des|aux|d{_APOS}|l{_APOS})[ \-]?)*[{_UP}][^\W\d_]*){{0,3}}(?:\s+cedex(?:\s*\d{{1,2}})?)?"
_POSTCODE = r"(?:F-)?(?:0[1-9]|[1-8]\d|9[0-8])\d{3}"
_TAIL = rf"(?:,?\s+{_POSTCODE}\s+{_CITY})?"
_NUMBER = r"\d{1,4}(?:\s?(?:bis|ter|quater|[A-Da-d])\b)?,?"
_ADDRESS = re.compile(
    rf"(?<![\w,.])(?:"
    rf"{_NUMBER}\s+(?i:{_STRICT_STREET})\.?\s+{_PART}*(?:{_CAPWORD}|{_ANYWORD})(?:[ \-]{_PART}*{_CAPWORD}){{0,3}}{_TAIL}"
    rf"|{_NUMBER}\s+(?i:{_LOOSE_STREET})\s+{_PART}*{_CAPWORD}(?:[ \-]{_PART}*{_CAPWORD}){{0,3}}{_TAIL}"
    rf"|(?i:lieu-dit|lieudit|lieu dit)\s+{_PART}*{_CAPWORD}(?:[ \-]{_PART}*{_CAPWORD}){{0,3}}{_TAIL}"
    rf"|{_POSTCODE}\s+(?:(?i:cedex)(?:\s*\d{{1,2}})?|{_CITY})"
    rf"|(?:BP|B\.P\.|CS|TSA)\s?\d{{2,6}}\b"
    rf")"
)
_NOT_CITY = frozenset("euro euros eur km kms francs points pts litres mois jours ans heures minutes mo go ko".split())


def _find_address(text: str) -> Iterator[Span]:
    if not any(d in text for d in _DIGITS) and "ieu" not in text.lower():
        return
    for m in _ADDRESS.finditer(text):
        raw = m.group()
        first = raw.split(maxsplit=2)
        if raw[:1].isdigit() and len(first) > 1 and first[0].isdigit() and len(first[0]) == 5:
            # postcode + city: not a unit ("12000 Euros") nor a reference ("contrat 75011 Direct")
            if first[1].lower() in _NOT_CITY or _after_reference_word(text, m.start()):
                continue
        yield m.span()


# --- person names ---------------------------------------------------------------------------------
_TITLE = re.compile(
    rf"\b(?<![\w.])(?<!\d )(?:M\.|Mr\.?|MM\.|Mme\.?|Mmes|Mlle\.?|Melle|Dr\.?|M(?= )|(?i:monsieur|madame|mademoiselle|docteur|ma[îi]tre))"
    rf"[ ]+(?=({_CAPWORD}(?:[ ]+(?:(?:de|du|le|la|d{_APOS})[ ]*)?{_CAPWORD}){{0,2}}))"
)
_INTRO = re.compile(
    rf"\b(?i:je m{_APOS}appelle|je me nomme|je me pr[ée]nomme|mon nom est|mon nom c{_APOS}est|mon pr[ée]nom est|moi c{_APOS}est)"
    rf"[ ]+({_ANYWORD}(?:[ ]+{_ANYWORD}){{0,2}})"
    rf"|\b(?i:je suis|ici)[ ]+({_CAPWORD}[ ]+{_CAPWORD}(?:[ ]+{_CAPWORD})?)"
)
_SIGN_OFF = re.compile(
    rf"\b(?i:bien cordialement|cordialement|bien [àa] vous|(?:sinc[èe]res |meilleures )?salutations(?: distingu[ée]es)?+|cdlt)"
    rf"[ ]*[,.!]?\s*?\n?[ ]*((?:{_ANYWORD}|[{_UP}]\.)(?:[ ]+(?:{_ANYWORD}|[{_UP}]\.)){{0,2}})[ ]*[.!]?"
    # the name ends the text, or its line, or is followed by contact details ("Marie Dubois, 06 12 34 56 78")
    rf"(?=\s*\Z|[ ]*\n|[ ]*[,;|/–-]?[ ]*(?:\[(?:TEL|EMAIL|ADRESSE)\]|\+?\d))"
)


# Cheap pre-checks of the three name patterns: substring tests on the lower-cased text, so that
# the patterns (which try every position) only scan texts that can match. Exact because the only
# characters ``re.IGNORECASE`` folds onto these ASCII words other than by ``str.lower`` are
# "İ", "ı" and "ſ" (texts holding one skip the pre-checks), and "İ" is the only character whose
# lower case changes the length of the text.
_FOLD_SPECIAL = re.compile("[\u0130\u0131\u017f]")
_TITLE_CASED = re.compile(r"M[.rMmle ]|Dr")
_TITLE_WORDS = ("monsieur", "madame", "mademoiselle", "docteur", "maître", "maitre")
_INTRO_WORDS = ("je m", "mon nom", "mon pr", "moi c")
_INTRO_BEFORE_CAPWORD = ("je suis ", "ici ")
_UP_CHAR = re.compile(rf"[ ]*[{_UP}]")
_SIGN_OFF_WORDS = ("cordialement", "bien à vous", "bien a vous", "salutations", "cdlt")


def _may_intro(text: str, low: str) -> bool:
    if any(w in low for w in _INTRO_WORDS):
        return True
    for word in _INTRO_BEFORE_CAPWORD:  # "je suis|ici" + spaces + a capital
        i = low.find(word)
        while i >= 0:
            if _UP_CHAR.match(text, i + len(word)):
                return True
            i = low.find(word, i + 1)
    return False


def _name_patterns(text: str) -> tuple[re.Pattern[str], ...]:
    """The name patterns that can match ``text`` (all three when the pre-checks do not apply)."""
    if _FOLD_SPECIAL.search(text):
        return (_TITLE, _INTRO, _SIGN_OFF)
    low = text.lower()
    patterns = []
    if ("M" in text or "Dr" in text) and _TITLE_CASED.search(text) or any(w in low for w in _TITLE_WORDS):
        patterns.append(_TITLE)
    if _may_intro(text, low):
        patterns.append(_INTRO)
    if any(w in low for w in _SIGN_OFF_WORDS):
        patterns.append(_SIGN_OFF)
    return tuple(patterns)


def _find_name(text: str) -> Iterator[Span]:
    for pattern in _name_patterns(text):
        for m in pattern.finditer(text):
            group = 1 if m.group(1) is not None else 2
            start, end = m.span(group)
            if pattern is _TITLE and m.group().startswith("M ") and text[start:end].isupper():
                continue  # "JE VIENS DE M INSCRIRE": a shouted elision, not "M Dupont"
            stop = _name_end(text, start, end)
            if stop is not None:
                if pattern is _INTRO and m.group(1) is None and len(text[start:stop].split()) < 2:
                    continue
                if pattern is _SIGN_OFF and text[stop:end].strip(" .'’"):
                    continue  # "cordialement, rien à dire": words after the "name" that are not a name
                yield start, stop


# --- reference numbers (only when not kept) -------------------------------------------------------
_REF = re.compile(
    rf"(?i:{_REF_WORDS})\.?\s*(?:n°|no\.?|num[ée]ro|num\.?|:|#)?\s*:?\s*([A-Za-z0-9][A-Za-z0-9\-/]{{3,}})"
    r"|(?<![\w\-/])([A-Z]{1,5}-?\d[\d\-/]{3,}\d)(?![\w\-/])"
)


def _find_reference(text: str) -> Iterator[Span]:
    for m in _REF.finditer(text):
        group = 1 if m.group(1) is not None else 2
        if _digit_count(m.group(group)) >= 3:
            yield m.span(group)


# --- engine ---------------------------------------------------------------------------------------
Finder = Callable[[str], Iterator[Span]]
_NUMERIC_RULES = frozenset({"IBAN", "NIR", "CARTE", "TEL"})
_RULES: tuple[tuple[str, Finder], ...] = (
    ("EMAIL", _find_email),
    ("IBAN", _find_iban),
    ("NIR", _find_nir),
    ("CARTE", _find_card),
    ("TEL", _find_phone),
    ("ADRESSE", _find_address),
    ("NOM", _find_name),
    ("REF", _find_reference),
)


def _apply(text: str, name: str, finder: Finder) -> tuple[str, int]:
    pieces: list[str] = []
    last = 0
    n = 0
    for start, end in finder(text):
        if start < last or end <= start:
            continue
        pieces.append(text[last:start])
        pieces.append(PLACEHOLDERS[name])
        last = end
        n += 1
    if not n:
        return text, 0
    pieces.append(text[last:])
    return "".join(pieces), n


def _mask_once(text: str, keep_reference_numbers: bool, counts: dict[str, int]) -> tuple[str, bool]:
    many_digits = _digit_count(text) >= 8
    changed = False
    for name, finder in _RULES:
        if (name in _NUMERIC_RULES and not many_digits) or (name == "REF" and keep_reference_numbers):
            continue
        text, n = _apply(text, name, finder)
        if n:
            counts[name] = counts.get(name, 0) + n
            changed = True
    return text, changed


def mask(text: str, keep_reference_numbers: bool = True) -> MaskResult:
    """Replace personal data in ``text`` by typed placeholders.

    Args:
        text: any text (raw or normalised).
        keep_reference_numbers: keep order, contract and claim numbers readable; when False
            they become ``[REF]``.

    Returns:
        The masked text and the count of items masked per type (types with zero are absent).
    """
    counts: dict[str, int] = {}
    for _ in range(3):
        text, changed = _mask_once(text, keep_reference_numbers, counts)
        if not changed:
            break
    return MaskResult(text, counts)


def mask_text(text: str) -> str:
    """:func:`mask` with the defaults, returning the masked text only (for logs and excerpts)."""
    return mask(text).text
