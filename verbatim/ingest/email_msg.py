"""Outlook ``.msg`` messages (format ``email.msg.v1``), read with the maintained ``extract-msg`` library.

An Outlook ``.msg`` is an OLE2 compound file (MS-OXMSG): a ``__properties_version1.0`` stream,
one ``__substg1.0_<tag>`` stream per variable-size property, ``__recip_version1.0_#N`` and
``__attach_version1.0_#N`` storages. Excel ``.xls`` and Word ``.doc`` files are OLE2 files too;
this format only claims the files that hold a message's property streams.

Each file is one message, so one record or one quarantine row:

* date: the client submit time (``msg.date``), else the transport headers' ``Date:``, else the
  topmost ``Received:`` header (metadata ``date_source = received_header``), else the delivery
  time (``date_source = delivery_time``); none of them: ``missing_date``;
* text: the plain body, else the HTML body as text (``email.html_to_text``); RTF-only bodies are
  turned into plain text by extract-msg;
* customer: the sender's SMTP address (an Exchange ``/O=...`` address is not one: the SMTP
  address property or the headers' ``From:`` are used instead);
* a file that is not a readable message (an Outlook contact, a broken compound file) is one
  ``unreadable_file`` row.
"""

from __future__ import annotations

import logging
from datetime import datetime
from email.utils import getaddresses
from pathlib import Path
from typing import Any

from verbatim.config import IngestConfig, SourceConfig
from verbatim.ingest.common import Batch, decode_bytes, parse_date, record, rejected, source_timezone
from verbatim.ingest.email import OLE2_SIGNATURE, _decoded, _fallback_date, _fallback_id, _received_at, html_to_text
from verbatim.ingest.formats import InputFormat, Probe, register

log = logging.getLogger(__name__)

# directory names are UTF-16LE in a compound file
_SUBSTG = "__substg1.0_".encode("utf-16-le")
_PROPERTIES = "__properties_version1.0".encode("utf-16-le")

Rows = tuple[list[dict[str, Any]], list[dict[str, Any]]]


def _header(msg: Any, name: str) -> str:
    """A header of the message's transport headers ('' when absent or when the message has none)."""
    try:
        if not msg.headerText:
            return ""
        value = msg.header.get(name)
    except Exception:  # noqa: BLE001 - malformed transport headers only lose this header
        return ""
    return str(value or "").replace("\r", "").replace("\n", " ").strip()


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return decode_bytes(value)[0]
    return str(value or "")


def _sender(msg: Any) -> tuple[str, str]:
    """(display name, SMTP address) of the sender."""
    name, address = "", ""
    try:
        parsed = getaddresses([_decoded(str(msg.sender or ""))])
        if parsed:
            name, address = parsed[0]
    except Exception as exc:  # noqa: BLE001 - an odd sender leaves the record without a customer id
        log.debug("msg sender unreadable: %s", exc)
    if "@" not in address:  # an Exchange DN ("/O=EXCHANGELABS/OU=..."): look for the SMTP address
        for prop in ("__substg1.0_5D01", "__substg1.0_5D02", "__substg1.0_0C1F", "__substg1.0_0065"):
            candidate = str(msg.getStringStream(prop) or "")
            if "@" in candidate:
                address = candidate
                break
        else:
            address = ""
    if not name:
        name = str(msg.getStringStream("__substg1.0_0C1A") or "")
    return name.strip(), address.strip().strip("<>").lower()


def _date(msg: Any, tz: str) -> tuple[datetime | None, str]:
    """(date, date_source): submit time, headers' Date, topmost Received, delivery time."""
    submitted = msg.date
    if isinstance(submitted, datetime):
        found = parse_date(submitted, tz)
        if found is not None:
            return found, ""
    header_date = _header(msg, "Date")
    if header_date:
        found = _received_at(header_date, tz)
        if found is not None:
            return found, "transport_headers"
    delivered = msg.receivedTime
    delivered = parse_date(delivered, tz) if isinstance(delivered, datetime) else None
    return _fallback_date(_header(msg, "Received"), "", (delivered, "delivery_time"), tz)


def _body(msg: Any) -> tuple[str, str]:
    """(text, content type used): the plain body, else the HTML body as text."""
    plain = _text(msg.body).replace("\r\n", "\n").replace("\r", "\n")
    if plain.strip():
        return plain, "text/plain"
    html = msg.htmlBody
    if html:
        text = html_to_text(_text(html))
        if text.strip():
            return text, "text/html"
    return "", ""


def _attachment_names(msg: Any) -> list[str]:
    names = []
    for attachment in msg.attachments:
        name = ""
        for attribute in ("longFilename", "shortFilename", "name"):
            try:
                name = str(getattr(attachment, attribute, None) or "")
            except Exception:  # noqa: BLE001 - a broken attachment is still counted
                name = ""
            if name:
                break
        names.append(name)
    return names


