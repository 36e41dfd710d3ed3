"""Social connector: posts exported by monitoring tools (Talkwalker, Brandwatch, Sprout-like) -> records.

Files: a JSON array of posts, one post object, a wrapper object holding the posts under ``data``,
``posts``, ``results``, ``items``, ``records``, ``mentions``, ``documents`` or ``hits`` (one list
of objects under any other key also works), or JSON Lines (``.jsonl``/``.ndjson``, or a ``.json``
file whose first line is a whole object). ``location`` is ``path:N``, N the physical line where
the post starts.

Fields (first alias present wins, keys compared case-insensitively):

========== =======================================================================
field      keys
========== =======================================================================
id         post_id, id, tweet_id, message_id
platform   platform, network, source, media
author     author, user, handle, username, screen_name (an object: handle, username,
           screen_name, name, id)
date       date, created_at, published_at, timestamp, time (ISO 8601, dd/mm/yyyy or
           Unix seconds / milliseconds)
text       text, content, message, body, full_text
url        url, link, permalink
reply_to   reply_to, in_reply_to, parent_id
language   language, lang
likes      likes, like_count, favorite_count, reactions
shares     shares, share_count, retweet_count, retweets
csat       rating, stars (review platforms, 1-5)
========== =======================================================================

Quarantine: a JSONL line or a document that does not parse -> ``malformed_json`` (a document
broken half-way keeps the posts before the break); a post nested deeper than
``[ingest].max_json_depth`` -> ``malformed_json``; an item that is not an object ->
``malformed_record``; no text -> ``empty_text``; text over ``[ingest].max_record_chars`` ->
``too_large``; no date while other posts of the file have one -> ``missing_date`` (when no post
has a date, the file's modification time is used, ``date_source = "file_mtime"``); an unparseable
date -> ``bad_date``; a rating outside 1-5 -> ``score_out_of_range``.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from verbatim.config import IngestConfig, SourceConfig
from verbatim.ingest.common import (
    MIN_DATE,
    Batch,
    decode_bytes,
    file_too_large,
    parse_date,
    parse_score,
    record,
    rejected,
    source_timezone,
)
from verbatim.ingest.formats import InputFormat, Probe, register

log = logging.getLogger(__name__)

FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("post_id", "id", "tweet_id", "message_id"),
    "platform": ("platform", "network", "source", "media"),
    "author": ("author", "user", "handle", "username", "screen_name"),
    "date": ("date", "created_at", "published_at", "timestamp", "time"),
    "text": ("text", "content", "message", "body", "full_text"),
    "url": ("url", "link", "permalink"),
    "reply_to": ("reply_to", "in_reply_to", "parent_id"),
    "language": ("language", "lang"),
    "likes": ("likes", "like_count", "favorite_count", "reactions"),
    "shares": ("shares", "share_count", "retweet_count", "retweets"),
    "rating": ("rating", "stars"),
}
_AUTHOR_KEYS = ("handle", "username", "screen_name", "name", "id")
_WRAPPERS = ("data", "posts", "results", "items", "records", "mentions", "documents", "hits")
_DECODER = json.JSONDecoder()
_WS = re.compile(r"[ \t\r\n]*")
_MAX_YEAR = 2200


class _Broken(Exception):
    """A JSON document stops parsing at ``offset``."""

    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset


# --------------------------------------------------------------------------- parsing

def _depth(value: Any, limit: int) -> int:
    """Nesting depth of a parsed JSON value (a scalar is 0), counted without recursion; stops past ``limit``."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        level += 1
        deepest = max(deepest, level)
        if deepest > limit:
            return deepest
        stack.extend((child, level) for child in children if isinstance(child, dict | list))
    return deepest


def _skip(text: str, pos: int) -> int:
    match = _WS.match(text, pos)
    return match.end() if match else pos


def _decode(text: str, pos: int) -> tuple[Any, int]:
    try:
        return _DECODER.raw_decode(text, pos)
    except RecursionError:
        raise _Broken(pos, "nesting too deep to parse") from None
    except ValueError as exc:
        raise _Broken(getattr(exc, "pos", pos), str(exc)[:150]) from None


def _array_items(text: str, pos: int) -> Iterator[tuple[int, Any]]:
    """The ``(offset, value)`` of each element of the array starting at ``text[pos] == '['``."""
    pos = _skip(text, pos + 1)
    if text.startswith("]", pos):
        return
    while True:
        start = pos
        value, pos = _decode(text, pos)
        yield start, value
        pos = _skip(text, pos)
        if text.startswith(",", pos):
            pos = _skip(text, pos + 1)
        elif text.startswith("]", pos):
            return
        else:
            raise _Broken(pos, "expected ',' or ']' between array elements")


