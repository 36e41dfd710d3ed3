"""Hostile and broken inputs on every connector: no exception, no hang, every record accounted for.

Connectors are called directly (``verbatim.ingest.<channel>.read_file``), not through the
dispatcher whose catch-all would hide a connector's exception. Three families:

* **fuzzed bytes** (hypothesis): random bytes, truncated valid files and valid files in a wrong
  encoding, for each format (email .eml/.mbox, chat JSON/JSONL/CSV, survey CSV/XLSX, social
  JSON/JSONL). Non-blank input must give at least one record or quarantine row.
* **fuzzed structure** (hypothesis): files written with the format's own writer from generated
  records (random texts with quotes, separators, newlines and any script; dates valid, in the
  future, in 1900 or 3000; scores in and out of range; empty texts). Exactly one record or one
  quarantine row per record written, with the expected reason.
* **named hostile files**: a 5 MB line, JSON nested 100,000 deep, an XLSX that is not a zip, zip
  bombs (honest and lying headers), CSVs with unbalanced quotes, an mbox of 5,000 messages.
"""

from __future__ import annotations

import csv
import io
import json
import mailbox
import tempfile
import time
import zipfile
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.reliability.conftest import add, fuzz_examples
from verbatim.config import ColumnMap, IngestConfig, SourceConfig
from verbatim.ingest import chat, email, social, survey
from verbatim.ingest.common import Batch

Reader = Callable[[Path, SourceConfig, IngestConfig], Batch]
READERS: dict[str, Reader] = {"email": email.read_file, "chat": chat.read_file, "survey": survey.read_file,
                              "social": social.read_file}
FORMATS = [("email", ".eml"), ("email", ".mbox"), ("chat", ".json"), ("chat", ".jsonl"), ("chat", ".csv"),
           ("survey", ".csv"), ("survey", ".xlsx"), ("social", ".json"), ("social", ".jsonl")]
#: Seconds one small fuzzed file may take (generous: two cores shared with the rest of the suite).
SMALL_LIMIT = 5.0


