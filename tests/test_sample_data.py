"""The bundled sample (data/sample) ingests with exactly the faults its manifest plants."""

import json
from pathlib import Path

import pandas as pd
import pytest

from verbatim.config import load_config
from verbatim.ingest import read_source
from verbatim.store import Store

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    cfg = load_config(SAMPLE / "verbatim.toml")
    results = {}
    with Store(tmp_path_factory.mktemp("sample") / "s.duckdb") as store:
        for source in cfg.sources:
            results[source.kind] = store.add_batch(read_source(source, cfg.ingest), "t").as_dict()
        return results, store.verbatims(), store.quarantine()


def test_accounting_per_channel_matches_the_manifest(ingested: tuple[dict, pd.DataFrame, pd.DataFrame]) -> None:
    results, verbatims, quarantine = ingested
    manifest = json.loads((SAMPLE / "manifest.json").read_text(encoding="utf-8"))
    for counts in results.values():
        assert counts["read"] == counts["new"] + counts["duplicates"] + counts["quarantined"]
    assert results["email"] == {"read": 54, "new": 53, "duplicates": 1, "quarantined": 0}  # mbox repeats one .eml
    assert results["chat"]["new"] == manifest["counts"]["chat"]["total_conversations"]
    assert results["chat"]["quarantined"] == 1  # the broken JSONL line
    assert results["survey"]["duplicates"] == manifest["counts"]["survey"]["duplicates"]
    assert results["social"]["duplicates"] == 2
    reasons = quarantine.groupby(quarantine["source"].map(lambda s: Path(s).name))["reason"].agg(lambda r: sorted(set(r))).to_dict()
    assert reasons["enquete_satisfaction.csv"] == ["empty_text", "malformed_row", "score_out_of_range"]
    assert reasons["posts.jsonl"] == ["empty_text", "malformed_json"]
    assert reasons["chats_export.jsonl"] == ["malformed_json"]
    assert set(verbatims["channel"]) == {"email", "chat", "survey", "social"}


def test_dates_fall_in_the_sample_period(ingested: tuple[dict, pd.DataFrame, pd.DataFrame]) -> None:
    _, verbatims, _ = ingested
    assert verbatims["received_at"].min() >= pd.Timestamp("2026-09-19T22:00Z")
    assert verbatims["received_at"].max() <= pd.Timestamp("2026-11-20T23:00Z")
    survey = verbatims[verbatims["channel"] == "survey"]
    assert survey["nps"].notna().all() and survey["nps"].between(0, 10).all()
    assert survey["metadata"].str.contains('"question"').all()
