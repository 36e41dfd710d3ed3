"""Help-desk exports: Zendesk (tickets and Zendesk Chat), Intercom, Crisp, LiveChat.

Each conversation (a ticket, a chat, an Intercom conversation, a Crisp session, a LiveChat
thread) becomes one conversation dict whose turns have the role ``customer``, ``agent`` or
``bot`` **as the help desk says** (requester vs other authors, ``author.type``, ``from``,
``users[].type``), then one record through :func:`verbatim.ingest.chat._conversation`.
Internal notes and events (assignments, system messages) are never turns; they are counted in
the metadata (``n_notes``). A satisfaction rating becomes ``csat`` (good = 5, bad = 1, 1-5 kept),
and its comment, which the customer wrote, the last line of the text.

Files may be one JSON document (an object, an array, an API page wrapping the array) or JSON
Lines (one object per line, Zendesk's JSON export); every object is one record or one
quarantine row.
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from verbatim.config import IngestConfig, SourceConfig
from verbatim.ingest.chat import _conversation, _depth, _hash_id, split_rows
from verbatim.ingest.common import Batch, decode_bytes, rejected
from verbatim.ingest.formats import InputFormat, Probe, fold, register

log = logging.getLogger(__name__)

Converted = tuple[dict[str, Any], dict[str, Any]] | str  # (conversation, extra metadata) or what is wrong


def html_text(value: Any) -> str:
    """Text of an HTML body (``<p>Bonjour</p><p>merci</p>`` -> ``Bonjour\\nmerci``)."""
    if not isinstance(value, str):
        return ""
    text = re.sub(r"(?i)<\s*br\s*/?>|</\s*(p|div|li|h\d)\s*>", "\n", value)
    text = html.unescape(re.sub(r"<[^>]+>", "", text)).replace("\u00a0", " ")  # &nbsp; is an editor's space
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def _rating(value: Any) -> int | None | str:
    """good/bad -> 5/1, a number kept (parse_score checks it), offered/unoffered/None -> None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value  # type: ignore[return-value]
    word = fold(str(value or "")).strip()
    if word in ("good", "rated_good", "bon", "satisfait"):
        return 5
    if word in ("bad", "rated_bad", "mauvais", "insatisfait"):
        return 1
    return word if word.isdigit() else None


def _load_items(path: Path, source: SourceConfig, cfg: IngestConfig,
                unwrap: Callable[[Any], list[Any] | None]) -> tuple[list[tuple[str, Any]], list[dict[str, Any]]]:
    """(location, object) of every conversation in the file, and the rows of what could not be parsed."""
    label = str(path)
    limit = cfg.excerpt_chars
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return [], [rejected(label, label, "unreadable_file", f"cannot read the file: {exc.strerror or exc}")]
    text = decode_bytes(raw, source.encoding)[0].removeprefix("\ufeff")
    try:
        value = json.loads(text)
    except RecursionError:
        return [], [rejected(label, label, "too_large", "the document is nested too deep to parse; the limit is "
                             f"[ingest].max_json_depth = {cfg.max_json_depth}")]
    except json.JSONDecodeError as exc:
        first = next((line for line in text.splitlines() if line.strip()), "")
        try:
            json.loads(first)
        except (json.JSONDecodeError, RecursionError):
            return [], [rejected(label, label, "malformed_json", f"expected one JSON document or JSON Lines; invalid JSON at "
                                 f"line {exc.lineno}, column {exc.colno}: {exc.msg}", text, limit)]
        items: list[tuple[str, Any]] = []
        bad: list[dict[str, Any]] = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                items.append((f"{label}:{number}", json.loads(line)))
            except (json.JSONDecodeError, RecursionError) as err:
                bad.append(rejected(label, f"{label}:{number}", "malformed_json", f"expected one JSON object per line; {err}",
                                    line, limit))
        return items, bad
    listed = unwrap(value)
    if listed is None:
        return [(label, value)], []
    return [(f"{label}#{i}", item) for i, item in enumerate(listed, start=1)], []


