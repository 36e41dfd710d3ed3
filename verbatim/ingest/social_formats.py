"""Social formats of the platforms' own APIs: X/Twitter v1.1 and v2, Meta Graph comments, Reddit listings.

Each format is registered (``verbatim formats``) with a content ``sniff`` and a reader of the
connector signature. Every post of a recognised file ends as one record (``channel`` = ``"social"``,
built by :func:`verbatim.ingest.social.build_post`) or one quarantine row:

* ``repost``: a retweet (``retweeted_status``, a v2 ``referenced_tweets`` of type ``retweeted``, or a
  text starting ``RT @``): it repeats another post; the detail names the original's id. Quote tweets
  are the quoting author's own words and are kept.
* ``unknown_customer`` (see :data:`AGENT_REASON`): a comment written by the business itself (its page,
  or a name listed in ``[[sources]] agents``); counted, never analysed.
* ``empty_text`` (also Reddit's ``[deleted]`` / ``[removed]``), ``bad_date``, ``missing_date``,
  ``too_large``, ``malformed_record`` (an item that is not a post), ``malformed_json`` (a JSON Lines
  line that does not parse); a whole file that does not parse is one ``unreadable_file`` row.

``location`` is ``path:N``: the JSON Lines line (for twarc2, the page's line) or, in a JSON document,
the line where the post's id appears.

The review formats (Trustpilot, Google, app stores, French review scrapes) live in
:mod:`verbatim.ingest.social_reviews`; both modules are imported at the bottom of
:mod:`verbatim.ingest.social`, which registers them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from verbatim.config import IngestConfig, SourceConfig
from verbatim.ingest.common import Batch
from verbatim.ingest.formats import InputFormat, Probe, fold, register
from verbatim.ingest.social import Context, Expand, Post, count, join_title, obj, read_json_format, safe, text_of

log = logging.getLogger(__name__)

#: Reason of a post written by the business itself (a page's reply).
AGENT_REASON = "agent_post"
_TWITTER_DATE = re.compile(r"\"created_at\"\s*:\s*\"\w{3} \w{3} \d{2} \d{2}:\d{2}:\d{2} [+-]\d{4} \d{4}\"")


def first_object(probe: Probe) -> dict[str, Any] | None:
    """The probe's first object, looking one level into a list of lists (Reddit post pages)."""
    value = probe.json
    while isinstance(value, list) and value:
        value = value[0]
    return value if isinstance(value, dict) else probe.first_object


def _is_json(probe: Probe) -> bool:
    return probe.head.lstrip()[:1] in ("{", "[")


# --------------------------------------------------------------------------- X / Twitter API v1.1

def _v1_tweets(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, dict) and isinstance(value.get("statuses"), list):
        return value["statuses"]
    return [value]


def _v1_text(tweet: dict[str, Any]) -> Any:
    for candidate in (tweet.get("full_text"), obj(tweet.get("extended_tweet")).get("full_text"), tweet.get("text")):
        if isinstance(candidate, str) and candidate.strip():
            return candidate
    return tweet.get("full_text", tweet.get("text"))


def _v1_rows(value: Any, line: int, ctx: Context) -> Iterator[dict[str, Any]]:
    for tweet in _v1_tweets(value):
        tweet_id = text_of(obj(tweet).get("id_str")) or text_of(obj(tweet).get("id"))
        location = ctx.locate(line, "id_str", tweet_id)
        yield safe(ctx, location, tweet, lambda t=tweet, loc=location: _v1_row(t, loc, ctx), "an X API v1.1 tweet")


