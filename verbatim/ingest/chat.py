"""Chat connector: conversation transcripts (JSON, JSONL, CSV exports) -> one record per conversation.

A record's text is what the customer wrote, turn by turn (one line per turn); agent and bot
turns only feed the metadata (turn counts, first agent reply time).

Accepted inputs:

* JSON: one conversation (an object), an array of conversations, or an object wrapping the
  array (``{"conversations": [...]}``). A record is one conversation.
* JSONL / NDJSON: one conversation per line. A record is one non-blank line; a line that does
  not parse is one ``malformed_json`` row, the other lines are still read.
* CSV: one row per message (columns recognised by name, see ``_CSV_COLUMNS``), grouped by
  conversation id in order of appearance. **The record count of a CSV is the number of
  conversations plus the number of quarantined lines** (``malformed_row``, ``undecodable_bytes``,
  ``malformed_record`` for a line without conversation id): a bad line is quarantined on its
  own and its conversation is built from its other lines.

Documents nested deeper than ``[ingest].max_json_depth`` are quarantined (``too_large``), as is
a whole document too deep for the JSON parser itself.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from verbatim.config import IngestConfig, SourceConfig
from verbatim.ingest.common import Batch, decode_bytes, parse_date, parse_score, record, rejected, source_timezone
from verbatim.ingest.formats import InputFormat, Probe, register

log = logging.getLogger(__name__)

_CONV_ID = ("conversation_id", "id", "session_id", "chat_id")
_CUSTOMER = ("customer_id", "client_id", "customer", "user_id")
_START = ("started_at", "start", "date", "created_at")
_MESSAGES = ("messages", "turns", "transcript")
_ROLE = ("role", "author", "sender", "from", "speaker")
_TEXT = ("text", "message", "content", "body")
_TIME = ("timestamp", "time", "date", "sent_at")
_WRAPPERS = ("conversations", "chats", "sessions", "data", "items")

CUSTOMER_ROLES = frozenset({"client", "cliente", "customer", "user", "visiteur", "visiteuse", "visitor"})
AGENT_ROLES = frozenset({"agent", "conseiller", "conseillere", "advisor", "adviser", "operator", "operateur", "human_agent"})
BOT_ROLES = frozenset({"bot", "assistant", "system", "chatbot", "robot"})

_CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "conversation": ("conversation_id", "conversation", "id_conversation", "session_id"),
    "time": ("timestamp", "date", "horodatage", "time"),
    "role": ("role", "auteur", "author", "sender"),
    "text": ("message", "texte", "text", "contenu"),
    "customer": ("customer_id", "id_client", "client_id"),
}
_DELIMITERS = (",", ";", "\t", "|")


# --------------------------------------------------------------------------- small helpers

def _fold(value: Any) -> str:
    """Lowercase, accents removed, separators as ``_`` (``"Rôle"`` -> ``role``, ``"ID Client"`` -> ``id_client``)."""
    text = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[\s\-]+", "_", text.strip().casefold())


def _first(obj: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        value = obj.get(key)
        if value not in (None, "", [], {}):
            return value
    return None


def _as_text(value: Any) -> str:
    """A turn's text: a string, or the text parts of a list (``[{"type": "text", "text": ...}]``)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return " ".join(_as_text(v.get("text") if isinstance(v, dict) else v) for v in value).strip()
    if isinstance(value, dict):
        return _as_text(_first(value, _TEXT))
    return str(value)


def _as_id(value: Any) -> str | None:
    if isinstance(value, dict):
        value = _first(value, ("id", "customer_id", "client_id", "user_id", "email"))
    if value is None or isinstance(value, (dict, list)):
        return None
    return str(value).strip() or None