def fuzz(examples: int) -> settings:
    """Hypothesis settings of a fuzz test: ``examples`` (times ``VERBATIM_FUZZ_SCALE``), seeded, no deadline."""
    return settings(max_examples=fuzz_examples(examples), deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def read(kind: str, suffix: str, data: bytes, cfg: IngestConfig | None = None, limit: float = SMALL_LIMIT,
         source: SourceConfig | None = None, counter: str = "hostile.fuzz_iterations") -> Batch:
    """Write ``data`` to a file and read it with the channel's connector; checks no exception and the time limit."""
    cfg = cfg or IngestConfig()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"input{suffix}"
        path.write_bytes(data)
        src = source or SourceConfig(kind=kind, path=path)
        start = time.perf_counter()
        batch = READERS[kind](path, src, cfg)
        elapsed = time.perf_counter() - start
    add(counter)
    assert isinstance(batch, Batch)
    assert elapsed < limit, f"{kind}{suffix}: {elapsed:.1f} s for {len(data)} bytes"
    assert set(batch.rejected["reason"]) <= REASONS, set(batch.rejected["reason"])
    return batch


def _reasons() -> set[str]:
    from verbatim import schema

    return set(getattr(schema, "REASONS", ())) or {
        "unreadable_file", "unsupported_file", "undecodable_bytes", "empty_text", "bad_date", "missing_date",
        "score_out_of_range", "malformed_json", "malformed_record", "malformed_row", "too_large"}


REASONS = _reasons()


def _blank(data: bytes) -> bool:
    for encoding in ("utf-8", "utf-16", "cp1252"):
        try:
            return not data.decode(encoding).strip(" \t\r\n\x0b\x0c\ufeff\x00")
        except UnicodeDecodeError:
            continue
    return False


# --------------------------------------------------------------------------- valid files, per format

def _date_text(kind: str, when: datetime | None) -> str:
    return "" if when is None else when.isoformat()


def write_valid(kind: str, suffix: str, texts: list[str], dates: list[datetime | None] | None = None,
                scores: list[object] | None = None) -> bytes:
    """A well-formed file of ``len(texts)`` records in the format (dates default to recent ones)."""
    n = len(texts)
    dates = dates if dates is not None else [NOW - timedelta(hours=i + 1) for i in range(n)]
    scores = scores if scores is not None else [None] * n
    if kind == "email":
        messages = []
        for i, (text, when) in enumerate(zip(texts, dates, strict=True)):
            msg = EmailMessage()
            msg["From"] = f"Client {i} <client{i}@exemple.invalid>"
            msg["To"] = "service@boutique.invalid"
            msg["Subject"] = f"Message {i}"
            if when is not None:
                msg["Date"] = format_datetime(when) if when.year >= 1900 else "Mon, 1 Jan 1900 10:00:00 +0000"
            msg["Message-ID"] = f"<fuzz-{i}@exemple.invalid>"
            msg.set_content(text)
            messages.append(msg)
        if suffix == ".eml":
            return messages[0].as_bytes()
        with tempfile.TemporaryDirectory() as tmp:
            box = mailbox.mbox(str(Path(tmp) / "box.mbox"))
            for msg in messages:
                box.add(msg)
            box.flush()
            box.close()
            return (Path(tmp) / "box.mbox").read_bytes()
    if kind == "chat":
        convs = []
        for i, (text, when, score) in enumerate(zip(texts, dates, scores, strict=True)):
            turns = [{"role": "bot", "timestamp": _date_text(kind, when), "text": "Bonjour, que puis-je faire ?"},
                     {"role": "client", "timestamp": _date_text(kind, when), "text": text},
                     {"role": "conseiller", "timestamp": _date_text(kind, when), "text": "Je regarde."}]
            conv = {"conversation_id": f"F{i}", "customer_id": f"CLI-{i}", "messages": turns}
            if score is not None:
                conv["csat"] = score
            convs.append(conv)
        if suffix == ".json":
            return json.dumps(convs, ensure_ascii=False).encode("utf-8")
        if suffix == ".jsonl":
            return "\n".join(json.dumps(c, ensure_ascii=False) for c in convs).encode("utf-8")
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";")
        writer.writerow(["conversation_id", "timestamp", "role", "message"])
        for c in convs:
            for t in c["messages"]:
                writer.writerow([c["conversation_id"], t["timestamp"], t["role"], t["text"]])
        return out.getvalue().encode("utf-8")
    if kind == "survey":
        rows = [["id", "date", "NPS", "Commentaire"]]
        for i, (text, when, score) in enumerate(zip(texts, dates, scores, strict=True)):
            rows.append([str(i + 1), "" if when is None else when.strftime("%d/%m/%Y %H:%M") if when.year >= 1000
                         else "01/01/0999", "" if score is None else str(score), text])
        if suffix == ".xlsx":
            import openpyxl

            book = openpyxl.Workbook()
            sheet = book.active
            for r, row in enumerate(rows, start=1):
                for c, value in enumerate(row, start=1):
                    cell = sheet.cell(row=r, column=c, value=value)
                    cell.data_type = "s"  # "=0" is a customer's text here, not a formula
            buffer = io.BytesIO()
            book.save(buffer)
            return buffer.getvalue()
        out = io.StringIO()
        csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
        return out.getvalue().encode("utf-8")
    if kind == "social":
        posts = []
        for i, (text, when, score) in enumerate(zip(texts, dates, scores, strict=True)):
            post = {"post_id": f"S{i}", "platform": "twitter", "author": f"@auteur{i}", "text": text}
            if when is not None:
                post["date"] = when.isoformat()
            if score is not None:
                post["rating"] = score
            posts.append(post)
        if suffix == ".json":
            return json.dumps(posts, ensure_ascii=False).encode("utf-8")
        return "\n".join(json.dumps(p, ensure_ascii=False) for p in posts).encode("utf-8")
    raise AssertionError(kind)


SAMPLE_TEXTS = ["Colis livré en retard, très déçu du service.", "Conseillère aimable; problème réglé, merci !",
                "« Remboursement » toujours pas reçu, c'est \"inadmissible\"", "Site lent\net paiement refusé deux fois."]

# --------------------------------------------------------------------------- 1. fuzzed bytes


