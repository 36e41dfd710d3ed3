"""Survey connector: CSV (encodings, delimiters, broken rows) and XLSX exports -> records + quarantine."""

from __future__ import annotations

import io
import json
import logging
import tempfile
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verbatim.config import ColumnMap, IngestConfig, SourceConfig
from verbatim.ingest import survey
from verbatim.ingest.common import Batch
from verbatim.schema import QUARANTINE_COLUMNS, REASONS, RECORD_COLUMNS

log = logging.getLogger(__name__)

CFG = IngestConfig()


def _read(path: Path, cfg: IngestConfig = CFG, **source: object) -> Batch:
    return survey.read_file(path, SourceConfig(path=path, kind="survey", **source), cfg)


def _check(batch: Batch, inputs: int) -> None:
    """Columns are the contract's, reasons are known codes, and every input ended somewhere."""
    assert list(batch.records.columns) == list(RECORD_COLUMNS)
    assert list(batch.rejected.columns) == list(QUARANTINE_COLUMNS)
    assert set(batch.rejected["reason"]) <= set(REASONS)
    assert len(batch.records) + len(batch.rejected) == inputs


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _reasons(batch: Batch) -> dict[str, str]:
    """location suffix (line) -> reason."""
    return {loc.rsplit(":", 1)[1]: reason for loc, reason in zip(batch.rejected["location"], batch.rejected["reason"], strict=True)}


# --------------------------------------------------------------------------- encodings, delimiters, headers

@pytest.mark.parametrize(("encoding", "delimiter"), [
    ("cp1252", ";"), ("utf-8-sig", ","), ("utf-8", ","), ("utf-8", "\t"), ("utf-8", "|"),
])
def test_encodings_and_delimiters_with_auto_headers(tmp_path: Path, encoding: str, delimiter: str) -> None:
    rows = [
        ["ID client", "Commentaire", "NPS", "Date de réponse"],
        ["C001", "très déçu, livraison en retard", "3", "15/03/2026 10:00"],
        ["C002", "Accueil chaleureux à l'agence, conseillère très à l'écoute", "9", "16/03/2026"],
    ]
    buffer = io.StringIO()
    import csv

    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path = _write(tmp_path, "enquete.csv", buffer.getvalue(), encoding)
    batch = _read(path)
    _check(batch, 2)
    rec = batch.records
    assert list(rec["text"]) == [rows[1][1], rows[2][1]]
    assert list(rec["customer_id"]) == ["C001", "C002"]
    assert list(rec["nps"]) == [3, 9]
    assert rec["received_at"].iloc[0] == pd.Timestamp("2026-03-15 09:00", tz="UTC")  # Paris winter time, UTC+1
    assert rec["received_at"].iloc[1] == pd.Timestamp("2026-03-15 23:00", tz="UTC")
    assert list(rec["source_id"]) == ["line-2", "line-3"]  # no id column: physical line
    assert list(rec["location"]) == [f"{path}:2", f"{path}:3"]
    assert set(rec["channel"]) == {"survey"}
    assert json.loads(rec["metadata"].iloc[0]) == {"question": "Commentaire"}


def test_iso_dates_with_offset_and_explicit_format(tmp_path: Path) -> None:
    text = ("identifiant,verbatim,date\n"
            "a1,Remboursement rapide,2026-03-15T10:00:00+02:00\n"
            "a2,Site lent,2026-07-01 12:30\n"
            "a3,Attente au téléphone,2026-03-15T10:00:00Z\n")
    batch = _read(_write(tmp_path, "iso.csv", text))
    _check(batch, 3)
    got = list(batch.records["received_at"])
    assert got[0] == pd.Timestamp("2026-03-15 08:00", tz="UTC")
    assert got[1] == pd.Timestamp("2026-07-01 10:30", tz="UTC")  # naive, Paris summer time
    assert got[2] == pd.Timestamp("2026-03-15 10:00", tz="UTC")
    assert list(batch.records["source_id"]) == ["a1", "a2", "a3"]

    custom = _write(tmp_path, "custom.csv", "id;avis;quand\n1;Bien;2026.03.15 10h00\n")
    batch = _read(custom, columns=ColumnMap(date="quand", date_format="%Y.%m.%d %Hh%M"), timezone="UTC")
    _check(batch, 1)
    assert batch.records["received_at"].iloc[0] == pd.Timestamp("2026-03-15 10:00", tz="UTC")