def _when(value: Any, tz: str) -> datetime | None:
    """parse_date, plus Unix epochs in seconds or milliseconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value == value:
        seconds = value / 1000 if value > 1e11 else value
        try:
            return parse_date(datetime.fromtimestamp(seconds, tz=UTC), tz)
        except (OverflowError, OSError, ValueError):
            return None
    return parse_date(value, tz)


def _role_kind(role: Any) -> str:
    """``customer``, ``agent``, ``bot`` or ``unknown``."""
    if isinstance(role, dict):  # {"type": "agent", "name": "Julie"}
        role = _first(role, ("type", "role", "kind"))
    name = _fold(role) if isinstance(role, str) else ""
    if name in CUSTOMER_ROLES:
        return "customer"
    if name in AGENT_ROLES:
        return "agent"
    if name in BOT_ROLES:
        return "bot"
    return "unknown"


def _depth(obj: Any, limit: int) -> int:
    """Nesting depth of parsed JSON, without recursion; stops counting past ``limit``."""
    deepest = 0
    stack = [(obj, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, (dict, list)):
            deepest = max(deepest, level)
            if deepest > limit:
                return deepest
            stack.extend((child, level + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


def _excerpt(value: Any, limit: int) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, default=str)[: limit * 2]
    except (ValueError, RecursionError):
        return str(value)[: limit * 2]


def _hash_id(label: str, index: int) -> str:
    return "h" + hashlib.blake2b(f"{label}#{index}".encode("utf-8", "surrogateescape"), digest_size=10).hexdigest()


# --------------------------------------------------------------------------- one conversation

def _conversation(conv: dict[str, Any], label: str, location: str, index: int, source: SourceConfig,
                  cfg: IngestConfig, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """One conversation object -> a record row or a quarantine row.

    ``extra`` is merged into the record's metadata (the named formats add platform,
    customer_side, participants...).
    """
    limit = cfg.excerpt_chars
    tz = source_timezone(source, cfg)
    excerpt = _excerpt(conv, limit)
    messages = _first(conv, _MESSAGES)
    if not isinstance(messages, list):
        return rejected(label, location, "malformed_record",
                        f"expected a list of turns under one of {list(_MESSAGES)}, got {type(messages).__name__ if messages is not None else 'none'}",
                        excerpt, limit)
    counts = {"customer": 0, "agent": 0, "bot": 0, "unknown": 0}
    unknown: set[str] = set()
    lines: list[str] = []
    first_customer_time: Any = None
    first_customer_at: datetime | None = None
    first_agent_reply: float | None = None
    for turn in messages:
        if not isinstance(turn, dict):
            continue
        role = _first(turn, _ROLE)
        kind = _role_kind(role)
        counts[kind] += 1
        if kind == "unknown":
            unknown.add(str(role)[:40])
        when = _first(turn, _TIME)
        if kind == "customer":
            text = re.sub(r"\s*[\r\n]+\s*", " ", _as_text(_first(turn, _TEXT))).strip()
            if text:
                if not lines:
                    first_customer_time = when
                    first_customer_at = _when(when, tz)
                lines.append(text)
        elif kind == "agent" and first_agent_reply is None and first_customer_at is not None:
            agent_at = _when(when, tz)
            if agent_at is not None and agent_at >= first_customer_at:
                first_agent_reply = (agent_at - first_customer_at).total_seconds()
    text = "\n".join(lines)
    if not text:
        return rejected(label, location, "empty_text",
                        f"expected at least one customer turn with text, got {len(messages)} turns "
                        f"({counts['customer']} customer, {counts['agent']} agent, {counts['bot']} bot, {counts['unknown']} unknown)",
                        excerpt, limit)
    if len(text) > cfg.max_record_chars:
        return rejected(label, location, "too_large",
                        f"customer text is {len(text)} characters, the limit is {cfg.max_record_chars} ([ingest].max_record_chars)",
                        text, limit)
    start = _first(conv, _START)
    received_at = first_customer_at or _when(start, tz)
    if received_at is None:
        given = [v for v in (first_customer_time, start) if v not in (None, "")]
        if not given:
            return rejected(label, location, "missing_date",
                            f"expected a time on the first customer turn ({'|'.join(_TIME)}) or a conversation start "
                            f"({'|'.join(_START)}), found neither", excerpt, limit)
        return rejected(label, location, "bad_date",
                        f"expected a date such as '2025-03-03T10:15:00+01:00' or '03/03/2025 10:15' (after 1990), got {str(given[0])[:40]!r}",
                        str(given[0]), limit)
    scores: dict[str, int | None] = {}
    for name in ("csat", "nps", "ces"):
        scores[name], problem = parse_score(conv.get(name), name)
        if problem:
            return rejected(label, location, "score_out_of_range", f"{problem}; expected a whole number", str(conv.get(name)), limit)
    conv_id = _as_id(_first(conv, _CONV_ID))
    return record(
        channel="chat", source=label, source_id=conv_id or _hash_id(label, index), received_at=received_at, text=text,
        location=location, customer_id=_as_id(_first(conv, _CUSTOMER)), **scores,
        metadata={
            "n_turns": len(messages), "n_customer_turns": counts["customer"], "n_agent_turns": counts["agent"],
            "n_bot_turns": counts["bot"], "first_agent_reply": first_agent_reply,
            "unknown_roles": sorted(unknown) or None,
            **{key: conv.get(key) for key in ("platform", "channel_detail", "tags", "topic") if conv.get(key) not in (None, "", [])},
            **(extra or {}),
        },
    )


def _items(label: str, location: str, value: Any, index: int, source: SourceConfig, cfg: IngestConfig,
           depth_limit: int) -> dict[str, Any]:
    """A parsed JSON value that should be one conversation -> record or quarantine row."""
    if not isinstance(value, dict):
        return rejected(label, location, "malformed_record", f"expected a conversation object, got a JSON {type(value).__name__}",
                        _excerpt(value, cfg.excerpt_chars), cfg.excerpt_chars)
    depth = _depth(value, depth_limit)
    if depth > depth_limit:
        return rejected(label, location, "too_large", f"conversation is nested more than {depth_limit} levels deep; "
                        f"the limit is [ingest].max_json_depth = {cfg.max_json_depth}")
    return _conversation(value, label, location, index, source, cfg)


# --------------------------------------------------------------------------- threads of chat apps

@dataclass
class ThreadMessage:
    """One message of a chat app's export, before the sides are told apart.

    Attributes:
        sender: the name (or phone number) the export shows.
        text: the words ("" for media, deleted messages and reactions).
        at: when it was sent (aware, or naive in the source's zone); None when the export has no time.
        line: first line in a text export, position in a JSON export (for locations).
        sender_id: a stable id when the export has one (Telegram ``from_id``).
        kind: ``message``, ``media``, ``deleted`` or ``system`` (system lines are not turns).
    """

    sender: str
    text: str
    at: datetime | None
    line: int = 0
    sender_id: str | None = None
    kind: str = "message"


@dataclass(frozen=True)
class SideHint:
    """What an export says about who is who.

    Attributes:
        customers: names or ids of the other party (the customer), e.g. the contact a WhatsApp
            export file is named after, a Messenger title, a Telegram personal chat's id.
        own: names or ids of the exporting side (the business), e.g. Signal's ``You``/``Me``.
        rule: how the hint was found (``file_name``, ``folder_name``, ``title``, ``chat_id``, ``outgoing``...).
        said: the names as the export gives them (for the quarantine detail).
    """

    customers: tuple[str, ...] = ()
    own: tuple[str, ...] = ()
    rule: str = ""
    said: str = ""


_BIDI_MARKS = dict.fromkeys(map(ord, "\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"))
_PHONE = re.compile(r"^\+?[\d\s().\-\u00a0\u202f]{6,}$")


def name_key(name: Any) -> str:
    """A participant's name as compared: marks and ``~`` removed, case and accents folded, spaces collapsed;
    a phone number keeps only its digits (and leading +)."""
    text = str(name or "").translate(_BIDI_MARKS).strip().lstrip("~").strip()
    if _PHONE.match(text):
        return ("+" if text.startswith("+") else "") + re.sub(r"\D", "", text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return re.sub(r"[\s\u00a0\u202f]+", " ", text).strip()


def _identity(message: ThreadMessage) -> str:
    return message.sender_id or name_key(message.sender)


def _matches(message: ThreadMessage, names: set[str]) -> bool:
    return name_key(message.sender) in names or (message.sender_id is not None and message.sender_id in names)


def tell_sides(messages: list[ThreadMessage], source: SourceConfig,
               hint: SideHint) -> tuple[set[str] | None, str, str]:
    """Which senders are the customer, by the first rule that tells.

    Rules, in order: ``[[sources]] agents`` (the business's own names; every other participant
    is the customer), then what the export says (``hint``). Returns (identities of the customer's
    messages, the rule, "") or (None, "", a detail naming the participants and what to set).
    """
    people: dict[str, ThreadMessage] = {}
    for message in messages:
        people.setdefault(_identity(message), message)
    agents = {name_key(a) for a in source.agents if name_key(a)}
    if agents:
        business = {ident for ident, m in people.items() if _matches(m, agents)}
        if business or len(people) <= 1:
            return set(people) - business, "agents", ""
    own = {name_key(n) for n in hint.own} | set(hint.own)
    theirs = {name_key(n) for n in hint.customers} | set(hint.customers)
    if own:
        business = {ident for ident, m in people.items() if _matches(m, own)}
        if business:
            return set(people) - business, hint.rule, ""
    if theirs:
        customers = {ident for ident, m in people.items() if _matches(m, theirs)}
        if customers:
            return customers, hint.rule, ""
    names = ", ".join(repr(m.sender) for m in list(people.values())[:8]) or "nobody"
    told = f"the export names {hint.said!r}, which is none of them" if hint.said else "the export does not say who exported it"
    if agents:
        told = f"none of them is among [[sources]] agents {sorted(source.agents)!r} and {told}"
    return None, "", (f"cannot tell the customer from the business among the participants {names} ({told}); "
                      "set [[sources]] agents = [\"<the business's names>\"] (or --agent NAME) so that every other "
                      "participant is the customer")


def split_sessions(messages: list[ThreadMessage], gap_hours: float, tz: str) -> list[list[ThreadMessage]]:
    """Cut a thread (in time order) where two messages are more than ``gap_hours`` apart."""
    sessions: list[list[ThreadMessage]] = []
    last: datetime | None = None
    for message in messages:
        when = _when(message.at, tz) if message.at is not None else None
        if not sessions or (when is not None and last is not None and (when - last).total_seconds() > gap_hours * 3600):
            sessions.append([])
        sessions[-1].append(message)
        last = when or last
    return sessions


def thread_rows(messages: list[ThreadMessage], *, platform: str, label: str, thread_key: str, hint: SideHint,
                source: SourceConfig, cfg: IngestConfig, location: Callable[[ThreadMessage], str],
                extra: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """A chat app's thread -> one record (or quarantine row) per conversation.

    The thread (messages in time order) is cut into conversations where two messages are more
    than ``[ingest].chat_session_gap_hours`` apart; system lines are not turns. The customer's
    side is told once for the whole thread (:func:`tell_sides`); when it cannot be, every
    conversation is one ``unknown_customer`` row, so the business's words are never analysed
    as the customer's. Each conversation goes through :func:`_conversation` with turns whose
    role is ``customer`` or ``agent``; ``source_id`` is a hash of the thread and the
    conversation's first message time (stable when the export grows), ``customer_id`` the
    customer's name or number as the export shows it.
    """
    tz = source_timezone(source, cfg)
    limit = cfg.excerpt_chars
    turns = [m for m in messages if m.kind != "system"]
    customers, rule, problem = tell_sides(turns, source, hint)
    rows: list[dict[str, Any]] = []
    for index, session in enumerate(split_sessions(turns, cfg.chat_session_gap_hours, tz), start=1):
        first = session[0]
        start = _when(first.at, tz) if first.at is not None else None
        conv_id = f"{platform}-" + hashlib.blake2b(
            f"{thread_key}|{start.isoformat() if start else first.line}".encode("utf-8", "surrogateescape"),
            digest_size=8).hexdigest()
        shown = "\n".join(f"{m.sender}: {m.text}" for m in session[:4])
        if customers is None:
            rows.append(rejected(label, location(first), "unknown_customer", problem, shown, limit))
            continue
        conv_turns = [{"role": "customer" if _identity(m) in customers else "agent", "text": m.text, "timestamp": m.at}
                      for m in session]
        customer_id = next((m.sender.translate(_BIDI_MARKS).strip() for m in session if _identity(m) in customers), None)
        conv = {"conversation_id": conv_id, "customer_id": customer_id, "messages": conv_turns}
        meta = {"platform": platform, "customer_side": rule, "participants": len({_identity(m) for m in session}),
                "n_media": sum(m.kind == "media" for m in session) or None,
                "n_deleted": sum(m.kind == "deleted" for m in session) or None, **(extra or {})}
        rows.append(_conversation(conv, label, location(first), index, source, cfg, extra=meta))
    return rows


def split_rows(rows: list[dict[str, Any]]) -> Batch:
    """Record rows and quarantine rows (they carry ``reason``) -> a batch."""
    return Batch.from_rows([r for r in rows if "reason" not in r], [r for r in rows if "reason" in r])


# --------------------------------------------------------------------------- JSON files

def _loads(text: str) -> tuple[Any, str | None]:
    """(value, None) or (None, what went wrong)."""
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        return None, f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
    except RecursionError:
        return None, "too deep"


def _read_json(text: str, label: str, path: Path, source: SourceConfig, cfg: IngestConfig) -> list[dict[str, Any]]:
    limit = cfg.excerpt_chars
    out: list[dict[str, Any]] = []
    jsonl = path.suffix.lower() in (".jsonl", ".ndjson")
    if not jsonl:
        value, problem = _loads(text)
        if problem is None:
            if isinstance(value, dict):
                wrapped = next((value[k] for k in _WRAPPERS if isinstance(value.get(k), list) and not _first(value, _MESSAGES)), None)
                if wrapped is None:
                    return [_items(label, label, value, 0, source, cfg, cfg.max_json_depth)]
                value = wrapped
            if isinstance(value, list):
                return [_items(label, f"{label}#{i}", item, i, source, cfg, cfg.max_json_depth - 1)
                        for i, item in enumerate(value, start=1)]
            return [rejected(label, label, "malformed_record",
                             f"expected a conversation object or an array of them, got a JSON {type(value).__name__}", text, limit)]
        first_line = next((line for line in text.splitlines() if line.strip()), "")
        if problem == "too deep":
            return [rejected(label, label, "too_large", f"the document is nested too deep to parse; the limit is "
                             f"[ingest].max_json_depth = {cfg.max_json_depth}", text, limit)]
        if not (first_line.strip().startswith("{") and _loads(first_line)[1] is None):
            return [rejected(label, label, "malformed_json", f"expected one JSON document; {problem}", text, limit)]
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        location = f"{label}:{number}"
        value, problem = _loads(line)
        if problem == "too deep":
            out.append(rejected(label, location, "too_large", f"the line is nested too deep to parse; the limit is "
                                f"[ingest].max_json_depth = {cfg.max_json_depth}", line, limit))
        elif problem:
            out.append(rejected(label, location, "malformed_json", f"expected one JSON object per line; {problem}", line, limit))
        else:
            out.append(_items(label, location, value, number, source, cfg, cfg.max_json_depth))
    return out


# --------------------------------------------------------------------------- CSV files

def _csv_columns(header: list[str]) -> dict[str, int]:
    folded = [_fold(h.lstrip("\ufeff")) for h in header]
    found: dict[str, int] = {}
    for key, aliases in _CSV_COLUMNS.items():
        for alias in aliases:
            if alias in folded:
                found[key] = folded.index(alias)
                break
    return found


def _read_csv(text: str, raw: bytes, label: str, source: SourceConfig, cfg: IngestConfig) -> list[dict[str, Any]]:
    """Conversations of a one-row-per-message CSV, split like survey exports.

    The lines are split by :func:`verbatim.ingest.survey.load_csv`: a row with the wrong number
    of fields or an unbalanced quote is quarantined (its first line only) and reading resumes on
    the next line, so one stray quote costs one message, not the rest of the file.
    """
    from verbatim.ingest.survey import load_csv

    limit = cfg.excerpt_chars
    table = load_csv(Path(label), source, cfg)
    header = table.headers
    if not header:
        return [rejected(label, label, "unreadable_file", "expected a CSV header line, got nothing", raw, limit)]
    columns = _csv_columns(header)
    missing = [k for k in ("conversation", "role", "text") if k not in columns]
    if missing:
        expected = "; ".join(f"{k}: {'|'.join(_CSV_COLUMNS[k])}" for k in missing)
        return [rejected(label, label, "unreadable_file", f"expected chat columns ({expected}), got header {header[:12]}",
                         text.split("\n", 1)[0], limit)]
    bad: list[dict[str, Any]] = list(table.bad)
    groups: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for start, row in table.rows:
        location = f"{label}:{start}"
        shown = table.delimiter.join(row)
        conv_id = row[columns["conversation"]].strip()
        if not conv_id:
            bad.append(rejected(label, location, "malformed_record", f"expected a conversation id in column {header[columns['conversation']]!r}, "
                                "the line has none", shown, limit))
            continue
        turn = {"role": row[columns["role"]], "text": row[columns["text"]]}
        if "time" in columns:
            turn["timestamp"] = row[columns["time"]]
        if "customer" in columns and row[columns["customer"]].strip():
            turn["customer_id"] = row[columns["customer"]].strip()
        groups.setdefault(conv_id, []).append((start, turn))
    tz = source_timezone(source, cfg)
    out = list(bad)
    for index, (conv_id, turns) in enumerate(groups.items(), start=1):
        messages = [t for _, t in turns]
        times = [parse_date(t.get("timestamp"), tz) for t in messages]
        if all(times):
            messages = [m for _, m in sorted(zip(times, messages, strict=True), key=lambda pair: pair[0])]  # stable
        customer = next((m["customer_id"] for m in messages if m.get("customer_id")), None)
        conv = {"conversation_id": conv_id, "customer_id": customer, "messages": messages}
        out.append(_conversation(conv, label, f"{label}:{turns[0][0]}", index, source, cfg))
    return out


# --------------------------------------------------------------------------- entry point

def read_file(path: Path, source: SourceConfig, cfg: IngestConfig) -> Batch:
    """Read a chat export (JSON, JSONL or CSV) into a batch, one record per conversation.

    Writes every ``RECORD_COLUMNS`` column: ``channel`` = ``"chat"``, ``source`` = the path,
    ``source_id`` = the conversation id (or a hash of path and position), ``received_at`` = time
    of the first customer turn, else the conversation start (UTC), ``customer_id``, ``text`` =
    the customer's turns one per line, ``csat``/``nps``/``ces`` when the conversation carries
    them, ``metadata`` = n_turns, n_customer_turns, n_agent_turns, n_bot_turns,
    first_agent_reply (seconds), unknown_roles, and platform, channel_detail, tags, topic when
    given. ``location`` is ``path`` (one object), ``path#N`` (N-th array element),
    ``path:LINE`` (JSONL line, or first CSV line of the conversation).

    Never raises for bad input (see the module docstring for what counts as a record).
    """
    label = str(path)
    limit = cfg.excerpt_chars
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return Batch.from_rows([], [rejected(label, label, "unreadable_file", f"cannot read the file: {exc.strerror or exc}")])
    text, encoding = decode_bytes(raw, source.encoding)
    suffix = path.suffix.lower()
    head = text.lstrip("\ufeff \t\r\n")[:1]
    try:
        if suffix in (".json", ".jsonl", ".ndjson") or (suffix not in (".csv", ".tsv", ".txt") and head in ("{", "[")):
            rows = _read_json(text, label, path, source, cfg)
        else:
            rows = _read_csv(text, raw, label, source, cfg)
    except Exception as exc:  # noqa: BLE001 - a file we did not foresee must not stop the run
        log.warning("chat %s: unreadable (%s)", label, type(exc).__name__)
        rows = [rejected(label, label, "unreadable_file", f"{type(exc).__name__}: {str(exc)[:200]}", raw, limit)]
    good = [r for r in rows if "reason" not in r]
    bad = [r for r in rows if "reason" in r]
    log.debug("chat %s (%s): %d records, %d quarantined", label, encoding, len(good), len(bad))
    return Batch.from_rows(good, bad)


# --------------------------------------------------------------------------- registered formats

_CHAT_JSON_KEYS = ('"messages"', '"turns"', '"transcript"')
_CHAT_ROLE_KEYS = ('"role"', '"speaker"', '"sender"', '"author"', '"from"')
_CHAT_CSV_ROLE = re.compile(r"\b(role|auteur|author|sender|speaker|emetteur)\b")
_CHAT_CSV_CONV = re.compile(r"\b(conversation\w*|id_conversation|session\w*|chat_id)\b")


def _sniff_json(probe: Probe) -> float:
    """Generic transcripts: JSON holding a list of turns under messages/turns/transcript, turns with a role."""
    if probe.suffix not in (".json", ".jsonl", ".ndjson") and probe.head.lstrip()[:1] not in ("{", "["):
        return 0.0
    head = probe.folded
    if any(key in head for key in _CHAT_JSON_KEYS) and any(key in head for key in _CHAT_ROLE_KEYS):
        return 0.6
    return 0.0


def _sniff_csv(probe: Probe) -> float:
    """One message per row, with a role column and a conversation column."""
    if probe.suffix not in (".csv", ".tsv", ".txt") or not probe.lines:
        return 0.0
    first = probe.folded.split("\n", 1)[0]
    return 0.7 if _CHAT_CSV_ROLE.search(first) and _CHAT_CSV_CONV.search(first) else 0.0


register(InputFormat(
    name="chat.json.v1", channel="chat", extensions=(".json", ".jsonl", ".ndjson"),
    reads="conversation transcripts as JSON (object, array, {\"conversations\": [...]}) or JSON Lines, turns with roles",
    fields={"record": "one conversation", "text": "the customer's turns, one per line",
            "date": "first customer turn (timestamp|time|date|sent_at), else started_at",
            "customer": "customer_id|client_id|customer|user_id", "scores": "csat, nps, ces of the conversation",
            "customer_side": "role|author|sender|from|speaker in " + ", ".join(sorted(CUSTOMER_ROLES)),
            "skipped": "agent and bot turns (counted in the metadata)"},
    sniff=_sniff_json, read=read_file))
register(InputFormat(
    name="chat.csv.v1", channel="chat", extensions=(".csv",),
    reads="a CSV of messages, one row each, with conversation id and role columns (help-desk exports)",
    fields={"record": "one conversation (rows grouped by conversation id)", "text": "message|texte|text|contenu",
            "date": "timestamp|date|horodatage|time", "customer": "customer_id|id_client|client_id",
            "customer_side": "role|auteur|author|sender", "skipped": "agent and bot rows"},
    sniff=_sniff_csv, read=read_file))

# The named formats of chat apps and help desks register themselves (they build on the helpers above).
from verbatim.ingest import chat_apps, chat_helpdesk, chat_text  # noqa: E402,F401
