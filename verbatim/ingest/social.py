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

``[sources.columns]`` (``--text-column`` ...): text, id, date (with date_format), customer, csat and
metadata name keys of the post objects, dotted paths (``user.name``) reaching nested ones; a mapped
column wins over the aliases above (``verbatim ingest --text-column commentaire avis.json``).

The platform formats (X v1.1 and v2, Meta comments, Reddit, Trustpilot, Google reviews, app-store
CSVs, French review scrapes) live in :mod:`verbatim.ingest.social_formats` and
:mod:`verbatim.ingest.social_reviews` and build their records with :func:`build_post`.

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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
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


def _document_items(text: str, start: int, profile: Profile | None = None,
                    text_keys: tuple[str, ...] = ()) -> tuple[list[tuple[int, Any]], _Broken | None]:
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
            items.extend(_unwrap(value, start, text, profile, text_keys))
    except _Broken as exc:
        return items, exc
    return items, None


def _lower_keys(obj: dict[str, Any]) -> dict[str, Any]:
    return {str(k).lower(): v for k, v in obj.items()}


def _unwrap(value: Any, offset: int, text: str, profile: Profile | None = None,
            text_keys: tuple[str, ...] = ()) -> list[tuple[int, Any]]:
    """The posts inside a parsed top-level object: the object itself, or the list under a wrapper key.

    Wrappers are looked for in the object and in the objects it holds (``{"response": {"data": [...]}}``);
    a wrapper key holding a list wins, else the only list of objects found. An object holding a text
    (a profile alias or a mapped ``text_keys`` column) is itself a post.
    """
    profile = profile or DEFAULT_PROFILE
    if isinstance(value, list):
        return [(offset, v) for v in value]
    if not isinstance(value, dict):
        return [(offset, value)]
    keys = _lower_keys(value)
    if any(isinstance(keys.get(alias), str) and keys[alias].strip() for alias in profile.fields["text"]):
        return [(offset, value)]
    if any(isinstance(lookup(value, key)[1], str) for key in text_keys):
        return [(offset, value)]
    levels = [keys, *(_lower_keys(v) for v in keys.values() if isinstance(v, dict))]
    for level in levels:
        for key in profile.wrappers:
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

@dataclass(frozen=True)
class Profile:
    """How the generic reader finds a post's fields: aliases per field, wrapper keys, title keys, rating reader.

    ``social.json.v1`` uses :data:`DEFAULT_PROFILE`; ``social.review-scrape.v1`` a profile with French keys.
    """

    fields: dict[str, tuple[str, ...]]
    wrappers: tuple[str, ...] = _WRAPPERS
    title: tuple[str, ...] = ()
    rating: Callable[[Any], tuple[int | None, str | None]] | None = None  # default: parse_score(value, "csat")
    platform: str | None = None  # when the post names none
    non_answers: bool = False  # reviews: a text in [ingest].non_answers is quarantined as non_answer


DEFAULT_PROFILE = Profile(FIELDS)


def _first(post: dict[str, Any], field: str, fields: dict[str, tuple[str, ...]] = FIELDS) -> tuple[str | None, Any]:
    for alias in fields.get(field, ()):
        if alias in post and post[alias] not in (None, "", [], {}):
            return alias, post[alias]
    return None, None


def lookup(post: dict[str, Any], path: str) -> tuple[bool, Any]:
    """``(found, value)`` of a mapped column in a post: the key itself (case-insensitive), else a dotted path.

    ``"user.name"`` reads ``post["user"]["name"]``; a list step takes its first element.
    """
    keys = _lower_keys(post)
    if path.lower() in keys:
        return True, keys[path.lower()]
    value: Any = post
    for step in path.split("."):
        if isinstance(value, list):
            value = value[0] if value else None
        if not isinstance(value, dict):
            return False, None
        level = _lower_keys(value)
        if step.lower() not in level:
            return False, None
        value = level[step.lower()]
    return True, value


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
        stamp = parse_date(value, tz) or _date_named_month(value)
    except (ValueError, OverflowError):
        return None
    return stamp if stamp is not None and stamp.year <= _MAX_YEAR else None