def test_many_dates_vectorised_match_parse_date(tmp_path: Path) -> None:
    """Above the vectorisation threshold, results equal common.parse_date's, including DST edges."""
    from verbatim.ingest.common import parse_date

    values = [f"{d:02d}/03/2026 {h:02d}:30" for d in range(25, 32) for h in range(24)]
    values += ["2026-10-25T02:30:00", "2026-03-29 02:30", "2026-03-15T10:00:00+0200", "15/03/1980", "nope", "31/02/2026"]
    got = survey.parse_dates(values, "Europe/Paris", None)
    assert got == [parse_date(v, "Europe/Paris") for v in values]
    # parse_date raises OverflowError on these; parse_dates turns them into None (bad_date)
    assert survey.parse_dates(["0001-01-01T00:30:00+01:00", "9999-12-31T23:59:59-05:00"], "Europe/Paris", None) == [None, None]


def test_two_open_questions_give_two_records(tmp_path: Path) -> None:
    text = ("N°;Qu'est-ce qui vous a plu ?;Que pourrions-nous améliorer ?;Note globale;Horodatage;Email\n"
            "17;La rapidité de la livraison et le suivi du colis;Le service client ne répond pas au téléphone;4;"
            "15/03/2026 10:00;marie@example.fr\n"
            "18;;L'emballage était abîmé à l'arrivée;2;15/03/2026 11:00;\n"
            "19;;;5;15/03/2026 12:00;\n")
    batch = _read(_write(tmp_path, "deux_questions.csv", text))
    _check(batch, 4)  # 2 + 1 verbatims, 1 row without any answer
    rec = batch.records
    assert list(rec["source_id"]) == ["17#Qu'est-ce qui vous a plu ?", "17#Que pourrions-nous améliorer ?",
                                      "18#Que pourrions-nous améliorer ?"]
    assert [json.loads(m)["question"] for m in rec["metadata"]] == [
        "Qu'est-ce qui vous a plu ?", "Que pourrions-nous améliorer ?", "Que pourrions-nous améliorer ?"]
    assert list(rec["csat"]) == [4, 4, 2]  # the row's score applies to each verbatim
    assert rec["customer_id"].iloc[0] == "marie@example.fr"
    assert rec["customer_id"].iloc[2] is None
    assert list(batch.rejected["reason"]) == ["empty_text"]
    assert batch.rejected["location"].iloc[0].endswith(":4")


def test_numeric_question_is_not_text(tmp_path: Path) -> None:
    text = ("id;Quelle est la probabilité que vous nous recommandiez ?;Pourquoi cette note ?\n"
            "1;8;Bon rapport qualité prix\n2;3;Trop cher pour ce que c'est\n")
    batch = _read(_write(tmp_path, "nps_question.csv", text))
    _check(batch, 2)
    assert list(batch.records["nps"]) == [8, 3]
    assert list(batch.records["source_id"]) == ["1", "2"]


# --------------------------------------------------------------------------- bad rows

def test_broken_lines_and_unbalanced_quotes(tmp_path: Path) -> None:
    text = ("id;commentaire;note;date\n"                      # 1
            "1;Très bien;4;01/03/2026\n"                       # 2
            '2;"livraison en retard;2;01/03/2026\n'           # 3 unbalanced quote
            "3;Conseiller aimable;5;01/03/2026\n"              # 4
            "4;livraison\n"                                    # 5 broken line...
            " en retard;3;01/03/2026\n"                        # 6 ...continued
            '5;"Colis arrivé\nen bon état";5;01/03/2026\n'    # 7-8 quoted multi-line: fine
            "6;trop;de;champs;ici\n"                           # 9
            "7;Facture incompréhensible;1;01/03/2026\n"        # 10
            '8;1;01/03/2026;"très déçu par la réponse\n'      # 11 unbalanced quote in the last column
            "9;Rien à redire, parfait;3;01/03/2026\n")         # 12
    batch = _read(_write(tmp_path, "casse.csv", text))
    _check(batch, 10)  # 9 rows, the broken one counted once per physical line
    assert list(batch.records["source_id"]) == ["1", "3", "5", "7", "9"]
    assert batch.records.set_index("source_id").loc["5", "text"] == "Colis arrivé\nen bon état"
    assert batch.records.set_index("source_id").loc["5", "location"].endswith(":7")
    assert _reasons(batch) == {"3": "malformed_row", "5": "malformed_row", "6": "malformed_row",
                               "9": "malformed_row", "11": "malformed_row"}
    detail = batch.rejected.set_index("location").loc[f"{tmp_path / 'casse.csv'}:9", "detail"]
    assert "expected 4 fields" in detail and "got 5" in detail


