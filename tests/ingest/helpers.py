"""Helpers shared by the connector tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from verbatim.config import IngestConfig, SourceConfig
from verbatim.ingest.common import Batch
from verbatim.schema import QUARANTINE_COLUMNS, REASONS, RECORD_COLUMNS


def read_checked(reader: Callable[[Path, SourceConfig, IngestConfig], Batch], path: Path, cfg: IngestConfig,
                 **source: object) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run a connector and check the shape of what it returns: (records, rejected)."""
    batch = reader(path, SourceConfig(path=path, **source), cfg)
    assert list(batch.records.columns) == list(RECORD_COLUMNS)
    assert list(batch.rejected.columns) == list(QUARANTINE_COLUMNS)
    assert set(batch.rejected["reason"]) <= set(REASONS)
    return batch.records, batch.rejected


def meta(records: pd.DataFrame, i: int = 0) -> dict:
    """The parsed metadata JSON of record ``i``."""
    return json.loads(records["metadata"].iloc[i])