def _v1_row(tweet: Any, location: str, ctx: Context) -> dict[str, Any]:
    if not isinstance(tweet, dict) or not ({"id_str", "id"} & set(tweet) and {"text", "full_text", "extended_tweet"} & set(tweet)):
        got = f"keys {sorted(tweet)[:8]}" if isinstance(tweet, dict) else f"a {type(tweet).__name__}"
        return ctx.reject(location, "malformed_record", f"expected a tweet (id_str, created_at, text or full_text), got {got} "
                          "(a delete or limit notice of the stream is not a post)", tweet)
    tweet_id = text_of(tweet.get("id_str")) or text_of(tweet.get("id"))
    user = obj(tweet.get("user"))
    handle = text_of(user.get("screen_name"))
    text = _v1_text(tweet)
    original = tweet.get("retweeted_status")
    if isinstance(original, dict) or (isinstance(text, str) and text.startswith("RT @")):
        if isinstance(original, dict):
            of = text_of(original.get("id_str")) or text_of(original.get("id"))
            by = text_of(obj(original.get("user")).get("screen_name"))
            detail = f"a retweet of {of}" + (f" (@{by})" if by else "")
        else:
            by = text.split(":", 1)[0].removeprefix("RT ").strip()
            detail = f"a retweet of a post by {by} (the text starts with 'RT @'; the original's id is not in the export)"
        return ctx.reject(location, "repost", f"{detail} by {_who(handle)}: it repeats another post (counted, not analysed "
                          "twice)", tweet)
    raw_date = tweet.get("created_at")
    metadata = {
        "url": f"https://x.com/{handle or 'i/web'}/status/{tweet_id}" if tweet_id else None,
        "reply_to": text_of(tweet.get("in_reply_to_status_id_str")) or text_of(tweet.get("in_reply_to_status_id")),
        "reply_to_user": text_of(tweet.get("in_reply_to_screen_name")),
        "quoted": text_of(tweet.get("quoted_status_id_str")) if tweet.get("is_quote_status") else None,
        "language": text_of(tweet.get("lang")), "likes": count(tweet.get("favorite_count")),
        "shares": count(tweet.get("retweet_count")), "replies": count(tweet.get("reply_count")),
        "quotes": count(tweet.get("quote_count")),
    }
    return ctx.post(Post(text=text, date=raw_date, date_key="created_at" if raw_date not in (None, "") else None,
                         id=tweet_id, author=handle, author_name=text_of(user.get("name")), platform="x",
                         metadata=metadata, text_keys="full_text, extended_tweet.full_text or text"), tweet, location)


def _sniff_v1(probe: Probe) -> float:
    """X API v1.1: tweets with ``id_str``, a ``user`` holding ``screen_name`` and Twitter-style ``created_at``."""
    if not _is_json(probe):
        return 0.0
    first = probe.first_object
    if isinstance(first, dict) and isinstance(first.get("statuses"), list):
        first = next((t for t in first["statuses"] if isinstance(t, dict)), None)
    if isinstance(first, dict) and "id_str" in first and "screen_name" in obj(first.get("user")):
        return 0.95
    head = probe.head
    if '"id_str"' in head and '"screen_name"' in head and _TWITTER_DATE.search(head):
        return 0.85
    return 0.0


# --------------------------------------------------------------------------- X API v2

#: Twitter's epoch of snowflake ids (ms): ids from 2010-11-04 on hold their creation time in their top bits.
_SNOWFLAKE_EPOCH_MS = 1288834974657


def snowflake_time(tweet_id: Any) -> str | None:
    """The creation time (ISO 8601, UTC) encoded in a tweet's snowflake id, or None for an id that is not one."""
    text = text_of(tweet_id)
    if not text or not text.isdigit() or int(text) < 2**32:  # ids before snowflakes (2010) hold no time
        return None
    millis = (int(text) >> 22) + _SNOWFLAKE_EPOCH_MS
    try:
        return datetime.fromtimestamp(millis / 1000, tz=UTC).isoformat()
    except (OverflowError, OSError, ValueError):
        return None


def _who(handle: Any) -> str:
    """``@handle``, or a phrase saying the file names no author."""
    return f"@{handle}" if handle else "an author the file does not name"


def _v2_rows(value: Any, line: int, ctx: Context) -> Iterator[dict[str, Any]]:
    units = value if isinstance(value, list) else [value]
    for unit in units:
        if isinstance(unit, dict) and "data" in unit:  # a response page
            users = {text_of(u.get("id")): u for u in obj(unit.get("includes")).get("users", []) if isinstance(u, dict)}
            data = unit["data"]
            for tweet in data if isinstance(data, list) else [data]:
                location = ctx.locate(line, "id", text_of(obj(tweet).get("id")))
                yield safe(ctx, location, tweet, lambda t=tweet, loc=location, u=users: _v2_row(t, loc, ctx, u),
                           "an X API v2 tweet")
        elif isinstance(unit, dict) and ("errors" in unit or "meta" in unit) and "text" not in unit:
            continue  # a page without tweets (only errors, or result_count 0): nothing to read
        else:  # a flattened tweet (twarc2 --flatten, or an array of tweets)
            location = ctx.locate(line, "id", text_of(obj(unit).get("id")))
            yield safe(ctx, location, unit, lambda t=unit, loc=location: _v2_row(t, loc, ctx, {}), "an X API v2 tweet")