def test_scores_dates_and_empty_text(tmp_path: Path) -> None:
    text = ("id,commentaire,nps,csat,ces,date\n"
            "1,Parfait,10,5,1,01/03/2026\n"
            "2,Bof,11,3,,01/03/2026\n"              # NPS out of range
            "3,Nul,2,0,,01/03/2026\n"               # CSAT out of range
            "4,Moyen,5,4.0,8,01/03/2026\n"          # CES out of range
            "5,Correct,NSP,\"4,0\",,01/03/2026\n"   # "no answer" marker, decimal comma
            "6,Date fausse,5,4,,32/13/2026\n"
            "7,Sans date,5,4,,\n"
            "8,,9,5,2,01/03/2026\n"                 # scores alone are not a verbatim
            "9,   ,9,5,2,01/03/2026\n"
            "10,Valeur bizarre,nan,inf,,01/03/2026\n")
    batch = _read(_write(tmp_path, "scores.csv", text))
    _check(batch, 10)
    assert list(batch.records["source_id"]) == ["1", "5"]
    assert batch.records["nps"].iloc[1] is pd.NA
    assert batch.records["csat"].iloc[1] == 4
    assert _reasons(batch) == {"3": "score_out_of_range", "4": "score_out_of_range", "5": "score_out_of_range",
                               "7": "bad_date", "8": "missing_date", "9": "empty_text", "10": "empty_text",
                               "11": "score_out_of_range"}
    details = dict(zip(_reasons(batch), batch.rejected["detail"], strict=True))
    assert "'nps'" in details["3"] and "'11'" in details["3"]
    assert "'csat'" in details["4"] and "'0'" in details["4"]
    assert "'32/13/2026'" in details["7"]


def test_too_large_and_undecodable(tmp_path: Path) -> None:
    long_answer = "attente interminable " * 10
    raw = ("id;commentaire;question bonus ?\n"
           f"1;{long_answer};Correct\n"
           "2;Bon accueil;\n").encode() + b"3;caf\xc3\xa9 froid \x81\x81;ok\n" + "4;Très bien;\n".encode()
    path = tmp_path / "mixte.csv"
    path.write_bytes(raw)
    batch = _read(path, IngestConfig(max_record_chars=100), columns=ColumnMap(text=["commentaire", "question bonus ?"]))
    # row 1: the long answer is quarantined, its short sibling kept
    _check(batch, 1 + 1 + 1 + 1 + 1)
    assert list(batch.records["source_id"]) == ["1#question bonus ?", "2#commentaire", "4#commentaire"]
    assert _reasons(batch) == {"2": "too_large", "4": "undecodable_bytes"}


def test_no_text_column_and_missing_mapped_column(tmp_path: Path) -> None:
    path = _write(tmp_path, "sans_texte.csv", "id;note;date\n1;4;01/03/2026\n")
    batch = _read(path)
    _check(batch, 1)
    assert batch.rejected["reason"].iloc[0] == "malformed_record"  # each row counted on its own (issue #17)
    assert "'note'" in batch.rejected["detail"].iloc[0] and "[sources.columns].text" in batch.rejected["detail"].iloc[0]

    batch = _read(path, columns=ColumnMap(text="remarques"))
    assert batch.rejected["reason"].iloc[0] == "unreadable_file"
    assert "remarques" in batch.rejected["detail"].iloc[0]


def test_no_date_column_uses_file_mtime_and_metadata_columns(tmp_path: Path) -> None:
    path = _write(tmp_path, "sans_date.csv", "Respondent_ID;Remarques;Magasin;Canal\nr1;Caisse trop lente;Lyon;web\n")
    stamp = datetime(2026, 3, 1, 8, 0, tzinfo=UTC).timestamp()
    import os

    os.utime(path, (stamp, stamp))
    batch = _read(path, columns=ColumnMap(metadata=["Magasin"]))
    _check(batch, 1)
    assert batch.records["received_at"].iloc[0] == pd.Timestamp("2026-03-01 08:00", tz="UTC")
    assert json.loads(batch.records["metadata"].iloc[0]) == {"date_source": "file_mtime", "question": "Remarques",
                                                              "Magasin": "Lyon"}
    assert batch.records["source_id"].iloc[0] == "r1"