#: Dates with English month names that exporters write: Twitter/X API v1.1 (``Fri May 18 07:25:56 +0000 2018``)
#: and RFC 2822 (``Fri, 18 May 2018 07:25:56 +0000``).
_NAMED_MONTH_FORMATS = ("%a %b %d %H:%M:%S %z %Y", "%a, %d %b %Y %H:%M:%S %z", "%d %b %Y %H:%M:%S %z")


def _date_named_month(value: str) -> datetime | None:
    """A date in one of :data:`_NAMED_MONTH_FORMATS` as UTC, else None (English month and day names only)."""
    text = " ".join(value.split())
    for fmt in _NAMED_MONTH_FORMATS:
        try:
            stamp = datetime.strptime(text, fmt).astimezone(UTC)
        except ValueError:
            continue
        return stamp if MIN_DATE <= stamp else None
    return None


def post_key(platform: str | None, author: str | None, date: str | None, text: str) -> str:
    """A stable ``source_id`` for a post without id: hash of platform, author, date and text."""
    payload = "\x1f".join((platform or "", author or "", date or "", text)).encode("utf-8")
    return "h-" + hashlib.blake2b(payload, digest_size=10).hexdigest()


def join_title(title: Any, body: Any) -> Any:
    """A review's title and body as one text (``title\\nbody``); the body alone when the title repeats its start."""
    title_text = title.strip() if isinstance(title, str) else ""
    if not isinstance(body, str) or not body.strip():
        return title_text or body
    if not title_text or body.strip().lower().startswith(title_text.rstrip(".…!? ").lower()):
        return body
    return f"{title_text}\n{body}"


@dataclass
class Post:
    """A post as a specific format found it, before the checks every social record goes through.

    ``date_key`` names where the date came from (None: the post has none); ``date`` is the raw value
    (a datetime is taken as is). ``rating`` is a raw 1-5 score read by ``rating_reader``.
    """

    text: Any
    date: Any = None
    date_key: str | None = None
    id: Any = None
    author: str | None = None
    author_name: str | None = None
    platform: str | None = None
    rating: Any = None
    rating_key: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    text_keys: str = ", ".join(FIELDS["text"])
    date_format: str | None = None
    rating_reader: Callable[[Any], tuple[int | None, str | None]] | None = None
    #: reviews answer "your opinion?": one saying nothing ([ingest].non_answers) is a non_answer. Posts and
    #: comments are not answers to a question and keep short texts ("?", "0"...).
    non_answers: bool = False


