"""Social connector: JSON arrays, wrappers and JSON Lines of posts -> records + quarantine."""

from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verbatim.config import IngestConfig, SourceConfig
from verbatim.ingest import social
from verbatim.ingest.common import Batch
from verbatim.schema import QUARANTINE_COLUMNS, REASONS, RECORD_COLUMNS

CFG = IngestConfig()

POSTS = [
    {"post_id": "tw-1", "platform": "twitter", "author": "@marie_l", "created_at": "2026-03-15T10:00:00+01:00",
     "text": "@MaBanque trois jours sans pouvoir me connecter à l'appli, c'est une blague ?",
     "url": "https://x.example/marie_l/1", "lang": "fr", "likes": 12, "retweet_count": 3},
    {"id": 2, "network": "facebook", "user": {"handle": "@paul.d", "name": "Paul D.", "id": 991},
     "published_at": "15/03/2026 11:30", "content": "Merci à la conseillère de Nantes, dossier réglé en une heure",
     "in_reply_to": "fb-77"},
    {"media": "instagram", "username": "lea_voyage", "date": "2026-03-16 09:00",
     "message": "Valise perdue à l'arrivée, personne ne répond"},  # no id
]


def _read(path: Path, cfg: IngestConfig = CFG) -> Batch:
    return social.read_file(path, SourceConfig(path=path, kind="social"), cfg)


def _check(batch: Batch, inputs: int) -> None:
    assert list(batch.records.columns) == list(RECORD_COLUMNS)
    assert list(batch.rejected.columns) == list(QUARANTINE_COLUMNS)
    assert set(batch.rejected["reason"]) <= set(REASONS)
    assert len(batch.records) + len(batch.rejected) == inputs


def _lines(batch: Batch) -> dict[str, str]:
    return {loc.rsplit(":", 1)[1]: r for loc, r in zip(batch.rejected["location"], batch.rejected["reason"], strict=True)}


def _check_posts(batch: Batch) -> None:
    rec = batch.records
    assert set(rec["channel"]) == {"social"}
    assert list(rec["customer_id"]) == ["@marie_l", "@paul.d", "lea_voyage"]
    assert rec["source_id"].iloc[0] == "tw-1" and rec["source_id"].iloc[1] == "2"
    assert rec["source_id"].iloc[2] == social.post_key("instagram", "lea_voyage", "2026-03-16 09:00", POSTS[2]["message"])
    assert list(rec["received_at"]) == [pd.Timestamp("2026-03-15 09:00", tz="UTC"), pd.Timestamp("2026-03-15 10:30", tz="UTC"),
                                        pd.Timestamp("2026-03-16 08:00", tz="UTC")]
    first = json.loads(rec["metadata"].iloc[0])
    assert first == {"platform": "twitter", "author": "@marie_l", "url": "https://x.example/marie_l/1", "language": "fr",
                     "likes": 12, "shares": 3}
    second = json.loads(rec["metadata"].iloc[1])
    assert second == {"platform": "facebook", "author": "@paul.d", "author_name": "Paul D.", "reply_to": "fb-77"}


@pytest.mark.parametrize("shape", ["array", "data", "posts", "nested", "jsonl", "jsonl_as_json"])
def test_shapes(tmp_path: Path, shape: str) -> None:
    if shape == "array":
        text, name = json.dumps(POSTS, ensure_ascii=False, indent=2), "posts.json"
    elif shape in ("data", "posts"):
        text, name = json.dumps({"meta": {"total": 3}, shape: POSTS}, ensure_ascii=False, indent=1), "export.json"
    elif shape == "nested":
        text, name = json.dumps({"response": {"results": POSTS}}, ensure_ascii=False), "export.json"
    else:
        text = "\n".join(json.dumps(p, ensure_ascii=False) for p in POSTS) + "\n"
        name = "posts.jsonl" if shape == "jsonl" else "posts.json"
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    batch = _read(path)
    _check(batch, 3)
    _check_posts(batch)
    if shape in ("jsonl", "jsonl_as_json"):
        assert [loc.rsplit(":", 1)[1] for loc in batch.records["location"]] == ["1", "2", "3"]
    if shape == "array":  # each post located at the line where it starts
        starts = [i for i, line in enumerate(text.split("\n"), start=1) if line == "  {"]
        assert [int(loc.rsplit(":", 1)[1]) for loc in batch.records["location"]] == starts


def test_single_object(tmp_path: Path) -> None:
    path = tmp_path / "un.json"
    path.write_text(json.dumps(POSTS[0], indent=2), encoding="utf-8")
    batch = _read(path)
    _check(batch, 1)
    assert batch.records["source_id"].iloc[0] == "tw-1"