def _read(path: Path, source: SourceConfig, cfg: IngestConfig, unwrap: Callable[[Any], list[Any] | None],
          convert: Callable[[dict[str, Any]], Converted], what: str) -> Batch:
    label = str(path)
    items, rows = _load_items(path, source, cfg, unwrap)
    for index, (location, item) in enumerate(items, start=1):
        excerpt = json.dumps(item, ensure_ascii=False, default=str)[:400]
        if not isinstance(item, dict):
            rows.append(rejected(label, location, "malformed_record", f"expected {what}, got a JSON {type(item).__name__}",
                                 excerpt, cfg.excerpt_chars))
            continue
        if _depth(item, cfg.max_json_depth) > cfg.max_json_depth:
            rows.append(rejected(label, location, "too_large", f"the object is nested more than {cfg.max_json_depth} levels "
                                 "deep ([ingest].max_json_depth)"))
            continue
        try:
            converted = convert(item)
        except (AttributeError, TypeError, ValueError, KeyError) as exc:  # a shape we did not foresee: that record only
            converted = f"expected {what}; {type(exc).__name__}: {str(exc)[:120]}"
        if isinstance(converted, str):
            rows.append(rejected(label, location, "malformed_record", converted, excerpt, cfg.excerpt_chars))
            continue
        conv, extra = converted
        if not conv.get("conversation_id"):
            conv["conversation_id"] = _hash_id(label, index)
        rows.append(_conversation(conv, label, location, index, source, cfg, extra={"customer_side": "roles", **extra}))
    return split_rows(rows)


def _list_under(value: Any, keys: tuple[str, ...]) -> list[Any] | None:
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        for key in keys:
            if isinstance(value.get(key), list):
                return value[key]
    return None


def _id(value: Any) -> str | None:
    return None if value in (None, "") or isinstance(value, (dict, list)) else str(value)


# --------------------------------------------------------------------------- Zendesk

def _zendesk_ticket(item: dict[str, Any]) -> Converted:
    ticket = item["ticket"] if isinstance(item.get("ticket"), dict) else item
    comments = item.get("comments") if isinstance(item.get("comments"), list) else ticket.get("comments")
    requester = _id(ticket.get("requester_id"))
    if requester is None:
        return "expected a Zendesk ticket with 'requester_id' (the customer), got none"
    turns: list[dict[str, Any]] = []
    notes = 0
    if isinstance(comments, list) and comments:
        for comment in comments:
            if not isinstance(comment, dict):
                continue
            if comment.get("public") is False:
                notes += 1
                continue
            text = comment.get("plain_body") or comment.get("body") or html_text(comment.get("html_body"))
            role = "customer" if _id(comment.get("author_id")) == requester else "agent"
            turns.append({"role": role, "text": text, "timestamp": comment.get("created_at")})
    elif ticket.get("description"):
        turns.append({"role": "customer", "text": ticket["description"], "timestamp": ticket.get("created_at")})
    rating = ticket.get("satisfaction_rating") if isinstance(ticket.get("satisfaction_rating"), dict) else {}
    if isinstance(rating.get("comment"), str) and rating["comment"].strip():
        turns.append({"role": "customer", "text": rating["comment"], "timestamp": rating.get("updated_at")})
    via = ticket.get("via") if isinstance(ticket.get("via"), dict) else {}
    conv = {"conversation_id": _id(ticket.get("id")), "customer_id": requester, "started_at": ticket.get("created_at"),
            "messages": turns, "csat": _rating(rating.get("score")), "tags": ticket.get("tags") or None,
            "channel_detail": via.get("channel")}
    return conv, {"platform": "zendesk", "n_notes": notes or None, "status": ticket.get("status"),
                  "satisfaction": rating.get("score")}


