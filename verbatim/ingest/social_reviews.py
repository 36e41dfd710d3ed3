"""Social formats of review platforms: Trustpilot, Google Business Profile, Google Play and App Store CSVs, French scrapes.

Stars become ``csat`` (1-5); a review's title and text become one text (``title\\nbody``, the title
also in ``metadata.title``). The business's public answer (Trustpilot ``companyReply``, Google
``reviewReply``, Play ``Developer Reply Text``) is not analysed: ``metadata.replied`` says it exists.
Every review of a recognised file ends as one record or one quarantine row (``empty_text`` for a
rating without words, ``non_answer`` for a review saying nothing (``RAS``, ``-``: ``[ingest].non_answers``), ``bad_date``, ``missing_date``, ``score_out_of_range``, ``malformed_row`` for a
CSV line that does not split into the header's columns, ``malformed_record``).
"""

from __future__ import annotations

import csv
import io
import logging
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from verbatim.config import IngestConfig, SourceConfig
from verbatim.ingest.common import Batch, decode_bytes, file_too_large, parse_score, rejected
from verbatim.ingest.formats import InputFormat, Probe, fold, register
from verbatim.ingest.social import (
    FIELDS,
    Context,
    Post,
    Profile,
    build_post,
    count,
    join_title,
    obj,
    post_key,
    read_json_format,
    read_profile,
    safe,
    text_of,
)

log = logging.getLogger(__name__)


def _find_list(value: Any, key: str, depth: int = 0) -> list[Any] | None:
    """The list under ``key`` in ``value`` or in the objects it holds (three levels at most)."""
    if not isinstance(value, dict) or depth > 3:
        return None
    if isinstance(value.get(key), list):
        return value[key]
    for child in value.values():
        found = _find_list(child, key, depth + 1)
        if found is not None:
            return found
    return None


# --------------------------------------------------------------------------- Trustpilot

def _tp_reviews(value: Any) -> list[Any]:
    if isinstance(value, list):
        return [r for item in value for r in (_tp_reviews(item) if isinstance(item, dict) and "reviews" in item else [item])]
    found = _find_list(value, "reviews")
    return found if found is not None else [value]


def _tp_rows(value: Any, line: int, ctx: Context) -> Iterator[dict[str, Any]]:
    for review in _tp_reviews(value):
        location = ctx.locate(line, "id", text_of(obj(review).get("id")))
        yield safe(ctx, location, review, lambda r=review, loc=location: _tp_row(r, loc, ctx), "a Trustpilot review")


def _tp_row(review: Any, location: str, ctx: Context) -> dict[str, Any]:
    if not isinstance(review, dict) or not {"text", "title", "stars", "rating"} & set(review):
        return ctx.reject(location, "malformed_record", "expected a Trustpilot review (stars or rating, title, text, consumer, "
                          "createdAt or dates.publishedDate)", review)
    consumer = obj(review.get("consumer"))
    dates = obj(review.get("dates"))
    date_key, raw_date = next(((k, v) for k, v in (("createdAt", review.get("createdAt")),
                                                   ("dates.publishedDate", dates.get("publishedDate")),
                                                   ("date", review.get("date"))) if v not in (None, "")), (None, None))
    rating_key = "stars" if review.get("stars") is not None else "rating" if review.get("rating") is not None else None
    reply = review.get("companyReply") or review.get("reply")
    name = text_of(consumer.get("displayName"))
    metadata = {
        "title": text_of(review.get("title")), "language": text_of(review.get("language")),
        "country": text_of(consumer.get("countryCode")) or text_of(review.get("location")),
        "experienced_at": text_of(review.get("experiencedAt")) or text_of(dates.get("experiencedDate")),
        "likes": count(review.get("numberOfLikes", review.get("likes"))),
        "verified": review.get("isVerified") if isinstance(review.get("isVerified"), bool) else None,
        "replied": True if isinstance(reply, dict) and reply else None,
    }
    return ctx.post(Post(text=join_title(review.get("title"), review.get("text")), date=raw_date, date_key=date_key,
                         id=text_of(review.get("id")), author=text_of(consumer.get("id")) or name,
                         author_name=name if text_of(consumer.get("id")) else None, platform="trustpilot",
                         rating=review.get(rating_key) if rating_key else None, rating_key=rating_key, metadata=metadata,
                         text_keys="title and text", non_answers=True), review, location)


