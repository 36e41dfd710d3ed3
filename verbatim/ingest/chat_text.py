"""Text exports of chat apps: WhatsApp "Export chat" files and Signal exports (signal-export, sigtop).

These files hold one thread between named people over months, not roles: the thread is cut
into conversations where two messages are more than ``[ingest].chat_session_gap_hours`` apart
(one record each), and the customer's side is told by ``[[sources]] agents`` (the business's
own names), else by what the export says (the WhatsApp file is named after the other party;
Signal marks the exporter's messages ``You``/``Me``, sigtop names the conversation, signal-export
writes each chat in a folder named after it). See :func:`verbatim.ingest.chat.thread_rows`.

WhatsApp writes, depending on the phone and its language::

    29/07/2026 09:14 - Nom: message                 (Android, day first, 24 h)
    7/29/26, 9:14 AM - Name: message                (Android, month first, 12 h; U+202F before AM)
    [29/07/2026 09:14:05] Nom: message              (iOS; lines may start with U+200E)
    [7/29/26, 9:14:05 AM] Name: message

Day-first or month-first is decided over the whole file: a first number above 12 settles it
day-first, a second number above 12 month-first; else ``[[sources]] columns.date_format``
(``%m/%d/%y...`` or ``%d/%m/%Y...``), else AM/PM clocks without French system lines read
month-first, anything else day-first (the project's French default).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

from verbatim.config import IngestConfig, SourceConfig
from verbatim.ingest.chat import SideHint, ThreadMessage, split_rows, thread_rows
from verbatim.ingest.common import Batch, decode_bytes, rejected
from verbatim.ingest.formats import InputFormat, Probe, fold, register

log = logging.getLogger(__name__)

_MARKS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
_SP = "[ \u00a0\u202f]"
_DATE = r"(?P<d>\d{1,4}[./-]\d{1,2}[./-]\d{1,4})"
_TIME = rf"(?P<t>\d{{1,2}}[:.]\d{{2}}(?:[:.]\d{{2}})?)(?:{_SP}*(?P<ampm>[AaPp]\.?{_SP}?[Mm]\.?))?"
_ANDROID = re.compile(rf"^{_DATE},?{_SP}(?:à{_SP}|at{_SP})?{_TIME}{_SP}[-–]{_SP}(?P<rest>.*)$")
_IOS = re.compile(rf"^\[{_DATE},?{_SP}{_TIME}\]{_SP}(?P<rest>.*)$")

#: lines WhatsApp writes itself (compared folded: lower case, no accents)
_SYSTEM = re.compile("|".join((
    r"chiffres de bout en bout", r"end-to-end encrypted", r"a cree (le|ce) groupe", r"created (group|this group)",
    r"\ba ajoute\b", r"\badded\b", r"\ba retire\b", r"\bremoved\b", r"\best parti", r"\bleft$", r"\ba quitte\b",
    r"\ba change (le sujet|l'icone|la description|les parametres|son numero|de numero)", r"\bchanged (the|this|their|the group)",
    r"code de securite", r"security code", r"\ba rejoint\b", r"\bjoined\b", r"messages ephemeres", r"disappearing messages",
    r"vous avez (bloque|debloque) ce contact", r"you (blocked|unblocked) this contact", r"compte professionnel",
    r"business account", r"cette entreprise", r"this business", r"(appel|appel vocal|appel video) manque",
    r"missed (voice|video) call", r"\bepingle\b", r"\bpinned\b", r"est un contact", r"is a contact",
)))
_MEDIA = re.compile(r"^(<?(medias? omis|media omitted|fichier omis|file omitted)>?|"
                    r"(image|video|vidéo|audio|gif|sticker|autocollant|document|carte de contact|contact card)\s+"
                    r"(absente?|omise?s?|omitted)|<(piece jointe|attached)\s*:.*>|.+\((fichier joint|file attached)\)|"
                    r"null|(localisation|location)\s*:.*|(sondage|poll)\s*:.*)$", re.S)
_DELETED = re.compile(r"^(ce message a ete supprime|vous avez supprime ce message|this message was deleted|"
                      r"you deleted this message)\.?$")
_EDITED = re.compile(r"\s*<(ce message a été modifié|this message was edited)>\s*$", re.I)
_FRENCH = re.compile(r"chiffres de bout en bout|medias omis|absente|a cree le groupe|a ajoute|ce message a ete supprime|"
                     r"vous avez supprime")
_FILE_NAME = re.compile(r"^(?:discussion whatsapp avec|whatsapp chat with|whatsapp chat -|discussion whatsapp -|"
                        r"chat de whatsapp con|whatsapp-chat mit)\s+(.+?)(?:\s*\(\d+\))?$", re.I)


# --------------------------------------------------------------------------- WhatsApp

def _header(line: str) -> re.Match[str] | None:
    line = line.lstrip(_MARKS)
    return _ANDROID.match(line) or _IOS.match(line)


def _numbers(date: str) -> tuple[int, int, int, bool]:
    """(first, second, third, year-first) of a date such as 29/07/2026, 7/29/26 or 2026-07-29."""
    parts = re.split(r"[./-]", date)
    a, b, c = (int(x) for x in parts)
    return a, b, c, len(parts[0]) == 4


def _day_first(dates: list[tuple[int, int, int, bool]], ampm: bool, french: bool, source: SourceConfig) -> tuple[bool, str]:
    """Day-first or month-first for the whole file, and the rule that said so."""
    firsts = [a for a, _, _, ymd in dates if not ymd]
    seconds = [b for _, b, _, ymd in dates if not ymd]
    if firsts and max(firsts) > 12 >= max(seconds):
        return True, "day_above_12"
    if seconds and max(seconds) > 12 >= max(firsts):
        return False, "day_above_12"
    forced = (source.columns.date_format or "").lstrip()
    if forced.startswith("%m"):
        return False, "date_format"
    if forced.startswith("%d"):
        return True, "date_format"
    if ampm and not french:
        return False, "12h_clock"
    return True, "french" if french else "default"


def _stamp(date: str, time: str, ampm: str | None, day_first: bool) -> datetime | None:
    parts = [int(x) for x in re.split(r"[./-]", date)]
    if len(re.split(r"[./-]", date)[0]) == 4:
        year, month, day = parts
    elif day_first:
        day, month, year = parts
    else:
        month, day, year = parts
    year += 2000 if year < 100 else 0
    clock = [int(x) for x in re.split(r"[:.]", time)]
    hour, minute, second = clock[0], clock[1], clock[2] if len(clock) > 2 else 0
    if ampm:
        pm = ampm.strip().lower().startswith("p")
        hour = hour % 12 + (12 if pm else 0)
    try:
        return datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None


def _classify(text: str) -> tuple[str, str]:
    """(kind, words) of a WhatsApp message text: media placeholders and deleted messages have no words."""
    marked = text.lstrip(" ").startswith("\u200e")
    clean = _EDITED.sub("", text.translate(dict.fromkeys(map(ord, _MARKS)))).strip()
    folded = fold(clean).strip()
    if _DELETED.match(folded):
        return "deleted", ""
    if _MEDIA.match(folded):
        return "media", ""
    if marked:  # iOS writes its own notices after a U+200E mark, under the chat's name
        return "system", ""
    return "message", clean


def whatsapp_hint(path: Path) -> SideHint:
    """The other party named by the export file ("Discussion WhatsApp avec Nom.txt", iOS: the folder of ``_chat.txt``)."""
    for name in (path.stem, path.parent.name):
        found = _FILE_NAME.match(name.strip())
        if found:
            return SideHint(customers=(found.group(1).strip(),), rule="file_name", said=found.group(1).strip())
    return SideHint()


def read_whatsapp(path: Path, source: SourceConfig, cfg: IngestConfig) -> Batch:
    """Read a WhatsApp "Export chat" text file: one record per conversation of the thread.

    Writes ``RECORD_COLUMNS`` like :func:`verbatim.ingest.chat.thread_rows`: ``text`` = the
    customer's messages of the conversation, one per line (a multi-line message on one line;
    media placeholders, deleted messages and system lines left out), ``received_at`` = its first
    customer message (local time of the phone, read in the source's zone), ``customer_id`` = the
    customer's name or number, ``metadata`` = platform ``whatsapp``, customer_side, participants,
    n_turns, n_customer_turns, n_agent_turns, first_agent_reply, n_media, n_deleted, date_order.
    ``location`` is ``path:LINE`` of the conversation's first message. Never raises for bad input.
    """
    label = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return Batch.from_rows([], [rejected(label, label, "unreadable_file", f"cannot read the file: {exc.strerror or exc}")])
    text = decode_bytes(raw, source.encoding)[0].removeprefix("\ufeff")
    entries: list[list] = []  # [line number, match, text lines]
    for number, line in enumerate(text.splitlines(), start=1):
        found = _header(line)
        if found:
            entries.append([number, found, [found.group("rest")]])
        elif entries:
            entries[-1][2].append(line)
    if not entries:
        return Batch.from_rows([], [rejected(label, label, "unreadable_file",
                                             "expected WhatsApp lines such as '29/07/2026 09:14 - Nom: message' or "
                                             "'[29/07/2026 09:14:05] Nom: message', found none", text, cfg.excerpt_chars)])
    folded = fold(text[:200_000])
    dates = [_numbers(m.group("d")) for _, m, _ in entries]
    day_first, order_rule = _day_first(dates, any(m.group("ampm") for _, m, _ in entries), bool(_FRENCH.search(folded)), source)
    senders = Counter(rest[0].split(": ", 1)[0] for _, _, rest in entries if ": " in rest[0])
    messages: list[ThreadMessage] = []
    for number, found, lines in entries:
        body = "\n".join(lines)
        at = _stamp(found.group("d"), found.group("t"), found.group("ampm"), day_first)
        if ": " not in lines[0]:
            messages.append(ThreadMessage("", body, at, number, kind="system"))
            continue
        sender, words = body.split(": ", 1)
        if senders[sender] <= 1 and _SYSTEM.search(fold(sender)):  # 'X a changé le sujet de « Promo: -20 % »'
            messages.append(ThreadMessage("", body, at, number, kind="system"))
            continue
        kind, words = _classify(words)
        messages.append(ThreadMessage(sender.translate(dict.fromkeys(map(ord, _MARKS))).strip(), words, at, number, kind=kind))
    rows = thread_rows(messages, platform="whatsapp", label=label, thread_key=f"whatsapp|{path.name}",
                       hint=whatsapp_hint(path), source=source, cfg=cfg, location=lambda m: f"{label}:{m.line}",
                       extra={"date_order": ("day_first" if day_first else "month_first") + f" ({order_rule})"})
    return split_rows(rows)


def _sniff_whatsapp(probe: Probe) -> float:
    """WhatsApp: most of the first lines start with a WhatsApp date header."""
    lines = probe.lines[:40]
    if not lines or probe.head.lstrip()[:1] == "{":
        return 0.0
    headers = [line for line in lines if _header(line)]
    if not headers or not _header(lines[0]):
        return 0.0
    if re.match(r"^\[\d{4}-\d{2}-\d{2} ", lines[0].lstrip(_MARKS)):
        return 0.85  # '[2026-07-29 09:14:05] Name: ...' is also signal-export's line, which reads it at 0.9
    if len(headers) >= min(3, len(lines)) and len(headers) * 2 >= len(lines):
        return 0.95
    return 0.8 if len(headers) >= 1 else 0.0


# --------------------------------------------------------------------------- Signal

_SIGEXPORT = re.compile(r"^\[(?P<at>\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2})?)\] (?P<sender>[^:\n]{1,120}?): (?P<rest>.*)$")
_SIGTOP_SHORT = re.compile(r"^(?P<at>\d{4}-\d{2}-\d{2} \d{2}:\d{2}) (?P<sender>[^:\n]{1,120}?):(?P<rest>.*)$")
_SIGTOP_FIELD = re.compile(r"^(From|Type|Sent|Received|Attachment|Reaction|Edited): ")
_OWN = ("You", "Me", "Moi", "Vous")


def _signal_words(body: str) -> tuple[str, str]:
    """(kind, words) of a signal-export markdown body: quotes, reactions, stickers and attachment links removed."""
    if body.strip() == "(This message was deleted)":
        return "deleted", ""
    lines = [line for line in body.split("\n") if not line.startswith(">")]
    text = "\n".join(lines)
    text = re.sub(r"\n?\(- .* -\)", "", text)
    text = re.sub(r"\n?\(\( .* \)\)", "", text)
    bare = re.sub(r"!?\[[^\]]*\]\([^)]*\)", "", text).strip()
    if not bare:
        return ("media" if text.strip() else "message"), ""
    return "message", bare


def _read_sigexport(text: str, path: Path) -> tuple[list[ThreadMessage], SideHint]:
    messages: list[ThreadMessage] = []
    for number, line in enumerate(text.splitlines(), start=1):
        found = _SIGEXPORT.match(line)
        if found:
            at = datetime.fromisoformat(found.group("at"))
            messages.append(ThreadMessage(found.group("sender"), found.group("rest"), at, number))
        elif messages:
            messages[-1].text += "\n" + line
    for message in messages:
        message.kind, message.text = _signal_words(message.text)
    folder = path.parent.name if path.name.lower() == "chat.md" else path.stem
    return messages, SideHint(customers=(folder,), own=_OWN, rule="outgoing", said=folder)


def _sigtop_time(value: str) -> datetime | None:
    try:
        return parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None


def _read_sigtop(text: str, path: Path) -> tuple[list[ThreadMessage], SideHint]:
    """sigtop's ``text`` format: a Conversation line, then per message From/Type/Sent... fields, a blank line, the body."""
    lines = text.splitlines()
    conversation = next((line.split(": ", 1)[1].strip() for line in lines[:3] if line.startswith("Conversation: ")), "")
    starts = [i for i, line in enumerate(lines)
              if (line.startswith("From: ") and i + 1 < len(lines) and lines[i + 1].startswith("Type: "))
              or (line.startswith("Type: ") and (i == 0 or not lines[i - 1].startswith("From: ")) and (i == 0 or not lines[i - 1].strip()))]
    messages: list[ThreadMessage] = []
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        block = lines[start:end]
        fields: dict[str, str] = {}
        i = 0
        while i < len(block) and _SIGTOP_FIELD.match(block[i]):
            key, value = block[i].split(": ", 1)
            fields.setdefault(key, value)
            i += 1
        body = [line for line in block[i:] if not line.startswith(">")]
        words = "\n".join(body).strip()
        kind = fields.get("Type", "unknown")
        sender = fields.get("From", "")
        at = _sigtop_time(fields.get("Sent", ""))
        if kind not in ("incoming", "outgoing"):
            messages.append(ThreadMessage(sender, words, at, start + 1, kind="system"))
            continue
        if kind == "outgoing":
            sender = sender or "You"
        messages.append(ThreadMessage(sender, words, at, start + 1, kind="message" if words else "media"))
    short = re.sub(r"\s*\([^()]*\)$", "", conversation)
    return messages, SideHint(customers=tuple(n for n in (conversation, short) if n), own=("You",), rule="outgoing",
                              said=conversation)


def _read_sigtop_short(text: str, path: Path) -> tuple[list[ThreadMessage], SideHint]:
    messages: list[ThreadMessage] = []
    for number, line in enumerate(text.splitlines(), start=1):
        found = _SIGTOP_SHORT.match(line)
        if not found:
            if messages:
                messages[-1].text += "\n" + line
            continue
        rest = found.group("rest").strip()
        at = datetime.fromisoformat(found.group("at"))
        kind = "message"
        if re.match(r"^\[[\w-]+ message\]$", rest) and not re.match(r"^\[(incoming|outgoing) message\]$", rest):
            kind = "system"
        details = re.match(r"^\[((?:reply to [^\]]*|edited|\d+ attachments?)(?:, (?:reply to [^\]]*|edited|\d+ attachments?))*)\]\s*", rest)
        if details:
            rest = rest[details.end():]
            kind = kind if rest else "media"
        messages.append(ThreadMessage(found.group("sender"), rest if kind == "message" else "", at, number, kind=kind))
    return messages, SideHint(customers=(path.stem,), own=("You",), rule="outgoing", said=path.stem)


def _signal_style(head: str) -> str | None:
    lines = [line for line in head.splitlines() if line.strip()][:40]
    if not lines:
        return None
    if lines[0].startswith("Conversation: ") and any(line.startswith("Type: ") for line in lines):
        return "sigtop"
    if sum(bool(_SIGEXPORT.match(line)) for line in lines) >= min(2, len(lines)) and _SIGEXPORT.match(lines[0]):
        return "signal-export"
    if sum(bool(_SIGTOP_SHORT.match(line)) for line in lines) >= min(3, len(lines)) and _SIGTOP_SHORT.match(lines[0]):
        return "sigtop-short"
    return None


def read_signal(path: Path, source: SourceConfig, cfg: IngestConfig) -> Batch:
    """Read a Signal text export (signal-export ``chat.md``, sigtop ``text`` or ``text-short``).

    Writes the same columns as :func:`read_whatsapp` with platform ``signal``; the exporter's
    messages (``You``/``Me``) are the business's, unless ``[[sources]] agents`` says otherwise.
    Quotes, reactions, stickers and attachment links are not words. Never raises for bad input.
    """
    label = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return Batch.from_rows([], [rejected(label, label, "unreadable_file", f"cannot read the file: {exc.strerror or exc}")])
    text = decode_bytes(raw, source.encoding)[0].removeprefix("\ufeff")
    style = _signal_style(text[:65536])
    readers = {"signal-export": _read_sigexport, "sigtop": _read_sigtop, "sigtop-short": _read_sigtop_short}
    if style is None:
        return Batch.from_rows([], [rejected(label, label, "unreadable_file",
                                             "expected a Signal export: signal-export lines '[2026-07-29 09:14:05] Name: message', "
                                             "or sigtop's 'Conversation:' / 'From:' / 'Type:' / 'Sent:' blocks; found neither",
                                             text, cfg.excerpt_chars)])
    messages, hint = readers[style](text, path)
    rows = thread_rows(messages, platform="signal", label=label, thread_key=f"signal|{hint.said or path.name}", hint=hint,
                       source=source, cfg=cfg, location=lambda m: f"{label}:{m.line}", extra={"exporter": style})
    return split_rows(rows)


def _sniff_signal(probe: Probe) -> float:
    style = _signal_style(probe.head)
    return {"sigtop": 0.95, "signal-export": 0.9, "sigtop-short": 0.85}.get(style or "", 0.0)


register(InputFormat(
    name="chat.whatsapp-txt.v1", channel="chat", extensions=(".txt",),
    reads="WhatsApp 'Export chat' text files (Android and iOS, day- or month-first dates, 24 h or 12 h clocks)",
    fields={"record": "one conversation: the thread cut where messages are more than [ingest].chat_session_gap_hours apart",
            "text": "the customer's messages, one per line (media placeholders, deleted messages, system lines left out)",
            "date": "the conversation's first customer message (phone's local time, read in the source's zone)",
            "author": "the name or number before ': '", "customer": "the customer's name or number",
            "customer_side": "[[sources]] agents (the business's names), else the contact the export file is named after "
                             "('Discussion WhatsApp avec Nom.txt', 'WhatsApp Chat with Name.txt', iOS folder of _chat.txt)",
            "id": "hash of the file name and the conversation's first message time",
            "skipped": "system lines (encryption notice, group changes), <Médias omis>, deleted messages"},
    sniff=_sniff_whatsapp, read=read_whatsapp))
register(InputFormat(
    name="chat.signal-txt.v1", channel="chat", extensions=(".md", ".txt"),
    reads="Signal Desktop text exports: signal-export chat.md, sigtop export-messages -f text / text-short",
    fields={"record": "one conversation: the thread cut where messages are more than [ingest].chat_session_gap_hours apart",
            "text": "the customer's messages, one per line (quotes, reactions, attachments left out)",
            "date": "the conversation's first customer message", "author": "the sender name (From: in sigtop)",
            "customer": "the customer's name as the export shows it",
            "customer_side": "[[sources]] agents, else every sender but the exporter (You/Me)",
            "id": "hash of the conversation name and the first message time",
            "skipped": "the exporter's messages, system messages (group changes, calls, key changes)"},
    sniff=_sniff_signal, read=read_signal))