def _zendesk_chat(chat: dict[str, Any]) -> Converted:
    history = chat.get("history")
    if not isinstance(history, list):
        return "expected a Zendesk Chat transcript with a 'history' list, got none"
    turns: list[dict[str, Any]] = []
    for event in history:
        if not isinstance(event, dict) or event.get("type") != "chat.msg":
            continue
        nick = str(event.get("nick") or "")
        role = "customer" if nick.startswith("visitor") else "bot" if nick == "agent:trigger" else "agent"
        turns.append({"role": role, "text": event.get("msg"), "timestamp": event.get("timestamp")})
    if chat.get("type") == "offline_msg" and isinstance(chat.get("message"), str):
        turns.append({"role": "customer", "text": chat["message"], "timestamp": chat.get("timestamp")})
    if isinstance(chat.get("comment"), str) and chat["comment"].strip():
        turns.append({"role": "customer", "text": chat["comment"], "timestamp": None})
    visitor = chat.get("visitor") if isinstance(chat.get("visitor"), dict) else {}
    conv = {"conversation_id": _id(chat.get("id")), "customer_id": _id(visitor.get("id")), "started_at": chat.get("timestamp"),
            "messages": turns, "csat": _rating(chat.get("rating")), "tags": chat.get("tags") or None}
    return conv, {"platform": "zendesk_chat", "satisfaction": chat.get("rating"), "department": chat.get("department_name")}


def _zendesk(item: dict[str, Any]) -> Converted:
    return _zendesk_chat(item) if "history" in item else _zendesk_ticket(item)


def read_zendesk(path: Path, source: SourceConfig, cfg: IngestConfig) -> Batch:
    """Read Zendesk tickets (API or JSON export, comments inline) and Zendesk Chat transcripts.

    Ticket: the requester's public comments are the customer's turns (``plain_body``, else
    ``body``), other authors' public comments the agent's, private comments notes;
    ``source_id`` = ticket ``id``, ``customer_id`` = ``requester_id``, ``received_at`` = the first
    requester comment's ``created_at``, ``csat`` from ``satisfaction_rating.score``, metadata
    platform ``zendesk``, channel_detail (``via.channel``), tags, status, n_notes. Chat: ``chat.msg``
    events of ``nick`` visitor are the customer's; ``source_id`` = chat ``id``, ``customer_id`` =
    ``visitor.id``, ``csat`` from ``rating``. Never raises for bad input.
    """
    return _read(path, source, cfg, lambda v: _list_under(v, ("tickets", "chats", "results")) if not (
        isinstance(v, dict) and isinstance(v.get("ticket"), dict)) else None, _zendesk, "a Zendesk ticket or chat object")


def _sniff_zendesk(probe: Probe) -> float:
    obj = probe.first_object
    if not obj:
        return 0.0
    for key in ("tickets", "chats", "results"):
        if isinstance(obj.get(key), list) and obj[key] and isinstance(obj[key][0], dict):
            obj = obj[key][0]
            break
    if isinstance(obj.get("ticket"), dict) and "requester_id" in obj["ticket"]:
        return 0.95
    if "requester_id" in obj and ("comments" in obj or "description" in obj or "satisfaction_rating" in obj):
        return 0.95
    if isinstance(obj.get("history"), list) and ("visitor" in obj or '"chat.msg"' in probe.head):
        return 0.9
    return 0.0


# --------------------------------------------------------------------------- Intercom

_INTERCOM_CUSTOMER = ("user", "lead", "contact")
_INTERCOM_AGENT = ("admin", "team")


def _intercom_role(author: Any) -> str:
    kind = fold(author.get("type") if isinstance(author, dict) else "")
    return "customer" if kind in _INTERCOM_CUSTOMER else "agent" if kind in _INTERCOM_AGENT else "bot" if kind == "bot" else "unknown"