def build_post(post: Post, raw: Any, location: str, label: str, source: SourceConfig, cfg: IngestConfig,
               mtime: datetime | None = None) -> dict[str, Any]:
    """One record row or one quarantine row (``empty_text``, ``too_large``, ``non_answer`` (reviews), ``missing_date``,
    ``bad_date``, ``score_out_of_range``) for a post found by any social format; ``raw`` is the input item (for the excerpt).

    Writes ``channel`` = ``"social"``, ``source_id`` = the post id (else ``h-`` + hash of platform, author, date
    and text), ``received_at``, ``customer_id`` = the author, ``text``, ``csat`` and ``metadata`` (platform,
    author, author_name, then the format's own keys; empty values dropped).
    """
    limit = cfg.excerpt_chars
    text = post.text
    excerpt = json.dumps(raw, ensure_ascii=False, default=str)[: limit * 2]
    if not isinstance(text, str) or not text.strip():
        return rejected(label, location, "empty_text", f"expected the post text in {post.text_keys}, found none"
                        + ("" if text is None or isinstance(text, str) else f" (got a {type(text).__name__})"), excerpt, limit)
    if len(text) > cfg.max_record_chars:
        return rejected(label, location, "too_large", f"the post text has {len(text)} characters, over the limit of "
                        f"{cfg.max_record_chars} ([ingest].max_record_chars)", text, limit)
    from verbatim.ingest.survey import non_answer_matcher  # here: survey registers formats at import

    if post.non_answers and non_answer_matcher(tuple(cfg.non_answers))(text):
        return rejected(label, location, "non_answer", f"the post says nothing ({text.strip()[:30]!r} is in "
                        "[ingest].non_answers); counted, not analysed", excerpt, limit)
    metadata: dict[str, Any] = {}
    if post.date_key is None:
        if mtime is None:
            return rejected(label, location, "missing_date", "expected a date in one of " + ", ".join(FIELDS["date"])
                            + ", the post has none", excerpt, limit)
        received = mtime
        metadata["date_source"] = "file_mtime"
    else:
        if isinstance(post.date, datetime):
            parsed: datetime | None = post.date
        elif post.date_format and isinstance(post.date, str):
            try:
                parsed = parse_date(post.date, source_timezone(source, cfg), post.date_format)
            except (ValueError, OverflowError):
                parsed = None
        else:
            parsed = _date(post.date, source_timezone(source, cfg))
        if parsed is None:
            return rejected(label, location, "bad_date", f"expected an ISO 8601 date or Unix time in {post.date_key!r} "
                            f"(after 1990), got {str(post.date)[:40]!r}", excerpt, limit)
        received = parsed
    csat = None
    if post.rating_key is not None and post.rating not in (None, ""):
        try:
            csat, problem = (post.rating_reader or _csat)(post.rating)
        except (ValueError, OverflowError):  # parse_score raises on "nan" / "inf"
            csat, problem = None, f"csat score {str(post.rating)[:30]!r} is not a number"
        if problem:
            return rejected(label, location, "score_out_of_range", f"field {post.rating_key!r}: {problem}", excerpt, limit)
    source_id = _scalar(post.id) or post_key(post.platform, post.author, _scalar(post.date), text)
    metadata.update({"platform": post.platform, "author": post.author, "author_name": post.author_name})
    metadata.update(post.metadata)
    return record(channel="social", source=label, source_id=source_id, received_at=received, text=text,
                  location=location, customer_id=post.author, csat=csat, metadata=metadata)


def _csat(value: Any) -> tuple[int | None, str | None]:
    return parse_score(_scalar(value), "csat")


