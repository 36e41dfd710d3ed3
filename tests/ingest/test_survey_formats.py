"""Survey tools' exports (Qualtrics, SurveyMonkey, Google Forms, LimeSurvey, Typeform, .xls): edge cases.

The fixtures' full expectations are checked by ``test_formats.py`` (``tests/data/formats/survey``);
here: dates as the tools write them, column mappings over every format, non-answers, statuses,
OLE2 files that are not workbooks, content recognition of the text column, and speed.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import shutil
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pytest

from verbatim.config import ColumnMap, IngestConfig, SourceConfig
from verbatim.ingest import read_source, survey
from verbatim.ingest.common import Batch
from verbatim.ingest.formats import Probe, detect, get_format
from verbatim.ingest.survey_formats import column_day_first, tool_date
from verbatim.schema import QUARANTINE_COLUMNS, REASONS, RECORD_COLUMNS

log = logging.getLogger(__name__)

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "formats" / "survey"
CFG = IngestConfig()


def _read(path: Path, cfg: IngestConfig = CFG, **source: object) -> Batch:
    batch = read_source(SourceConfig(path=path, **source), cfg)
    assert list(batch.records.columns) == list(RECORD_COLUMNS)
    assert list(batch.rejected.columns) == list(QUARANTINE_COLUMNS)
    assert set(batch.rejected["reason"]) <= set(REASONS)
    return batch


def _csv(tmp_path: Path, name: str, rows: list[list[str]], delimiter: str = ",") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path = tmp_path / name
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- dates as the tools write them

@pytest.mark.parametrize(("value", "day_first", "expected"), [
    ("2026/07/29 9:00:00 AM UTC+3", True, datetime(2026, 7, 29, 9, tzinfo=timezone(timedelta(hours=3)))),
    ("2026/07/29 12:05:00 AM GMT+2", True, datetime(2026, 7, 29, 0, 5, tzinfo=timezone(timedelta(hours=2)))),
    ("2026/07/29 12:05:00 PM GMT-4", True, datetime(2026, 7, 29, 12, 5, tzinfo=timezone(timedelta(hours=-4)))),
    ("2026/07/29 9:00:00 PM UTC", True, datetime(2026, 7, 29, 21, tzinfo=UTC)),
    ("29/07/2026 09:00:00", True, datetime(2026, 7, 29, 9)),
    ("7/29/2026 9:00:00", False, datetime(2026, 7, 29, 9)),
    ("07/29/2026 01:09:55 PM", False, datetime(2026, 7, 29, 13, 9, 55)),
    ("2026-07-29 09:14:05", False, datetime(2026, 7, 29, 9, 14, 5)),
    ("31/02/2026 10:00:00", True, None),
    ("13:00 PM", True, None),
    ("hier soir", True, None),
])
def test_tool_dates(value: str, day_first: bool, expected: datetime | None) -> None:
    assert tool_date(value, day_first) == expected


def test_day_first_is_decided_by_the_column() -> None:
    assert column_day_first(["01/02/2026 10:00", "29/07/2026 09:00"], default=False) is True
    assert column_day_first(["01/02/2026 10:00", "7/29/2026 9:00"], default=True) is False
    assert column_day_first(["01/02/2026", "2026/07/29 9:00:00 AM UTC+3"], default=True) is True  # undecided: default


def test_a_bad_forms_timestamp_is_bad_date_with_the_tools_style(tmp_path: Path) -> None:
    path = _csv(tmp_path, "forms.csv", [["Horodateur", "Adresse e-mail", "Un commentaire ?"],
                                         ["2026/07/29 9:00:00 AM UTC+3", "", "Très bon accueil au guichet"],
                                         ["le 29 juillet", "", "Attente trop longue à la caisse"]])
    batch = _read(path)
    assert batch.formats == {"survey.google-forms-csv.v1": 1}
    assert batch.rejected["reason"].tolist() == ["bad_date"]
    assert "Google Forms" in batch.rejected["detail"].iloc[0] and "'le 29 juillet'" in batch.rejected["detail"].iloc[0]


# --------------------------------------------------------------------------- column mappings win, over every format

@pytest.mark.parametrize(("fixture", "columns", "check"), [
    # by column id, and by the question text of the second header row
    ("qualtrics_export_fr.csv", {"text": "Q4"}, lambda b: set(b.records["text"]) == {
        "Le site plante qd on paye avec paypal.\nJ'ai du recommencer 3 fois 😤",
        "Super accueil en magasin à Lyon, la vendeuse était top !"}),
    ("qualtrics_export_fr.csv", {"text": "Pourquoi cette note ?", "customer": "IPAddress"},
     lambda b: list(b.records["customer_id"]) == ["192.0.2.10", "198.51.100.77"]),
    ("qualtrics_export_fr.csv", {"date": "StartDate"},
     lambda b: b.records["received_at"].iloc[0] == pd.Timestamp("2026-07-29 07:02:11", tz="UTC")),
    ("surveymonkey_fr.csv", {"text": "Quel est le principal motif de votre note ?", "id": "Collector ID"},
     lambda b: set(b.records["source_id"]) == {"431208555", "431208556"}),
    ("google_forms_fr.csv", {"text": "Un commentaire pour l'équipe ?", "nps": "Score"},
     lambda b: list(b.records["nps"]) == [4]),  # the quiz score "4 / 5", as mapped
    ("google_forms_sheets_fr.csv", {"date": "Horodateur", "date_format": "%d/%m/%Y %H:%M:%S"},
     lambda b: b.records["received_at"].iloc[0] == pd.Timestamp("2026-07-29 07:00", tz="UTC")),
    ("limesurvey_codes.csv", {"text": "SUGGEST", "date": "startdate"},
     lambda b: list(b.records["received_at"]) == [pd.Timestamp("2026-07-29 08:09:02", tz="UTC")]),
    ("typeform_fr.csv", {"text": "Qu'est-ce qu'on pourrait améliorer ?", "customer": "Network ID"},
     lambda b: list(b.records["customer_id"]) == ["5f2c1a9b3e"]),
    ("enquete_magasins.xls", {"text": "Magasin", "id": "Note globale"},
     lambda b: list(b.records["text"]) == ["Bordeaux", "Toulouse", "Bordeaux"] and list(b.records["source_id"]) == ["5", "2", "4"]),
])
def test_mapped_columns_win_over_recognition(fixture: str, columns: dict, check) -> None:
    batch = _read(FIXTURES / fixture, columns=ColumnMap(**columns))
    assert check(batch), batch.records[["source_id", "text", "received_at", "customer_id"]].to_dict("records")


@pytest.mark.parametrize("fixture", ["qualtrics_export_fr.csv", "surveymonkey_fr.csv", "google_forms_en.csv",
                                     "limesurvey_codes.csv", "typeform_fr.csv", "enquete_magasins.xls"])
def test_a_mapped_column_missing_from_the_file_is_one_clear_row(fixture: str) -> None:
    batch = _read(FIXTURES / fixture, columns=ColumnMap(text="Verbatim client"))
    assert batch.rejected["reason"].tolist() == ["unreadable_file"]
    assert "'Verbatim client'" in batch.rejected["detail"].iloc[0] and "--text-column" in batch.rejected["detail"].iloc[0]


# --------------------------------------------------------------------------- Qualtrics specifics

def _qualtrics(rows: list[list[str]], zone: str = "Europe/Paris") -> list[list[str]]:
    ids = ["StartDate", "EndDate", "Status", "Progress", "Finished", "RecordedDate", "ResponseId", "ExternalReference",
           "Q1", "Q2"]
    texts = ["Start Date", "End Date", "Response Type", "Progress", "Finished", "Recorded Date", "Response ID",
             "External Data Reference", "Votre satisfaction globale ?", "Un mot sur votre expérience ?"]
    zoned = {"StartDate": "startDate", "EndDate": "endDate", "RecordedDate": "recordedDate"}
    imports = [json.dumps({"ImportId": zoned[i], "timeZone": zone}) if i in zoned else
               json.dumps({"ImportId": {"Q1": "QID1", "Q2": "QID2_TEXT"}.get(i, i.lower())}) for i in ids]
    return [ids, texts, imports, *rows]


def test_qualtrics_numeric_statuses_and_time_zone(tmp_path: Path) -> None:
    row = ["2026-01-10 10:00:00", "2026-01-10 10:05:00", "{}", "100", "1", "2026-01-10 10:05:01", "R_{}", "C1", "4",
           "Conseiller très patient, merci"]
    rows = [[v.format(status) if v in ("{}", "R_{}") else v for v in row] for status in ("0", "1", "2", "4", "8", "16")]
    path = _csv(tmp_path, "qualtrics_numerique.csv", _qualtrics(rows, zone="Asia/Tokyo"))
    batch = _read(path)
    assert batch.formats == {"survey.qualtrics-csv.v1": 1}
    assert list(batch.records["source_id"]) == ["R_0", "R_4", "R_16"]  # IP Address, Imported, Offline
    assert list(batch.records["csat"]) == [4, 4, 4]  # 1-5 answers to a 'satisf' question
    assert batch.records["received_at"].iloc[0] == pd.Timestamp("2026-01-10 01:05:01", tz="UTC")  # Tokyo, UTC+9
    details = batch.rejected["detail"].tolist()
    assert batch.rejected["reason"].tolist() == ["test_response"] * 3
    assert ["Survey Preview" in details[0], "Survey Test" in details[1], "Spam" in details[2]] == [True] * 3


def test_qualtrics_without_any_open_question_quarantines_each_row(tmp_path: Path) -> None:
    rows = [["2026-01-10 10:00:00", "2026-01-10 10:05:00", "IP Address", "100", "True", "2026-01-10 10:05:01", f"R_{i}",
             "", str(i % 5 + 1), ""] for i in range(4)]
    path = _csv(tmp_path, "qualtrics_sans_texte.csv", _qualtrics(rows))
    # Q2 is a text-entry question (QID2_TEXT) left empty by everyone: empty_text, not a missing column
    assert _read(path).rejected["reason"].tolist() == ["empty_text"] * 4
    lines = path.read_text(encoding="utf-8").replace("QID2_TEXT", "QID2").splitlines()
    path.write_text("\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n", encoding="utf-8")
    batch = _read(path)
    assert batch.read == 4 and set(batch.rejected["reason"]) == {"malformed_record"}
    assert "--text-column" in batch.rejected["detail"].iloc[0] and "'ResponseId'" in batch.rejected["detail"].iloc[0]


def test_qualtrics_xlsx_variant(tmp_path: Path) -> None:
    import openpyxl

    rows = [["2026-01-10 10:00:00", "2026-01-10 10:05:00", "IP Address", "100", "True", "2026-01-10 10:05:01", "R_1",
             "C1", "5", "Rapide et efficace 👍"]]
    book = openpyxl.Workbook()
    for row in _qualtrics(rows):
        book.active.append(row)
    path = tmp_path / "qualtrics.xlsx"
    book.save(path)
    batch = _read(path)
    assert batch.formats == {"survey.qualtrics-csv.v1": 1}
    assert batch.records[["source_id", "text", "customer_id"]].values.tolist() == [["R_1", "Rapide et efficace 👍", "C1"]]
    assert batch.records["received_at"].iloc[0] == pd.Timestamp("2026-01-10 09:05:01", tz="UTC")


# --------------------------------------------------------------------------- non-answers

@pytest.mark.parametrize(("value", "said_nothing"), [
    ("N/A", True), ("RAS", True), ("R.A.S.", True), ("r.a.s", True), ("Rien à signaler !", True), ("  autre  ", True),
    ("Néant.", True), ("...", True), ("-", True), ("NSP", True), ("Aucun commentaire", True),
    ("Autre chose : le parking", False), ("rien à redire, parfait", False), ("ras le bol des retards", False), ("", False),
])
def test_non_answers(value: str, said_nothing: bool) -> None:
    assert survey.non_answer_matcher(tuple(CFG.non_answers))(value) is said_nothing


def test_non_answers_are_configurable(tmp_path: Path) -> None:
    path = _csv(tmp_path, "avis.csv", [["id", "commentaire"], ["1", "RAS"], ["2", "pas d'avis"], ["3", "Très bien"]])
    assert _read(path).rejected["reason"].tolist() == ["non_answer"]
    batch = _read(path, IngestConfig(non_answers=["pas d'avis"]))
    assert list(batch.records["text"]) == ["RAS", "Très bien"] and batch.rejected["reason"].tolist() == ["non_answer"]


# --------------------------------------------------------------------------- the text column by content

def test_text_column_found_by_content_among_ids_dates_choices_and_numbers(tmp_path: Path) -> None:
    rows = [["ref", "horodatage", "canal", "content", "note", "mail"]]
    choices = ["Web", "Magasin", "Téléphone"]
    for i in range(30):
        rows.append([f"A{i:04d}", f"2026-07-{1 + i % 28:02d} 10:00", choices[i % 3],
                     f"Réponse numéro {i} : livraison {'rapide' if i % 2 else 'lente'} et service {i * 7 % 13} fois mieux",
                     str(i % 5 + 1), f"client{i}@exemple.fr"])
    path = _csv(tmp_path, "export.csv", rows)
    batch = _read(path)
    assert len(batch.records) == 30 and json.loads(batch.records["metadata"].iloc[0]) == {"question": "content"}
    rows[0][3] = "Q2"
    batch = _read(_csv(tmp_path, "export_q2.csv", rows))
    assert len(batch.records) == 30 and json.loads(batch.records["metadata"].iloc[0]) == {"question": "Q2"}
    assert batch.records["customer_id"].iloc[0] == "client0@exemple.fr"


def test_no_text_column_counts_each_row(tmp_path: Path) -> None:
    path = _csv(tmp_path, "notes.csv", [["id", "note", "date"]] + [[str(i), "4", "01/03/2026"] for i in range(5)], ";")
    batch = _read(path)
    assert batch.read == 5 and batch.rejected["reason"].tolist() == ["malformed_record"] * 5
    assert batch.rejected["location"].tolist() == [f"{path}:{n}" for n in range(2, 7)]
    detail = batch.rejected["detail"].iloc[0]
    assert "'note'" in detail and "--text-column COL" in detail and "[sources.columns].text" in detail


# --------------------------------------------------------------------------- OLE2: workbooks, not Outlook messages

def test_ole2_files_that_are_not_workbooks_are_not_claimed(tmp_path: Path) -> None:
    fake_msg = survey.OLE2_SIGNATURE + bytes(504) + "__substg1.0_0037001F".encode("utf-16-le") + bytes(512)
    for name in ("message.msg", "message.xls", "message.bin"):
        path = tmp_path / name
        path.write_bytes(fake_msg)
        assert get_format("survey.xls.v1").sniff(Probe(path)) == 0.0
    broken = tmp_path / "casse.xls"
    broken.write_bytes(survey.OLE2_SIGNATURE + bytes(2000))
    assert get_format("survey.xls.v1").sniff(Probe(broken)) > 0  # a .xls that is an OLE2 file: ours to read...
    batch = _read(broken)  # ...and to quarantine as one unreadable file when xlrd cannot open it
    assert batch.rejected["reason"].tolist() == ["unreadable_file"] and "xlrd" in batch.rejected["detail"].iloc[0]


def test_xls_is_recognised_by_content_whatever_its_name(tmp_path: Path) -> None:
    path = tmp_path / "export_sans_extension"
    shutil.copy(FIXTURES / "enquete_magasins.xls", path)
    assert detect(path).chosen.name == "survey.xls.v1"
    assert len(_read(path).records) == 2


# --------------------------------------------------------------------------- robustness and speed

@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.iterdir() if p.name != "expected.json"))
def test_truncated_fixtures_never_raise(tmp_path: Path, fixture: str) -> None:
    data = (FIXTURES / fixture).read_bytes()
    for cut in (0.2, 0.5, 0.9):
        path = tmp_path / f"coupe_{cut}{Path(fixture).suffix}"
        path.write_bytes(data[: int(len(data) * cut)])
        batch = _read(path)
        assert isinstance(batch, Batch)


def test_detection_of_each_tool_does_not_steal_plain_surveys(tmp_path: Path) -> None:
    path = _csv(tmp_path, "enquete.csv", [["Timestamp", "id", "commentaire"], ["2026-07-29 10:00", "1", "Très bien"]])
    assert detect(path).chosen.name == "survey.csv.v1"  # a Timestamp column, but no question header
    path = _csv(tmp_path, "numero.csv", [["#", "avis", "date"], ["1", "Très bien", "2026-07-29"]])
    assert detect(path).chosen.name == "survey.csv.v1"  # '#' first, but no Typeform dates


def test_speed_of_a_large_qualtrics_export(tmp_path: Path, record_property: pytest.RecordProperty) -> None:
    """Not a timed assertion: a 29,486-response Qualtrics export, measured (the generic reader reads as many in ~1 s)."""
    rows = []
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(29_486):
        stamp = (start + timedelta(minutes=17 * i)).strftime("%Y-%m-%d %H:%M:%S")
        rows.append([stamp, stamp, "IP Address" if i % 50 else "Survey Preview", "100", "True", stamp, f"R_{i:08d}",
                     f"C{i % 4000}", str(i % 5 + 1), f"Commande n°{i} livrée {'en retard' if i % 3 else 'à temps'}, merci"])
    path = _csv(tmp_path, "qualtrics_gros.csv", _qualtrics(rows))
    began = time.perf_counter()
    batch = _read(path)
    elapsed = time.perf_counter() - began
    assert batch.read == 29_486 and (batch.rejected["reason"] == "test_response").sum() == 29_486 // 50 + 1
    record_property("qualtrics_seconds_29486", round(elapsed, 2))
    log.warning("survey.qualtrics-csv.v1: 29486 responses in %.2f s", elapsed)