@pytest.mark.parametrize(("kind", "suffix"), FORMATS)
@fuzz(60)
@given(data=st.binary(min_size=1, max_size=2048))
def test_random_bytes(kind: str, suffix: str, data: bytes) -> None:
    batch = read(kind, suffix, data)
    if not _blank(data):
        assert batch.read >= 1, f"{kind}{suffix}: non-blank input gave no record and no quarantine row"


@pytest.mark.parametrize(("kind", "suffix"), FORMATS)
@fuzz(30)
@given(cut=st.floats(min_value=0.02, max_value=0.98), n=st.integers(min_value=1, max_value=4))
def test_truncated_valid_files(kind: str, suffix: str, cut: float, n: int) -> None:
    whole = write_valid(kind, suffix, SAMPLE_TEXTS[:n] if suffix != ".eml" else SAMPLE_TEXTS[:1])
    data = whole[: max(1, int(len(whole) * cut))]
    batch = read(kind, suffix, data)
    assert len(batch.records) <= (1 if suffix == ".eml" else n)
    if not _blank(data) and not (kind == "survey" and suffix == ".csv" and b"\n" not in data.rstrip(b"\r\n")):
        # (a survey CSV cut inside its header line has no data row: nothing to account for)
        assert batch.read >= 1, f"{kind}{suffix} cut at {len(data)}/{len(whole)} bytes gave nothing"


ENCODINGS = ["utf-16", "utf-16-le", "utf-8-sig", "cp1252", "latin-1", "mac_roman", "cp850", "shift_jis", "utf-32"]


@pytest.mark.parametrize(("kind", "suffix"), [f for f in FORMATS if f[1] != ".xlsx"])
@fuzz(15)
@given(encoding=st.sampled_from(ENCODINGS), n=st.integers(min_value=1, max_value=4))
def test_valid_files_in_a_wrong_encoding(kind: str, suffix: str, encoding: str, n: int) -> None:
    texts = SAMPLE_TEXTS[:n] if suffix != ".eml" else SAMPLE_TEXTS[:1]
    whole = write_valid(kind, suffix, texts).decode("utf-8")
    data = whole.encode(encoding, errors="replace")
    batch = read(kind, suffix, data)
    assert batch.read >= 1
    assert len(batch.records) <= len(texts)


# --------------------------------------------------------------------------- 2. fuzzed structure

_TEXT_CHARS = st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\ufffd\ufeff\x85")
TEXTS = st.lists(st.one_of(_TEXT_CHARS, st.sampled_from(['"', "'", ";", ",", "\t", "\n", "\\", "{", "}", "[", "]", "é",
                                                          "From ", ">From ", "=", "\u00a0", "€", "😡"])),
                 min_size=0, max_size=60).map("".join)

#: (fault, date, score) -> expected reason; None = a record.
FAULTS = {
    None: None,
    "future": None,            # a date in 2099 is a record (the flow leaves it for a later night)
    "date_1900": "bad_date",
    "date_3000": "bad_date",
    "no_date": "missing_date",
    "score_high": "score_out_of_range",
    "score_low": "score_out_of_range",
    "score_fraction": "score_out_of_range",
    "empty": "empty_text",
}
#: Faults each format can carry (e-mails and chat CSV exports have no score; an .eml holds one message).
FORMAT_FAULTS = {
    "email": [None, "future", "date_1900", "date_3000", "no_date", "empty"],
    "chat": [None, "future", "date_1900", "date_3000", "no_date", "score_high", "score_low", "score_fraction", "empty"],
    "survey": [None, "future", "date_1900", "date_3000", "no_date", "score_high", "score_low", "score_fraction", "empty"],
    "social": [None, "future", "date_1900", "date_3000", "score_high", "score_low", "score_fraction", "empty"],
}