def _message_row(msg: Any, label: str, source: SourceConfig, cfg: IngestConfig) -> dict[str, Any]:
    limit = cfg.excerpt_chars
    if not hasattr(msg, "body") or not hasattr(msg, "htmlBody"):
        kind = str(getattr(msg, "classType", "") or type(msg).__name__)
        return rejected(label, label, "unreadable_file", f"expected an Outlook e-mail (IPM.Note), got an Outlook item of "
                        f"class {kind!r}; only messages are read")
    received_at, date_source = _date(msg, source_timezone(source, cfg))
    subject = str(msg.subject or "")
    if received_at is None:
        return rejected(label, label, "missing_date", "expected a submit time, a Date or Received transport header or a "
                        "delivery time in the .msg, found none", subject, limit)
    text, content_type = _body(msg)
    if not text.strip():
        return rejected(label, label, "empty_text", "expected a plain, HTML or RTF body in the .msg, found none with text",
                        subject, limit)
    if len(text) > cfg.max_record_chars:
        return rejected(label, label, "too_large", f"body is {len(text)} characters, the limit is {cfg.max_record_chars} "
                        "([ingest].max_record_chars)", text, limit)
    from_name, from_addr = _sender(msg)
    names = _attachment_names(msg)
    message_id = str(msg.messageId or "").strip().strip("<> \t")
    in_reply_to = _header(msg, "In-Reply-To") or str(msg.getStringStream("__substg1.0_1042") or "")
    return record(
        channel="email", source=label, source_id=message_id or _fallback_id(label, 1), received_at=received_at,
        text=text, location=label, customer_id=from_addr or None,
        metadata={
            "subject": _decoded(subject), "from_name": _decoded(from_name), "to": str(msg.to or ""),
            "in_reply_to": in_reply_to.strip("<> \t"), "content_type": content_type, "attachments": len(names),
            "attachment_names": [n for n in names if n] or None, "date_source": date_source or None, "format": "msg",
        },
    )


def read_msg(path: Path, source: SourceConfig, cfg: IngestConfig) -> Rows:
    """(record rows, quarantine rows) of one Outlook ``.msg`` file: one of the two holds one row."""
    import extract_msg
    from extract_msg.enums import ErrorBehavior

    label = str(path)
    tolerant = (ErrorBehavior.ATTACH_SUPPRESS_ALL | ErrorBehavior.RTFDE | ErrorBehavior.STANDARDS_VIOLATION
                | ErrorBehavior.NAMED_NAME_STREAM)
    msg = None
    try:
        msg = extract_msg.openMsg(str(path), errorBehavior=tolerant, delayAttachments=False)
        row = _message_row(msg, label, source, cfg)
    except Exception as exc:  # noqa: BLE001 - a broken .msg is one quarantine row
        log.debug("msg %s: %s", label, exc)
        row = rejected(label, label, "unreadable_file", "expected an Outlook .msg message (OLE2 compound file with "
                       f"__substg1.0_ property streams), extract-msg failed: {type(exc).__name__}: {str(exc)[:160]}")
    finally:
        if msg is not None:
            try:
                msg.close()
            except Exception as exc:  # noqa: BLE001 - closing a broken file
                log.debug("msg %s: close failed: %s", label, exc)
    return ([], [row]) if "reason" in row else ([row], [])


def read_file(path: Path, source: SourceConfig, cfg: IngestConfig) -> Batch:
    """Read one Outlook ``.msg`` file into a batch.

    Writes every ``RECORD_COLUMNS`` column: ``channel`` = ``"email"``, ``source`` and
    ``location`` = the path, ``source_id`` = the Message-ID (without ``<>``) or a hash of the
    path, ``received_at`` (see the module docstring), ``customer_id`` = the sender's SMTP address
    lowercased, ``text`` = the body as received, ``metadata`` = subject, from_name, to,
    in_reply_to, content_type, attachments (count), attachment_names, date_source (when not the
    submit time) and ``format = "msg"``; scores stay empty. Never raises for bad input.
    """
    label = str(path)
    try:
        return Batch.from_rows(*read_msg(path, source, cfg))
    except Exception as exc:  # noqa: BLE001 - never raise for a bad file
        return Batch.from_rows([], [rejected(label, label, "unreadable_file", f"{type(exc).__name__}: {str(exc)[:200]}")])


def _sniff_msg(probe: Probe) -> float:
    """An OLE2 compound file that holds a message's property streams (not an .xls or a .doc)."""
    if not probe.raw.startswith(OLE2_SIGNATURE):
        return 0.0
    if _SUBSTG in probe.raw and _PROPERTIES in probe.raw:
        return 0.97
    try:
        import olefile

        with olefile.OleFileIO(str(probe.path)) as ole:
            names = {entry[0] for entry in ole.listdir(streams=True, storages=True) if entry}
    except Exception:  # noqa: BLE001 - an unreadable compound file: only its extension speaks
        return 0.6 if probe.suffix == ".msg" else 0.0
    if "__properties_version1.0" in names and any(n.startswith("__substg1.0_") for n in names):
        return 0.97
    return 0.6 if probe.suffix == ".msg" else 0.0


register(InputFormat(
    name="email.msg.v1", channel="email", extensions=(".msg",),
    reads="one Outlook message saved as .msg (OLE2 compound file, MS-OXMSG), read with extract-msg",
    fields={"record": "the message", "text": "the plain body, else the HTML body as text, else the RTF body",
            "date": "client submit time, else the transport headers' Date:, else the topmost Received:, else the "
                    "delivery time (metadata date_source)",
            "author": "the sender's display name", "customer": "the sender's SMTP address",
            "id": "Message-ID (transport headers or PR_INTERNET_MESSAGE_ID), else a hash of the file"},
    sniff=_sniff_msg, read=read_file))
