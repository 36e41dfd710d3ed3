"""Tabular connector: CSV/XLSX with an explicit column map (e.g. a reviews export)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verbatim.config import ColumnMap, IngestConfig, SourceConfig
from verbatim.ingest import tabular
from verbatim.ingest.common import Batch
from verbatim.schema import QUARANTINE_COLUMNS, REASONS, RECORD_COLUMNS

CFG = IngestConfig()
REVIEWS_MAP = ColumnMap(text="text", id="id", date="date_publication", date_format="%d/%m/%Y", csat="stars",
                        metadata=["insurer", "product"])

# invented reviews, same shape as a public reviews export
REVIEWS = (
    "id,stars,text,insurer,product,date_publication,date_exp\n"
    '0,5.0,"Devis clair, souscription en ligne simple et rapide ",Assur Alpha,auto,06/09/2021,01/09/2021\n'
    '1,4.0,"Bon contact avec la conseillère.\nSinistre réglé en trois semaines.",Assur Beta,habitation,03/05/2021,01/05/2021\n'
    "2,,Résiliation impossible par internet,Assur Alpha,sante,12/01/2020,\n"
    "3,1.0,Remboursement toujours pas reçu après deux mois,Assur Gamma,sante,31/12/2019,01/12/2019\n"
    "4,6.0,Note impossible,Assur Beta,auto,01/01/2021,\n"
    "5,2.0,,Assur Beta,auto,01/01/2021,\n"
    "6,3.0,Tarif en hausse sans explication,Assur Gamma,moto,2021-13-01,\n"
)


def _source(path: Path, columns: ColumnMap = REVIEWS_MAP, channel: str | None = None) -> SourceConfig:
    return SourceConfig(path=path, kind="tabular", columns=columns, channel=channel)


def _check(batch: Batch, inputs: int) -> None:
    assert list(batch.records.columns) == list(RECORD_COLUMNS)
    assert list(batch.rejected.columns) == list(QUARANTINE_COLUMNS)
    assert set(batch.rejected["reason"]) <= set(REASONS)
    assert len(batch.records) + len(batch.rejected) == inputs


def test_reviews_csv(tmp_path: Path) -> None:
    path = tmp_path / "avis.csv"
    path.write_text(REVIEWS, encoding="utf-8")
    batch = tabular.read_file(path, _source(path), CFG)
    _check(batch, 7)
    rec = batch.records.set_index("source_id")
    assert list(rec.index) == ["0", "1", "2", "3"]
    assert list(rec["csat"]) == [5, 4, pd.NA, 1]  # "5.0" reads as 5, empty stars stay missing
    assert set(rec["channel"]) == {"survey"}
    assert rec.loc["0", "received_at"] == pd.Timestamp("2021-09-05 22:00", tz="UTC")  # midnight in Paris
    assert rec.loc["1", "text"] == "Bon contact avec la conseillère.\nSinistre réglé en trois semaines."
    assert rec.loc["1", "location"] == f"{path}:3"
    assert rec.loc["3", "location"] == f"{path}:6"  # physical lines count the embedded line break
    assert json.loads(rec.loc["1", "metadata"]) == {"insurer": "Assur Beta", "product": "habitation", "question": "text"}
    rejected = dict(zip(batch.rejected["location"].str.rsplit(":", n=1).str[1], batch.rejected["reason"], strict=True))
    assert rejected == {"7": "score_out_of_range", "8": "empty_text", "9": "bad_date"}
    assert "'stars'" in batch.rejected["detail"].iloc[0] and "'6.0'" in batch.rejected["detail"].iloc[0]


@pytest.mark.parametrize("channel", [None, "survey", "email", "social"])
def test_channel_follows_the_source(tmp_path: Path, channel: str | None) -> None:
    path = tmp_path / "avis.csv"
    path.write_text(REVIEWS, encoding="utf-8")
    batch = tabular.read_file(path, _source(path, channel=channel), CFG)
    assert set(batch.records["channel"]) == {channel or "survey"}


def test_text_must_be_mapped(tmp_path: Path) -> None:
    path = tmp_path / "avis.csv"
    path.write_text(REVIEWS, encoding="utf-8")
    batch = tabular.read_file(path, _source(path, ColumnMap(id="id")), CFG)
    _check(batch, 1)
    assert batch.rejected["reason"].iloc[0] == "unreadable_file"
    detail = batch.rejected["detail"].iloc[0]
    assert "[sources.columns].text" in detail and "'insurer'" in detail

    batch = tabular.read_file(path, _source(path, ColumnMap(text="avis", csat="étoiles")), CFG)
    assert batch.rejected["reason"].tolist() == ["unreadable_file"]
    assert "'avis'" in batch.rejected["detail"].iloc[0]


def test_other_fields_recognised_when_unset(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("ID;Message client;Note;Date\nx1;Colis perdu;1;02/03/2026 08:15\n", encoding="cp1252")
    batch = tabular.read_file(path, _source(path, ColumnMap(text="message client")), CFG)  # case-insensitive
    _check(batch, 1)
    assert batch.records["source_id"].iloc[0] == "x1"
    assert batch.records["csat"].iloc[0] == 1
    assert batch.records["received_at"].iloc[0] == pd.Timestamp("2026-03-02 07:15", tz="UTC")


def test_xlsx_with_mapping(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["ref", "etoiles", "avis_client", "assureur", "publie_le"])
    sheet.append(["r1", "4.0", "Expert venu rapidement après le dégât des eaux", "Assur Beta", "15/03/2026"])
    sheet.append(["r2", 4.0, "Application mobile pratique", "Assur Alpha", "16/03/2026"])
    path = tmp_path / "avis.xlsx"
    book.save(path)
    columns = ColumnMap(text="avis_client", id="ref", csat="etoiles", date="publie_le", date_format="%d/%m/%Y",
                        metadata=["assureur"])
    batch = tabular.read_file(path, _source(path, columns), CFG)
    _check(batch, 2)
    assert list(batch.records["csat"]) == [4, 4]
    assert list(batch.records["source_id"]) == ["r1", "r2"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=st.binary(max_size=500), suffix=st.sampled_from([".csv", ".xlsx"]))
def test_random_bytes_never_raise(raw: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"hasard{suffix}"
        path.write_bytes(b"id,stars,text,insurer,product,date_publication\n" + raw)
        batch = tabular.read_file(path, _source(path), CFG)
    assert isinstance(batch, Batch)
    assert set(batch.rejected["reason"]) <= set(REASONS)