def _intercom(conv: dict[str, Any]) -> Converted:
    if conv.get("type") not in (None, "conversation") or not ("source" in conv or "conversation_parts" in conv):
        return f"expected an Intercom conversation (type 'conversation' with 'source' and 'conversation_parts'), got type {conv.get('type')!r}"
    source = conv.get("source") if isinstance(conv.get("source"), dict) else {}
    turns: list[dict[str, Any]] = []
    if source.get("body"):
        turns.append({"role": _intercom_role(source.get("author")), "text": html_text(source["body"]),
                      "timestamp": conv.get("created_at")})
    parts = conv.get("conversation_parts")
    if isinstance(parts, dict):
        parts = parts.get("conversation_parts")
    notes = events = 0
    for part in parts if isinstance(parts, list) else []:
        if not isinstance(part, dict):
            continue
        kind = part.get("part_type")
        if kind == "note":
            notes += 1
            continue
        if kind != "comment" and not (kind in ("open", "close") and part.get("body")):
            events += 1
            continue
        turns.append({"role": _intercom_role(part.get("author")), "text": html_text(part.get("body")),
                      "timestamp": part.get("created_at")})
    rating = conv.get("conversation_rating") if isinstance(conv.get("conversation_rating"), dict) else {}
    if isinstance(rating.get("remark"), str) and rating["remark"].strip():
        turns.append({"role": "customer", "text": rating["remark"], "timestamp": rating.get("created_at")})
    author = source.get("author") if isinstance(source.get("author"), dict) else {}
    contacts = conv.get("contacts")
    contacts = contacts.get("contacts") if isinstance(contacts, dict) else contacts
    contact = contacts[0] if isinstance(contacts, list) and contacts and isinstance(contacts[0], dict) else {}
    customer = (author.get("id") if _intercom_role(author) == "customer" else None) or contact.get("id")
    out = {"conversation_id": _id(conv.get("id")), "customer_id": _id(customer), "started_at": conv.get("created_at"),
           "messages": turns, "csat": rating.get("rating")}
    tags = conv.get("tags")
    tags = tags.get("tags") if isinstance(tags, dict) else tags
    names = [t.get("name") for t in tags if isinstance(t, dict) and t.get("name")] if isinstance(tags, list) else []
    return out, {"platform": "intercom", "n_notes": notes or None, "n_events": events or None, "tags": names or None,
                 "channel_detail": source.get("type") if source.get("type") != "conversation" else None,
                 "state": conv.get("state")}


def read_intercom(path: Path, source: SourceConfig, cfg: IngestConfig) -> Batch:
    """Read Intercom conversations (one object, a ``conversation.list`` page, an array or JSON Lines).

    Turns: the ``source`` (first message) and the ``comment`` parts, role from ``author.type``
    (user/lead/contact = customer, admin/team = agent, bot = bot), HTML bodies as text; notes
    and assignments are not turns. ``source_id`` = conversation ``id``, ``received_at`` = the first
    customer turn (Unix ``created_at``), ``customer_id`` = the customer author's (or first
    contact's) id, ``csat`` = ``conversation_rating.rating`` (its remark the last line of the
    text), metadata platform ``intercom``, n_notes, n_events, tags, state. Never raises for bad input.
    """
    return _read(path, source, cfg, lambda v: _list_under(v, ("conversations", "data")) if not (
        isinstance(v, dict) and "source" in v) else None, _intercom, "an Intercom conversation object")


def _sniff_intercom(probe: Probe) -> float:
    obj = probe.first_object
    if not obj:
        return 0.0
    if obj.get("type") == "conversation.list" or (isinstance(obj.get("conversations"), list) and '"conversation_parts"' in probe.head):
        return 0.95
    if obj.get("type") == "conversation" or ("conversation_parts" in obj and "source" in obj):
        return 0.95
    return 0.0


# --------------------------------------------------------------------------- Crisp

