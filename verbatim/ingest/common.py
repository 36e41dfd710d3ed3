"""Shared building blocks of the connectors: batches, dates, scores, encodings, size limits.

Every connector returns a :class:`Batch`: the records it could read (``RECORD_COLUMNS``) and
the rejected ones (``QUARANTINE_COLUMNS``). A connector never raises for bad input: a file
it cannot read at all becomes one quarantine row with reason ``unreadable_file``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from verbatim.config import IngestConfig, SourceConfig
from verbatim.schema import QUARANTINE_COLUMNS, RECORD_COLUMNS, SCORE_RANGES, empty_frame


@dataclass
class Batch:
    """What a connector read from one source: records and quarantined items.

    Attributes:
        records: one row per verbatim, columns ``RECORD_COLUMNS``.
        rejected: one row per quarantined record or file, columns ``QUARANTINE_COLUMNS``.
    """

    records: pd.DataFrame = field(default_factory=lambda: empty_frame(RECORD_COLUMNS))
    rejected: pd.DataFrame = field(default_factory=lambda: empty_frame(QUARANTINE_COLUMNS))
    formats: dict[str, int] = field(default_factory=dict)  # registered format name -> files it read

    @classmethod
    def from_rows(cls, records: Iterable[dict[str, Any]], rejected: Iterable[dict[str, Any]]) -> Batch:
        rec = list(records)
        rej = list(rejected)
        rec_frame = pd.DataFrame(rec, columns=list(RECORD_COLUMNS)) if rec else empty_frame(RECORD_COLUMNS)
        rej_frame = pd.DataFrame(rej, columns=list(QUARANTINE_COLUMNS)) if rej else empty_frame(QUARANTINE_COLUMNS)
        return cls(normalise_record_frame(rec_frame), rej_frame)

    @staticmethod
    def concat(batches: Iterable[Batch]) -> Batch:
        batches = list(batches)
        if not batches:
            return Batch()
        records = [b.records for b in batches if len(b.records)]
        rejected = [b.rejected for b in batches if len(b.rejected)]
        formats: dict[str, int] = {}
        for b in batches:
            for name, n in b.formats.items():
                formats[name] = formats.get(name, 0) + n
        return Batch(
            normalise_record_frame(pd.concat(records, ignore_index=True)) if records else empty_frame(RECORD_COLUMNS),
            pd.concat(rejected, ignore_index=True) if rejected else empty_frame(QUARANTINE_COLUMNS),
            formats,
        )

    @property
    def read(self) -> int:
        return len(self.records) + len(self.rejected)


def normalise_record_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Give a record frame its canonical dtypes: UTC timestamps, nullable integer scores."""
    out = frame.reindex(columns=list(RECORD_COLUMNS)).copy()
    out["received_at"] = pd.to_datetime(out["received_at"], utc=True)
    for score in SCORE_RANGES:
        out[score] = pd.array(out[score].astype("Float64").round(), dtype="Int64") if len(out) else out[score].astype("Int64")
    for col in ("channel", "source", "source_id", "text", "metadata", "location"):
        out[col] = out[col].astype("object")
    out["customer_id"] = out["customer_id"].astype("object").where(out["customer_id"].notna(), None)
    return out