def _sniff_trustpilot(probe: Probe) -> float:
    """Trustpilot reviews: objects with ``consumer.displayName``, ``stars`` or ``rating``, ``createdAt`` or ``dates``."""
    if probe.head.lstrip()[:1] not in ("{", "["):
        return 0.0
    value = probe.json
    reviews = _tp_reviews(value) if value is not None else []
    review = next((r for r in reviews if isinstance(r, dict)), None)
    if review and "displayName" in obj(review.get("consumer")) and {"stars", "rating"} & set(review) \
            and ({"createdAt", "dates"} & set(review)):
        return 0.95
    return 0.0


# --------------------------------------------------------------------------- Google Business Profile reviews

_STARS = {"ONE": 1, "TWO": 2, "THREE": 3, "FOUR": 4, "FIVE": 5}
_TRANSLATED = re.compile(r"\((?:Translated by Google|Traduit par Google|Traducido por Google|Übersetzt von Google)\)", re.I)
_ORIGINAL = re.compile(r"\((?:Original|Avis d'origine|Texte d'origine|Original text)\)", re.I)


def original_text(comment: Any) -> tuple[Any, bool]:
    """The reviewer's own words of a Google comment, without Google's translation; (text, a translation was removed).

    ``(Translated by Google) ... (Original) ...`` keeps what follows ``(Original)``; ``... (Translated by Google) ...``
    without ``(Original)`` keeps what precedes the marker (French labels too: ``(Traduit par Google)``,
    ``(Avis d'origine)``).
    """
    if not isinstance(comment, str) or not _TRANSLATED.search(comment):
        return comment, False
    original = _ORIGINAL.search(comment)
    if original:
        after = comment[original.end():]
        cut = _TRANSLATED.search(after)
        return (after[: cut.start()] if cut else after).strip(), True
    return comment[: _TRANSLATED.search(comment).start()].strip(), True  # type: ignore[union-attr]


def _google_reviews(value: Any) -> list[Any]:
    if isinstance(value, list):
        return [r for item in value for r in _google_reviews(item)] if any(
            isinstance(i, dict) and ({"reviews", "locationReviews"} & set(i)) for i in value) else value
    if isinstance(value, dict) and isinstance(value.get("locationReviews"), list):
        return [obj(item).get("review", item) for item in value["locationReviews"]]
    found = _find_list(value, "reviews")
    return found if found is not None else [value]


def _google_rows(value: Any, line: int, ctx: Context) -> Iterator[dict[str, Any]]:
    for review in _google_reviews(value):
        location = ctx.locate(line, "reviewId", text_of(obj(review).get("reviewId")))
        yield safe(ctx, location, review, lambda r=review, loc=location: _google_row(r, loc, ctx), "a Google review")


def _google_row(review: Any, location: str, ctx: Context) -> dict[str, Any]:
    if not isinstance(review, dict) or not {"starRating", "comment", "reviewId"} & set(review):
        return ctx.reject(location, "malformed_record", "expected a Google review (reviewId, starRating, comment, createTime, "
                          "reviewer)", review)
    reviewer = obj(review.get("reviewer"))
    name = None if reviewer.get("isAnonymous") is True else text_of(reviewer.get("displayName"))
    text, translated = original_text(review.get("comment"))
    stars = text_of(review.get("starRating"))
    rating = _STARS.get((stars or "").upper(), stars if stars and stars.isdigit() else None)
    raw_date = review.get("createTime")
    metadata = {"updated_at": text_of(review.get("updateTime")), "replied": True if obj(review.get("reviewReply")) else None,
                "translation_removed": True if translated else None,
                "location": text_of(review.get("name")).split("/reviews/")[0] if text_of(review.get("name")) else None}
    return ctx.post(Post(text=text, date=raw_date, date_key="createTime" if raw_date not in (None, "") else None,
                         id=text_of(review.get("reviewId")) or text_of(review.get("name")), author=name, platform="google",
                         rating=rating, rating_key="starRating" if rating is not None else None, metadata=metadata,
                         text_keys="comment (a rating without comment has no text)", non_answers=True), review, location)


def _sniff_google(probe: Probe) -> float:
    """Google Business Profile API reviews: ``starRating`` ONE..FIVE with ``reviewer`` and ``createTime``."""
    if probe.head.lstrip()[:1] not in ("{", "["):
        return 0.0
    head = probe.head
    if '"starRating"' in head and ('"reviewer"' in head or '"createTime"' in head) and \
            re.search(r'"starRating"\s*:\s*"(ONE|TWO|THREE|FOUR|FIVE|STAR_RATING_UNSPECIFIED)"', head):
        return 0.95
    return 0.0