def _count(value: Any) -> int | float | None:
    """A like / share counter as a number, else None."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _mapped(post: dict[str, Any], columns: Any, name: str) -> tuple[str | None, Any, bool]:
    """``(column, value, mapped)`` of a ``[sources.columns]`` entry in a post (``mapped`` False when unset)."""
    wanted = getattr(columns, name, None)
    paths = [wanted] if isinstance(wanted, str) else list(wanted or [])
    for path in paths:
        found, value = lookup(post, path)
        if found and value not in (None, "", [], {}):
            return path, value, True
    return (paths[0] if paths else None), None, bool(paths)


def _post(post: Any, location: str, label: str, source: SourceConfig, cfg: IngestConfig,
          mtime: datetime | None, profile: Profile = DEFAULT_PROFILE) -> dict[str, Any]:
    """One record row or one quarantine row for a parsed post (aliases of ``profile``, overridden by ``source.columns``)."""
    limit = cfg.excerpt_chars
    if _depth(post, cfg.max_json_depth) > cfg.max_json_depth:
        return rejected(label, location, "malformed_json", f"the post is nested more than {cfg.max_json_depth} levels deep "
                        "([ingest].max_json_depth); not read")
    if not isinstance(post, dict):
        return rejected(label, location, "malformed_record", f"expected a post (a JSON object), got a {type(post).__name__}",
                        json.dumps(post, ensure_ascii=False)[: limit * 2], limit)
    fields = profile.fields
    keys = _lower_keys(post)
    columns = source.columns
    text_key, text, mapped = _mapped(post, columns, "text")
    text_keys = f"{text_key!r} (the mapped text column)" if mapped else "one of " + ", ".join(fields["text"])
    if not mapped:
        text_key, text = _first(keys, "text", fields)
        if profile.title:
            text = join_title(_first(keys, "title", fields)[1], text)
    date_key, raw_date, mapped_date = _mapped(post, columns, "date")
    if not mapped_date:
        date_key, raw_date = _first(keys, "date", fields)
    elif raw_date is None:
        date_key = None
    rating_key, rating, mapped_csat = _mapped(post, columns, "csat")
    if not mapped_csat:
        rating_key, rating = _first(keys, "rating", fields)
    _, customer, mapped_customer = _mapped(post, columns, "customer")
    handle, name = _author(customer if mapped_customer else _first(keys, "author", fields)[1])
    _, post_id, mapped_id = _mapped(post, columns, "id")
    if not mapped_id:
        _, post_id = _first(keys, "id", fields)
    platform = _scalar(_first(keys, "platform", fields)[1]) or profile.platform
    metadata: dict[str, Any] = {
        "url": _scalar(_first(keys, "url", fields)[1]), "reply_to": _scalar(_first(keys, "reply_to", fields)[1]),
        "language": _scalar(_first(keys, "language", fields)[1]),
    }
    if profile.title:
        metadata["title"] = _scalar(_first(keys, "title", fields)[1])
    for counter in ("likes", "shares"):
        metadata[counter] = _count(_first(keys, counter, fields)[1])
    for extra in columns.metadata:
        found, value = lookup(post, extra)
        if found and value not in (None, ""):
            metadata[extra] = value
    if rating_key is not None and profile.rating is not None and rating is not None:
        metadata["rating_raw"] = _scalar(rating)
    return build_post(Post(text=text, date=raw_date, date_key=date_key, id=post_id, author=handle, author_name=name,
                           platform=platform, rating=rating, rating_key=rating_key, metadata=metadata, text_keys=text_keys,
                           date_format=columns.date_format, rating_reader=profile.rating, non_answers=profile.non_answers),
                      post, location, label, source, cfg, mtime)


def _has_date(post: Any, profile: Profile = DEFAULT_PROFILE, source: SourceConfig | None = None) -> bool:
    if not isinstance(post, dict):
        return False
    if source is not None and source.columns.date:
        return lookup(post, source.columns.date)[0]
    return _first(_lower_keys(post), "date", profile.fields)[0] is not None


# --------------------------------------------------------------------------- entry point

def read_file(path: Path, source: SourceConfig, cfg: IngestConfig) -> Batch:
    """Read a social-listening export (JSON, JSON wrapper or JSON Lines) into a batch.

    ``source.columns`` (text, id, date, date_format, customer, csat, metadata) names keys of the post
    objects (dotted paths such as ``user.name`` reach nested objects); they win over the aliases.

    Writes every ``RECORD_COLUMNS`` column: ``channel`` = ``"social"``, ``source`` = the path,
    ``source_id`` = the post id (else ``h-`` + hash of platform, author, date and text),
    ``received_at`` = the post date (UTC), ``customer_id`` = the author handle, ``text`` = the
    post as received, ``csat`` from a 1-5 rating when present (``nps``/``ces`` stay empty),
    ``metadata`` = platform, author, author_name, url, reply_to, language, likes, shares,
    ``location`` = ``path:N``.

    Never raises for bad input: see the module docstring for the quarantine reasons.
    """
    return read_profile(path, source, cfg, DEFAULT_PROFILE)


def read_profile(path: Path, source: SourceConfig, cfg: IngestConfig, profile: Profile) -> Batch:
    """:func:`read_file` with the aliases of ``profile`` (the review-scrape format reads French keys this way)."""
    label = str(path)
    try:
        too_large = file_too_large(path, cfg)
        if too_large:
            return Batch.from_rows([], [rejected(label, label, "too_large", too_large)])
        text, _ = decode_bytes(path.read_bytes(), source.encoding)
        rows, bad = _read_text(text, path, source, cfg, profile)
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


def _read_text(text: str, path: Path, source: SourceConfig, cfg: IngestConfig,
               profile: Profile = DEFAULT_PROFILE) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
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

        found, broken = _document_items(text, start, profile, tuple(source.columns.text_columns()))
        items = [(f"{label}:{line_of(offset)}", post) for offset, post in found]
        if broken is not None:
            where = line_of(broken.offset)
            detail = f"the JSON does not parse from line {where}: {broken}"
            if found:
                detail += f"; the {len(found)} posts before it were read"
            bad.append(rejected(label, f"{label}:{where}" if found else label, "malformed_json", detail,
                                text[broken.offset: broken.offset + limit], limit))
    any_date = any(_has_date(post, profile, source) for _, post in items)
    mtime = None if any_date else datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
    rows: list[dict[str, Any]] = []
    for location, post in items:
        try:
            row = _post(post, location, label, source, cfg, mtime, profile)
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

# --------------------------------------------------------------------------- machinery of the specific formats

@dataclass
class Context:
    """One file being read: where posts are, how to name their place, what the source says."""

    path: Path
    source: SourceConfig
    cfg: IngestConfig
    text: str
    jsonl: bool
    newlines: list[int] = field(default_factory=list)
    cursor: int = 0
    mtime: datetime | None = None  # the date of posts without one, when no post of the file has a date

    @property
    def label(self) -> str:
        return str(self.path)

    def at(self, line: int) -> str:
        return f"{self.label}:{line}"

    def locate(self, line: int, key: str, value: Any) -> str:
        """``path:N`` of a post: the unit's line in JSON Lines, else the line of ``"key": value`` (searched forward)."""
        if self.jsonl or value in (None, ""):
            return self.at(line)
        pattern = re.compile(rf"\"{re.escape(key)}\"\s*:\s*\"?{re.escape(str(value))}\b")
        found = pattern.search(self.text, self.cursor) or pattern.search(self.text)
        if found is None:
            return self.at(line)
        self.cursor = found.end()
        return self.at(_line_at(self.newlines, found.start()))

    def reject(self, location: str, reason: str, detail: str, raw: Any = "") -> dict[str, Any]:
        limit = self.cfg.excerpt_chars
        excerpt = raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False, default=str)[: limit * 2]
        return rejected(self.label, location, reason, detail, excerpt, limit)

    def post(self, post: Post, raw: Any, location: str) -> dict[str, Any]:
        return build_post(post, raw, location, self.label, self.source, self.cfg, self.mtime)


