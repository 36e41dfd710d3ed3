"""Email connector: one message per file (``.eml``, ``.txt`` or no extension, ``.emlx``, Outlook ``.msg``)
and ``.mbox`` mailboxes -> one record per message.

Formats (``verbatim formats``): ``email.rfc822.v1`` (an RFC 822 / MIME message recognised by its
header block whatever the extension), ``email.mbox.v1``, ``email.emlx.v1`` (Apple Mail: a byte
count line, the message, a plist) and ``email.msg.v1`` (Outlook, :mod:`verbatim.ingest.email_msg`).
:func:`read_file` reads all of them (it dispatches on content), so a folder of mixed e-mails is
one :func:`read_files` call.

Each message becomes one record (channel ``email``) or one quarantine row, so for a mailbox
``len(records) + len(rejected)`` is the number of messages in it. Messages beyond
``[ingest].max_mbox_messages`` are not parsed: each one gets its own ``too_large`` row (cheap:
the mailbox is split once, skipped messages are never parsed), so the accounting still adds up.
Non-blank text before the first ``From`` line of a mailbox counts as one ``malformed_record``.
A ``From `` line starts a new message only when a header block follows it; an unescaped
``From `` line inside a body (mboxo) stays in that body.

Dates: the ``Date:`` header; without one, the topmost (most recent) ``Received:`` header's date
(after its last ``;``; metadata ``date_source = "received_header"``), then the mbox envelope
line ``From sender Tue Jul 29 09:14:05 2026`` (``"mbox_envelope"``; a date without a zone is
in the source's time zone), then for ``.emlx`` the plist's ``date-sent`` / ``date-received``
(``"emlx_date_sent"`` / ``"emlx_date_received"``). None of them: ``missing_date``. A ``Date:``
header that does not parse is ``bad_date`` (no fallback: the message says something wrong).

The text is the body as received: ``text/plain`` preferred, else ``text/html`` turned into
text. Quoted replies and signatures are kept (the cleaning stage removes them). Attachments
are counted and named in the metadata, never read.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import plistlib
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from email import policy
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from verbatim.config import IngestConfig, SourceConfig
from verbatim.ingest.common import Batch, decode_bytes, parse_date, record, rejected, source_timezone
from verbatim.ingest.formats import InputFormat, Probe, register

log = logging.getLogger(__name__)


class _CachedHeaderRegistry(HeaderRegistry):
    """``policy.default``'s header factory, memoised: the parser re-reads Content-Type and
    Content-Transfer-Encoding many times per part, and their values repeat across messages."""

    @functools.lru_cache(maxsize=2048)  # noqa: B019 - one module-level instance, bounded cache
    def __call__(self, name: str, value: str) -> BaseHeader:
        return super().__call__(name, value)


_POLICY = policy.default.clone(header_factory=_CachedHeaderRegistry())
_PARSER = BytesParser(policy=_POLICY)
# an mbox separator: "From <sender> <asctime date>" at the start of a line, ending with a year
_FROM_LINE = re.compile(rb"^From [^\r\n]*?\d{4}[ \t]*\r?$", re.MULTILINE)
_FROM_LOOSE = re.compile(rb"^From ", re.MULTILINE)
# what follows a real mbox separator: a header block ("Return-Path: <...>", "X-Mozilla-Status: 0001"...)
_HEADER_FIELD = re.compile(rb"([A-Za-z0-9][A-Za-z0-9_-]*)[ \t]*:")
_ENVELOPE_HEADERS = {b"from", b"to", b"date", b"subject", b"message-id", b"received", b"return-path", b"delivered-to",
                     b"mime-version", b"content-type", b"reply-to", b"sender", b"in-reply-to", b"references", b"cc"}
_QUOTED_FROM = re.compile(rb"^>(>*From )", re.MULTILINE)
_MESSAGE_HEADERS = {"from", "to", "date", "subject", "message-id", "received", "return-path", "in-reply-to"}
#: the first bytes of an OLE2 compound file (Outlook .msg, but also .xls, .doc...)
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# an .emlx file's first line: the message's size in bytes (Apple Mail pads it with spaces)
_EMLX_COUNT = re.compile(rb"[ \t]*(\d{1,10})[ \t]*\r?\n(?=[!-9;-~]+[ \t]*:)")
_LATIN = {"iso-8859-1", "iso-8859-15", "latin-1", "latin1", "windows-1252", "cp1252", "us-ascii", "ascii"}


# --------------------------------------------------------------------------- html -> text

class _HTMLText(HTMLParser):
    """Collects the visible text of an HTML body (no script/style, breaks for block tags)."""

    _BREAKS = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol",
                         "blockquote", "hr", "section", "article", "header", "footer"})
    _SKIP = frozenset({"script", "style", "title", "head"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skip += 1
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in self._BREAKS and tag != "br":
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """Visible text of an HTML document: entities unescaped, one line per block element, no blank lines."""
    parser = _HTMLText()
    parser.feed(html)
    parser.close()
    lines = (line.strip() for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)


# --------------------------------------------------------------------------- helpers
# Headers are read from their raw values (``Message.raw_items``): ``policy.default`` re-parses a
# header on every access, which costs more than the rest of the message. The policy still
# decodes RFC 2047 words and RFC 2231 file names, only where they occur.

def _clean(value: Any) -> str:
    """A header value as a valid Unicode string (raw 8-bit bytes decoded, not left as surrogates)."""
    text = str(value or "").replace("\r", "").replace("\n", "").strip()
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = decode_bytes(text.encode("utf-8", "surrogateescape"))[0]
    return text


def _decoded(value: str) -> str:
    """An unstructured header value with its encoded words (``=?utf-8?q?...?=``) decoded."""
    if "=?" in value:
        try:
            value = str(_POLICY.header_factory("subject", value))
        except Exception as exc:  # noqa: BLE001 - keep the raw value rather than lose the header
            log.debug("undecodable header %r: %s", value[:60], exc)
    return value.strip()


def _raw_headers(part: Message) -> dict[str, str]:
    """First raw value of each header, names lowercased, unfolded and made valid Unicode."""
    headers: dict[str, str] = {}
    for name, value in part.raw_items():
        key = str(name).lower()
        if key not in headers:
            headers[key] = _clean(value)
    return headers


def _param(value: str, name: str) -> str:
    match = re.search(rf"(?:^|;)\s*{name}\s*=\s*\"?([^\";]*)", value, re.IGNORECASE)
    return match.group(1).strip().lower() if match else ""


def _decode_payload(part: Message, charset: str, forced: str | None) -> str:
    """A text part's payload decoded: declared charset, else UTF-8 / Windows-1252 (``decode_bytes``)."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    text: str | None = None
    if charset and not forced:
        try:
            text = payload.decode(charset)
            if charset in _LATIN and not payload.isascii():
                text = payload.decode("utf-8")  # declared Latin-1 but valid UTF-8: the label lies
        except (LookupError, UnicodeDecodeError):
            pass
    if text is None:
        text = decode_bytes(payload, forced)[0]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _leaves(msg: Message) -> Iterator[tuple[Message, str, dict[str, str]]]:
    """(part, content type, raw headers) of every non-multipart part; forwarded messages are leaves."""
    stack: list[Message] = [msg]
    while stack:
        part = stack.pop()
        headers = _raw_headers(part)
        ctype = (headers.get("content-type", "").split(";", 1)[0].strip().lower() or "text/plain")
        if part.is_multipart() and ctype != "message/rfc822":
            stack.extend(reversed(part.get_payload()))  # type: ignore[arg-type]
        else:
            yield part, ctype, headers


