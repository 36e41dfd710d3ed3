"""Checks a format fixture against its hand-written expectation (``tests/data/formats/<channel>/expected.json``).

Shared by ``tests/ingest/test_formats.py`` (every fixture must pass) and
``benchmarks/bench_formats.py`` (files and records read correctly, per format).

An expectation, keyed by the fixture's file name::

    {"format": "chat.whatsapp-txt.v1",          # the format auto-detection must pick
     "source": {"agents": ["Boutique"]},         # optional SourceConfig keys
     "records": [{"text": ..., "received_at": ..., "customer_id": ..., "csat": 4,
                  "metadata": {...}}],           # every record in order; given keys are compared
     "quarantined": {"non_answer": 1}}           # quarantine rows per reason (exact)
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from verbatim.config import IngestConfig, SourceConfig
from verbatim.ingest import read_source
from verbatim.ingest.formats import detect

FORMATS_DIR = Path(__file__).resolve().parents[1] / "data" / "formats"


@dataclass
class Outcome:
    """What one fixture gave against its expectation."""

    channel: str
    file: str
    expected_format: str
    detected_format: str | None
    records_expected: int
    records_correct: int
    read: int
    accounted: bool
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def expectations() -> list[tuple[str, Path, dict[str, Any]]]:
    """``(channel, fixture path, expectation)`` for every entry of every ``expected.json``."""
    out = []
    for spec in sorted(FORMATS_DIR.glob("*/expected.json")):
        for name, expected in json.loads(spec.read_text(encoding="utf-8")).items():
            out.append((spec.parent.name, spec.parent / name, expected))
    return out


def _same(field_name: str, got: Any, want: Any) -> bool:
    if field_name == "received_at":
        return pd.Timestamp(got) == pd.Timestamp(want)
    if field_name == "metadata":
        meta = json.loads(got) if isinstance(got, str) else (got or {})
        return all(meta.get(k) == v for k, v in want.items())
    if field_name in ("nps", "csat", "ces"):
        got = None if got is None or pd.isna(got) else int(got)
    if got is not None and not isinstance(got, str | int | float | bool) and pd.isna(got):
        got = None
    return got == want


def check(channel: str, path: Path, expected: dict[str, Any]) -> Outcome:
    """Read ``path`` as a user would (format recognised by content) and compare with ``expected``."""
    source = SourceConfig(path=path, **expected.get("source", {}))
    found = detect(path, source.kind)
    detected = source.format or (found.chosen.name if found.chosen else None)
    batch = read_source(source, IngestConfig(**expected.get("ingest", {})))
    want_records = expected.get("records", [])
    outcome = Outcome(channel, path.name, expected["format"], detected, len(want_records), 0, batch.read,
                      accounted=True)
    if detected != expected["format"]:
        outcome.problems.append(f"detected {detected!r}, expected {expected['format']!r}")
    got = batch.records.to_dict("records")
    if len(got) != len(want_records):
        outcome.problems.append(f"{len(got)} records, expected {len(want_records)}")
    for i, (have, want) in enumerate(zip(got, want_records, strict=False)):
        wrong = [k for k, v in want.items() if not _same(k, have.get(k), v)]
        if wrong:
            outcome.problems.append(f"record {i}: " + "; ".join(f"{k}: got {have.get(k)!r}, expected {want[k]!r}" for k in wrong))
        else:
            outcome.records_correct += 1
    reasons = dict(Counter(batch.rejected["reason"]))
    if reasons != expected.get("quarantined", {}):
        outcome.problems.append(f"quarantined {reasons}, expected {expected.get('quarantined', {})}")
    want_read = len(want_records) + sum(expected.get("quarantined", {}).values())
    if batch.read != want_read:
        outcome.accounted = False
        outcome.problems.append(f"read {batch.read} records, expected {want_read}")
    return outcome