def _line_at(newlines: list[int], offset: int) -> int:
    import bisect

    return bisect.bisect_right(newlines, offset - 1) + 1


#: A format's expansion of one parsed unit (a document or a JSON Lines line) into rows.
Expand = Callable[[Any, int, Context], Iterable[dict[str, Any]]]


def json_units(ctx: Context) -> tuple[list[tuple[int, Any]], list[dict[str, Any]]]:
    """The parsed units of a JSON or JSON Lines file: ``[(line, value)]`` and the rows of lines that do not parse.

    A whole document that parses is one unit; else, when its first line is a whole JSON value, each line is
    one (JSON Lines); else the file is one ``unreadable_file`` row.
    """
    text = ctx.text
    stripped = text.lstrip()
    if not stripped:
        return [], []
    first_line = _line_at(ctx.newlines, len(text) - len(stripped))
    lines = text.split("\n")  # not splitlines(): JSON strings may hold U+2028
    multi = sum(1 for line in lines if line.strip()) > 1
    if not (multi and ctx.path.suffix.lower() in (".jsonl", ".ndjson")):
        try:
            return [(first_line, json.loads(stripped))], []
        except RecursionError:
            return [], [ctx.reject(ctx.label, "unreadable_file", "the JSON is nested too deep to parse")]
        except ValueError as exc:
            first = stripped.split("\n", 1)[0]
            if not multi or not _parses(first):
                where = _line_at(ctx.newlines, len(text) - len(stripped) + getattr(exc, "pos", 0))
                return [], [ctx.reject(ctx.label, "unreadable_file", f"expected a JSON document or JSON Lines; the JSON "
                                       f"does not parse at line {where}: {str(exc)[:120]}", stripped[:200])]
    ctx.jsonl = True
    units: list[tuple[int, Any]] = []
    bad: list[dict[str, Any]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            units.append((number, json.loads(line)))
        except RecursionError:
            bad.append(ctx.reject(ctx.at(number), "malformed_json", "the line is nested too deep to parse", line))
        except ValueError as exc:
            bad.append(ctx.reject(ctx.at(number), "malformed_json", f"expected one JSON value per line: {str(exc)[:120]}", line))
    return units, bad


def _parses(line: str) -> bool:
    try:
        json.loads(line)
    except (ValueError, RecursionError):
        return False
    return True


def read_json_format(path: Path, source: SourceConfig, cfg: IngestConfig, expand: Expand, name: str) -> Batch:
    """Read a JSON / JSON Lines file whose units ``expand`` turns into record and quarantine rows; never raises."""
    label = str(path)
    try:
        too_large = file_too_large(path, cfg)
        if too_large:
            return Batch.from_rows([], [rejected(label, label, "too_large", too_large)])
        text = decode_bytes(path.read_bytes(), source.encoding)[0].removeprefix("\ufeff")
        ctx = Context(path, source, cfg, text, False, [m.start() for m in re.finditer("\n", text)])
        units, unit_bad = json_units(ctx)
        rows, bad = _expand_units(units, ctx, expand, name)
        if not rows and any(row["reason"] == "missing_date" for row in bad):
            # no post of the file has a date (an API response asked without created_at): the file's time, as social.json.v1
            ctx.mtime, ctx.cursor = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC), 0
            rows, bad = _expand_units(units, ctx, expand, name)
        bad = unit_bad + bad
        log.debug("%s %s: %d records, %d quarantined", name, label, len(rows), len(bad))
        return Batch.from_rows(rows, bad)
    except Exception as exc:  # noqa: BLE001 - a broken file must never stop a run
        log.warning("quarantined unreadable file %s: %s", label, type(exc).__name__)
        return Batch.from_rows([], [rejected(label, label, "unreadable_file", f"{type(exc).__name__}: {str(exc)[:200]}")])


