"""JSON exports of chat apps: Facebook Messenger and Instagram ("Download your information"), Telegram Desktop.

Like the text exports (:mod:`verbatim.ingest.chat_text`) these hold threads between named
people: each thread is cut into conversations where two messages are more than
``[ingest].chat_session_gap_hours`` apart (one record each), and the customer's side is told by
``[[sources]] agents``, else by the export: a Messenger/Instagram thread's ``title`` is the other
party of a one-to-one thread; a Telegram ``personal_chat``'s ``id`` and ``name`` are the other
party's, and an all-chats export's ``personal_information.user_id`` is the exporter's.

Messenger and Instagram write UTF-8 text as if each byte were a Latin-1 character
(``"Ã©"`` for ``é``, emoji as ``\\u00f0\\u009f...``): :func:`repair_mojibake` undoes it exactly
(a string that is not such mojibake is kept as it is).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from verbatim.config import IngestConfig, SourceConfig
from verbatim.ingest.chat import SideHint, ThreadMessage, _depth, split_rows, thread_rows
from verbatim.ingest.common import Batch, decode_bytes, rejected
from verbatim.ingest.formats import InputFormat, Probe, fold, register

log = logging.getLogger(__name__)


def _load(path: Path, source: SourceConfig, cfg: IngestConfig) -> tuple[Any, dict[str, Any] | None]:
    """(parsed JSON, None) or (None, the ``unreadable_file``/``malformed_json``/``too_large`` row)."""
    label = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, rejected(label, label, "unreadable_file", f"cannot read the file: {exc.strerror or exc}")
    text = decode_bytes(raw, source.encoding)[0].removeprefix("\ufeff")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, rejected(label, label, "malformed_json", f"expected one JSON document; invalid JSON at line {exc.lineno}, "
                              f"column {exc.colno}: {exc.msg}", text, cfg.excerpt_chars)
    except RecursionError:
        return None, rejected(label, label, "too_large", "the document is nested too deep to parse; the limit is "
                              f"[ingest].max_json_depth = {cfg.max_json_depth}")
    if _depth(value, cfg.max_json_depth) > cfg.max_json_depth:
        return None, rejected(label, label, "too_large", f"the document is nested more than {cfg.max_json_depth} levels deep "
                              "([ingest].max_json_depth)")
    return value, None


def _epoch(value: Any) -> datetime | None:
    try:
        number = float(value)
        return datetime.fromtimestamp(number / 1000 if number > 1e11 else number, tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


# --------------------------------------------------------------------------- Messenger / Instagram

def repair_mojibake(value: Any) -> Any:
    """Undo Meta's export mojibake: UTF-8 bytes written as Latin-1 characters (``"CafÃ©"`` -> ``"Café"``).

    A string is repaired only when every character is below U+0100 and its bytes decode as
    UTF-8; anything else (already right, or not mojibake) is returned unchanged. Lists and dicts
    are repaired throughout.
    """
    if isinstance(value, str):
        try:
            return value.encode("latin-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return value
    if isinstance(value, list):
        return [repair_mojibake(v) for v in value]
    if isinstance(value, dict):
        return {k: repair_mojibake(v) for k, v in value.items()}
    return value


_MEDIA_KEYS = ("photos", "videos", "audio_files", "files", "gifs", "sticker", "share", "attachments")
_META_NOTICES = ("a envoye une piece jointe", "sent an attachment", "a aime un message", "liked a message",
                 "a reagi", "reacted ", "a envoye un autocollant", "sent a sticker", "a envoye une photo", "sent a photo",
                 "a envoye une video", "sent a video", "a envoye un message vocal", "sent a voice message")
_META_SYSTEM = ("Call", "Unsubscribe", "Subscribe")


def _messenger_thread(thread: dict[str, Any], label: str, source: SourceConfig, cfg: IngestConfig,
                      platform: str) -> list[dict[str, Any]]:
    thread = repair_mojibake(thread)
    raw = thread.get("messages")
    if not isinstance(raw, list):
        return [rejected(label, label, "malformed_record", "expected a 'messages' list in the Messenger/Instagram thread, got "
                         f"{type(raw).__name__ if raw is not None else 'none'}", json.dumps(thread, ensure_ascii=False)[:400],
                         cfg.excerpt_chars)]
    rows: list[dict[str, Any]] = []
    messages: list[ThreadMessage] = []
    for position, item in enumerate(raw, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("sender_name"), str):
            rows.append(rejected(label, f"{label}#{position}", "malformed_record",
                                 "expected a message object with 'sender_name' and 'timestamp_ms', got "
                                 f"{type(item).__name__ if not isinstance(item, dict) else sorted(item)[:8]}",
                                 json.dumps(item, ensure_ascii=False, default=str)[:400], cfg.excerpt_chars))
            continue
        content = item.get("content") if isinstance(item.get("content"), str) else ""
        at = _epoch(item.get("timestamp_ms"))
        kind = "message"
        has_media = any(k in item for k in _MEDIA_KEYS)
        folded = fold(content).strip()
        notice = len(folded) < 160 and any(n in folded for n in _META_NOTICES) and (
            has_media or folded.startswith((fold(item["sender_name"]), "vous ", "you ", "a reagi", "reacted")))
        if item.get("type") in _META_SYSTEM:
            kind = "system"
        elif item.get("is_unsent"):
            kind, content = "deleted", ""
        elif not folded or notice:
            kind, content = ("media" if has_media or notice else "message"), ""
        messages.append(ThreadMessage(item["sender_name"], content, at, position, kind=kind))
    messages.reverse()  # the export writes the newest message first
    title = thread.get("title") if isinstance(thread.get("title"), str) else ""
    participants = [p.get("name") for p in thread.get("participants") or [] if isinstance(p, dict) and p.get("name")]
    hint = SideHint(customers=(title,), rule="title", said=title) if title and len(participants) <= 2 else SideHint(said=title)
    key = thread.get("thread_path") or title or Path(label).parent.name
    rows += thread_rows(messages, platform=platform, label=label, thread_key=f"{platform}|{key}", hint=hint, source=source,
                        cfg=cfg, location=lambda m: f"{label}#{m.line}", extra={"thread_participants": len(participants) or None})
    return rows


def read_messenger(path: Path, source: SourceConfig, cfg: IngestConfig) -> Batch:
    """Read a Messenger or Instagram ``message_N.json``: one record per conversation of the thread.

    Writes ``RECORD_COLUMNS`` like :func:`verbatim.ingest.chat.thread_rows`: ``text`` = the
    customer's ``content`` of the conversation, one message per line (mojibake repaired;
    attachments, reactions, calls and unsent messages have no words), ``received_at`` = its first
    customer message (``timestamp_ms``), ``customer_id`` = the customer's ``sender_name``,
    ``metadata`` = platform (``instagram`` when the path says so, else ``messenger``),
    customer_side, participants, thread_participants, turn counts, first_agent_reply.
    ``location`` is ``path#N``, N the message's position in the file. Never raises for bad input.
    """
    value, problem = _load(path, source, cfg)
    if problem:
        return Batch.from_rows([], [problem])
    platform = "instagram" if any("instagram" in part.lower() for part in path.parts) else "messenger"
    if not isinstance(value, dict):
        return Batch.from_rows([], [rejected(str(path), str(path), "malformed_record",
                                             f"expected a Messenger thread object, got a JSON {type(value).__name__}")])
    return split_rows(_messenger_thread(value, str(path), source, cfg, platform))


def _sniff_messenger(probe: Probe) -> float:
    obj = probe.first_object
    if not obj or not isinstance(obj.get("messages"), list):
        return 0.0
    first = next((m for m in obj["messages"] if isinstance(m, dict)), {})
    if not isinstance(obj.get("participants"), list):  # a thread trimmed to its messages: their keys still tell
        return 0.9 if "sender_name" in first and "timestamp_ms" in first else 0.0
    return 0.95 if "sender_name" in first and "timestamp_ms" in first else 0.8 if "sender_name" in probe.head else 0.0


# --------------------------------------------------------------------------- Telegram

_TELEGRAM_TYPES = ("personal_chat", "bot_chat", "private_group", "private_supergroup", "public_supergroup",
                   "private_channel", "public_channel", "saved_messages")
_TELEGRAM_MEDIA = ("photo", "file", "media_type", "sticker_emoji", "location_information", "contact_information", "poll")


def telegram_text(value: Any) -> str:
    """A Telegram ``text``: a string, or a list of strings and entity objects (``{"type": "bold", "text": ...}``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(part if isinstance(part, str) else str(part.get("text", "")) if isinstance(part, dict) else ""
                       for part in value)
    return ""


def _telegram_chat(chat: dict[str, Any], label: str, where: str, source: SourceConfig, cfg: IngestConfig,
                   owner: str | None) -> list[dict[str, Any]]:
    raw = chat.get("messages")
    if not isinstance(raw, list):
        return [rejected(label, where, "malformed_record", "expected a 'messages' list in the Telegram chat, got "
                         f"{type(raw).__name__ if raw is not None else 'none'}",
                         json.dumps(chat, ensure_ascii=False, default=str)[:400], cfg.excerpt_chars)]
    rows: list[dict[str, Any]] = []
    messages: list[ThreadMessage] = []
    for position, item in enumerate(raw, start=1):
        if not isinstance(item, dict) or item.get("type") not in ("message", "service"):
            rows.append(rejected(label, f"{where}#{position}", "malformed_record",
                                 "expected a Telegram message object with type 'message' or 'service', got "
                                 f"{item.get('type') if isinstance(item, dict) else type(item).__name__!r}",
                                 json.dumps(item, ensure_ascii=False, default=str)[:400], cfg.excerpt_chars))
            continue
        at = _epoch(item.get("date_unixtime")) or (datetime.fromisoformat(item["date"]) if _iso(item.get("date")) else None)
        if item["type"] == "service":
            messages.append(ThreadMessage(str(item.get("actor") or ""), "", at, position, kind="system"))
            continue
        words = telegram_text(item.get("text")).strip()
        sender = str(item.get("from") or item.get("from_id") or "")
        kind = "message" if words else "media" if any(k in item for k in _TELEGRAM_MEDIA) else "message"
        messages.append(ThreadMessage(sender, words, at, position, sender_id=str(item.get("from_id") or "") or None, kind=kind))
    name = str(chat.get("name") or "")
    chat_id = chat.get("id")
    own = (f"user{owner}",) if owner else ()
    if chat.get("type") == "personal_chat":
        hint = SideHint(customers=tuple(x for x in (f"user{chat_id}" if chat_id is not None else "", name) if x),
                        own=own, rule="chat_id", said=name)
    else:
        hint = SideHint(own=own, rule="exporter_id", said=name)
    rows += thread_rows(messages, platform="telegram", label=label, thread_key=f"telegram|{chat_id or name}", hint=hint,
                        source=source, cfg=cfg, location=lambda m: f"{where}#{m.line}",
                        extra={"chat_type": chat.get("type")})
    return rows


def _iso(value: Any) -> bool:
    try:
        datetime.fromisoformat(str(value))
        return True
    except ValueError:
        return False


def read_telegram(path: Path, source: SourceConfig, cfg: IngestConfig) -> Batch:
    """Read a Telegram Desktop JSON export (``result.json``): one chat, or all chats (``chats.list``).

    Each chat is one thread (:func:`verbatim.ingest.chat.thread_rows`): ``text`` = the customer's
    messages of a conversation (``text`` strings and entity texts joined), ``received_at`` = the
    first customer message (``date_unixtime``, else ``date`` in the source's zone),
    ``customer_id`` = the customer's ``from`` name, ``metadata`` = platform ``telegram``,
    chat_type, customer_side, participants, turn counts, first_agent_reply. Service messages
    are not turns. ``location`` is ``path#N`` (one chat) or ``path#chat K#N``. Never raises for bad input.
    """
    label = str(path)
    value, problem = _load(path, source, cfg)
    if problem:
        return Batch.from_rows([], [problem])
    if not isinstance(value, dict):
        return Batch.from_rows([], [rejected(label, label, "malformed_record",
                                             f"expected a Telegram export object, got a JSON {type(value).__name__}")])
    owner = (value.get("personal_information") or {}).get("user_id") if isinstance(value.get("personal_information"), dict) else None
    if isinstance(value.get("messages"), list):
        return split_rows(_telegram_chat(value, label, label, source, cfg, str(owner) if owner else None))
    chats: list[Any] = []
    for key in ("chats", "left_chats"):
        section = value.get(key)
        if isinstance(section, dict) and isinstance(section.get("list"), list):
            chats += section["list"]
    rows: list[dict[str, Any]] = []
    for number, chat in enumerate(chats, start=1):
        where = f"{label}#chat {number}"
        if not isinstance(chat, dict):
            rows.append(rejected(label, where, "malformed_record", f"expected a chat object, got a JSON {type(chat).__name__}"))
            continue
        rows += _telegram_chat(chat, label, where, source, cfg, str(owner) if owner else None)
    if not chats:
        rows.append(rejected(label, label, "malformed_record", "expected 'messages' (one chat) or 'chats': {'list': [...]} "
                             f"(all chats), got keys {sorted(value)[:10]}"))
    return split_rows(rows)


def _sniff_telegram(probe: Probe) -> float:
    obj = probe.first_object
    if not obj:
        return 0.0
    if isinstance(obj.get("chats"), dict) and isinstance(obj["chats"].get("list"), list):
        return 0.95
    if isinstance(obj.get("messages"), list) and (obj.get("type") in _TELEGRAM_TYPES or "date_unixtime" in probe.head):
        first = next((m for m in obj["messages"] if isinstance(m, dict)), {})
        dated = "date" in first or "date_unixtime" in first
        return 0.95 if not first or (dated and first.get("type") in ("message", "service")) else 0.0
    return 0.0


register(InputFormat(
    name="chat.messenger-json.v1", channel="chat", extensions=(".json",),
    reads="Facebook Messenger and Instagram 'Download your information' threads (message_N.json)",
    fields={"record": "one conversation: the thread cut where messages are more than [ingest].chat_session_gap_hours apart",
            "text": "content of the customer's messages, one per line (Latin-1 mojibake repaired)",
            "date": "timestamp_ms of the conversation's first customer message", "author": "sender_name",
            "customer": "the customer's sender_name",
            "customer_side": "[[sources]] agents, else the thread's title (the other party of a one-to-one thread)",
            "id": "hash of thread_path and the conversation's first message time",
            "skipped": "attachments, reactions, calls, unsent messages; the business's messages"},
    sniff=_sniff_messenger, read=read_messenger))
register(InputFormat(
    name="chat.telegram-json.v1", channel="chat", extensions=(".json",),
    reads="Telegram Desktop JSON exports (result.json): one chat, or all chats (chats.list)",
    fields={"record": "one conversation per chat, cut where messages are more than [ingest].chat_session_gap_hours apart",
            "text": "text of the customer's messages (strings and entity texts joined), one per line",
            "date": "date_unixtime of the conversation's first customer message (else date)", "author": "from / from_id",
            "customer": "the customer's from name",
            "customer_side": "[[sources]] agents, else a personal_chat's id/name (the other party), else "
                             "personal_information.user_id (the exporter) in an all-chats export",
            "id": "hash of the chat id and the conversation's first message time",
            "skipped": "service messages, media without caption, the business's messages"},
    sniff=_sniff_telegram, read=read_telegram))