def _v2_row(tweet: Any, location: str, ctx: Context, users: dict[str | None, dict[str, Any]]) -> dict[str, Any]:
    if not isinstance(tweet, dict) or "id" not in tweet or not {"text", "note_tweet"} & set(tweet):
        got = f"keys {sorted(tweet)[:8]}" if isinstance(tweet, dict) else f"a {type(tweet).__name__}"
        return ctx.reject(location, "malformed_record", f"expected a tweet object (id, text, created_at, author_id), got {got}",
                          tweet)
    tweet_id = text_of(tweet.get("id"))
    author_id = text_of(tweet.get("author_id"))
    user = users.get(author_id) or obj(tweet.get("author"))
    handle = text_of(user.get("username"))
    refs = {text_of(r.get("type")): text_of(r.get("id")) for r in tweet.get("referenced_tweets") or [] if isinstance(r, dict)}
    note = obj(tweet.get("note_tweet")).get("text")
    text = note if isinstance(note, str) and note.strip() else tweet.get("text")
    if "retweeted" in refs or (isinstance(text, str) and text.startswith("RT @")):
        of = refs.get("retweeted")
        detail = f"a retweet of {of}" if of else "a retweet (the text starts with 'RT @'; the original's id is not given)"
        return ctx.reject(location, "repost", f"{detail} by {_who(handle or author_id)}: it repeats another post "
                          "(counted, not analysed twice)", tweet)
    metrics = obj(tweet.get("public_metrics"))
    raw_date = tweet.get("created_at")
    from_id = None
    if raw_date in (None, "") and (from_id := snowflake_time(tweet_id)) is not None:
        raw_date = from_id  # asked without tweet.fields=created_at: the id itself holds the creation time
    metadata = {
        "url": f"https://x.com/{handle or 'i/web'}/status/{tweet_id}", "reply_to": refs.get("replied_to"),
        "quoted": refs.get("quoted"), "conversation_id": text_of(tweet.get("conversation_id")),
        "author_id": author_id, "language": text_of(tweet.get("lang")), "likes": count(metrics.get("like_count")),
        "shares": count(metrics.get("retweet_count")), "replies": count(metrics.get("reply_count")),
        "quotes": count(metrics.get("quote_count")),
    }
    if from_id:
        metadata["date_source"] = "tweet_id"
    return ctx.post(Post(text=text, date=raw_date, date_key="created_at" if raw_date not in (None, "") else None,
                         id=tweet_id, author=handle or author_id, author_name=text_of(user.get("name")), platform="x",
                         metadata=metadata, text_keys="note_tweet.text or text"), tweet, location)


_V2_TWEET_KEYS = {"author_id", "edit_history_tweet_ids", "conversation_id", "public_metrics", "referenced_tweets", "note_tweet"}


def _sniff_v2(probe: Probe) -> float:
    """X API v2: pages ``{"data": [tweets], "includes", "meta"}`` (twarc2 JSON Lines too) or flattened tweets."""
    if not _is_json(probe):
        return 0.0
    first = probe.first_object
    if not isinstance(first, dict):
        return 0.0
    if "data" in first:
        data = first["data"]
        tweet = data[0] if isinstance(data, list) and data else data
        if isinstance(tweet, dict) and "id" in tweet and "text" in tweet and (_V2_TWEET_KEYS & set(tweet) or
                                                                              "users" in obj(first.get("includes"))):
            return 0.95
        return 0.0
    if "id" in first and "text" in first and (("author" in first and "username" in obj(first.get("author")))
                                              or len(_V2_TWEET_KEYS & set(first)) >= 2 or "__twarc" in first):
        return 0.9
    return 0.0


