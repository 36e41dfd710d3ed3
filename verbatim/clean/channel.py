"""Channel clean-up: keep the customer's own words of an e-mail, a chat or a social post.

* **E-mail**: quoted replies ("Le lun. 3 mars 2025 à 10:02, X a écrit :", "On ... wrote:",
  "-----Message d'origine-----", Outlook "De : / Envoyé : / À : / Objet :" blocks, ``>`` lines),
  forwarded headers, signatures ("-- ", "Cordialement"..., "Envoyé de mon iPhone") and legal
  disclaimers are removed. A forwarded e-mail whose own text is empty keeps the forwarded body
  (the customer's words), itself cleaned. A reply written under the ``>`` quote (bottom-posting)
  or between quoted blocks keeps those answers; a reply that only quotes (nothing new) is empty
  (the cleaning stage counts it as not analysed).
* **Chat**: the verbatim is the customer's turns, one per line; turns that are only greetings,
  thanks or goodbyes ("bonjour", "ok merci", "merci beaucoup bonne journée") are dropped.
* **Social**: mentions become ``[MENTION]`` (a handle may name a person; the author handle and
  the brand addressed live in the record's metadata) and a leading "RT" is dropped. Hashtags keep
  their word without ``#`` ("#arnaque" -> "arnaque", "#LivraisonRatée" -> "Livraison Ratée"):
  they often carry the topic, so later stages should read them as words.
* **Every channel**: URLs become ``[URL]`` (never opinion words, and they may carry personal data).
"""

from __future__ import annotations

import re
import unicodedata

from verbatim.clean.lexicon import CHAT_POLITE_WORDS

__all__ = ["clean_channel", "clean_chat", "clean_email", "clean_social", "replace_urls"]

_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'«»]+|\b[\w\-]+(?:\.[\w\-]+)*\.(?:com|fr|net|org|eu|io|be|ch)/[^\s<>\"'«»]*", re.IGNORECASE)
_URL_TRAILING = ".,;:!?)]"

# --- e-mail markers: everything from the marker on is not the customer's new text ----------------
_REPLY_HEADER = re.compile(
    r"^[ \t>]*(?:Le\s[^\n]{0,200}?(?:\n[^\n]{0,200}?)?\sa\s+[ée]crit\s*:|On\s[^\n]{0,200}?(?:\n[^\n]{0,200}?)?\swrote\s*:)",
    re.IGNORECASE | re.MULTILINE,
)
_QUOTE_HEADERS = re.compile(
    r"^[ \t>]*(?:"
    r"-{2,}\s*(?:Message d'origine|Message d’origine|Original Message)\s*-{2,}"
    r"|(?:De|From)\s*:[^\n]*\n(?:[^\n]*\n){0,2}?[ \t]*(?:Envoy[ée]|Sent|Date)\s*:"
    r")",
    re.IGNORECASE | re.MULTILINE,
)
_FORWARD_HEADERS = re.compile(
    r"^[ \t]*(?:-{2,}\s*(?:Forwarded message|Message transf[ée]r[ée]|Mail transf[ée]r[ée])\s*-{2,}"
    r"|D[ée]but du message r[ée]exp[ée]di[ée]\s*:|Begin forwarded message\s*:)[^\n]*$",
    re.IGNORECASE | re.MULTILINE,
)
_HEADER_LINE = re.compile(
    r"^[ \t>]*(?:De|From|Date|Envoy[ée]|Sent|[ÀA]|To|Cc|Cci|Bcc|Objet|Subject|R[ée]pondre [àa]|Reply-To)\s*:[^\n]*\n?",
    re.IGNORECASE | re.MULTILINE,
)
_SIGNATURE = re.compile(
    r"^(?:-- ?$"
    r"|[ \t]*(?:Bien |Tr[èe]s )?cordialement\b[^\n]{0,40}$"
    r"|[ \t]*(?:Bien [àa] vous|(?:Sinc[èe]res |Meilleures |Mes )?salutations(?: distingu[ée]es)?|Cdlt)\b[^\n]{0,40}$)",
    re.IGNORECASE | re.MULTILINE,
)
_INLINE_SIGN_OFF = re.compile(r"(?<=[.!?])[ \t]+(?:Bien |Tr[èe]s )?(?:cordialement|bien [àa] vous)\b[^!?\n]{0,40}\Z", re.IGNORECASE)
_DISCLAIMER = re.compile(
    r"^[ \t]*(?:Ce (?:message|courriel|mail|e-mail)(?: et (?:ses|toutes les|les) pi[èe]ces jointes)?[^\n]{0,40}(?:confidentiel|exclusivement|destin[ée])"
    r"|This (?:e-?mail|message)(?: and any attachments?)?[^\n]{0,40}confidential"
    r"|Pensez [àa] l'environnement|Please consider the environment)",
    re.IGNORECASE | re.MULTILINE,
)
_DEVICE_LINE = re.compile(
    r"^[ \t]*(?:Envoy[ée] (?:de|depuis) mon [^\n]{1,40}|Sent from my [^\n]{1,40}|Provenance\s*:[^\n]*|Obtenir Outlook pour [^\n]*|Get Outlook for [^\n]*)$\n?",
    re.IGNORECASE | re.MULTILINE,
)
_QUOTED_LINE = re.compile(r"^[ \t]*>[^\n]*\n?", re.MULTILINE)

