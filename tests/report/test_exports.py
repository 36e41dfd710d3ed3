"""Parquet exports: every annotation, masked text only, no customer id."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow.parquet as pq

from verbatim.report import write_parquet_exports
from verbatim.report.exports import scrub_metadata

from .conftest import make_segments


def _verbatims(segments: pd.DataFrame) -> pd.DataFrame:
    first = segments.drop_duplicates("verbatim_id")
    return pd.DataFrame({"verbatim_id": first["verbatim_id"], "channel": first["channel"], "customer_id": first["customer_id"],
                         "received_at": first["received_at"], "text": "RAW Jean Dupont 06 12 34 56 78",
                         "clean_text": "masqué [NOM] [TEL]", "nps": first["nps"], "metadata": first["metadata"]})


def test_exports_reread_without_customer_id_nor_raw_text(tmp_path) -> None:
    segments = make_segments(200)
    paths = write_parquet_exports(segments, _verbatims(segments), tmp_path / "run")
    assert set(paths) == {"segments", "verbatims"}
    seg, verb = pq.read_table(paths["segments"]), pq.read_table(paths["verbatims"])
    assert "customer_id" not in seg.column_names and "customer_id" not in verb.column_names
    assert seg.num_rows == len(segments) and verb.num_rows == segments["verbatim_id"].nunique()
    for col in ("sentiment", "sentiment_score", "theme_id", "theme_label", "touchpoint", "touchpoints", "verbatim_sentiment"):
        assert col in seg.column_names
    texts = verb.column("text").to_pylist()
    assert set(texts) == {"masqué [NOM] [TEL]"}
    assert not any("CUSTID-" in str(v) for col in seg.column_names + verb.column_names
                   for v in (seg if col in seg.column_names else verb).column(col).to_pylist()[:50])
    assert all("author" not in json.loads(m) for m in seg.column("metadata").to_pylist())


def test_empty_exports(tmp_path) -> None:
    segments = make_segments(5).iloc[:0]
    paths = write_parquet_exports(segments, _verbatims(segments), tmp_path)
    assert pq.read_table(paths["segments"]).num_rows == 0 and pq.read_table(paths["verbatims"]).num_rows == 0


def test_scrub_metadata_keeps_other_keys() -> None:
    assert json.loads(scrub_metadata('{"author": "@x", "url": "u", "platform": "x"}')) == {"platform": "x"}
    assert scrub_metadata("not json") == "not json" and scrub_metadata(None) is None
