"""Parquet exports of a run: ``verbatims.parquet`` and ``segments.parquet`` with every annotation.

They leave the store for analysts' notebooks and BI tools, so they carry no customer id (only
``callbacks.csv`` may) and no raw text: only the PII-masked text, and the metadata keys that
name or locate a person (author, sender, URL...) are removed.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

import pandas as pd

log = logging.getLogger(__name__)

__all__ = ["PERSONAL_COLUMNS", "PERSONAL_METADATA_KEYS", "scrub_metadata", "write_parquet_exports"]

#: Columns never exported.
PERSONAL_COLUMNS: tuple[str, ...] = ("customer_id",)
#: Metadata keys removed from the exported ``metadata`` JSON (connectors put people's names,
#: handles, addresses and profile links there).
PERSONAL_METADATA_KEYS: frozenset[str] = frozenset({
    "author", "author_name", "from", "from_name", "from_address", "to", "cc", "bcc", "reply_to", "in_reply_to",
    "email", "phone", "url", "profile_url", "name", "customer", "customer_id", "handle", "user", "username",
    "attachment_names",
})
#: Free-text metadata keys that are exported PII-masked (an e-mail subject can carry a name or a phone).
MASKED_METADATA_KEYS: frozenset[str] = frozenset({"subject", "question", "title"})


def scrub_metadata(value: Any) -> Any:
    """A metadata JSON string (or dict) without :data:`PERSONAL_METADATA_KEYS`, free-text keys masked."""
    data = value
    if isinstance(value, str):
        try:
            data = json.loads(value)
        except ValueError:
            return value
    if not isinstance(data, dict):
        return value
    from verbatim.clean.pii import mask_text

    kept = {k: (mask_text(v) if str(k).lower() in MASKED_METADATA_KEYS and isinstance(v, str) else v)
            for k, v in data.items() if str(k).lower() not in PERSONAL_METADATA_KEYS}
    return json.dumps(kept, ensure_ascii=False, sort_keys=True)


def _safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy without :data:`PERSONAL_COLUMNS` and with a scrubbed ``metadata`` column."""
    out = frame.drop(columns=[c for c in PERSONAL_COLUMNS if c in frame.columns])
    if "metadata" in out.columns:
        values = out["metadata"]
        scrubbed = {v: scrub_metadata(v) for v in values.dropna().unique()}
        out["metadata"] = values.map(lambda v: scrubbed.get(v, v) if isinstance(v, str) else scrub_metadata(v))
    return out.reset_index(drop=True)


def _write(frame: pd.DataFrame, path: Path) -> Path:
    tmp = path.with_name(path.name + ".tmp")
    frame.to_parquet(tmp, index=False, engine="pyarrow")
    os.replace(tmp, path)
    return path


def write_parquet_exports(segments: pd.DataFrame, verbatims: pd.DataFrame, folder: Path | str) -> dict[str, Path]:
    """Write ``segments.parquet`` and ``verbatims.parquet`` in ``folder``.

    Args:
        segments: one row per segment with every annotation (``Store.analysed_segments``); its
            ``text`` is the masked segment text and is kept.
        verbatims: one row per verbatim. Its masked text must be in ``clean_text`` (as in the
            store's ``cleaned`` table) and is exported as ``text``; a ``text`` column beside it is
            taken for the raw text and is not exported.
        folder: the run's output folder (created if missing).

    Returns:
        ``{"segments": path, "verbatims": path}``. ``customer_id`` is in neither file.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    verbatims = verbatims.drop(columns=[c for c in ("text", "raw_text") if c in verbatims.columns])
    if "clean_text" in verbatims.columns:
        verbatims = verbatims.rename(columns={"clean_text": "text"})
    else:
        log.warning("verbatims.parquet: no clean_text column, the export carries no verbatim text")
    paths = {"segments": _write(_safe(segments), folder / "segments.parquet"),
             "verbatims": _write(_safe(verbatims), folder / "verbatims.parquet")}
    log.info("parquet exports: %d segments, %d verbatims in %s", len(segments), len(verbatims), folder)
    return paths