def _content(msg: Message, forced: str | None) -> tuple[str, str, list[str]]:
    """(text, content type used, attachment names): text/plain preferred, else text/html converted.

    Attachments are the parts with a file name or an ``attachment`` disposition, and forwarded
    messages; unnamed ones are listed as ``""``.
    """
    bodies: list[tuple[Message, str, str, bool]] = []  # (part, content type, charset, named)
    attached: list[Message] = []
    for part, ctype, headers in _leaves(msg):
        disposition = headers.get("content-disposition", "")
        named = bool(re.search(r"\bname\*?\s*=", headers.get("content-type", "") + ";" + disposition, re.IGNORECASE))
        is_attachment = disposition.split(";", 1)[0].strip().lower() == "attachment" or ctype == "message/rfc822"
        if not is_attachment and ctype in ("text/plain", "text/html"):
            bodies.append((part, ctype, _param(headers.get("content-type", ""), "charset"), named))
        elif is_attachment or named:
            attached.append(part)
    text, used, chosen = "", "", None
    for wanted in ("text/plain", "text/html"):
        for part, ctype, charset, _named in bodies:
            if ctype == wanted and not used:
                text = _decode_payload(part, charset, forced)
                text = html_to_text(text) if ctype == "text/html" else text
                used, chosen = (ctype, part) if text.strip() else ("", None)
    attached += [part for part, _ctype, _charset, named in bodies if named and part is not chosen]
    names = []
    for part in attached:
        try:
            names.append(_clean(part.get_filename()))
        except Exception:  # noqa: BLE001 - an unparsable file name is still an attachment
            names.append("")
    return text, used, names