def _document_items(text: str, start: int) -> tuple[list[tuple[int, Any]], _Broken | None]:
    """Posts of a JSON document with their offsets, and the parse error that stopped reading (if any)."""
    items: list[tuple[int, Any]] = []
    try:
        if text.startswith("[", start):
            for item in _array_items(text, start):
                items.append(item)
        else:
            value, end = _decode(text, start)
            if _skip(text, end) < len(text):
                raise _Broken(_skip(text, end), "extra data after the JSON document")
            items.extend(_unwrap(value, start, text))
    except _Broken as exc:
        return items, exc
    return items, None


def _lower_keys(obj: dict[str, Any]) -> dict[str, Any]:
    return {str(k).lower(): v for k, v in obj.items()}


def _unwrap(value: Any, offset: int, text: str) -> list[tuple[int, Any]]:
    """The posts inside a parsed top-level object: the object itself, or the list under a wrapper key.

    Wrappers are looked for in the object and in the objects it holds (``{"response": {"data": [...]}}``);
    a wrapper key holding a list wins, else the only list of objects found.
    """
    if isinstance(value, list):
        return [(offset, v) for v in value]
    if not isinstance(value, dict):
        return [(offset, value)]
    keys = _lower_keys(value)
    if any(isinstance(keys.get(alias), str) and keys[alias].strip() for alias in FIELDS["text"]):
        return [(offset, value)]
    levels = [keys, *(_lower_keys(v) for v in keys.values() if isinstance(v, dict))]
    for level in levels:
        for key in _WRAPPERS:
            if isinstance(level.get(key), list):
                anchor = text.find(f'"{key}"', offset)
                return _located(level[key], text, anchor if anchor >= 0 else offset)
    lists = [v for level in levels for v in level.values() if isinstance(v, list) and v and all(isinstance(i, dict) for i in v)]
    if len(lists) == 1:
        return _located(lists[0], text, offset)
    return [(offset, value)]


def _located(posts: list[Any], text: str, offset: int) -> list[tuple[int, Any]]:
    """Offsets for the posts of a wrapper: where each post's first key appears, searching forward from ``offset``.

    ``json.loads`` gives no positions; this finds the line of each post well enough for error messages.
    """
    out = []
    pos = offset
    for post in posts:
        if isinstance(post, dict) and post:
            key = next(iter(post))
            found = text.find(json.dumps(key, ensure_ascii=False), pos)
            if found < 0:
                found = text.find(json.dumps(key), pos)
            if found >= 0:
                pos = found + 1
                out.append((found, post))
                continue
        out.append((pos, post))
    return out


# --------------------------------------------------------------------------- posts

def _first(post: dict[str, Any], field: str) -> tuple[str | None, Any]:
    for alias in FIELDS[field]:
        if alias in post and post[alias] not in (None, "", [], {}):
            return alias, post[alias]
    return None, None