def _expand_units(units: list[tuple[int, Any]], ctx: Context, expand: Expand,
                  name: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(record rows, quarantine rows) of the parsed units of a file."""
    rows: list[dict[str, Any]] = []
    bad: list[dict[str, Any]] = []
    for line, value in units:
        try:
            produced = list(expand(value, line, ctx))
        except Exception as exc:  # noqa: BLE001 - one strange unit must not stop the file
            log.debug("%s %s:%d: %s", name, ctx.label, line, exc)
            produced = [ctx.reject(ctx.at(line), "malformed_record", f"the item cannot be read as {name}: "
                                   f"{type(exc).__name__}: {str(exc)[:120]}", value)]
        for row in produced:
            (bad if "reason" in row else rows).append(row)
    return rows, bad


def safe(ctx: Context, location: str, raw: Any, build: Callable[[], dict[str, Any]], name: str) -> dict[str, Any]:
    """``build()``, or a ``malformed_record`` row when the item trips it (a post of an unexpected shape)."""
    try:
        return build()
    except Exception as exc:  # noqa: BLE001
        return ctx.reject(location, "malformed_record", f"the item cannot be read as {name}: {type(exc).__name__}: "
                          f"{str(exc)[:120]}", raw)


def obj(value: Any) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty one (for chained look-ups)."""
    return value if isinstance(value, dict) else {}


def text_of(value: Any) -> str | None:
    """A scalar as stripped text (numbers included), else None."""
    if value is None or isinstance(value, dict | list | bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    out = str(value).strip()
    return out or None


def count(value: Any) -> int | None:
    """A counter (likes, shares...) as an int, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


# The platform and review formats register themselves on import; they build on this module, hence the bottom.
from verbatim.ingest import social_formats, social_reviews  # noqa: E402,F401