def _received_at(value: str, tz: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return parse_date(value, tz)  # ISO dates written by some exporters
    return parse_date(parsed, tz)


def _fallback_id(label: str, index: int) -> str:
    return "h" + hashlib.blake2b(f"{label}#{index}".encode("utf-8", "surrogateescape"), digest_size=10).hexdigest()


# "From sender Tue Jul 29 09:14:05 2026", "From - Tue Jul 29 09:14:05 2026" (Thunderbird),
# "From 1234@xxx Tue Jul 29 09:14:05 +0000 2026" (Google Takeout): asctime, optional zone, year last
_ENVELOPE_DATE = re.compile(r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\s+(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+(\d{1,2})\s+"
                            r"(\d{1,2}:\d{2}(?::\d{2})?)(?:\s+([+-]\d{4}|[A-Z]{1,5}))?\s+(\d{4})\s*$", re.IGNORECASE)


def _envelope_date(envelope: str, tz: str) -> datetime | None:
    """The date of an mbox ``From`` line; without a zone it is taken in ``tz`` (the writer's local time)."""
    match = _ENVELOPE_DATE.search(envelope)
    if not match:
        return None
    month, day, clock, zone, year = match.groups()
    clock = clock if clock.count(":") == 2 else clock + ":00"
    zone = zone if zone and zone[0] in "+-" else ("+0000" if zone and zone.upper() in ("UTC", "GMT", "UT", "Z") else "")
    value = f"{day} {month.title()} {year} {clock}"
    try:
        parsed = datetime.strptime(value + (" " + zone if zone else ""), "%d %b %Y %H:%M:%S" + (" %z" if zone else ""))
    except ValueError:
        return None
    return parse_date(parsed, tz)


def _fallback_date(received: str, envelope: str, fallback: tuple[datetime | None, str], tz: str) -> tuple[datetime | None, str]:
    """(date, date_source) of a message without a Date header: the topmost Received header (its date
    follows the last ``;``), else the mbox envelope line, else ``fallback``; (None, "") when none has one."""
    if ";" in received:
        found = _received_at(received.rsplit(";", 1)[1].strip(), tz)
        if found is not None:
            return found, "received_header"
    found = _envelope_date(envelope, tz) if envelope else None
    if found is not None:
        return found, "mbox_envelope"
    return fallback if fallback[0] is not None else (None, "")


# --------------------------------------------------------------------------- one message

def _read_message(raw: bytes, label: str, location: str, index: int, source: SourceConfig,
                  cfg: IngestConfig, whole_file: bool = False, envelope: str = "",
                  fallback: tuple[datetime | None, str] = (None, "")) -> dict[str, Any]:
    """One message's bytes -> a record row or a quarantine row.

    Args:
        whole_file: an .eml (a file that is one message), not a mailbox entry.
        envelope: the mbox ``From sender date`` line of the message, if any (a fallback date).
        fallback: a date found outside the message (an .emlx plist) and its ``date_source`` name,
            used when the message has neither Date nor Received headers.
    """
    limit = cfg.excerpt_chars
    msg = _PARSER.parsebytes(raw)
    headers = _raw_headers(msg)
    if not _MESSAGE_HEADERS.intersection(headers):
        return rejected(label, location, "unreadable_file" if whole_file else "malformed_record",
                        "expected an email message with headers (From, Date, Subject...), found none", raw, limit)
    tz = source_timezone(source, cfg)
    date_value = headers.get("date", "")
    date_source = ""
    if date_value:
        received_at = _received_at(date_value, tz)
        if received_at is None:
            return rejected(label, location, "bad_date",
                            f"expected an RFC 5322 Date header after 1990 (e.g. 'Mon, 3 Mar 2025 10:15:00 +0100'), got {date_value[:60]!r}",
                            date_value, limit)
    else:
        received_at, date_source = _fallback_date(headers.get("received", ""), envelope, fallback, tz)
        if received_at is None:
            return rejected(label, location, "missing_date",
                            "expected a Date header, else a dated Received header or an mbox 'From sender date' line; "
                            "the message has none", raw, limit)
    text, content_type, names = _content(msg, source.encoding)
    if not text.strip():
        found = headers.get("content-type", "text/plain").split(";", 1)[0]
        return rejected(label, location, "empty_text",
                        f"expected a non-empty text/plain or text/html body, got {found!r} without text", raw, limit)
    if len(text) > cfg.max_record_chars:
        return rejected(label, location, "too_large",
                        f"body is {len(text)} characters, the limit is {cfg.max_record_chars} ([ingest].max_record_chars)", text, limit)
    sender = getaddresses([headers.get("from", "")])
    from_name, from_addr = sender[0] if sender else ("", "")
    message_id = headers.get("message-id", "").strip("<> \t")
    return record(
        channel="email", source=label, source_id=message_id or _fallback_id(label, index), received_at=received_at,
        text=text, location=location, customer_id=from_addr.strip().lower() or None,
        metadata={
            "subject": _decoded(headers.get("subject", "")), "from_name": _decoded(from_name),
            "to": _decoded(headers.get("to", "")), "in_reply_to": headers.get("in-reply-to", "").strip("<> \t"),
            "content_type": content_type, "attachments": len(names), "attachment_names": [n for n in names if n] or None,
            "date_source": date_source or None,
        },
    )


# --------------------------------------------------------------------------- files

def _is_mbox(path: Path, raw: bytes) -> bool:
    suffix = path.suffix.lower()
    return suffix in (".mbox", ".mbx") or raw.startswith(b"From ") or (suffix != ".eml" and path.name.lower().startswith("mbox"))


def _split_mbox(raw: bytes) -> tuple[bytes, list[int]]:
    """(text before the first message, start offsets of the messages' ``From`` lines).

    A ``From `` line starts a message only where a header line (``Name: value``) follows it; an
    unescaped ``From `` line inside a body (mboxo writers do not quote it) stays in that body.
    A mailbox that starts with ``From `` always starts with a message.
    """
    starts = [m.start() for m in _FROM_LOOSE.finditer(raw) if m.start() == 0 or _headers_follow(raw, m.start())]
    return (raw[: starts[0]] if starts else raw), starts


def _headers_follow(raw: bytes, start: int) -> bool:
    """Whether the lines after the ``From`` line at ``start`` are a header block: every line up to the
    first blank one a ``Name: value`` header or its continuation, one of them a message header
    (From, Date, Subject, Received, Return-Path, ``X-...``...)."""
    known = False
    position = raw.find(b"\n", start)
    for _ in range(200):
        if position < 0:
            return known
        end = raw.find(b"\n", position + 1)
        line = raw[position + 1: len(raw) if end < 0 else end].rstrip(b"\r")
        position = end
        if not line.strip():
            return known
        if line[:1] in (b" ", b"\t"):
            continue
        field = _HEADER_FIELD.match(line)
        if field is None:
            return False
        name = field.group(1).lower()
        known = known or name in _ENVELOPE_HEADERS or name.startswith(b"x-")
    return known


def _mbox_messages(raw: bytes, starts: list[int]) -> Iterator[tuple[str, bytes]]:
    """(envelope ``From`` line, message bytes) of each message, ``>From`` lines unquoted (mboxrd)."""
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(raw)
        chunk = raw[start:end]
        newline = chunk.find(b"\n")
        envelope = (chunk if newline < 0 else chunk[:newline]).decode("utf-8", "replace").strip()
        chunk = b"" if newline < 0 else chunk[newline + 1:]
        # the blank line before the next 'From ' line (and at the end of the mailbox) separates, it is not the body's
        chunk = chunk[:-2] if chunk.endswith(b"\r\n\r\n") else chunk[:-1] if chunk.endswith(b"\n\n") else chunk
        yield envelope, (_QUOTED_FROM.sub(rb"\1", chunk) if b">From " in chunk else chunk)


def _split_emlx(raw: bytes) -> tuple[bytes, dict[str, Any]] | None:
    """(message bytes, plist) of an Apple Mail ``.emlx`` file; None when the first line is not a byte count.

    The plist is ``{}`` when it is missing or does not parse (the message is still read); a count
    larger than the file (a truncated copy) keeps what there is of the message.
    """
    match = _EMLX_COUNT.match(raw)
    if match is None:
        return None
    start, size = match.end(), int(match.group(1))
    message, tail = raw[start:start + size], raw[start + size:]
    plist: dict[str, Any] = {}
    if tail.strip():
        try:
            loaded = plistlib.loads(tail.strip())
            plist = loaded if isinstance(loaded, dict) else {}
        except Exception as exc:  # noqa: BLE001 - a broken plist only loses the fallback dates
            log.debug("emlx plist unreadable: %s", exc)
    return message, plist


def _plist_date(plist: dict[str, Any], tz: str) -> tuple[datetime | None, str]:
    """(date, date_source) from an .emlx plist: ``date-sent``, else ``date-received`` (seconds since 1970, UTC)."""
    for key in ("date-sent", "date-received"):
        value = plist.get(key)
        try:
            if isinstance(value, bool):
                continue
            if isinstance(value, int | float):
                value = datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            continue
        found = parse_date(value, tz) if isinstance(value, datetime) else None
        if found is not None:
            return found, "emlx_" + key.replace("-", "_")
    return None, ""


def _read_emlx(path: Path, raw: bytes, source: SourceConfig, cfg: IngestConfig) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(record rows, quarantine rows) of one Apple Mail ``.emlx`` / ``.partial.emlx`` file: one message."""
    label = str(path)
    split = _split_emlx(raw)
    if split is None:
        return [], [rejected(label, label, "unreadable_file", "expected an Apple Mail .emlx file (first line: the message's "
                             "size in bytes, then the message), got no byte count; if it is a plain message, rename it .eml",
                             raw, cfg.excerpt_chars)]
    message, plist = split
    fallback = _plist_date(plist, source_timezone(source, cfg))
    try:
        row = _read_message(message, label, label, 1, source, cfg, whole_file=True, fallback=fallback)
    except Exception as exc:  # noqa: BLE001 - a broken message is one quarantine row
        row = rejected(label, label, "unreadable_file", f"expected an email message, the parser failed: {type(exc).__name__}: "
                       f"{str(exc)[:120]}", message, cfg.excerpt_chars)
    if "reason" in row:
        return [], [row]
    meta = json.loads(row["metadata"])
    meta["format"] = "emlx"
    meta["partial"] = path.name.lower().endswith(".partial.emlx") or None
    row["metadata"] = json.dumps({k: v for k, v in meta.items() if v not in (None, "")}, ensure_ascii=False, sort_keys=True)
    return [row], []


def _read_path(path: Path, source: SourceConfig, cfg: IngestConfig) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(record rows, quarantine rows) of one ``.eml``, RFC 822 (any extension), mbox, ``.emlx`` or Outlook ``.msg`` file."""
    label = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return [], [rejected(label, label, "unreadable_file", f"cannot read the file: {exc.strerror or exc}")]
    if raw.startswith(OLE2_SIGNATURE):
        from verbatim.ingest.email_msg import read_msg

        return read_msg(path, source, cfg)
    if _EMLX_COUNT.match(raw) or path.name.lower().endswith(".emlx"):
        return _read_emlx(path, raw, source, cfg)
    mbox = _is_mbox(path, raw)
    rows: list[dict[str, Any]] = []
    bad: list[dict[str, Any]] = []
    if not mbox:
        messages: list[tuple[str, str, bytes]] | Iterator[tuple[str, str, bytes]] = [(label, "", raw)]
        count = 1
    else:
        prefix, starts = _split_mbox(raw)
        if not starts:
            return [], [rejected(label, label, "unreadable_file",
                                 "expected an mbox mailbox (messages each starting with a 'From ' line), found none",
                                 raw, cfg.excerpt_chars)]
        if prefix.strip():
            bad.append(rejected(label, f"{label}#0", "malformed_record", "expected the mailbox to start with a 'From ' line, "
                                "got text before the first message", prefix, cfg.excerpt_chars))
        count = len(starts)
        messages = ((f"{label}#{i}", envelope, chunk) for i, (envelope, chunk) in enumerate(_mbox_messages(raw, starts), start=1))
    for index, (location, envelope, chunk) in enumerate(messages, start=1):
        if index > cfg.max_mbox_messages:
            bad.append(rejected(label, location, "too_large", f"message {index} of {count} is beyond the limit of "
                                f"{cfg.max_mbox_messages} messages per mailbox ([ingest].max_mbox_messages); not read"))
            continue
        try:
            row = _read_message(chunk, label, location, index, source, cfg, whole_file=not mbox, envelope=envelope)
        except Exception as exc:  # noqa: BLE001 - one broken message must not stop the mailbox
            log.debug("email %s: %s", location, exc)
            row = rejected(label, location, "malformed_record" if mbox else "unreadable_file",
                           f"expected an email message, the parser failed: {type(exc).__name__}: {str(exc)[:120]}",
                           chunk, cfg.excerpt_chars)
        (bad if "reason" in row else rows).append(row)
    log.debug("email %s: %d records, %d quarantined", label, len(rows), len(bad))
    return rows, bad


def read_file(path: Path, source: SourceConfig, cfg: IngestConfig) -> Batch:
    """Read an e-mail file (``.eml`` / RFC 822 of any extension, mbox, ``.emlx``, Outlook ``.msg``) into a batch.

    Writes every ``RECORD_COLUMNS`` column: ``channel`` = ``"email"``, ``source`` = the path,
    ``source_id`` = Message-ID (without ``<>``) or a hash of path and message number,
    ``received_at`` from the Date header, else a fallback (module docstring; UTC),
    ``customer_id`` = the From address lowercased, ``text`` = the body as received,
    ``metadata`` = subject, from_name, to, in_reply_to, content_type, attachments (count),
    attachment_names, date_source (when not the Date header) and, for .emlx and .msg, format
    (``"emlx"``, ``"msg"``) and partial (``.partial.emlx``); scores stay empty. ``location`` is
    the path (``.eml``) or ``path#N`` (N-th message of a mailbox, from 1).

    Never raises for bad input: a message that cannot be used becomes a quarantine row
    (``missing_date``, ``bad_date``, ``empty_text``, ``too_large``, ``malformed_record``); a file
    that cannot be read at all becomes one ``unreadable_file`` row.
    """
    return Batch.from_rows(*_read_path(path, source, cfg))


def read_files(paths: Iterable[Path], source: SourceConfig, cfg: IngestConfig) -> Batch:
    """Like :func:`read_file` for many files at once, returning one batch.

    Building a batch costs a few milliseconds of pandas work, more than parsing an email; a
    folder of ``.eml`` files is several times faster read this way than file by file.
    """
    rows: list[dict[str, Any]] = []
    bad: list[dict[str, Any]] = []
    for path in paths:
        good, rejected_rows = _read_path(Path(path), source, cfg)
        rows += good
        bad += rejected_rows
    return Batch.from_rows(rows, bad)


# --------------------------------------------------------------------------- registered formats

_HEADER_LINE = re.compile(r"^(from|to|date|subject|received|return-path|message-id|mime-version|delivered-to|reply-to|cc|"
                          r"x-[a-z0-9-]+|content-type|in-reply-to|references|sender)\s*:", re.IGNORECASE)


_FIELD_FIRST = re.compile(r"[!-9;-~]+[ \t]*:")


def _header_names(text: str) -> set[str]:
    """The known header names of the first block of ``text`` (up to the first blank line, 60 lines at most)."""
    block = re.split(r"\r?\n[ \t]*\r?\n", text, maxsplit=1)[0].splitlines()[:60]
    return {m.group(1).lower() for line in block if (m := _HEADER_LINE.match(line))}


def _sniff_rfc822(probe: Probe) -> float:
    """An RFC 822 message: a header block (``Name: value`` lines, at least From or Date or Subject) first.

    Recognised by content whatever the extension (``.eml``, ``.txt``, none): 0.85 for such a
    header block, 0.9 for any ``.eml``.
    """
    if probe.suffix == ".eml":
        return 0.9
    if probe.raw.startswith(OLE2_SIGNATURE):
        return 0.0
    text = probe.head.lstrip("\r\n")
    if not _FIELD_FIRST.match(text):
        return 0.0  # a message starts with its headers
    names = _header_names(text)
    if len(names) >= 2 and names & {"from", "date", "subject", "received", "message-id"}:
        return 0.85
    return 0.0


def _sniff_mbox(probe: Probe) -> float:
    if _FROM_LINE.match(probe.raw.lstrip(b"\r\n")):
        return 0.95
    if probe.suffix in (".mbox", ".mbx") or probe.path.name.lower().startswith("mbox"):
        return 0.7
    return 0.0


def _sniff_emlx(probe: Probe) -> float:
    """Apple Mail: a byte count alone on the first line, then a message's header block."""
    match = _EMLX_COUNT.match(probe.raw)
    if match is None:
        return 0.0
    names = _header_names(probe.head[probe.head.find("\n") + 1:])
    if not names & {"from", "date", "subject", "received", "message-id", "return-path"}:
        return 0.0
    return 0.97 if probe.path.name.lower().endswith(".emlx") else 0.9


register(InputFormat(
    name="email.rfc822.v1", channel="email", extensions=(".eml", ".txt"),
    reads="one e-mail message (RFC 822 / MIME), as saved by mail clients, whatever the extension (.eml, .txt, none)",
    fields={"record": "the message", "text": "text/plain body, else text/html as text (quoted replies removed by cleaning)",
            "date": "Date:, else the topmost Received: header's date (metadata date_source = received_header)",
            "author": "From:", "customer": "the sender's address", "id": "Message-ID, else a hash of the file"},
    sniff=_sniff_rfc822, read=read_file))
register(InputFormat(
    name="email.mbox.v1", channel="email", extensions=(".mbox", ".mbx"),
    reads="a mailbox of messages separated by 'From ' lines followed by headers (Thunderbird, Google Takeout, mutt)",
    fields={"record": "one message of the mailbox", "text": "as email.rfc822.v1",
            "date": "as email.rfc822.v1, else the 'From sender date' envelope line (date_source = mbox_envelope)",
            "customer": "the sender's address"},
    sniff=_sniff_mbox, read=read_file))
register(InputFormat(
    name="email.emlx.v1", channel="email", extensions=(".emlx", ".partial.emlx"),
    reads="one Apple Mail message (.emlx / .partial.emlx: byte count line, RFC 822 message, plist of flags and dates)",
    fields={"record": "the message", "text": "as email.rfc822.v1",
            "date": "as email.rfc822.v1, else the plist's date-sent, else date-received (date_source = emlx_date_sent...)",
            "author": "From:", "customer": "the sender's address", "id": "Message-ID, else a hash of the file"},
    sniff=_sniff_emlx, read=read_file))

from verbatim.ingest import email_msg as _email_msg  # noqa: E402,F401 - registers email.msg.v1 (Outlook .msg)
