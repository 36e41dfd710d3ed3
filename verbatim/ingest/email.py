"""Email connector: ``.eml`` files (one message) and ``.mbox`` mailboxes -> one record per message.

Each message becomes one record (channel ``email``) or one quarantine row, so for a mailbox
``len(records) + len(rejected)`` is the number of messages in it. Messages beyond
``[ingest].max_mbox_messages`` are not parsed: each one gets its own ``too_large`` row (cheap:
the mailbox is split once, skipped messages are never parsed), so the accounting still adds up.
Non-blank text before the first ``From`` line of a mailbox counts as one ``malformed_record``.

The text is the body as received: ``text/plain`` preferred, else ``text/html`` turned into
text. Quoted replies and signatures are kept (the cleaning stage removes them). Attachments
are counted and named in the metadata, never read.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
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
_QUOTED_FROM = re.compile(rb"^>(>*From )", re.MULTILINE)
_MESSAGE_HEADERS = {"from", "to", "date", "subject", "message-id", "received", "return-path", "in-reply-to"}
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


# --------------------------------------------------------------------------- one message

def _read_message(raw: bytes, label: str, location: str, index: int, source: SourceConfig,
                  cfg: IngestConfig, whole_file: bool = False) -> dict[str, Any]:
    """One message's bytes -> a record row or a quarantine row (``whole_file``: an .eml, not a mailbox entry)."""
    limit = cfg.excerpt_chars
    msg = _PARSER.parsebytes(raw)
    headers = _raw_headers(msg)
    if not _MESSAGE_HEADERS.intersection(headers):
        return rejected(label, location, "unreadable_file" if whole_file else "malformed_record",
                        "expected an email message with headers (From, Date, Subject...), found none", raw, limit)
    date_value = headers.get("date", "")
    if not date_value:
        return rejected(label, location, "missing_date", "expected a Date header, the message has none", raw, limit)
    received_at = _received_at(date_value, source_timezone(source, cfg))
    if received_at is None:
        return rejected(label, location, "bad_date",
                        f"expected an RFC 5322 Date header after 1990 (e.g. 'Mon, 3 Mar 2025 10:15:00 +0100'), got {date_value[:60]!r}",
                        date_value, limit)
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
        },
    )


# --------------------------------------------------------------------------- files

def _is_mbox(path: Path, raw: bytes) -> bool:
    suffix = path.suffix.lower()
    return suffix in (".mbox", ".mbx") or raw.startswith(b"From ") or (suffix != ".eml" and path.name.lower().startswith("mbox"))


def _split_mbox(raw: bytes) -> tuple[bytes, list[int]]:
    """(text before the first message, start offsets of the messages' ``From`` lines)."""
    starts = [m.start() for m in _FROM_LINE.finditer(raw)]
    if not starts or (starts[0] != 0 and raw.startswith(b"From ")):
        starts = [m.start() for m in _FROM_LOOSE.finditer(raw)]
    return (raw[: starts[0]] if starts else raw), starts


def _mbox_messages(raw: bytes, starts: list[int]) -> Iterator[bytes]:
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(raw)
        chunk = raw[start:end]
        newline = chunk.find(b"\n")
        chunk = b"" if newline < 0 else chunk[newline + 1:]
        yield _QUOTED_FROM.sub(rb"\1", chunk) if b">From " in chunk else chunk


def _read_path(path: Path, source: SourceConfig, cfg: IngestConfig) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(record rows, quarantine rows) of one ``.eml`` or mbox file."""
    label = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return [], [rejected(label, label, "unreadable_file", f"cannot read the file: {exc.strerror or exc}")]
    mbox = _is_mbox(path, raw)
    rows: list[dict[str, Any]] = []
    bad: list[dict[str, Any]] = []
    if not mbox:
        messages: list[tuple[str, bytes]] | Iterator[tuple[str, bytes]] = [(label, raw)]
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
        messages = ((f"{label}#{i}", chunk) for i, chunk in enumerate(_mbox_messages(raw, starts), start=1))
    for index, (location, chunk) in enumerate(messages, start=1):
        if index > cfg.max_mbox_messages:
            bad.append(rejected(label, location, "too_large", f"message {index} of {count} is beyond the limit of "
                                f"{cfg.max_mbox_messages} messages per mailbox ([ingest].max_mbox_messages); not read"))
            continue
        try:
            row = _read_message(chunk, label, location, index, source, cfg, whole_file=not mbox)
        except Exception as exc:  # noqa: BLE001 - one broken message must not stop the mailbox
            log.debug("email %s: %s", location, exc)
            row = rejected(label, location, "malformed_record" if mbox else "unreadable_file",
                           f"expected an email message, the parser failed: {type(exc).__name__}: {str(exc)[:120]}",
                           chunk, cfg.excerpt_chars)
        (bad if "reason" in row else rows).append(row)
    log.debug("email %s: %d records, %d quarantined", label, len(rows), len(bad))
    return rows, bad


def read_file(path: Path, source: SourceConfig, cfg: IngestConfig) -> Batch:
    """Read an ``.eml`` file or an mbox mailbox into a batch.

    Writes every ``RECORD_COLUMNS`` column: ``channel`` = ``"email"``, ``source`` = the path,
    ``source_id`` = Message-ID (without ``<>``) or a hash of path and message number,
    ``received_at`` from the Date header (UTC), ``customer_id`` = the From address lowercased,
    ``text`` = the body as received, ``metadata`` = subject, from_name, to, in_reply_to,
    content_type, attachments (count) and attachment_names; scores stay empty. ``location`` is
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


def _sniff_rfc822(probe: Probe) -> float:
    """An RFC 822 message: a header block (``Name: value`` lines, at least From or Date or Subject) first."""
    if probe.suffix == ".eml":
        return 0.9
    block = probe.head.split("\n\n", 1)[0].splitlines()[:60]
    names = {m.group(1).lower() for line in block if (m := _HEADER_LINE.match(line))}
    if len(names) >= 2 and names & {"from", "date", "subject", "received", "message-id"}:
        return 0.85
    return 0.0


def _sniff_mbox(probe: Probe) -> float:
    if _FROM_LINE.match(probe.raw.lstrip(b"\r\n")):
        return 0.95
    if probe.suffix in (".mbox", ".mbx") or probe.path.name.lower().startswith("mbox"):
        return 0.7
    return 0.0


register(InputFormat(
    name="email.rfc822.v1", channel="email", extensions=(".eml", ".txt"),
    reads="one e-mail message (RFC 822 / MIME), as saved by mail clients, whatever the extension",
    fields={"record": "the message", "text": "text/plain body, else text/html as text (quoted replies removed by cleaning)",
            "date": "Date:, else the first Received: header", "author": "From:", "customer": "the sender's address",
            "id": "Message-ID, else a hash of the file"},
    sniff=_sniff_rfc822, read=read_file))
register(InputFormat(
    name="email.mbox.v1", channel="email", extensions=(".mbox", ".mbx"),
    reads="a mailbox of messages separated by 'From ' lines (Thunderbird, Google Takeout, mutt)",
    fields={"record": "one message of the mailbox", "text": "as email.rfc822.v1", "date": "as email.rfc822.v1",
            "customer": "the sender's address"},
    sniff=_sniff_mbox, read=read_file))