# --- social -------------------------------------------------------------------------------------
_MENTION = re.compile(r"(?<![\w@.])@[A-Za-z0-9_][A-Za-z0-9_.]{0,49}(?<!\.)")
_RETWEET = re.compile(r"^\s*RT\b:?\s*")
_HASHTAG = re.compile(r"(?<![\w&#])#([^\W\d_][\w]*)")
_CAMEL = re.compile(r"(?<=[a-zà-ÿ])(?=[A-ZÀ-Þ])")

# --- chat ---------------------------------------------------------------------------------------
_CHAT_TOKEN = re.compile(r"[^\W_]+|\+\+|a\+")


def replace_urls(text: str) -> str:
    """Replace each URL by ``[URL]`` (trailing punctuation stays in the text)."""

    def repl(match: re.Match[str]) -> str:
        url = match.group()
        stripped = url.rstrip(_URL_TRAILING)
        return "[URL]" + url[len(stripped) :]

    return _URL.sub(repl, text) if ("://" in text or "www." in text or "/" in text) else text


def _cut_at_first(text: str, patterns: tuple[re.Pattern[str], ...]) -> tuple[str, str]:
    """Split ``text`` at the earliest match of any pattern: (before, from the match on)."""
    cut = len(text)
    for pattern in patterns:
        match = pattern.search(text)
        if match and match.start() < cut:
            cut = match.start()
    return text[:cut], text[cut:]


def _strip_signature(text: str) -> str:
    text = _DEVICE_LINE.sub("", text)
    text, _ = _cut_at_first(text, (_SIGNATURE, _DISCLAIMER))
    return _INLINE_SIGN_OFF.sub("", text.rstrip())


def _answers_after_quote(rest: str) -> str:
    """The customer's lines written after (and between) the ``>`` quoted blocks that follow a reply header.

    ``rest`` starts after "Le ... a écrit :" / "On ... wrote:". When the quoted message is not
    marked with ``>`` (its first non-blank line is not quoted), nothing can be told apart: "".
    Each quoted block becomes a line break, so answers between blocks stay separate lines.
    """
    kept: list[str] = []
    seen_quote = False
    for line in rest.split("\n"):
        if _QUOTED_LINE.match(line):
            if seen_quote and kept and kept[-1] != "":
                kept.append("")
            seen_quote = True
        elif seen_quote:
            kept.append(line)
        elif line.strip():
            return ""
    return re.sub(r"\n[ \t]*(?:\n[ \t]*)+\n", "\n\n", "\n".join(kept))


def clean_email(text: str) -> str:
    """The customer's own words of an e-mail body.

    Removes quoted replies, forwarded headers, ``>`` lines, signatures, sign-offs, device lines
    and legal disclaimers. A forward with no own text keeps the forwarded body. A reply written
    under the quote (bottom-posting) or between quoted blocks keeps those answers: the lines
    after a reply header's ``>`` block are the customer's, cleaned the same way.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    own, rest = _cut_at_first(text, (_REPLY_HEADER, _QUOTE_HEADERS, _FORWARD_HEADERS))
    own = _strip_signature(_QUOTED_LINE.sub("", own)).strip()
    reply = _REPLY_HEADER.match(rest)
    if reply:
        after = _answers_after_quote(rest[reply.end() :])
        answer = clean_email(after) if after.strip() else ""
        return "\n\n".join(part for part in (own, answer) if part)
    if own or not rest:
        return own
    # A forward whose own text is empty: the forwarded body is the customer's message.
    forward = _FORWARD_HEADERS.match(rest) or _QUOTE_HEADERS.match(rest)
    body = rest[forward.end() :] if forward else rest
    body = body.split("\n", 1)[1] if "\n" in body else ""
    body = _HEADER_LINE.sub("", body)
    body = re.sub(r"^[ \t]*> ?", "", body, flags=re.MULTILINE)
    return clean_email(body) if body.strip() != text.strip() else ""


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def is_only_politeness(turn: str) -> bool:
    """True when a chat turn holds only greetings, thanks or goodbyes (or nothing)."""
    tokens = _CHAT_TOKEN.findall(_fold(turn).replace("'", " ").replace("’", " "))
    return all(t in CHAT_POLITE_WORDS for t in tokens)


def clean_chat(text: str) -> str:
    """The customer's turns (one per line) without the turns that are only politeness."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.strip() for line in lines if not is_only_politeness(line))


def clean_social(text: str) -> str:
    """A social post with mentions as ``[MENTION]`` and hashtags as readable words."""
    text = _RETWEET.sub("", text)
    text = _MENTION.sub("[MENTION]", text)
    return _HASHTAG.sub(lambda m: _CAMEL.sub(" ", m.group(1)), text)


_CLEANERS = {"email": clean_email, "chat": clean_chat, "social": clean_social}


def clean_channel(text: str, channel: str | None) -> str:
    """Apply the clean-up of ``channel`` (email, chat, social; survey and others: URLs only).

    Args:
        text: the verbatim as received.
        channel: the record's channel; unknown values get the common clean-up only.
    """
    if not isinstance(text, str):
        return ""
    cleaner = _CLEANERS.get(channel or "")
    text = replace_urls(text)
    return cleaner(text) if cleaner else text