def _crisp_messages(value: Any) -> list[Any] | None:
    data = value.get("data") if isinstance(value, dict) and "data" in value else value
    if isinstance(data, dict) and isinstance(data.get("messages"), list):
        return None  # one conversation
    if isinstance(data, list) and data and all(isinstance(m, dict) and "messages" not in m for m in data):
        sessions: dict[str, list[Any]] = {}
        for message in data:
            sessions.setdefault(str(message.get("session_id") or ""), []).append(message)
        return [{"session_id": sid or None, "messages": msgs} for sid, msgs in sessions.items()]
    return data if isinstance(data, list) else None


def _crisp(conv: dict[str, Any]) -> Converted:
    conv = conv.get("data") if isinstance(conv.get("data"), dict) else conv
    messages = conv.get("messages")
    if not isinstance(messages, list):
        return "expected Crisp messages (objects with session_id, from user|operator, type, content, timestamp), got none"
    turns: list[dict[str, Any]] = []
    notes = 0
    customer = None
    for message in sorted((m for m in messages if isinstance(m, dict)), key=lambda m: m.get("timestamp") or 0):
        kind = message.get("type")
        if kind == "note":
            notes += 1
            continue
        if kind == "event":
            continue
        side = message.get("from")
        origin = str(message.get("origin") or "")
        role = "customer" if side == "user" else "bot" if side == "operator" and origin.startswith("urn:") else \
            "agent" if side == "operator" else "unknown"
        content = message.get("content")
        text = content if kind == "text" and isinstance(content, str) else ""
        user = message.get("user") if isinstance(message.get("user"), dict) else {}
        if role == "customer" and customer is None:
            customer = user.get("user_id")
        turns.append({"role": role, "text": text, "timestamp": message.get("timestamp")})
    session = conv.get("session_id") or next((m.get("session_id") for m in messages if isinstance(m, dict)), None)
    meta = conv.get("meta") if isinstance(conv.get("meta"), dict) else {}
    out = {"conversation_id": _id(session), "customer_id": _id(customer) or _id(session), "started_at": conv.get("created_at"),
           "messages": turns, "tags": meta.get("segments") or None}
    return out, {"platform": "crisp", "n_notes": notes or None,
                 "origin": next((m.get("origin") for m in messages if isinstance(m, dict) and m.get("from") == "user"), None)}


def read_crisp(path: Path, source: SourceConfig, cfg: IngestConfig) -> Batch:
    """Read Crisp conversation messages (API ``data`` list, a bare list, or conversations with ``messages``).

    Messages are grouped by ``session_id`` (one record each); ``from`` user = customer, operator
    = agent (bot when ``origin`` is a ``urn:`` plugin/bot), ``type`` note never a turn, only
    ``text`` messages have words. ``source_id`` = ``session_id``, ``received_at`` = the first user
    message (``timestamp`` in ms), ``customer_id`` = its ``user.user_id`` (else the session),
    metadata platform ``crisp``, origin, n_notes. Never raises for bad input.
    """
    return _read(path, source, cfg, _crisp_messages, _crisp, "a Crisp message list or conversation")


def _sniff_crisp(probe: Probe) -> float:
    value = probe.json
    data = value.get("data") if isinstance(value, dict) and "data" in value else value
    if isinstance(data, dict) and isinstance(data.get("messages"), list):
        data = data["messages"]
    first = next((m for m in data if isinstance(m, dict)), None) if isinstance(data, list) else None
    if first and isinstance(first.get("messages"), list):
        first = next((m for m in first["messages"] if isinstance(m, dict)), None)
    if first and "session_id" in first and first.get("from") in ("user", "operator") and (
            "fingerprint" in first or "website_id" in first or "origin" in first):
        return 0.9
    return 0.0


# --------------------------------------------------------------------------- LiveChat

def _livechat_threads(value: Any) -> list[Any] | None:
    chats = _list_under(value, ("chats", "threads"))
    if chats is None:
        return None
    out: list[Any] = []
    for chat in chats:
        if isinstance(chat, dict) and isinstance(chat.get("threads"), list):
            out += [{**chat, "thread": thread, "threads": None} for thread in chat["threads"]]
        else:
            out.append(chat)
    return out