# --------------------------------------------------------------------------- Meta Graph API comments

def _agents(ctx: Context, unit: dict[str, Any]) -> set[str]:
    """The business's own names and ids: the page the export names (``page_id``, ``page``) and ``[[sources]] agents``."""
    names = {fold(a).strip() for a in ctx.source.agents if a.strip()}
    page = obj(unit.get("page"))
    for value in (unit.get("page_id"), unit.get("ig_user_id"), page.get("id"), page.get("name"), page.get("username")):
        if text_of(value):
            names.add(fold(text_of(value) or ""))
    return names


def _meta_rows(value: Any, line: int, ctx: Context) -> Iterator[dict[str, Any]]:
    units = value if isinstance(value, list) else [value]
    for unit in units:
        if isinstance(unit, dict) and isinstance(unit.get("data"), list):
            agents = _agents(ctx, unit)
            for comment in unit["data"]:
                yield from _meta_comment(comment, None, line, ctx, agents, 0)
        else:
            yield from _meta_comment(unit, None, line, ctx, _agents(ctx, {}), 0)


def _meta_comment(comment: Any, parent: str | None, line: int, ctx: Context, agents: set[str],
                  depth: int) -> Iterator[dict[str, Any]]:
    comment_id = text_of(obj(comment).get("id"))
    location = ctx.locate(line, "id", comment_id)
    yield safe(ctx, location, comment, lambda: _meta_row(comment, parent, location, ctx, agents), "a Meta comment")
    if not isinstance(comment, dict) or depth > 20:
        return
    for key in ("comments", "replies"):
        replies = obj(comment.get(key)).get("data")
        if isinstance(replies, list):
            for reply in replies:
                yield from _meta_comment(reply, comment_id, line, ctx, agents, depth + 1)


def _meta_row(comment: Any, parent: str | None, location: str, ctx: Context, agents: set[str]) -> dict[str, Any]:
    if not isinstance(comment, dict) or not {"message", "text"} & set(comment) and "id" not in comment:
        return ctx.reject(location, "malformed_record", "expected a comment (id, message or text, created_time or timestamp), "
                          f"got {type(comment).__name__ if not isinstance(comment, dict) else sorted(comment)[:8]}", comment)
    sender = obj(comment.get("from"))
    facebook = "message" in comment or "created_time" in comment
    author_id = text_of(sender.get("id"))
    username = text_of(comment.get("username")) or text_of(sender.get("username"))
    name = text_of(sender.get("name"))
    who = [fold(v) for v in (author_id, username, name) if v]
    if agents and any(w in agents for w in who):
        return ctx.reject(location, AGENT_REASON, f"a comment by the business itself ({name or username or author_id}: "
                          "the page of the export or a name in [[sources]] agents); counted, not analysed", comment)
    text = comment.get("message") if facebook and "message" in comment else comment.get("text", comment.get("message"))
    date_key = next((k for k in ("created_time", "timestamp") if comment.get(k) not in (None, "")), None)
    reply_to = parent or text_of(obj(comment.get("parent")).get("id"))
    metadata = {
        "url": text_of(comment.get("permalink_url")) or text_of(comment.get("permalink")), "reply_to": reply_to,
        "likes": count(comment.get("like_count")), "replies": count(comment.get("comment_count")),
        "author_id": author_id if username or name else None,
    }
    return ctx.post(Post(text=text, date=comment.get(date_key) if date_key else None, date_key=date_key, id=text_of(comment.get("id")),
                         author=username or author_id or name, author_name=name if (username or author_id) else None,
                         platform="facebook" if facebook else "instagram", metadata=metadata,
                         text_keys="message (Facebook) or text (Instagram)"), comment, location)


def _sniff_meta(probe: Probe) -> float:
    """Graph API comment pages: ``{"data": [{"id", "message"|"text", "created_time"|"timestamp", ...}], "paging"}``."""
    if not _is_json(probe):
        return 0.0
    first = probe.first_object
    if not isinstance(first, dict):
        return 0.0
    data = first.get("data")
    comment = next((c for c in data if isinstance(c, dict)), None) if isinstance(data, list) else first
    if not isinstance(comment, dict) or "id" not in comment:
        return 0.0
    if "created_time" in comment and ("message" in comment or "from" in comment):
        return 0.9
    if "timestamp" in comment and "text" in comment and ("username" in comment or "from" in comment or "like_count" in comment):
        return 0.9
    if "paging" in first and ({"message", "text"} & set(comment)):
        return 0.7
    return 0.0