def _scalar(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def _author(value: Any) -> tuple[str | None, str | None]:
    """(handle, display name) of an author given as a string or an object."""
    if isinstance(value, dict):
        keys = _lower_keys(value)
        handle = next((_scalar(keys[k]) for k in _AUTHOR_KEYS if _scalar(keys.get(k))), None)
        name = _scalar(keys.get("name"))
        return handle, name if name != handle else None
    return _scalar(value), None


def _date(value: Any, tz: str) -> datetime | None:
    """A post date: datetime text, or Unix seconds / milliseconds as a number or digit string."""
    if isinstance(value, bool):
        return None
    number: float | None = None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str) and re.fullmatch(r"\d{10}(?:\d{3})?(?:\.\d+)?", value.strip()):
        number = float(value.strip())
    if number is not None:
        if number != number or number <= 0:
            return None
        if number > 1e11:
            number /= 1000
        try:
            stamp = datetime.fromtimestamp(number, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
        return stamp if MIN_DATE <= stamp and stamp.year <= _MAX_YEAR else None
    if not isinstance(value, str):
        return None
    try:
        stamp = parse_date(value, tz)
    except (ValueError, OverflowError):
        return None
    return stamp if stamp is not None and stamp.year <= _MAX_YEAR else None


def post_key(platform: str | None, author: str | None, date: str | None, text: str) -> str:
    """A stable ``source_id`` for a post without id: hash of platform, author, date and text."""
    payload = "\x1f".join((platform or "", author or "", date or "", text)).encode("utf-8")
    return "h-" + hashlib.blake2b(payload, digest_size=10).hexdigest()


def _post(post: Any, location: str, label: str, source: SourceConfig, cfg: IngestConfig,
          mtime: datetime | None) -> dict[str, Any]:
    """One record row or one quarantine row for a parsed post."""
    limit = cfg.excerpt_chars
    if _depth(post, cfg.max_json_depth) > cfg.max_json_depth:
        return rejected(label, location, "malformed_json", f"the post is nested more than {cfg.max_json_depth} levels deep "
                        "([ingest].max_json_depth); not read")
    if not isinstance(post, dict):
        return rejected(label, location, "malformed_record", f"expected a post (a JSON object), got a {type(post).__name__}",
                        json.dumps(post, ensure_ascii=False)[: limit * 2], limit)
    keys = _lower_keys(post)
    _, text = _first(keys, "text")
    excerpt = json.dumps(post, ensure_ascii=False, default=str)[: limit * 2]
    if not isinstance(text, str) or not text.strip():
        return rejected(label, location, "empty_text", "expected the post text in one of "
                        + ", ".join(FIELDS["text"]) + ", found none" + ("" if text is None else f" (got a {type(text).__name__})"),
                        excerpt, limit)
    if len(text) > cfg.max_record_chars:
        return rejected(label, location, "too_large", f"the post text has {len(text)} characters, over the limit of "
                        f"{cfg.max_record_chars} ([ingest].max_record_chars)", text, limit)
    date_key, raw_date = _first(keys, "date")
    metadata: dict[str, Any] = {}
    if date_key is None:
        if mtime is None:
            return rejected(label, location, "missing_date", "expected a date in one of " + ", ".join(FIELDS["date"])
                            + ", the post has none", excerpt, limit)
        received = mtime
        metadata["date_source"] = "file_mtime"
    else:
        parsed = _date(raw_date, source_timezone(source, cfg))
        if parsed is None:
            return rejected(label, location, "bad_date", f"expected an ISO 8601 date or Unix time in {date_key!r} (after 1990), "
                            f"got {str(raw_date)[:40]!r}", excerpt, limit)
        received = parsed
    csat = None
    rating_key, rating = _first(keys, "rating")
    if rating_key is not None:
        try:
            csat, problem = parse_score(_scalar(rating), "csat")
        except (ValueError, OverflowError):  # parse_score raises on "nan" / "inf"
            csat, problem = None, f"csat score {str(rating)[:30]!r} is not a number"
        if problem:
            return rejected(label, location, "score_out_of_range", f"field {rating_key!r}: {problem}", excerpt, limit)
    handle, name = _author(_first(keys, "author")[1])
    platform = _scalar(_first(keys, "platform")[1])
    _, post_id = _first(keys, "id")
    source_id = _scalar(post_id) or post_key(platform, handle, _scalar(raw_date), text)
    metadata.update({
        "platform": platform, "author": handle, "author_name": name,
        "url": _scalar(_first(keys, "url")[1]), "reply_to": _scalar(_first(keys, "reply_to")[1]),
        "language": _scalar(_first(keys, "language")[1]),
    })
    for counter in ("likes", "shares"):
        _, count = _first(keys, counter)
        if isinstance(count, int | float) and not isinstance(count, bool):
            metadata[counter] = count
        elif isinstance(count, str) and count.strip().isdigit():
            metadata[counter] = int(count.strip())
    return record(channel="social", source=label, source_id=source_id, received_at=received, text=text,
                  location=location, customer_id=handle, csat=csat, metadata=metadata)


def _has_date(post: Any) -> bool:
    return isinstance(post, dict) and _first(_lower_keys(post), "date")[0] is not None


# --------------------------------------------------------------------------- entry point

def read_file(path: Path, source: SourceConfig, cfg: IngestConfig) -> Batch:
    """Read a social-listening export (JSON, JSON wrapper or JSON Lines) into a batch.

    Writes every ``RECORD_COLUMNS`` column: ``channel`` = ``"social"``, ``source`` = the path,
    ``source_id`` = the post id (else ``h-`` + hash of platform, author, date and text),
    ``received_at`` = the post date (UTC), ``customer_id`` = the author handle, ``text`` = the
    post as received, ``csat`` from a 1-5 rating when present (``nps``/``ces`` stay empty),
    ``metadata`` = platform, author, author_name, url, reply_to, language, likes, shares,
    ``location`` = ``path:N``.

    Never raises for bad input: see the module docstring for the quarantine reasons.
    """
    label = str(path)
    try:
        too_large = file_too_large(path, cfg)
        if too_large:
            return Batch.from_rows([], [rejected(label, label, "too_large", too_large)])
        text, _ = decode_bytes(path.read_bytes(), source.encoding)
        rows, bad = _read_text(text, path, source, cfg)
        log.debug("social %s: %d records, %d quarantined", label, len(rows), len(bad))
        return Batch.from_rows(rows, bad)
    except Exception as exc:  # noqa: BLE001 - a broken file must never stop a run
        log.warning("quarantined unreadable file %s: %s", label, type(exc).__name__)
        return Batch.from_rows([], [rejected(label, label, "unreadable_file", f"{type(exc).__name__}: {str(exc)[:200]}")])


def _is_jsonl(text: str, start: int, suffix: str) -> bool:
    if suffix in (".jsonl", ".ndjson"):
        return True
    if not text.startswith("{", start):
        return False
    end = text.find("\n", start)
    if end < 0 or not text[end:].strip():
        return False
    try:
        return isinstance(json.loads(text[start:end]), dict)
    except (ValueError, RecursionError):
        return False


def _read_text(text: str, path: Path, source: SourceConfig, cfg: IngestConfig) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    label = str(path)
    limit = cfg.excerpt_chars
    text = text.removeprefix("\ufeff")
    start = _skip(text, 0)
    bad: list[dict[str, Any]] = []
    items: list[tuple[str, Any]] = []  # (location, parsed post)
    if start >= len(text):
        return [], []
    if _is_jsonl(text, start, path.suffix.lower()):
        for number, line in enumerate(text.split("\n"), start=1):  # not splitlines(): JSON strings may hold U+2028
            if not line.strip():
                continue
            location = f"{label}:{number}"
            try:
                items.append((location, json.loads(line)))
            except RecursionError:
                bad.append(rejected(label, location, "malformed_json", "the line is nested too deep to parse "
                                    f"([ingest].max_json_depth = {cfg.max_json_depth})", line, limit))
            except ValueError as exc:
                bad.append(rejected(label, location, "malformed_json", f"expected one JSON object per line: {str(exc)[:120]}",
                                    line, limit))
    else:
        newlines = [m.start() for m in re.finditer("\n", text)]

        def line_of(offset: int) -> int:
            return bisect.bisect_right(newlines, offset - 1) + 1

        found, broken = _document_items(text, start)
        items = [(f"{label}:{line_of(offset)}", post) for offset, post in found]
        if broken is not None:
            where = line_of(broken.offset)
            detail = f"the JSON does not parse from line {where}: {broken}"
            if found:
                detail += f"; the {len(found)} posts before it were read"
            bad.append(rejected(label, f"{label}:{where}" if found else label, "malformed_json", detail,
                                text[broken.offset: broken.offset + limit], limit))
    any_date = any(_has_date(post) for _, post in items)
    mtime = None if any_date else datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
    rows: list[dict[str, Any]] = []
    for location, post in items:
        try:
            row = _post(post, location, label, source, cfg, mtime)
        except Exception as exc:  # noqa: BLE001 - one strange post must not stop the file
            log.debug("social %s: %s", location, exc)
            row = rejected(label, location, "malformed_record", f"the post cannot be read: {type(exc).__name__}: {str(exc)[:120]}",
                           str(post)[: limit * 2], limit)
        (bad if "reason" in row else rows).append(row)
    return rows, bad


# --------------------------------------------------------------------------- registered formats

def _sniff_posts(probe: Probe) -> float:
    """Any JSON / JSON Lines file of objects (the generic posts reader is the JSON fallback)."""
    if probe.suffix not in (".json", ".jsonl", ".ndjson") and probe.head.lstrip()[:1] not in ("{", "["):
        return 0.0
    return 0.5 if probe.suffix in (".json", ".jsonl", ".ndjson") else 0.3


register(InputFormat(
    name="social.json.v1", channel="social", extensions=(".json", ".jsonl", ".ndjson"),
    reads="posts exported by social-listening tools (Talkwalker, Brandwatch, Sprout-like): JSON array, wrapper or JSON Lines",
    fields={"record": "one post", "text": "|".join(FIELDS["text"]), "date": "|".join(FIELDS["date"]),
            "author": "|".join(FIELDS["author"]), "customer": "the author handle", "scores": "csat from rating|stars (1-5)",
            "id": "|".join(FIELDS["id"])},
    sniff=_sniff_posts, read=read_file))
