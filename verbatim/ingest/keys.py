"""Stable content keys: ``verbatim_id`` = hash of channel, source id and normalised text."""

from __future__ import annotations

import hashlib
import re
import unicodedata

import pandas as pd

from verbatim.schema import RECORD_COLUMNS, require_columns

_SPACES = re.compile(r"\s+")


def key_text(text: str) -> str:
    """The text as hashed: NFC, case-folded, whitespace collapsed (accents kept)."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip().casefold()


def verbatim_key(channel: str, source_id: str, text: str) -> str:
    """A 20-hex-character key that does not change when the same record is read again."""
    payload = "\x1f".join((channel, str(source_id), key_text(text))).encode("utf-8")
    return hashlib.blake2b(payload, digest_size=10).hexdigest()


def assign_verbatim_ids(records: pd.DataFrame) -> pd.DataFrame:
    """Add ``verbatim_id`` in front of a record frame.

    Reads ``channel``, ``source_id``, ``text``; writes ``verbatim_id``. Returns a new frame.
    """
    require_columns(records, RECORD_COLUMNS, "assign_verbatim_ids")
    out = records.copy()
    ids = [verbatim_key(c, s, t) for c, s, t in zip(out["channel"], out["source_id"], out["text"], strict=True)]
    out.insert(0, "verbatim_id", pd.Series(ids, index=out.index, dtype="object"))
    return out
