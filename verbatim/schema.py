"""Column names and frame schemas of each stage.

Stages exchange pandas DataFrames; these tuples are the single source of truth for their
columns. :func:`require_columns` turns a missing column into a clear :class:`SchemaError`.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from verbatim.errors import SchemaError

CHANNELS: tuple[str, ...] = ("email", "chat", "survey", "social")

#: One record per verbatim, whatever its channel (output of every connector, plus ``verbatim_id``).
RECORD_COLUMNS: tuple[str, ...] = (
    "channel",  # email | chat | survey | social
    "source",  # file path (or system name) the record came from
    "source_id",  # id of the record inside its source (message-id, conversation id, row id)
    "received_at",  # timezone-aware timestamp, UTC
    "customer_id",  # may be empty (None)
    "text",  # as received
    "nps",  # 0-10 or missing
    "csat",  # 1-5 or missing
    "ces",  # 1-7 or missing
    "metadata",  # JSON string: subject, question, platform, author handle, url, language...
    "location",  # where in the source (file:line, mbox message number...), for error messages
)

VERBATIM_COLUMNS: tuple[str, ...] = ("verbatim_id", *RECORD_COLUMNS)

#: One row per record (or whole file) that could not be ingested.
QUARANTINE_COLUMNS: tuple[str, ...] = (
    "source",  # file path
    "location",  # file:line, file#message, or the file itself
    "reason",  # short code, see REASONS
    "detail",  # one French/English sentence: what was expected, what came
    "excerpt",  # at most EXCERPT_CHARS characters of the offending input (PII-masked when stored)
)

#: Quarantine reason codes (stable: reports and tests read them).
REASONS: dict[str, str] = {
    "unreadable_file": "the file cannot be opened or parsed at all",
    "unsupported_file": "no connector reads this kind of file",
    "undecodable_bytes": "bytes that are not valid in any supported encoding",
    "empty_text": "the record has no text to analyse",
    "bad_date": "the date cannot be parsed",
    "missing_date": "the record has no date",
    "score_out_of_range": "an NPS, CSAT or CES score outside its range",
    "malformed_json": "a JSON line or document that does not parse",
    "malformed_record": "a record without the fields its channel needs",
    "malformed_row": "a CSV line that does not split into the header's columns",
    "too_large": "a file or record larger than the configured limit",
    "non_answer": "a free-text answer that says nothing (N/A, RAS, néant, -...; [ingest].non_answers)",
    "unknown_customer": "a conversation in which the customer's side cannot be told from the agent's",
    "repost": "a retweet or share that repeats another post (counted, not analysed twice)",
    "test_response": "a survey preview, test or spam response, not a customer's answer",
    "agent_post": "a post or reply written by the business itself (its page, its agents): counted, not analysed",
}

EXCERPT_CHARS = 200

SCORE_RANGES: dict[str, tuple[int, int]] = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}


def require_columns(frame: pd.DataFrame, columns: Iterable[str], stage: str) -> None:
    """Raise :class:`SchemaError` unless ``frame`` has every column in ``columns``."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SchemaError(
            f"{stage}: expected columns {missing} in the input frame, got {list(frame.columns)}; "
            "pass the output of the previous stage unchanged."
        )


def empty_frame(columns: Iterable[str]) -> pd.DataFrame:
    """An empty DataFrame with the given columns (object dtype)."""
    return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