# --------------------------------------------------------------------------- Reddit listings

_REDDIT_GONE = {"[deleted]", "[removed]"}


def _reddit_things(value: Any, depth: int = 0) -> Iterator[tuple[str, Any]]:
    """``(kind, data)`` of every post and comment of a listing, a post page (two listings) or loose things, in order."""
    if depth > 100:
        return
    if isinstance(value, list):
        for item in value:
            yield from _reddit_things(item, depth + 1)
        return
    if not isinstance(value, dict):
        yield "?", value
        return
    kind = value.get("kind")
    data = value.get("data")
    if kind == "Listing":
        for child in obj(data).get("children") or []:
            yield from _reddit_things(child, depth + 1)
    elif kind in ("t1", "t3"):
        yield kind, data
        replies = obj(data).get("replies")
        if isinstance(replies, dict):
            yield from _reddit_things(replies, depth + 1)
    elif kind == "more":
        return  # "load more comments": ids only, no post
    elif kind is None and ("body" in value or "selftext" in value or "title" in value):
        yield ("t1" if "body" in value else "t3"), value  # a dump line (Pushshift, PRAW): the thing's data itself
    else:
        yield "?", value


def _reddit_rows(value: Any, line: int, ctx: Context) -> Iterator[dict[str, Any]]:
    for kind, thing in _reddit_things(value):
        data = obj(thing)
        name = text_of(data.get("name")) or (f"{kind}_{text_of(data.get('id'))}" if text_of(data.get("id")) else None)
        location = ctx.locate(line, "name", name) if text_of(data.get("name")) else ctx.locate(line, "id", text_of(data.get("id")))
        yield safe(ctx, location, thing, lambda k=kind, d=thing, n=name, loc=location: _reddit_row(k, d, n, loc, ctx),
                   "a Reddit post or comment")


def _reddit_row(kind: str, data: Any, name: str | None, location: str, ctx: Context) -> dict[str, Any]:
    if kind == "?" or not isinstance(data, dict):
        return ctx.reject(location, "malformed_record", "expected a Reddit thing (kind t1 comment or t3 post, with data), got "
                          + (f"kind {obj(data).get('kind')!r}" if isinstance(data, dict) else f"a {type(data).__name__}"), data)
    if kind == "t3":
        body = data.get("selftext")
        body = "" if isinstance(body, str) and body.strip() in _REDDIT_GONE else body
        removed = isinstance(data.get("selftext"), str) and data["selftext"].strip() in _REDDIT_GONE
        text = None if removed else join_title(data.get("title"), body)
        keys = "title and selftext (a [deleted] or [removed] post has none)"
    else:
        text = data.get("body")
        text = None if isinstance(text, str) and text.strip() in _REDDIT_GONE else text
        keys = "body (a [deleted] or [removed] comment has none)"
    author = text_of(data.get("author"))
    author = None if author in _REDDIT_GONE else author
    permalink = text_of(data.get("permalink"))
    created = data.get("created_utc", data.get("created"))
    metadata = {
        "kind": "post" if kind == "t3" else "comment", "subreddit": text_of(data.get("subreddit")),
        "url": ("https://www.reddit.com" + permalink if permalink.startswith("/") else permalink) if permalink else None,
        "reply_to": text_of(data.get("parent_id")), "title": text_of(data.get("title")) if kind == "t3" else None,
        "likes": count(data.get("score", data.get("ups"))), "replies": count(data.get("num_comments")),
    }
    return ctx.post(Post(text=text, date=created, date_key="created_utc" if created not in (None, "") else None,
                         id=name, author=author, platform="reddit", metadata=metadata, text_keys=keys), data, location)