def record(
    *,
    channel: str,
    source: str,
    source_id: str,
    received_at: datetime,
    text: str,
    location: str,
    customer_id: str | None = None,
    nps: int | None = None,
    csat: int | None = None,
    ces: int | None = None,
    metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One record row (see ``RECORD_COLUMNS``); ``metadata`` is serialised to JSON."""
    return {
        "channel": channel,
        "source": source,
        "source_id": str(source_id),
        "received_at": received_at,
        "customer_id": customer_id or None,
        "text": text,
        "nps": nps,
        "csat": csat,
        "ces": ces,
        "metadata": json.dumps({k: v for k, v in (metadata or {}).items() if v not in (None, "")}, ensure_ascii=False, sort_keys=True),
        "location": location,
    }


def rejected(source: str, location: str, reason: str, detail: str, excerpt: str | bytes = "", limit: int = 200) -> dict[str, str]:
    """One quarantine row (see ``QUARANTINE_COLUMNS`` and ``schema.REASONS``)."""
    return {"source": source, "location": location, "reason": reason, "detail": detail, "excerpt": make_excerpt(excerpt, limit)}


def make_excerpt(raw: str | bytes, limit: int = 200) -> str:
    """A short, printable excerpt of bad input (bytes shown with replacement characters)."""
    if isinstance(raw, bytes):
        raw = raw[: limit * 4].decode("utf-8", errors="replace")
    raw = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "\ufffd", str(raw))
    return raw[:limit]


# --------------------------------------------------------------------------- files

def file_too_large(path: Path, cfg: IngestConfig) -> str | None:
    """A quarantine detail if ``path`` exceeds ``cfg.max_file_mb``, else None."""
    size = path.stat().st_size
    if size > cfg.max_file_mb * 1024 * 1024:
        return f"file is {size / 1024 / 1024:.1f} MB, the limit is {cfg.max_file_mb} MB ([ingest].max_file_mb)"
    return None


def decode_bytes(raw: bytes, forced: str | None = None) -> tuple[str, str]:
    """Decode a text file: forced encoding, else UTF-8 (BOM or not), else Windows-1252.

    Returns:
        (text, encoding used). Bytes that no candidate decodes are replaced by U+FFFD, so the
        caller can quarantine the lines that contain them (reason ``undecodable_bytes``).
    """
    if forced:
        return raw.decode(forced, errors="replace"), forced
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace"), "utf-16"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        # mostly UTF-8 with a few broken bytes: keep UTF-8, mark the bad bytes
        utf8 = raw.decode("utf-8", errors="replace")
        cp = raw.decode("cp1252", errors="replace")
        return (utf8, "utf-8") if utf8.count("\ufffd") <= cp.count("\ufffd") else (cp, "cp1252")


# --------------------------------------------------------------------------- dates

_DATE_FORMATS = (
    "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d-%m-%Y %H:%M", "%d-%m-%Y",
    "%d.%m.%Y", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d", "%d/%m/%y",
)
MIN_DATE = datetime(1990, 1, 1, tzinfo=UTC)
MAX_DATE = datetime(2200, 1, 1, tzinfo=UTC)


def parse_date(value: Any, tz: str, fmt: str | None = None) -> datetime | None:
    """Parse a date into an aware UTC datetime; naive values are taken in zone ``tz``.

    Accepts datetimes, ISO 8601 strings (with or without offset or ``Z``), French day-first
    forms (``31/12/2025``, ``31/12/2025 14:05``), and ``fmt`` when given. Returns None when
    nothing parses or the date is before 1990 (the caller quarantines it as ``bad_date``).
    """
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    dt: datetime | None = None
    if isinstance(value, datetime):
        dt = value
    else:
        text = str(value).strip()
        if not text:
            return None
        if fmt:
            try:
                dt = datetime.strptime(text, fmt)
            except ValueError:
                dt = None
        if dt is None:
            try:
                dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                for candidate in _DATE_FORMATS:
                    try:
                        dt = datetime.strptime(text, candidate)
                        break
                    except ValueError:
                        continue
    if dt is None:
        return None
    try:
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=ZoneInfo(tz))
        dt = dt.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    return dt if MIN_DATE <= dt < MAX_DATE else None


# --------------------------------------------------------------------------- scores

def parse_score(value: Any, name: str) -> tuple[int | None, str | None]:
    """Parse an NPS / CSAT / CES score and check its range (``schema.SCORE_RANGES``).

    Returns:
        (score or None when empty, error detail or None). ``"4,0"`` and ``4.0`` read as 4;
        ``"8/10"`` reads as 8.
    """
    if value is None or (isinstance(value, float) and value != value):
        return None, None
    text = str(value).strip().replace(",", ".")
    if not text:
        return None, None
    text = re.sub(r"\s*/\s*\d+$", "", text)
    try:
        number = float(text)
    except ValueError:
        return None, f"{name} score {str(value)[:30]!r} is not a number"
    if number != number or number in (float("inf"), float("-inf")):
        return None, f"{name} score {str(value)[:30]!r} is not a finite number"
    low, high = SCORE_RANGES[name]
    if number != int(number) or not low <= number <= high:
        return None, f"{name} score {str(value)[:30]!r} is outside {low}-{high}"
    return int(number), None


def source_timezone(source: SourceConfig, cfg: IngestConfig) -> str:
    return source.timezone or cfg.timezone


def split_future(batch: Batch, as_of: datetime) -> tuple[Batch, int]:
    """Leave out records received after ``as_of`` (a replay or backfill night does not see the future).

    Reads ``received_at``. Returns the batch without those records and how many were left out;
    they are read again, and stored, by the night whose ``as_of`` reaches them.
    """
    if batch.records.empty:
        return batch, 0
    later = batch.records["received_at"] > pd.Timestamp(as_of)
    if not later.any():
        return batch, 0
    return Batch(batch.records[~later].reset_index(drop=True), batch.rejected, batch.formats), int(later.sum())