def test_empty_and_header_only_files(tmp_path: Path) -> None:
    _check(_read(_write(tmp_path, "vide.csv", "")), 1)  # one unreadable_file row
    _check(_read(_write(tmp_path, "entete.csv", "id;commentaire\n\n;\n")), 0)


# --------------------------------------------------------------------------- XLSX

def test_xlsx(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Identifiant", "Verbatim", "Satisfaction", "Date", "Client_ID"])
    sheet.append([101, "Produit conforme, livraison rapide", 5, datetime(2026, 3, 15, 10, 0), "C9"])
    sheet.append([102, "", 2, datetime(2026, 3, 15, 11, 0), "C8"])
    sheet.append([103, "Le vendeur m'a mal conseillé", 7, "15/03/2026", None])
    sheet.append([104, "Prix trop élevés", 2.0, "pas une date", None])
    path = tmp_path / "enquete.xlsx"
    book.save(path)
    batch = _read(path)
    _check(batch, 4)
    rec = batch.records
    assert list(rec["source_id"]) == ["101"]
    assert rec["received_at"].iloc[0] == pd.Timestamp("2026-03-15 09:00", tz="UTC")
    assert rec["csat"].iloc[0] == 5 and rec["customer_id"].iloc[0] == "C9"
    assert rec["location"].iloc[0] == f"{path}:2"
    assert _reasons(batch) == {"3": "empty_text", "4": "score_out_of_range", "5": "bad_date"}


def test_xlsx_random_bytes_and_bombs(tmp_path: Path) -> None:
    junk = tmp_path / "faux.xlsx"
    junk.write_bytes(bytes(range(256)) * 8)
    batch = _read(junk)
    _check(batch, 1)
    assert batch.rejected["reason"].iloc[0] == "unreadable_file"
    assert "zip" in batch.rejected["detail"].iloc[0]

    not_a_book = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(not_a_book, "w") as archive:
        archive.writestr("hello.txt", "bonjour")
    assert _read(not_a_book).rejected["reason"].tolist() == ["unreadable_file"]

    bomb = tmp_path / "bombe.xlsx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 3_000_000)
    assert bomb.stat().st_size < 100_000
    batch = _read(bomb, IngestConfig(max_file_mb=1))
    assert batch.rejected["reason"].tolist() == ["unreadable_file"]
    assert "zip bomb" in batch.rejected["detail"].iloc[0]

    truncated = tmp_path / "tronque.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["commentaire"])
    book.save(truncated)
    truncated.write_bytes(truncated.read_bytes()[:-200])
    assert _read(truncated).rejected["reason"].tolist() == ["unreadable_file"]


# --------------------------------------------------------------------------- robustness, throughput

@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=st.binary(max_size=600), suffix=st.sampled_from([".csv", ".xlsx", ".tsv"]),
       prefix=st.sampled_from([b"", b"id;commentaire;nps;date\n", b"PK\x03\x04"]))
def test_random_bytes_never_raise(raw: bytes, suffix: str, prefix: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"hasard{suffix}"
        path.write_bytes(prefix + raw)
        batch = _read(path)
    assert isinstance(batch, Batch)
    assert list(batch.records.columns) == list(RECORD_COLUMNS)
    assert set(batch.rejected["reason"]) <= set(REASONS)


def test_throughput_100k_rows(tmp_path: Path, record_property: pytest.RecordProperty) -> None:
    """Not a timed assertion: measures rows/s on 100k rows and records it (see -rP / junit)."""
    lines = ["id;Commentaire;NPS;Date de réponse;ID client"]
    lines += [f"{i};très déçu, livraison en retard n°{i};{i % 11};{1 + i % 28:02d}/03/2026 {i % 24:02d}:{i % 60:02d};C{i % 5000}"
              for i in range(100_000)]
    path = _write(tmp_path, "gros.csv", "\n".join(lines), "cp1252")
    start = time.perf_counter()
    batch = _read(path)
    elapsed = time.perf_counter() - start
    _check(batch, 100_000)
    assert len(batch.records) == 100_000
    rate = 100_000 / elapsed
    record_property("survey_rows_per_second", round(rate))
    log.warning("survey.read_file: 100000 rows in %.2f s = %.0f rows/s", elapsed, rate)