# --------------------------------------------------------------------------- CSV exports of app stores

def decode_csv(raw: bytes, forced: str | None) -> str:
    """A CSV export's text: UTF-16 with or without BOM (Google Play), else :func:`decode_bytes`."""
    if not forced and not raw.startswith((b"\xff\xfe", b"\xfe\xff")) and len(raw) >= 4:
        sample = raw[:4096]
        if sample[1::2].count(0) > len(sample) // 4:
            return raw.decode("utf-16-le", errors="replace")
        if sample[0::2].count(0) > len(sample) // 4:
            return raw.decode("utf-16-be", errors="replace")
    return decode_bytes(raw, forced)[0].removeprefix("\ufeff")


def _head_line(probe: Probe) -> str:
    """The folded header line of a CSV probe (UTF-16 without BOM decoded too)."""
    text = decode_csv(probe.raw, None) if b"\x00" in probe.raw[:200] else probe.head
    return fold(text.lstrip("\ufeff").split("\n", 1)[0]).strip()


def _csv_rows(text: str, delimiter: str | None) -> Iterator[tuple[int, list[str]]]:
    """``(line where the row starts, cells)`` of every non-blank row of a CSV text."""
    if delimiter is None:
        header = text.split("\n", 1)[0]
        delimiter = max((",", ";", "\t"), key=header.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    for cells in reader:
        if any(c.strip() for c in cells):
            yield start, cells
        start = reader.line_num + 1


def read_csv_format(path: Path, source: SourceConfig, cfg: IngestConfig, columns: dict[str, tuple[str, ...]],
                    build: Any, name: str) -> Batch:
    """Read a review CSV: the header's columns found by ``columns`` aliases, each row turned into a :class:`Post` by ``build``."""
    label = str(path)
    limit = cfg.excerpt_chars
    try:
        too_large = file_too_large(path, cfg)
        if too_large:
            return Batch.from_rows([], [rejected(label, label, "too_large", too_large)])
        text = decode_csv(path.read_bytes(), source.encoding)
        rows_in = _csv_rows(text, source.delimiter)
        first = next(rows_in, None)
        if first is None:
            return Batch.from_rows([], [])
        header = [fold(h).strip() for h in first[1]]
        where = {field: next((header.index(a) for a in aliases if a in header), None) for field, aliases in columns.items()}
        rows: list[dict[str, Any]] = []
        bad: list[dict[str, Any]] = []
        for line, cells in rows_in:
            location = f"{label}:{line}"
            if len(cells) != len(header):
                bad.append(rejected(label, location, "malformed_row", f"expected {len(header)} columns as the header, got "
                                    f"{len(cells)}; check the quoting of the line", ",".join(cells), limit))
                continue
            row = {field: (cells[i].strip() if i is not None else "") for field, i in where.items()}
            try:
                post = build(row)
                out = build_post(post, dict(zip(first[1], cells, strict=True)), location, label, source, cfg)
            except Exception as exc:  # noqa: BLE001 - one strange row must not stop the file
                out = rejected(label, location, "malformed_record", f"the row cannot be read as {name}: {type(exc).__name__}",
                               ",".join(cells), limit)
            (bad if "reason" in out else rows).append(out)
        log.debug("%s %s: %d records, %d quarantined", name, label, len(rows), len(bad))
        return Batch.from_rows(rows, bad)
    except Exception as exc:  # noqa: BLE001 - a broken file must never stop a run
        log.warning("quarantined unreadable file %s: %s", label, type(exc).__name__)
        return Batch.from_rows([], [rejected(label, label, "unreadable_file", f"{type(exc).__name__}: {str(exc)[:200]}")])


_PLAY_COLUMNS = {
    "package": ("package name",), "version_code": ("app version code",), "version": ("app version name",),
    "language": ("reviewer language",), "device": ("device",), "date": ("review submit date and time",),
    "millis": ("review submit millis since epoch",), "updated": ("review last update date and time",),
    "stars": ("star rating",), "title": ("review title",), "text": ("review text",),
    "reply": ("developer reply text",), "link": ("review link",),
}


def _play_post(row: dict[str, str]) -> Post:
    link = row["link"]
    review_id = (parse_qs(urlparse(link).query).get("reviewId") or [None])[0] if link else None
    date_key, raw_date = ("Review Submit Millis Since Epoch", row["millis"]) if row["millis"] else \
        ("Review Submit Date and Time", row["date"]) if row["date"] else (None, None)
    text = join_title(row["title"], row["text"])
    metadata = {"title": row["title"] or None, "app": row["package"] or None, "app_version": row["version"] or None,
                "version_code": row["version_code"] or None, "language": row["language"] or None,
                "device": row["device"] or None, "url": link or None, "updated_at": row["updated"] or None,
                "replied": True if row["reply"] else None}
    return Post(text=text, date=raw_date, date_key=date_key,
                id=review_id or post_key("google_play", row["device"], raw_date, text if isinstance(text, str) else ""),
                platform="google_play", rating=row["stars"] or None, rating_key="Star Rating", metadata=metadata,
                text_keys="Review Title and Review Text (a rating without words has no text)", non_answers=True)


def read_google_play(path: Path, source: SourceConfig, cfg: IngestConfig) -> Batch:
    """Read a Google Play Console reviews CSV (``reviews_<package>_<YYYYMM>.csv``, UTF-16) into a batch; never raises.

    Writes ``source_id`` = the ``reviewId`` of Review Link (else a hash), ``received_at`` = Review Submit Millis
    Since Epoch (else Review Submit Date and Time), ``text`` = Review Title + Review Text, ``csat`` = Star Rating,
    no ``customer_id`` (the export names nobody), ``metadata`` = app, app_version, version_code, language, device,
    url, updated_at, replied.
    """
    return read_csv_format(path, source, cfg, _PLAY_COLUMNS, _play_post, "social.google-play-csv.v1")


def _sniff_play(probe: Probe) -> float:
    head = _head_line(probe)
    return 0.95 if "package name" in head and "star rating" in head and "review text" in head else 0.0


_APPSTORE_COLUMNS = {
    "id": ("id", "review id", "review_id"),
    "date": ("date", "created date", "createddate", "review date", "last modified", "updated"),
    "stars": ("rating", "stars", "star rating", "note"),
    "title": ("title", "review title", "subject", "titre"),
    "text": ("review", "body", "content", "review text", "comment", "avis"),
    "author": ("nickname", "reviewer nickname", "reviewernickname", "author", "user", "user name", "auteur"),
    "version": ("version", "app version"),
    "territory": ("territory", "country", "store", "pays"),
    "language": ("language", "lang", "langue"),
}
_APPSTORE_DATE_FORMATS = ("%b %d, %Y", "%B %d, %Y", "%b %d, %Y %I:%M %p", "%d %b %Y", "%d %B %Y")


def _appstore_date(value: str) -> str:
    """English month-name dates (``Jul 29, 2026``) as naive ISO text (read in the source's zone); others as given."""
    from datetime import datetime

    for fmt in _APPSTORE_DATE_FORMATS:
        try:
            return datetime.strptime(" ".join(value.split()), fmt).isoformat()
        except ValueError:
            continue
    return value


def _appstore_post(row: dict[str, str]) -> Post:
    stars = row["stars"]
    if stars and set(stars) <= {"★", "☆", " "}:
        stars = str(stars.count("★"))
    raw_date = _appstore_date(row["date"]) if row["date"] else None
    text = join_title(row["title"], row["text"])
    metadata = {"title": row["title"] or None, "app_version": row["version"] or None, "territory": row["territory"] or None,
                "language": row["language"] or None}
    return Post(text=text, date=raw_date, date_key="Date" if raw_date else None,
                id=row["id"] or post_key("app_store", row["author"], row["date"], text if isinstance(text, str) else ""),
                author=row["author"] or None, platform="app_store", rating=stars or None, rating_key="Rating",
                metadata=metadata, text_keys="Title and Review", non_answers=True)


def read_app_store(path: Path, source: SourceConfig, cfg: IngestConfig) -> Batch:
    """Read an App Store review CSV (App Store Connect tools, AppFollow/appbot-like exports) into a batch; never raises.

    Writes ``source_id`` = the review id column (else a hash), ``received_at`` = Date, ``text`` = Title + Review,
    ``csat`` = Rating / Stars, ``customer_id`` = Nickname / Author, ``metadata`` = title, app_version, territory, language.
    """
    return read_csv_format(path, source, cfg, _APPSTORE_COLUMNS, _appstore_post, "social.app-store-csv.v1")


def _sniff_app_store(probe: Probe) -> float:
    head = _head_line(probe)
    if not head or "package name" in head or head.startswith(("{", "[")):
        return 0.0
    cells = {c.strip().strip('"') for c in re.split(r"[,;\t]", head)}

    def has(field: str) -> bool:
        return bool(cells & set(_APPSTORE_COLUMNS[field]))

    if has("stars") and has("text") and has("title") and (has("author") or has("territory") or has("version")):
        return 0.85
    return 0.0


# --------------------------------------------------------------------------- French review scrapes

def note_to_csat(value: Any) -> tuple[int | None, str | None]:
    """A scraped 1-5 note as csat: ``4``, ``"4/5"``, ``"4,0"``, ``"★★★★☆"``; ``"4,5/5"`` rounds half up to 5, ``"8/10"``
    is rescaled to 4 (``round(x * 5 / 10)``, half up)."""
    text = text_of(value)
    if text is None:
        return None, None
    if set(text) <= {"★", "☆", " "}:
        text = str(text.count("★"))
    match = re.fullmatch(r"\s*(\d+(?:[.,]\d+)?)\s*(?:/\s*(\d+)|(?:étoiles?|etoiles?|stars?|★))?\s*", text, re.I)
    if not match:
        return parse_score(text, "csat")
    number = float(match.group(1).replace(",", "."))
    scale = int(match.group(2)) if match.group(2) else 5
    if scale <= 0:
        return None, f"csat score {text!r} has an empty scale"
    number = number * 5 / scale
    return parse_score(str(math.floor(number + 0.5)) if number != int(number) else str(int(number)), "csat")


_FR_FIELDS: dict[str, tuple[str, ...]] = {
    **FIELDS,
    "id": ("id", "id_avis", "identifiant", "review_id", "avis_id", *FIELDS["id"]),
    "author": ("auteur", "pseudo", "nom", "utilisateur", "client", *FIELDS["author"]),
    "date": ("date_avis", "date_publication", "date_de_publication", "publie_le", "date", "date_experience",
             *FIELDS["date"]),
    "text": ("commentaire", "avis", "texte", "contenu", "verbatim", "description", "review", *FIELDS["text"]),
    "title": ("titre", "title", "titre_avis"),
    "rating": ("note", "note_globale", "etoiles", "étoiles", "note_sur_5", *FIELDS["rating"]),
    "platform": ("plateforme", "site", "source", *FIELDS["platform"]),
    "url": ("lien", "url_avis", *FIELDS["url"]),
    "language": ("langue", *FIELDS["language"]),
}
_FR_PROFILE = Profile(fields=_FR_FIELDS, wrappers=("avis", "commentaires", "reviews", "resultats", "data", "items", "results"),
                      title=_FR_FIELDS["title"], rating=note_to_csat, non_answers=True)
_FR_TEXT_KEYS = {"commentaire", "avis", "texte", "contenu", "verbatim"}
_FR_OTHER_KEYS = {"note", "auteur", "date_avis", "titre", "etoiles", "note_globale", "pseudo", "date_publication", "publie_le"}


def read_review_scrape(path: Path, source: SourceConfig, cfg: IngestConfig) -> Batch:
    """Read a scrape of reviews with French keys (JSON array, wrapper or JSON Lines) into a batch; never raises.

    Writes what ``social.json.v1`` writes, the keys read from :data:`_FR_FIELDS` (commentaire, avis, texte...;
    titre; note -> csat via :func:`note_to_csat`, the raw note in ``metadata.rating_raw``; auteur; date_avis, date).
    ``[sources.columns]`` wins over these keys.
    """
    return read_profile(path, source, cfg, _FR_PROFILE)


def _sniff_review_scrape(probe: Probe) -> float:
    """JSON objects with a French review text key (commentaire, avis, texte...) and a note, auteur, titre or date."""
    if probe.head.lstrip()[:1] not in ("{", "["):
        return 0.0
    first = probe.first_object
    if isinstance(first, dict):
        for wrapper in _FR_PROFILE.wrappers:
            inner = first.get(wrapper)
            if isinstance(inner, list) and inner and isinstance(inner[0], dict):
                first = inner[0]
                break
    if not isinstance(first, dict):
        return 0.0
    keys = {fold(k) for k in first}
    if keys & _FR_TEXT_KEYS and keys & (_FR_OTHER_KEYS | {"date"}) and any(isinstance(first.get(k), str) for k in first
                                                                             if fold(k) in _FR_TEXT_KEYS):
        return 0.8
    return 0.0


# --------------------------------------------------------------------------- registration

def read_trustpilot(path: Path, source: SourceConfig, cfg: IngestConfig) -> Batch:
    """Read Trustpilot reviews (API or scraper JSON, JSON Lines) into a batch; never raises.

    Writes ``source_id`` = id, ``received_at`` = createdAt (else dates.publishedDate), ``text`` = title + text,
    ``csat`` = stars (or rating), ``customer_id`` = consumer.id (else consumer.displayName), ``metadata`` = title,
    language, country, experienced_at, likes, verified, replied.
    """
    return read_json_format(path, source, cfg, _tp_rows, "social.trustpilot.v1")


def read_google_reviews(path: Path, source: SourceConfig, cfg: IngestConfig) -> Batch:
    """Read Google Business Profile API reviews into a batch; never raises.

    Writes ``source_id`` = reviewId, ``received_at`` = createTime, ``text`` = comment (the reviewer's original
    words: Google's translation removed), ``csat`` = starRating ONE..FIVE, ``customer_id`` = reviewer.displayName
    (none when anonymous), ``metadata`` = updated_at, replied, translation_removed, location.
    """
    return read_json_format(path, source, cfg, _google_rows, "social.google-reviews.v1")


register(InputFormat(
    name="social.trustpilot.v1", channel="social", extensions=(".json", ".jsonl"),
    reads="Trustpilot reviews as the API (business-units reviews) or common scrapers give them: JSON, {reviews: [...]}, JSONL",
    fields={"record": "one review", "text": "title + text", "date": "createdAt, else dates.publishedDate",
            "author": "consumer.displayName", "customer": "consumer.id, else consumer.displayName",
            "scores": "csat from stars (or rating), 1-5", "id": "id", "skipped": "companyReply / reply (metadata.replied)"},
    sniff=_sniff_trustpilot, read=read_trustpilot))
register(InputFormat(
    name="social.google-reviews.v1", channel="social", extensions=(".json",),
    reads="Google Business Profile API reviews ({reviews: [...]} pages, batchGetReviews locationReviews)",
    fields={"record": "one review", "text": "comment, Google's translation removed (the (Original) part kept)",
            "date": "createTime", "author": "reviewer.displayName", "customer": "reviewer.displayName (none if anonymous)",
            "scores": "csat from starRating ONE..FIVE", "id": "reviewId",
            "skipped": "reviewReply, the business's answer (metadata.replied)"},
    sniff=_sniff_google, read=read_google_reviews))
register(InputFormat(
    name="social.google-play-csv.v1", channel="social", extensions=(".csv",),
    reads="Google Play Console monthly reviews CSV (reviews_<package>_<YYYYMM>.csv, UTF-16)",
    fields={"record": "one review row", "text": "Review Title + Review Text",
            "date": "Review Submit Millis Since Epoch, else Review Submit Date and Time", "author": "none in the export",
            "customer": "none", "scores": "csat from Star Rating", "id": "reviewId of Review Link",
            "skipped": "Developer Reply Text (metadata.replied)"},
    sniff=_sniff_play, read=read_google_play))
register(InputFormat(
    name="social.app-store-csv.v1", channel="social", extensions=(".csv",),
    reads="App Store review CSV exports (Date, Rating/Stars, Title, Review, Nickname/Author, Version, Territory)",
    fields={"record": "one review row", "text": "Title + Review (or Body / Content)", "date": "Date",
            "author": "Nickname / Author", "customer": "the nickname", "scores": "csat from Rating / Stars", "id": "ID if any"},
    sniff=_sniff_app_store, read=read_app_store))
register(InputFormat(
    name="social.review-scrape.v1", channel="social", extensions=(".json", ".jsonl"),
    reads="scraped reviews with French keys (commentaire, avis, texte, note, auteur, titre, date_avis...) as JSON or JSONL",
    fields={"record": "one review", "text": "titre + commentaire|avis|texte|contenu|verbatim (or [sources.columns].text)",
            "date": "date_avis|date_publication|publie_le|date", "author": "auteur|pseudo|nom", "customer": "the author",
            "scores": "csat from note|note_globale|etoiles (4/5, 4,0, ★★★★☆; /10 rescaled)", "id": "id|id_avis|identifiant"},
    sniff=_sniff_review_scrape, read=read_review_scrape))