def _fault_values(kind: str, fault: str | None, i: int) -> tuple[datetime | None, object]:
    recent = NOW - timedelta(hours=i + 1)
    date = {"future": datetime(2099, 6, 1, 10, tzinfo=UTC), "date_1900": datetime(1900, 1, 1, 10, tzinfo=UTC),
            "date_3000": datetime(3000, 1, 1, 10, tzinfo=UTC), "no_date": None}.get(fault or "", recent)
    if kind == "survey":
        score = {"score_high": 11, "score_low": -1, "score_fraction": "7.5"}.get(fault or "", 8)
    else:
        score = {"score_high": 6, "score_low": 0, "score_fraction": 4.5}.get(fault or "", 4)
    return date, score


def _expected_text(text: str) -> bool:
    """A text every connector keeps as a record: not blank, and not a non-answer ("N/A", "-", "0"...) of surveys and reviews."""
    from verbatim.config import IngestConfig
    from verbatim.ingest.survey import non_answer_matcher

    return bool(text.strip()) and not non_answer_matcher(tuple(IngestConfig().non_answers))(text)


@pytest.mark.parametrize(("kind", "suffix"), FORMATS)
@fuzz(50)
@given(data=st.data())
def test_generated_records_are_all_accounted_for(kind: str, suffix: str, data: st.DataObject) -> None:
    n = 1 if suffix == ".eml" else data.draw(st.integers(min_value=1, max_value=8), label="n")
    allowed = [f for f in FORMAT_FAULTS[kind] if not (suffix == ".csv" and kind == "chat" and f and f.startswith("score"))]
    faults = data.draw(st.lists(st.sampled_from(allowed), min_size=n, max_size=n), label="faults")
    texts = data.draw(st.lists(TEXTS, min_size=n, max_size=n), label="texts")
    texts = ["   " if f == "empty" else t if _expected_text(t) else t + "avis" for t, f in zip(texts, faults, strict=True)]
    if kind == "email":
        # an e-mail body is text/plain as written by EmailMessage: lone CRs are line breaks, trailing blanks go
        texts = [t if f == "empty" else t.replace("\r", "\n") for t, f in zip(texts, faults, strict=True)]
    values = [_fault_values(kind, f, i) for i, f in enumerate(faults)]
    raw = write_valid(kind, suffix, texts, [d for d, _ in values], [s for _, s in values])
    batch = read(kind, suffix, raw)
    # an mbox message without Date: is dated from its envelope 'From ' line (mailbox.mbox writes one): a record
    expected = Counter(None if (kind, suffix, f) == ("email", ".mbox", "no_date") else FAULTS[f] for f in faults)
    got = Counter(batch.rejected["reason"])
    got[None] = len(batch.records)
    add("hostile.records_lost", max(0, n - batch.read))
    assert batch.read == n, f"{n} written, {len(batch.records)} records + {len(batch.rejected)} quarantined"
    assert got == expected, (dict(got), dict(expected), batch.rejected[["reason", "detail"]].to_dict("records"))
    add("hostile.structured_records", n)


# --------------------------------------------------------------------------- 3. named hostile files

GIANT = 5 * 1024 * 1024
SMALL_RECORDS = IngestConfig(max_record_chars=1000)