def _livechat(chat: dict[str, Any]) -> Converted:
    if isinstance(chat.get("messages"), list):  # REST API v2 transcripts
        turns = [{"role": {"visitor": "customer", "agent": "agent", "supervisor": "agent"}.get(str(m.get("user_type")), "unknown"),
                  "text": m.get("text"), "timestamp": m.get("timestamp") or m.get("date")}
                 for m in chat["messages"] if isinstance(m, dict)]
        visitor = chat.get("visitor") if isinstance(chat.get("visitor"), dict) else {}
        conv = {"conversation_id": _id(chat.get("id")), "customer_id": _id(visitor.get("id") or chat.get("visitor_id")),
                "started_at": chat.get("started_timestamp"), "messages": turns, "csat": _rating(chat.get("rate")),
                "tags": chat.get("tags") or None}
        return conv, {"platform": "livechat", "satisfaction": chat.get("rate")}
    thread = chat.get("thread") if isinstance(chat.get("thread"), dict) else chat
    events = thread.get("events")
    if not isinstance(events, list):
        return "expected a LiveChat chat with thread.events (or chats[].thread.events), got none"
    users = {str(u.get("id")): u for u in chat.get("users") or [] if isinstance(u, dict)}
    turns: list[dict[str, Any]] = []
    notes = 0
    customer = None
    for event in events:
        if not isinstance(event, dict) or event.get("type") not in ("message", "file", "rich_message"):
            continue
        if event.get("visibility") == "agents":
            notes += 1
            continue
        author = users.get(str(event.get("author_id")), {})
        kind = str(author.get("type") or "")
        role = "customer" if kind == "customer" else "agent" if kind == "agent" else "bot" if kind == "bot" else "unknown"
        if role == "customer" and customer is None:
            customer = event.get("author_id")
        text = event.get("text") if event.get("type") == "message" else ""
        turns.append({"role": role, "text": text, "timestamp": event.get("created_at")})
    properties = thread.get("properties") if isinstance(thread.get("properties"), dict) else {}
    rating = properties.get("rating") if isinstance(properties.get("rating"), dict) else {}
    score = rating.get("score") if isinstance(rating.get("score"), dict) else {}
    comment = rating.get("comment") if isinstance(rating.get("comment"), dict) else {}
    if isinstance(comment.get("value"), str) and comment["value"].strip():
        turns.append({"role": "customer", "text": comment["value"], "timestamp": None})
    value = score.get("value")
    csat = 5 if value == 1 else 1 if value == 0 and not isinstance(value, bool) else None
    chat_id = _id(chat.get("id"))
    thread_id = _id(thread.get("id")) if thread is not chat else None
    conv = {"conversation_id": f"{chat_id}/{thread_id}" if chat_id and thread_id else chat_id or thread_id,
            "customer_id": _id(customer), "started_at": thread.get("created_at"), "messages": turns, "csat": csat,
            "tags": thread.get("tags") or None}
    return conv, {"platform": "livechat", "n_notes": notes or None}


def read_livechat(path: Path, source: SourceConfig, cfg: IngestConfig) -> Batch:
    """Read LiveChat chats: Agent API v3 (``thread.events`` with ``users[].type`` customer|agent,
    archives ``{"chats": [...]}``) and REST v2 transcripts (``messages`` with ``user_type``).

    One record per thread: message events of customer users are the customer's turns, events
    visible to agents only are notes, system messages and forms are not turns. ``source_id`` =
    ``chat id/thread id``, ``received_at`` = the first customer message's ``created_at``,
    ``customer_id`` = the customer user's id, ``csat`` from ``properties.rating.score.value``
    (1 good = 5, 0 bad = 1), its comment the last line of the text; metadata platform ``livechat``,
    n_notes. Never raises for bad input.
    """
    return _read(path, source, cfg, _livechat_threads, _livechat, "a LiveChat chat object")