def _sniff_reddit(probe: Probe) -> float:
    """Reddit API listings (``"kind": "Listing"`` of t1 / t3 things) or dump lines of comments and posts."""
    if not _is_json(probe):
        return 0.0
    first = first_object(probe)
    if isinstance(first, dict) and first.get("kind") in ("Listing", "t1", "t3") and isinstance(first.get("data"), dict):
        return 0.95
    if isinstance(first, dict) and "subreddit" in first and "created_utc" in first and {"body", "selftext"} & set(first):
        return 0.9
    return 0.0


# --------------------------------------------------------------------------- registration

def _reader(expand: Expand, name: str) -> Callable[[Path, SourceConfig, IngestConfig], Batch]:
    def read(path: Path, source: SourceConfig, cfg: IngestConfig) -> Batch:
        return read_json_format(path, source, cfg, expand, name)

    read.__doc__ = f"Read a file of the {name} format into a batch (see the module docstring); never raises."
    return read


read_x_v1 = _reader(_v1_rows, "social.x-v1.v1")
read_x_v2 = _reader(_v2_rows, "social.x-v2.v1")
read_meta_comments = _reader(_meta_rows, "social.meta-comments.v1")
read_reddit = _reader(_reddit_rows, "social.reddit.v1")

register(InputFormat(
    name="social.x-v1.v1", channel="social", extensions=(".json", ".jsonl"),
    reads="X/Twitter API v1.1 statuses: one tweet, an array, JSON Lines (twarc 1) or the search wrapper {\"statuses\": [...]}",
    fields={"record": "one tweet (retweets quarantined as repost, with the original's id; quote tweets kept)",
            "text": "full_text, else extended_tweet.full_text, else text", "date": "created_at (Fri May 18 07:25:56 +0000 2018)",
            "author": "user.screen_name (user.name as author_name)", "customer": "user.screen_name", "id": "id_str",
            "metadata": "reply_to (in_reply_to_status_id_str), reply_to_user, quoted, language (lang), likes "
                        "(favorite_count), shares (retweet_count), url"},
    sniff=_sniff_v1, read=read_x_v1))
register(InputFormat(
    name="social.x-v2.v1", channel="social", extensions=(".json", ".jsonl"),
    reads="X API v2 responses: pages {data, includes, meta}, twarc2 JSON Lines of pages, or twarc2 --flatten tweets",
    fields={"record": "one tweet of data (includes.tweets are context, not records); retweets quarantined as repost",
            "text": "note_tweet.text (long posts), else text", "date": "created_at (ISO 8601)",
            "author": "includes.users[author_id].username (flattened: author.username)", "customer": "the username, else author_id",
            "id": "id", "metadata": "reply_to and quoted (referenced_tweets), conversation_id, language, public_metrics"},
    sniff=_sniff_v2, read=read_x_v2))
register(InputFormat(
    name="social.meta-comments.v1", channel="social", extensions=(".json", ".jsonl"),
    reads="Meta Graph API comments: Facebook page comments and Instagram media comments ({\"data\": [...], \"paging\"}), "
          "replies nested under comments.data / replies.data",
    fields={"record": "one comment or reply (reply_to = the parent comment's id)",
            "text": "message (Facebook), text (Instagram)", "date": "created_time (Facebook), timestamp (Instagram)",
            "author": "username (Instagram), else from.id with from.name as author_name", "customer": "the author",
            "id": "id", "skipped": f"the business's own comments (from the export's page_id / page, or a name in [[sources]] "
            f"agents): quarantined as {AGENT_REASON}"},
    sniff=_sniff_meta, read=read_meta_comments))
register(InputFormat(
    name="social.reddit.v1", channel="social", extensions=(".json", ".jsonl"),
    reads="Reddit API listings (a subreddit or search listing, a post page's two listings) or dump lines of posts/comments",
    fields={"record": "one post (t3) or comment (t1), nested replies included; 'more' stubs are not posts",
            "text": "post: title + selftext; comment: body ([deleted]/[removed] -> empty_text)", "date": "created_utc",
            "author": "author ([deleted] -> none)", "customer": "the author", "id": "name (t1_... / t3_...)",
            "metadata": "kind, subreddit, url (permalink), reply_to (parent_id), likes (score), replies (num_comments)"},
    sniff=_sniff_reddit, read=read_reddit))