def test_jsonl_with_bad_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps(POSTS[0], ensure_ascii=False),                                        # 1
        '{"id": "x2", "text": "Conseiller injoignable", "date": "2026-03-15T',           # 2 broken
        "",                                                                              # 3 blank: skipped
        json.dumps({"id": "x3", "text": "", "date": "2026-03-15"}),                      # 4 empty text
        json.dumps({"id": "x4", "body": "Facture en double ce mois-ci"}),                # 5 no date (others have one)
        json.dumps({"id": "x5", "full_text": "Prélèvement refusé", "time": "hier soir"}),  # 6 bad date
        json.dumps([1, 2, 3]),                                                           # 7 not an object
        json.dumps({"id": "x6", "text": "Agence fermée sans prévenir", "timestamp": 1773568800}),  # 8 Unix seconds
        json.dumps({"id": "x7", "text": "Très bon accueil", "date": "2026-03-15", "rating": 9}),   # 9 rating out of 1-5
        json.dumps({"id": "x8", "text": "Appli enfin réparée", "date": "2026-03-15", "stars": "4"}),  # 10
        '{"id": "x9", "text": "Note infinie", "date": "0001-01-01T00:30:00+01:00", "rating": 4}',   # 11 date overflow
        '{"id": "x10", "text": "Note NaN", "date": "2026-03-15", "rating": NaN}',                  # 12
    ]
    path = tmp_path / "flux.ndjson"
    path.write_text("\n".join(lines), encoding="utf-8")
    batch = _read(path)
    _check(batch, 11)
    assert list(batch.records["source_id"]) == ["tw-1", "x6", "x8"]
    assert batch.records["received_at"].iloc[1] == pd.Timestamp(1773568800, unit="s", tz="UTC")
    assert batch.records["csat"].iloc[2] == 4
    assert _lines(batch) == {"2": "malformed_json", "4": "empty_text", "5": "missing_date", "6": "bad_date",
                             "7": "malformed_record", "9": "score_out_of_range",
                             "11": "bad_date", "12": "score_out_of_range"}


def test_no_date_anywhere_uses_mtime(tmp_path: Path) -> None:
    path = tmp_path / "sans_dates.json"
    path.write_text(json.dumps([{"text": "Livraison rapide"}, {"text": "Colis abîmé"}]), encoding="utf-8")
    stamp = datetime(2026, 3, 1, tzinfo=UTC).timestamp()
    os.utime(path, (stamp, stamp))
    batch = _read(path)
    _check(batch, 2)
    assert set(batch.records["received_at"]) == {pd.Timestamp("2026-03-01", tz="UTC")}
    assert json.loads(batch.records["metadata"].iloc[0]) == {"date_source": "file_mtime"}
    assert batch.records["source_id"].iloc[0] != batch.records["source_id"].iloc[1]


def test_document_broken_half_way_keeps_what_came_before(tmp_path: Path) -> None:
    good = json.dumps(POSTS[:2], ensure_ascii=False, indent=2)
    path = tmp_path / "tronque.json"
    path.write_text(good[:-2] + ',\n  {"id": "z", "text": "coupé', encoding="utf-8")
    batch = _read(path)
    _check(batch, 3)
    assert list(batch.rejected["reason"]) == ["malformed_json"]
    assert "2 posts before it" in batch.rejected["detail"].iloc[0]


@pytest.mark.parametrize("depth", [70, 5000])
def test_deep_nesting_is_quarantined(tmp_path: Path, depth: int) -> None:
    deep = "[" * depth + "]" * depth
    lines = [json.dumps(POSTS[0]), '{"id": "deep", "text": "x", "date": "2026-03-15", "extra": ' + deep + "}"]
    path = tmp_path / "profond.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    batch = _read(path)
    _check(batch, 2)
    assert list(batch.rejected["reason"]) == ["malformed_json"]

    array = tmp_path / "profond.json"
    array.write_text("[" + json.dumps(POSTS[0]) + ", " + deep + "]", encoding="utf-8")
    batch = _read(array)
    assert batch.rejected["reason"].tolist() == ["malformed_json"]


def test_too_large_and_garbage(tmp_path: Path) -> None:
    path = tmp_path / "long.json"
    path.write_text(json.dumps([{"id": 1, "text": "a" * 500, "date": "2026-03-15"}]), encoding="utf-8")
    assert _read(path, IngestConfig(max_record_chars=100)).rejected["reason"].tolist() == ["too_large"]

    garbage = tmp_path / "faux.json"
    garbage.write_text("ceci n'est pas du JSON", encoding="utf-8")
    batch = _read(garbage)
    _check(batch, 1)
    assert batch.rejected["reason"].tolist() == ["malformed_json"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=st.binary(max_size=600), suffix=st.sampled_from([".json", ".jsonl"]),
       prefix=st.sampled_from([b"", b"[", b'{"data": [', b'{"text": "ok", "date": "2026-03-15"}\n']))
def test_random_bytes_never_raise(raw: bytes, suffix: str, prefix: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"hasard{suffix}"
        path.write_bytes(prefix + raw)
        batch = _read(path)
    assert isinstance(batch, Batch)
    assert set(batch.rejected["reason"]) <= set(REASONS)


@settings(max_examples=40, deadline=None)
@given(posts=st.lists(st.dictionaries(st.sampled_from(["id", "text", "date", "author", "platform", "x"]),
                                      st.one_of(st.none(), st.text(max_size=20), st.integers(), st.lists(st.integers(), max_size=2))),
                      max_size=8))
def test_random_posts_accounting(posts: list[dict]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "posts.jsonl"
        path.write_text("\n".join(json.dumps(p) for p in posts), encoding="utf-8")
        batch = _read(path)
    _check(batch, len(posts))