def _sniff_livechat(probe: Probe) -> float:
    obj = probe.first_object
    if not obj:
        return 0.0
    if isinstance(obj.get("chats"), list):
        obj = next((c for c in obj["chats"] if isinstance(c, dict)), {})
    thread = obj.get("thread") if isinstance(obj.get("thread"), dict) else (
        obj["threads"][0] if isinstance(obj.get("threads"), list) and obj["threads"] and isinstance(obj["threads"][0], dict) else None)
    if thread is not None and isinstance(thread.get("events"), list) and isinstance(obj.get("users"), list):
        return 0.9
    if isinstance(obj.get("messages"), list) and '"user_type"' in probe.head and ('"visitor' in probe.head):
        return 0.85
    return 0.0


_ROLES_SIDE = "the help desk's roles: "
register(InputFormat(
    name="chat.zendesk.v1", channel="chat", extensions=(".json", ".jsonl"),
    reads="Zendesk tickets with their comments (API, JSON export) and Zendesk Chat transcripts (history)",
    fields={"record": "one ticket or chat", "text": "the requester's public comments (plain_body|body), chat.msg of the visitor; "
            "then the satisfaction comment", "date": "first requester comment created_at (chat: first visitor msg)",
            "author": "author_id / nick", "customer": "requester_id (chat: visitor.id)", "id": "ticket id / chat id",
            "scores": "csat: satisfaction_rating.score / rating (good 5, bad 1)",
            "customer_side": _ROLES_SIDE + "author_id == requester_id; nick visitor",
            "skipped": "private comments (notes), agents' comments, chat events"},
    sniff=_sniff_zendesk, read=read_zendesk))
register(InputFormat(
    name="chat.intercom.v1", channel="chat", extensions=(".json", ".jsonl"),
    reads="Intercom conversations (REST API objects, conversation.list pages, arrays, JSON Lines)",
    fields={"record": "one conversation", "text": "source.body and comment parts of user/lead/contact authors (HTML as text), "
            "then the rating remark", "date": "first customer turn (created_at, Unix)", "author": "author.type",
            "customer": "the customer author's id, else contacts[0].id", "id": "conversation id",
            "scores": "csat: conversation_rating.rating (1-5)",
            "customer_side": _ROLES_SIDE + "author.type user|lead|contact; admin|team agent; bot",
            "skipped": "notes, assignments and other events, admin and bot parts"},
    sniff=_sniff_intercom, read=read_intercom))
register(InputFormat(
    name="chat.crisp.v1", channel="chat", extensions=(".json",),
    reads="Crisp conversation messages (REST API data list, or conversations with messages)",
    fields={"record": "one session (messages grouped by session_id)", "text": "content of the user's text messages",
            "date": "first user message timestamp (ms)", "author": "from", "customer": "user.user_id, else session_id",
            "id": "session_id", "customer_side": _ROLES_SIDE + "from user; operator agent (bot when origin is urn:...)",
            "skipped": "notes, events, files and pickers (no words), operator messages"},
    sniff=_sniff_crisp, read=read_crisp))
register(InputFormat(
    name="chat.livechat.v1", channel="chat", extensions=(".json",),
    reads="LiveChat chats: Agent API v3 (thread.events, users, archives) and REST v2 transcripts",
    fields={"record": "one chat thread", "text": "text of the customer's message events, then the rating comment",
            "date": "first customer message created_at", "author": "author_id -> users[].type",
            "customer": "the customer user's id", "id": "chat id/thread id",
            "scores": "csat: properties.rating.score.value (1 good = 5, 0 bad = 1); v2 rate rated_good|rated_bad",
            "customer_side": _ROLES_SIDE + "users[].type customer|agent (v2: user_type visitor|agent)",
            "skipped": "system messages, forms, events visible to agents only"},
    sniff=_sniff_livechat, read=read_livechat))