def _giant_file(kind: str, suffix: str) -> bytes:
    line = "colis en retard " * (GIANT // 16)
    return write_valid(kind, suffix, [line, "Un avis normal, livraison rapide."] if suffix != ".eml" else [line])


@pytest.mark.parametrize(("kind", "suffix"), FORMATS)
def test_a_5_mb_line_is_quarantined_as_too_large(kind: str, suffix: str) -> None:
    data = _giant_file(kind, suffix)
    batch = read(kind, suffix, data, SMALL_RECORDS, limit=30.0, counter="hostile.bad_input_cases")
    assert "too_large" in set(batch.rejected["reason"])
    assert batch.read == (1 if suffix == ".eml" else 2) and len(batch.records) == (0 if suffix == ".eml" else 1)
    assert all(len(t) <= 1000 for t in batch.records["text"])
    assert all(len(e) <= 1000 for e in batch.rejected["excerpt"])


def _nested(depth: int, kind: str) -> str:
    if kind == "list":
        return "[" * depth + "]" * depth
    return '{"a":' * depth + "1" + "}" * depth


@pytest.mark.parametrize(("kind", "suffix"), [f for f in FORMATS if f[0] in ("chat", "social")])
@pytest.mark.parametrize("shape", ["list", "object", "inside_a_record"])
def test_json_nested_100000_deep(kind: str, suffix: str, shape: str) -> None:
    if shape == "inside_a_record":
        good = write_valid(kind, ".jsonl", SAMPLE_TEXTS[:1]).decode()
        record = json.loads(good)
        deep = json.dumps(record)[:-1] + ', "extra": ' + _nested(100_000, "list") + "}"
        body = deep if suffix == ".json" else good + "\n" + deep
    else:
        body = _nested(100_000, shape)
    batch = read(kind, suffix, body.encode(), limit=30.0, counter="hostile.bad_input_cases")
    assert batch.read >= 1
    if shape == "inside_a_record" and suffix == ".jsonl":
        assert len(batch.records) == 1 and len(batch.rejected) == 1  # the good line survives its deep neighbour


def test_xlsx_that_is_not_a_zip() -> None:
    for data in (b"PK\x03\x04 not really a zip" * 10, b"id;Commentaire\n1;bon\n", bytes(range(256)) * 4):
        batch = read("survey", ".xlsx", data, counter="hostile.bad_input_cases")
        assert batch.read == 1 and batch.rejected["reason"].tolist() == ["unreadable_file"]


def _bomb(path: Path, sheet_bytes: int, lie: bool) -> None:
    valid = write_valid("survey", ".xlsx", SAMPLE_TEXTS[:2])
    with zipfile.ZipFile(io.BytesIO(valid)) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                head = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                with out.open(info.filename, "w", force_zip64=True) as handle:
                    handle.write(head)
                    chunk = b" " * (1 << 20)
                    for _ in range(sheet_bytes >> 20):
                        handle.write(chunk)
                    handle.write(b"</sheetData></worksheet>")
            else:
                out.writestr(info, src.read(info.filename))
    if lie:  # central directory and local header claim the sheet is tiny
        raw = bytearray(path.read_bytes())
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("xl/worksheets/sheet1.xml")
        real = info.file_size
        for offset in _find_all(raw, (real).to_bytes(8, "little")):
            raw[offset:offset + 8] = (1024).to_bytes(8, "little")
        path.write_bytes(bytes(raw))


def _find_all(raw: bytearray, needle: bytes) -> list[int]:
    out, start = [], 0
    while (i := raw.find(needle, start)) >= 0:
        out.append(i)
        start = i + 1
    return out


@pytest.mark.parametrize("lie", [False, True], ids=["honest_sizes", "lying_sizes"])
def test_xlsx_zip_bomb(tmp_path: Path, lie: bool) -> None:
    path = tmp_path / "bomb.xlsx"
    _bomb(path, 200 << 20, lie)  # 200 MB of blanks, ~200 KB compressed
    assert path.stat().st_size < 2 << 20
    cfg = IngestConfig(max_file_mb=20)
    start = time.perf_counter()
    batch = survey.read_file(path, SourceConfig(kind="survey", path=path), cfg)
    elapsed = time.perf_counter() - start
    add("hostile.bad_input_cases")
    assert elapsed < 20, f"{elapsed:.1f} s"
    assert batch.read >= 1 and len(batch.records) == 0
    assert batch.rejected["reason"].tolist() == ["unreadable_file"]


@pytest.mark.parametrize("bad", ["\uffff", "\ufffe", "avis\uffffcoupé"])
def test_xlsx_with_a_character_xml_forbids_keeps_every_row(bad: str) -> None:
    """Found by atheris (benchmarks/fuzz_connectors.py): openpyxl, and so ``pandas.to_excel``, writes U+FFFE and
    U+FFFF as they are, which XML forbids; the whole sheet was quarantined as one unreadable file."""
    texts = ["Livraison rapide, merci.", bad, "Conseiller injoignable depuis lundi."]
    batch = read("survey", ".xlsx", write_valid("survey", ".xlsx", texts), counter="hostile.bad_input_cases")
    add("hostile.records_lost", max(0, len(texts) - len(batch.records)))
    assert batch.rejected.empty, batch.rejected[["reason", "detail"]].to_dict("records")
    assert batch.records["text"].tolist() == [t.replace("\uffff", "\ufffd").replace("\ufffe", "\ufffd") for t in texts]


@pytest.mark.parametrize(("kind", "header"), [("survey", "id;date;NPS;Commentaire"),
                                              ("chat", "conversation_id;timestamp;role;message")])
def test_csv_with_an_unbalanced_quote_costs_one_row(kind: str, header: str) -> None:
    lines = [header]
    for i in range(1, 21):
        text = f"avis numéro {i}, livraison correcte" if i != 7 else '"avis numéro 7 avec un guillemet ouvert, jamais fermé'
        if kind == "survey":
            lines.append(f"{i};{(NOW - timedelta(hours=i)).strftime('%d/%m/%Y %H:%M')};8;{text}")
        else:
            lines.append(f"C{i};{(NOW - timedelta(hours=i)).isoformat()};client;{text}")
    batch = read(kind, ".csv", ("\n".join(lines) + "\n").encode(), counter="hostile.bad_input_cases")
    add("hostile.records_lost", max(0, 20 - batch.read))
    assert batch.read == 20
    assert len(batch.records) == 19 and batch.rejected["reason"].tolist() == ["malformed_row"]


@pytest.mark.parametrize("max_messages", [1_000_000, 1_000])
def test_mbox_with_5000_messages(max_messages: int) -> None:
    n = 5000
    parts = []
    for i in range(n):
        date = "Mon, 16 Nov 2026 10:00:00 +0100" if i % 50 else "Mon, 1 Jan 1900 10:00:00 +0000"
        parts.append(f"From client{i}@exemple.invalid Mon Nov 16 10:00:00 2026\n"
                     f"From: Client {i} <client{i}@exemple.invalid>\nTo: service@boutique.invalid\n"
                     f"Subject: avis {i}\nDate: {date}\nMessage-ID: <m{i}@exemple.invalid>\n"
                     f"Content-Type: text/plain; charset=utf-8\n\nMa commande {i} est arrivée en retard.\n"
                     f">From the start it was late.\n\n")
    cfg = IngestConfig(max_mbox_messages=max_messages)
    batch = read("email", ".mbox", "".join(parts).encode(), cfg, limit=60.0, counter="hostile.bad_input_cases")
    assert batch.read == n
    reasons = Counter(batch.rejected["reason"])
    if max_messages >= n:
        assert len(batch.records) == n - n // 50 and reasons == Counter({"bad_date": n // 50})
    else:
        assert len(batch.records) + reasons["bad_date"] == max_messages and reasons["too_large"] == n - max_messages


@pytest.mark.parametrize("score", ["11", "-1", "10.5", "nan", "inf", "-inf", "1e309", "99999999999999999999999", "0x0A",
                                   "٣", "½", "", "NSP"])
def test_survey_scores_out_of_range(score: str) -> None:
    data = f"id;date;NPS;Commentaire\n1;16/11/2026 10:00;{score};Livraison en retard.\n".encode()
    batch = read("survey", ".csv", data, counter="hostile.bad_input_cases")
    assert batch.read == 1
    if score in ("", "NSP"):
        assert len(batch.records) == 1 and batch.records["nps"].isna().all()
    elif score == "٣":  # an Arabic-Indic digit three is a number for float(): a valid NPS of 3
        assert len(batch.records) == 1 or batch.rejected["reason"].tolist() == ["score_out_of_range"]
    else:
        assert batch.rejected["reason"].tolist() == ["score_out_of_range"], batch.records.to_dict("records")


@pytest.mark.parametrize("value", ["1900-01-01T10:00:00", "3000-01-01", "0001-01-01", "9999-12-31T23:59:59", "31/02/2026",
                                   "1989-12-31", "2099-06-01T10:00:00+01:00", "-1", "1e20", "99999999999999", "NaN"])
@pytest.mark.parametrize("kind", ["chat", "social", "survey"])
def test_dates_in_the_far_past_or_future(kind: str, value: str) -> None:
    if kind == "survey":
        data = f"id;date;Commentaire\n1;{value};Livraison en retard.\n".encode()
        suffix = ".csv"
    elif kind == "chat":
        data = json.dumps({"conversation_id": "D1", "messages": [{"role": "client", "timestamp": value,
                                                                   "text": "Livraison en retard."}]}).encode()
        suffix = ".json"
    else:
        data = json.dumps([{"post_id": "D1", "date": value, "text": "Livraison en retard."},
                           {"post_id": "D2", "date": "2026-11-16T10:00:00Z", "text": "Bon produit."}]).encode()
        suffix = ".json"
    batch = read(kind, suffix, data, counter="hostile.bad_input_cases")
    records = batch.records[batch.records["source_id"] != "D2"]
    assert len(records) + len(batch.rejected) == 1
    if len(records):
        stamp = records["received_at"].iloc[0]
        assert 1990 <= stamp.year <= 2200, stamp
        assert value.startswith("2099"), f"{value!r} became {stamp}"
    else:
        assert batch.rejected["reason"].tolist()[0] in ("bad_date", "missing_date")


def test_auto_detection_never_raises_on_random_files(tmp_path: Path) -> None:
    """The dispatcher (``kind = "auto"``) on every extension with junk, blank and binary content."""
    from verbatim.ingest import read_source

    samples = [b"", b"\n\n", b"\x00" * 64, b"\xff\xfe\x00\x00garbage", b"PK\x03\x04" + bytes(200), b"From nobody\n",
               b'{"messages": 5}', b"[1, 2, 3]", b"role;conversation_id\n;;;\n", "é;€;\"\n".encode("cp1252")]
    suffixes = [".eml", ".mbox", ".json", ".jsonl", ".ndjson", ".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".bin", ""]
    n = 0
    for i, data in enumerate(samples):
        for suffix in suffixes:
            path = tmp_path / f"f{i}{suffix or '_noext'}"
            path.write_bytes(data)
            n += 1
    batch = read_source(SourceConfig(kind="auto", path=tmp_path), IngestConfig())
    add("hostile.bad_input_cases", n)
    non_blank = sum(1 for data in samples if not _blank(data)) * len(suffixes)
    assert batch.read >= non_blank
    assert set(batch.rejected["reason"]) <= REASONS


def test_survey_with_a_forced_wrong_column_map_is_one_clear_row(tmp_path: Path) -> None:
    data = b"id;date;Commentaire\n1;16/11/2026;bien\n"
    source = SourceConfig(kind="survey", path=tmp_path / "x.csv", columns=ColumnMap(text="Verbatim"))
    batch = read("survey", ".csv", data, source=source, counter="hostile.bad_input_cases")
    assert batch.rejected["reason"].tolist() == ["unreadable_file"]
    assert "Verbatim" in batch.rejected["detail"].iloc[0]


def _nested_multipart(depth: int) -> bytes:
    head = "From: a@exemple.invalid\nDate: Mon, 16 Nov 2026 10:00:00 +0100\nSubject: x\nMIME-Version: 1.0\n"
    body = "".join(f'Content-Type: multipart/mixed; boundary="b{i}"\n\n--b{i}\n' for i in range(depth))
    body += "Content-Type: text/plain\n\nlivraison en retard\n" + "".join(f"--b{i}--\n" for i in reversed(range(depth)))
    return (head + body).encode()


def _xlsx_with_sheet(edit: Callable[[str], str]) -> bytes:
    valid = write_valid("survey", ".xlsx", SAMPLE_TEXTS[:2])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(valid)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = edit(data.decode("utf-8")).encode("utf-8")
            dst.writestr(info.filename, data)
    return out.getvalue()


def _with_doctype(sheet: str, doctype: str, entity: str) -> str:
    end = sheet.index("?>") + 2 if sheet.startswith("<?xml") else 0
    return sheet[:end] + doctype + sheet[end:].replace("Colis livré", f"{entity} Colis livré", 1)


_LAUGHS = ('<!DOCTYPE worksheet [<!ENTITY lol "lolololololololololololololololololololol">'
           + "".join(f'<!ENTITY lol{i} "' + (f"&lol{i - 1};" if i > 1 else "&lol;") * 10 + '">' for i in range(1, 10)) + "]>")

HOSTILE_FILES: dict[str, tuple[str, str, Callable[[], bytes], Callable[[Batch], bool]]] = {
    # name: (channel, suffix, content, what must hold besides no exception / time limit)
    "e-mail with multiparts nested 3,000 deep": ("email", ".eml", lambda: _nested_multipart(3000), lambda b: b.read == 1),
    "e-mail with a 1 MB subject": ("email", ".eml", lambda: (
        "From: a@exemple.invalid\nDate: Mon, 16 Nov 2026 10:00:00 +0100\nSubject: " + "x" * (1 << 20)
        + "\n\nlivraison en retard\n").encode(), lambda b: b.read == 1),
    "e-mail with 200,000 header lines": ("email", ".eml", lambda: (
        "From: a@exemple.invalid\nDate: Mon, 16 Nov 2026 10:00:00 +0100\n" + "X-Trace: a\n" * 200_000
        + "\nlivraison en retard\n").encode(), lambda b: b.read == 1),
    "e-mail that is a PNG": ("email", ".eml", lambda: b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40,
                             lambda b: b.rejected["reason"].tolist() == ["unreadable_file"]),
    "mbox of text without From lines": ("email", ".mbox", lambda: b"bonjour\n" * 1000,
                                        lambda b: b.rejected["reason"].tolist() == ["unreadable_file"]),
    "100,000 posts in JSONL": ("social", ".jsonl", lambda: "\n".join(
        json.dumps({"post_id": str(i), "date": "2026-11-16T10:00:00Z", "text": f"avis {i}"}) for i in range(100_000)).encode(),
        lambda b: len(b.records) == 100_000),
    "social JSON broken half-way keeps the posts before": ("social", ".json", lambda: (json.dumps(
        [{"post_id": str(i), "date": "2026-11-16T10:00:00Z", "text": f"avis {i}"} for i in range(10)])[:-40]).encode(),
        lambda b: len(b.records) >= 8 and b.rejected["reason"].tolist() == ["malformed_json"]),
    "chat JSON of scalars": ("chat", ".json", lambda: b"[1, \"a\", null, true, 2.5]",
                             lambda b: b.read == 5 and set(b.rejected["reason"]) == {"malformed_record"}),
    "survey CSV with a 200,000-column header": ("survey", ".csv", lambda: (
        ";".join(f"c{i}" for i in range(200_000)) + ";Commentaire\n" + ";" * 200_000 + "bien\n").encode(),
        lambda b: len(b.records) == 1),
    "survey CSV with NUL bytes": ("survey", ".csv", lambda: b"id;Commentaire\n1;bi\x00en\n2;ok\x00\x00\n",
                                  lambda b: b.read == 2),
    "chat CSV with NUL bytes": ("chat", ".csv", lambda: b"conversation_id;role;message;timestamp\nC1;client;bi\x00en;"
                                b"2026-11-16T10:00:00\n", lambda b: b.read == 1),
    "XLSX with a billion-laughs entity": ("survey", ".xlsx", lambda: _xlsx_with_sheet(
        lambda s: _with_doctype(s, _LAUGHS, "&lol9;")), lambda b: len(b.records) == 0 and b.read == 1),
    "XLSX with an external entity (XXE)": ("survey", ".xlsx", lambda: _xlsx_with_sheet(
        lambda s: _with_doctype(s, '<!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/hostname">]>', "&x;")),
        lambda b: not any(Path("/etc/hostname").exists() and Path("/etc/hostname").read_text().strip() in t
                          for t in b.records["text"])),
    "XLSX declaring a sheet beyond Excel's limits": ("survey", ".xlsx", lambda: _xlsx_with_sheet(
        lambda s: __import__("re").sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD9999999"/>', s)),
        lambda b: b.read >= 1),
}


@pytest.mark.parametrize("name", list(HOSTILE_FILES))
def test_named_hostile_file(name: str) -> None:
    kind, suffix, content, check = HOSTILE_FILES[name]
    batch = read(kind, suffix, content(), limit=30.0, counter="hostile.bad_input_cases")
    assert check(batch), (len(batch.records), batch.rejected[["reason", "detail"]].to_dict("records")[:3])
