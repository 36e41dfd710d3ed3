"""Survey tools' response exports, each a registered format recognised by its header rows.

Every format here reads CSV (any delimiter and encoding :mod:`verbatim.ingest.survey` reads,
UTF-16 tab-separated included), XLSX and legacy XLS files with the survey reader's loaders, then
applies what the tool's export means:

========================== ===================================================================
format                     signature, and what it reads
========================== ===================================================================
survey.qualtrics-csv.v1    Qualtrics "Export Data": column ids (``StartDate, EndDate, Status,
                           ..., ResponseId, ..., Q1, Q2_1, Q3_TEXT``), a row of question texts,
                           a row of ``{"ImportId": ...}`` (the dates' ``timeZone`` is there);
                           or the legacy layout (``V1..V10`` then questions, one row of texts)
survey.surveymonkey-csv.v1 SurveyMonkey "All individual responses": ``Respondent ID, Collector
                           ID, Start Date, End Date, ...``, question texts, then a row of
                           ``Response`` / ``Open-Ended Response`` / choice labels
survey.google-forms-csv.v1 Google Forms responses: ``Horodateur`` / ``Timestamp`` first, then
                           ``Adresse e-mail`` / ``Email Address``, ``Score``, the questions
survey.limesurvey-csv.v1   LimeSurvey responses: ``id, submitdate, lastpage, startlanguage,
                           seed, startdate, datestamp, ...`` then question codes (or the same
                           with full headings, English or French)
survey.typeform-csv.v1     Typeform responses: ``#``, the questions, ``Response Type``,
                           ``Start Date (UTC)``, ``Stage Date (UTC)``, ``Submit Date (UTC)``,
                           ``Network ID``, ``Tags``
survey.xls.v1              any legacy Excel workbook (OLE2 with a ``Workbook`` stream; an Outlook
                           ``.msg`` is OLE2 too and is never claimed) read as a generic survey
========================== ===================================================================

Open questions (the tool's text-entry columns, a recognised header, or free text by content)
each give a verbatim with the question text as ``question`` in the metadata and the tool as
``platform``; the recommendation question (0-10 values and a text mentioning recommander /
recommend, or Qualtrics' ``_NPS_GROUP`` companion column) gives ``nps``, a satisfaction question
with 1-5 values ``csat``. Columns named on the command line or in ``[sources.columns]`` (by
column id or by question text) win over recognition.

Rows that are not customers' answers are counted, not analysed: Qualtrics responses whose
``Status`` is a survey preview, a test or spam (``Survey Preview``, ``Survey Test``, ``Spam``...,
or their numeric codes 1, 2, 8, 9, 12, 17) are quarantined with reason :data:`NOT_A_RESPONSE`
and a detail naming the status.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from verbatim.config import IngestConfig, SourceConfig
from verbatim.ingest.common import Batch, file_too_large, rejected
from verbatim.ingest.formats import InputFormat, Probe, fold, register
from verbatim.ingest.survey import (
    _ALIASES,
    _SEP_LINE,
    _TEXT,
    _TEXT_PREFIXES,
    OLE2_SIGNATURE,
    Mapping,
    NoTextColumn,
    Table,
    TableError,
    build_rows,
    cell_text,
    explicit_columns,
    free_text_columns,
    load_table,
    no_text_detail,
    normalise_header,
    read_file,
    rows_without_text,
    sniff_delimiter,
)

log = logging.getLogger(__name__)

#: quarantine reason of a response that is no customer's answer (a preview, a test, spam). ``non_answer`` is the
#: closest registered reason; a dedicated ``test_response`` reason would say it better (schema.REASONS).
NOT_A_RESPONSE = "test_response"

_HEAD_ROWS = 4
_SNIFF_XLSX_MAX_BYTES = 256 * 1024 * 1024
_SNIFF_XLS_MAX_BYTES = 64 * 1024 * 1024


# --------------------------------------------------------------------------- the first rows, for sniffing

def head_rows(probe: Probe) -> list[list[str]]:
    """The first non-empty rows of a CSV, XLSX or XLS file as stripped strings (computed once per probe)."""
    cached = probe.__dict__.get("_survey_head_rows")
    if cached is None:
        try:
            cached = _read_head_rows(probe)
        except Exception:  # noqa: BLE001 - sniffing never fails: an unreadable head matches nothing
            cached = []
        probe.__dict__["_survey_head_rows"] = cached
    return cached


def _read_head_rows(probe: Probe) -> list[list[str]]:
    raw = probe.raw
    if raw.startswith(b"PK\x03\x04"):
        return _xlsx_head(probe.path)
    if raw.startswith(OLE2_SIGNATURE):
        return _xls_head(probe.path) if _is_workbook(probe) else []
    lines = probe.lines
    if not lines:
        return []
    text = probe.head
    sep = _SEP_LINE.match(lines[0])
    if sep:
        delimiter = sep.group(1)
        text = text.split("\n", 1)[1] if "\n" in text else ""
        lines = lines[1:]
    else:
        delimiter = sniff_delimiter(lines[:20], probe.suffix)
    rows = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            cells = [c.strip().lstrip("\ufeff") for c in row]
            if any(cells):
                rows.append(cells)
            if len(rows) >= _HEAD_ROWS:
                break
    except csv.Error:
        pass
    return rows


def _xlsx_head(path: Path) -> list[list[str]]:
    import warnings

    import openpyxl

    with zipfile.ZipFile(path) as archive:
        if sum(info.file_size for info in archive.infolist()) > _SNIFF_XLSX_MAX_BYTES:
            return []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        rows = []
        for values in book.worksheets[0].iter_rows(max_row=_HEAD_ROWS * 3, values_only=True):
            cells = [cell_text(v).strip() for v in values]
            if any(cells):
                rows.append(cells)
            if len(rows) >= _HEAD_ROWS:
                break
        return rows
    finally:
        book.close()


def _xls_head(path: Path) -> list[list[str]]:
    import xlrd

    if path.stat().st_size > _SNIFF_XLS_MAX_BYTES:
        return []
    book = xlrd.open_workbook(str(path), on_demand=True, logfile=io.StringIO())
    try:
        sheet = book.sheet_by_index(0)
        rows = []
        for r in range(min(sheet.nrows, _HEAD_ROWS * 3)):
            cells = [cell_text(v).strip() for v in sheet.row_values(r)]
            if any(cells):
                rows.append(cells)
            if len(rows) >= _HEAD_ROWS:
                break
        return rows
    finally:
        book.release_resources()


def _is_workbook(probe: Probe) -> bool:
    """An OLE2 file that is an Excel workbook: a ``Workbook``/``Book`` stream, never an Outlook message."""
    raw = probe.raw
    if not raw.startswith(OLE2_SIGNATURE) or probe.suffix == ".msg" or "__substg1.0_".encode("utf-16-le") in raw:
        return False
    names = ("Workbook".encode("utf-16-le") + b"\x00\x00", "Book".encode("utf-16-le") + b"\x00\x00")
    return any(name in raw for name in names) or probe.suffix == ".xls"


# --------------------------------------------------------------------------- dates written by the tools

_CLOCK = r"(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp])\.?\s*[Mm]\.?)?"
_SLASHED = re.compile(r"(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})(?:[ T]+" + _CLOCK + r")?"
                      r"(?:\s*(?:UTC|GMT)\s*(?:([+-])(\d{1,2})(?::?(\d{2}))?)?)?", re.IGNORECASE)


def tool_date(value: Any, day_first: bool) -> datetime | None:
    """A date as survey tools write it: ``2026/07/29 9:00:00 AM UTC+3``, ``07/29/2026 09:14:05 AM``,
    ``29/07/2026 09:00:00``, ``2026-07-29 09:14:05``...

    Year first is read year/month/day; otherwise ``day_first`` decides between dd/mm and mm/dd
    (see :func:`column_day_first`). A ``UTC+3`` / ``GMT+2`` suffix gives an aware datetime,
    otherwise it is naive (the caller's zone applies). None when it does not read.
    """
    if isinstance(value, datetime):
        return value
    match = _SLASHED.fullmatch(str(value).strip())
    if not match:
        return None
    a, b, c, hour, minute, second, meridiem, sign, off_h, off_m = match.groups()
    if len(a) == 4:
        year, month, day = int(a), int(b), int(c)
    else:
        year = int(c) + (2000 if len(c) == 2 else 0)
        day, month = (int(a), int(b)) if day_first else (int(b), int(a))
    h = int(hour or 0)
    if meridiem:
        if not 1 <= h <= 12:
            return None
        h = h % 12 + (12 if meridiem.lower() == "p" else 0)
    try:
        stamp = datetime(year, month, day, h, int(minute or 0), int(second or 0))
    except ValueError:
        return None
    text = str(value).upper()
    if sign or "UTC" in text or "GMT" in text:
        offset = timedelta(hours=int(off_h or 0), minutes=int(off_m or 0))
        stamp = stamp.replace(tzinfo=timezone(-offset if sign == "-" else offset))
    return stamp


def column_day_first(values: Sequence[Any], default: bool) -> bool:
    """Whether a column's slashed dates are dd/mm (a first part over 12 proves it) or mm/dd (a second part over 12)."""
    for value in values:
        match = _SLASHED.fullmatch(str(value).strip()) if isinstance(value, str) else None
        if not match or len(match.group(1)) == 4:
            continue
        if int(match.group(1)) > 12:
            return True
        if int(match.group(2)) > 12:
            return False
    return default


# --------------------------------------------------------------------------- what a tool's export means

@dataclass
class Plan:
    """A tool's export, understood: the data rows and what each column is.

    Attributes:
        platform: the tool (``metadata.platform`` of every record).
        table: the table without the tool's extra header rows; headers are the column ids.
        labels: each column's question text (the header when the tool writes none).
        meta: columns that are the tool's own (dates, ids, IP...), never questions.
        hints: id / date / customer / nps / csat / ces columns recognised by the tool's layout.
        date_fallbacks: columns whose value stands for an empty date (``EndDate`` for ``RecordedDate``).
        customer_fallbacks: the same for the customer (``RecipientEmail`` for ``ExternalReference``).
        text_hint: columns the tool marks as open text (Qualtrics ``_TEXT``, SurveyMonkey ``Open-Ended Response``).
        not_text: columns never read as answers (Qualtrics' ``_NPS_GROUP``...).
        excluded: data rows that are no customer's answer: (reason, detail).
        column_zones: the time zone the export declares for a date column.
        date_reader: turns a date cell into a datetime (naive: the zone applies), None: the generic rules.
        date_hint: what the tool's dates look like (``bad_date`` details).
    """

    platform: str
    table: Table
    labels: list[str]
    meta: set[int] = field(default_factory=set)
    hints: dict[str, int] = field(default_factory=dict)
    date_fallbacks: list[int] = field(default_factory=list)
    customer_fallbacks: list[int] = field(default_factory=list)
    text_hint: list[int] = field(default_factory=list)
    not_text: set[int] = field(default_factory=set)
    excluded: dict[int, tuple[str, str]] = field(default_factory=dict)
    column_zones: dict[int, str] = field(default_factory=dict)
    date_reader: Callable[[Any], datetime | None] | None = None
    date_hint: str | None = None


def _index(headers: Sequence[str], *names: str) -> int | None:
    """The first of ``names`` among ``headers`` (exact, then case- and accent-insensitive)."""
    for name in names:
        if name in headers:
            return list(headers).index(name)
    folded = [fold(h).strip() for h in headers]
    for name in names:
        if fold(name) in folded:
            return folded.index(fold(name))
    return None


def _has_values(table: Table, column: int | None) -> bool:
    return column is not None and any(cell_text(r[column]).strip() for _, r in table.rows[:500])


def _integers(values: Sequence[Any], low: int, high: int) -> bool:
    texts = [cell_text(v).strip() for v in values]
    texts = [t for t in texts if t]
    if not texts:
        return False
    for t in texts:
        t = re.sub(r"\s*/\s*\d+$", "", t.replace(",", "."))
        try:
            number = float(t)
        except ValueError:
            return False
        if number != int(number) or not low <= number <= high:
            return False
    return True


def plan_mapping(plan: Plan, source: SourceConfig) -> Mapping:
    """The columns of each field: mapped ones first (by id or question text), then the tool's, then recognition.

    Raises:
        TableError: a mapped column is not in the file.
        NoTextColumn: no column holds free-text answers.
    """
    table = plan.table
    headers = table.headers
    text, chosen, metadata = explicit_columns(headers, source.columns, plan.labels)
    for key, index in plan.hints.items():
        if chosen.get(key) is None and index not in text:
            chosen[key] = index
    taken = set(text) | {i for i in chosen.values() if i is not None} | plan.meta | plan.not_text
    questions = [i for i in range(len(headers)) if i not in taken]
    sample = table.rows[:300]
    if chosen.get("customer") is None:
        for i in range(len(headers)):
            if i not in taken and normalise_header(plan.labels[i]) in _ALIASES["customer"]:
                chosen["customer"] = i
                taken.add(i)
                break
    for key, words, low, high in (("nps", ("recommand", "recommend"), 0, 10), ("csat", ("satisf",), 1, 5),
                                  ("ces", ("effort",), 1, 7)):
        if chosen.get(key) is not None:
            continue
        for i in questions:
            label = plan.labels[i]
            named = any(w in fold(label) for w in words) or normalise_header(label) in _ALIASES[key] or \
                normalise_header(headers[i]) in _ALIASES[key]
            if i not in taken and named and _integers([r[i] for _, r in sample], low, high):
                chosen[key] = i
                taken.add(i)
                break
    if not text:
        hinted = [i for i in plan.text_hint if i not in taken]
        named = [i for i in questions if i not in taken and i not in hinted
                 and ((norm := normalise_header(plan.labels[i])) in _TEXT or norm.startswith(_TEXT_PREFIXES))]
        rest = [i for i in questions if i not in taken and i not in hinted and i not in named]
        text = sorted(set(hinted + named + free_text_columns(table, rest)))
    if not text:
        raise NoTextColumn(no_text_detail(headers))
    date = chosen.get("date")
    return Mapping(text=text, id=chosen.get("id"), date=date, customer=chosen.get("customer"),
                   scores={k: v for k in ("nps", "csat", "ces") if (v := chosen.get(k)) is not None},
                   metadata=metadata, questions={i: plan.labels[i] for i in text}, excluded=plan.excluded,
                   timezone=plan.column_zones.get(date) if date is not None else None,
                   date_hint=plan.date_hint, extra={"platform": plan.platform})


def _apply_fallbacks(plan: Plan, mapping: Mapping, source: SourceConfig) -> None:
    """Fill empty customers and dates from the fallback columns and read the tool's date style (in place)."""
    customer = mapping.customer
    if customer is not None and customer == plan.hints.get("customer") and plan.customer_fallbacks:
        for _, values in plan.table.rows:
            if not cell_text(values[customer]).strip():
                values[customer] = next((values[f] for f in plan.customer_fallbacks if cell_text(values[f]).strip()),
                                        values[customer])
    date = mapping.date
    if date is None:
        return
    fallbacks = plan.date_fallbacks if date == plan.hints.get("date") else []
    reader = None if source.columns.date_format else plan.date_reader
    if not fallbacks and reader is None:
        return
    cache: dict[Any, Any] = {}
    for _, values in plan.table.rows:
        value = values[date]
        if fallbacks and not cell_text(value).strip():
            value = next((values[f] for f in fallbacks if cell_text(values[f]).strip()), value)
        if reader is not None and isinstance(value, str) and value.strip():
            if value not in cache:
                cache[value] = reader(value) or value
            value = cache[value]
        values[date] = value


def platform_reader(prepare: Callable[[Table, SourceConfig], Plan]) -> Callable[[Path, SourceConfig, IngestConfig], Batch]:
    """A connector (``(path, source, cfg) -> Batch``) reading a tool's export with ``prepare``; never raises for bad input."""

    def read(path: Path, source: SourceConfig, cfg: IngestConfig) -> Batch:
        label = str(path)
        plan: Plan | None = None
        try:
            too_large = file_too_large(path, cfg)
            if too_large:
                return Batch.from_rows([], [rejected(label, label, "too_large", too_large)])
            table = load_table(path, source, cfg)
            if not table.headers:
                raise TableError("the file is empty: expected a header line and rows")
            plan = prepare(table, source)
            mapping = plan_mapping(plan, source)
            _apply_fallbacks(plan, mapping, source)
            rows, bad = build_rows(plan.table, mapping, path, source, cfg, "survey")
            log.debug("%s %s: %d records, %d quarantined", plan.platform, label, len(rows), len(bad))
            return Batch.from_rows(rows, bad)
        except NoTextColumn as exc:
            if plan is None or (not plan.table.rows and not plan.table.bad):
                return Batch.from_rows([], [rejected(label, label, "unreadable_file", str(exc))])
            return Batch.from_rows([], rows_without_text(plan.table, path, cfg, str(exc)))
        except TableError as exc:
            return Batch.from_rows([], [rejected(label, label, "unreadable_file", str(exc))])
        except Exception as exc:  # noqa: BLE001 - a broken file must never stop a run
            log.warning("quarantined unreadable file %s: %s", label, type(exc).__name__)
            return Batch.from_rows([], [rejected(label, label, "unreadable_file",
                                                 f"{type(exc).__name__}: {str(exc)[:200]}")])

    return read


def _drop_header_rows(table: Table, count: int) -> tuple[Table, list[list[str]]]:
    """The table without its first ``count`` data rows (a tool's extra header rows), and those rows as text."""
    extra = [[cell_text(v).strip() for v in values] for _, values in table.rows[:count]]
    return Table(headers=table.headers, rows=table.rows[count:], bad=table.bad, delimiter=table.delimiter), extra


def _unique(labels: Sequence[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


# --------------------------------------------------------------------------- Qualtrics

_QUALTRICS_META = ("StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)", "Finished",
                   "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName", "RecipientEmail",
                   "ExternalReference", "LocationLatitude", "LocationLongitude", "DistributionChannel", "UserLanguage")
_QUALTRICS_LEGACY = ("ResponseID", "ResponseSet", "Name", "ExternalDataReference", "EmailAddress", "IPAddress", "Status",
                     "StartDate", "EndDate", "Finished")
#: Qualtrics' numeric Status codes of responses that are no customer's answer
_QUALTRICS_NOT_ANSWERS = {"1": "Survey Preview", "2": "Survey Test", "8": "Spam", "9": "Survey Preview Spam",
                          "12": "Imported Spam", "17": "Offline Survey Preview"}


def _customer_hint(plan: Plan, columns: Sequence[int | None]) -> None:
    """The first of ``columns`` that holds values is the customer; the others fill its empty cells."""
    present = [i for i in columns if i is not None]
    filled = [i for i in present if _has_values(plan.table, i)]
    if filled:
        plan.hints["customer"] = filled[0]
        plan.customer_fallbacks = filled[1:]
        plan.meta |= set(filled)


def _is_import_id_row(cells: Sequence[str]) -> bool:
    filled = [c for c in cells if c]
    return bool(filled) and sum(c.startswith("{") and "ImportId" in c for c in filled) >= 0.8 * len(filled)


def _sniff_qualtrics(probe: Probe) -> float:
    rows = head_rows(probe)
    if not rows:
        return 0.0
    first = set(rows[0])
    if "ResponseId" in first and ({"StartDate", "EndDate"} <= first or "RecordedDate" in first):
        return 0.97 if any(_is_import_id_row(r) for r in rows[1:3]) else 0.9
    if rows[0][:3] == ["V1", "V2", "V3"] and len(rows) > 1 and rows[1][:1] == ["ResponseID"]:
        return 0.9
    return 0.0


def _qualtrics_status(value: Any) -> str | None:
    """The name of a Status that is no customer's answer (preview, test, spam), else None."""
    text = cell_text(value).strip()
    if text in _QUALTRICS_NOT_ANSWERS:
        return _QUALTRICS_NOT_ANSWERS[text]
    folded = fold(text)
    return text if any(word in folded for word in ("preview", "test", "spam")) else None


def prepare_qualtrics(table: Table, source: SourceConfig) -> Plan:
    """Qualtrics "Export Data" (CSV/TSV/XLSX), current or legacy layout."""
    headers = table.headers
    legacy = headers[:3] == ["V1", "V2", "V3"]
    has_import_ids = len(table.rows) > 1 and _is_import_id_row([cell_text(v) for v in table.rows[1][1]])
    table, extra = _drop_header_rows(table, 2 if has_import_ids else 1)
    texts = extra[0] if extra else []
    labels = [texts[i] if i < len(texts) and texts[i] else h for i, h in enumerate(headers)]
    import_ids: list[dict[str, Any]] = []
    for cell in (extra[1] if has_import_ids else []):
        try:
            value = json.loads(cell) if cell else {}
        except ValueError:
            value = {}
        import_ids.append(value if isinstance(value, dict) else {})
    import_ids += [{}] * (len(headers) - len(import_ids))
    plan = Plan(platform="qualtrics", table=table, labels=labels,
                date_hint="yyyy-mm-dd hh:mm:ss, as Qualtrics writes it")
    if legacy:
        names = [texts[i] if i < len(texts) else "" for i in range(len(headers))]
        plan.meta = {i for i, name in enumerate(names) if name in _QUALTRICS_LEGACY}
        col = {name: i for i, name in enumerate(names) if name in _QUALTRICS_LEGACY}
        plan.hints = {k: v for k, v in (("id", col.get("ResponseID")), ("date", col.get("EndDate"))) if v is not None}
        customers = [col[c] for c in ("ExternalDataReference", "EmailAddress") if c in col]
        status = col.get("Status")
        plan.date_fallbacks = [col["StartDate"]] if "StartDate" in col else []
    else:
        plan.meta = {i for i, h in enumerate(headers)
                     if h in _QUALTRICS_META or (h.startswith("Q_") and not re.search(r"NPS", h, re.IGNORECASE))}
        # embedded data (ImportId without QID) is not a question
        plan.meta |= {i for i, meta in enumerate(import_ids)
                      if meta.get("ImportId") and not str(meta["ImportId"]).startswith("QID")}
        plan.hints = {k: v for k, v in (("id", _index(headers, "ResponseId")),
                                        ("date", _index(headers, "RecordedDate", "EndDate"))) if v is not None}
        customers = [i for i in (_index(headers, "ExternalReference"), _index(headers, "RecipientEmail")) if i is not None]
        status = _index(headers, "Status")
        plan.date_fallbacks = [i for i in (_index(headers, "EndDate"), _index(headers, "StartDate"))
                               if i is not None and i != plan.hints.get("date")]
        plan.column_zones = {i: str(meta["timeZone"]) for i, meta in enumerate(import_ids) if meta.get("timeZone")}
    _customer_hint(plan, customers)
    for i, header in enumerate(headers):
        import_id = str(import_ids[i].get("ImportId", ""))
        if header.endswith("_TEXT") or import_id.endswith("_TEXT"):
            plan.text_hint.append(i)
        group = re.fullmatch(r"(.+)_NPS_GROUP", header)
        if group:
            plan.not_text.add(i)
            base = _index(headers, group.group(1))
            if base is not None and "nps" not in plan.hints:
                plan.hints["nps"] = base
        elif re.fullmatch(r"(?:Q_)?NPS", header, re.IGNORECASE) and "nps" not in plan.hints:
            plan.hints["nps"] = i
    if status is not None:
        statuses: dict[Any, str | None] = {}
        for k, (_, values) in enumerate(table.rows):
            value = values[status]
            if value not in statuses:
                statuses[value] = _qualtrics_status(value)
            name = statuses[value]
            if name:
                plan.excluded[k] = (NOT_A_RESPONSE, f"Qualtrics Status {name!r}: a response recorded by a survey "
                                    "preview, a test or a spam filter, not a customer's answer; counted, not analysed")
    return plan


# --------------------------------------------------------------------------- SurveyMonkey

_MONKEY = {
    "id": ("Respondent ID", "ID du répondant", "ID du repondant"),
    "collector": ("Collector ID", "ID du collecteur"),
    "start": ("Start Date", "Date de début", "Date de debut"),
    "end": ("End Date", "Date de fin"),
    "ip": ("IP Address", "Adresse IP"),
    "email": ("Email Address", "Adresse e-mail", "Adresse électronique"),
    "first": ("First Name", "Prénom"),
    "last": ("Last Name", "Nom"),
}
_MONKEY_CUSTOM = re.compile(r"(?:Custom Data|Données personnalisées|Donnees personnalisees)\s*\d*", re.IGNORECASE)
_MONKEY_PLAIN = {"response", "open-ended response", "reponse", "reponse ouverte", "reponse libre"}
_MONKEY_OPEN = ("open-ended response", "reponse ouverte", "reponse libre", "other (please specify)",
                "autre (veuillez preciser)", "comment", "commentaire")


def _sniff_surveymonkey(probe: Probe) -> float:
    rows = head_rows(probe)
    if not rows:
        return 0.0
    first = set(rows[0])
    if any(n in first for n in _MONKEY["id"]) and any(n in first for n in _MONKEY["collector"]):
        return 0.95
    return 0.0


def prepare_surveymonkey(table: Table, source: SourceConfig) -> Plan:
    """SurveyMonkey "All individual responses" (CSV/XLSX): question texts, then a row of answer labels."""
    raw_headers = table.headers
    table, extra = _drop_header_rows(table, 1)
    subs = extra[0] if extra else []
    labels: list[str] = []
    question = ""
    for i, header in enumerate(raw_headers):
        if not re.fullmatch(r"column_\d+", header):
            question = header
        sub = subs[i] if i < len(subs) else ""
        labels.append(question if not sub or fold(sub) in _MONKEY_PLAIN else f"{question} - {sub}")
    headers = _unique(labels)
    table = Table(headers=headers, rows=table.rows, bad=table.bad, delimiter=table.delimiter)
    col = {key: _index(raw_headers, *names) for key, names in _MONKEY.items()}
    custom = [i for i, h in enumerate(raw_headers) if _MONKEY_CUSTOM.fullmatch(h)]
    plan = Plan(platform="surveymonkey", table=table, labels=list(headers),
                date_hint="mm/dd/yyyy hh:mm:ss AM/PM, as SurveyMonkey writes it")
    plan.meta = {i for i in col.values() if i is not None} | set(custom)
    if col["id"] is not None:
        plan.hints["id"] = col["id"]
    date = col["end"] if col["end"] is not None else col["start"]
    if date is not None:
        plan.hints["date"] = date
        plan.date_fallbacks = [col["start"]] if col["start"] is not None and col["start"] != date else []
        day_first = column_day_first([r[date] for _, r in table.rows[:500]], default=False)
        plan.date_reader = lambda v: tool_date(v, day_first)
    _customer_hint(plan, [*custom, col["email"]])
    plan.text_hint = [i for i, sub in enumerate(subs) if fold(sub).startswith(_MONKEY_OPEN)]
    return plan


# --------------------------------------------------------------------------- Google Forms

_FORMS_TIMESTAMP = ("Horodateur", "Timestamp", "Marca temporal", "Zeitstempel", "Informazioni cronologiche")
_FORMS_EMAIL = ("Adresse e-mail", "Email Address", "Email address", "Adresse email", "Nom d'utilisateur", "Username")
_FORMS_SCORE = ("Score",)


def _sniff_google_forms(probe: Probe) -> float:
    rows = head_rows(probe)
    if not rows or rows[0][0] not in _FORMS_TIMESTAMP or len(rows[0]) < 2:
        return 0.0
    rest = rows[0][1:]
    if any(h in _FORMS_EMAIL or h in _FORMS_SCORE for h in rest):
        return 0.9
    # the questions are the headers: at least one reads as a question, not a field name
    return 0.85 if any(h.endswith("?") or len(h.split()) >= 3 for h in rest) else 0.0


def prepare_google_forms(table: Table, source: SourceConfig) -> Plan:
    """Google Forms responses (CSV download or the Sheets' XLSX): timestamp, e-mail, score, then one column per question."""
    headers = table.headers
    plan = Plan(platform="google-forms", table=table, labels=list(headers),
                date_hint="yyyy/mm/dd h:mm:ss AM UTC+1, dd/mm/yyyy hh:mm:ss or m/d/yyyy h:mm:ss, as Google Forms writes it")
    stamp = _index(headers, *_FORMS_TIMESTAMP)
    email = _index(headers, *_FORMS_EMAIL)
    score = _index(headers, *_FORMS_SCORE) if headers and headers[0] in _FORMS_TIMESTAMP else None
    plan.meta = {i for i in (stamp, email, score) if i is not None}
    if stamp is not None:
        plan.hints["date"] = stamp
        day_first = column_day_first([r[stamp] for _, r in table.rows[:500]], default=headers[stamp] != "Timestamp")
        plan.date_reader = lambda v: tool_date(v, day_first)
    if email is not None:
        plan.hints["customer"] = email
    return plan


# --------------------------------------------------------------------------- LimeSurvey

_LIME = {
    "id": ("id", "Response ID", "ID de la réponse", "ID de la reponse"),
    "submit": ("submitdate", "Date submitted", "Date de soumission", "Date d'envoi"),
    "last": ("datestamp", "Date last action", "Date de la dernière action", "Date de la derniere action"),
    "start": ("startdate", "Date started", "Date de début", "Date de debut"),
    "token": ("token", "Token", "Code d'accès", "Code d'acces"),
    "email": ("email", "Email address", "Adresse e-mail", "Courriel"),
}
_LIME_META = ("lastpage", "startlanguage", "seed", "ipaddr", "refurl", "Last page", "Start language", "Seed",
              "IP address", "Referrer URL", "Dernière page", "Langue de départ", "Langue de depart", "Graine",
              "Adresse IP", "URL de provenance", "interviewtime", "Total time", "firstname", "lastname")


def _sniff_limesurvey(probe: Probe) -> float:
    rows = head_rows(probe)
    if not rows:
        return 0.0
    first = set(rows[0])
    if {"submitdate", "lastpage", "startlanguage"} <= first:
        return 0.95
    if {"id", "submitdate"} <= first and ("datestamp" in first or "startdate" in first):
        return 0.9
    folded = {fold(h) for h in first}
    if {"response id", "date submitted", "last page"} <= folded or {"id de la reponse", "date de soumission",
                                                                    "derniere page"} <= folded:
        return 0.9
    return 0.0


def prepare_limesurvey(table: Table, source: SourceConfig) -> Plan:
    """LimeSurvey response export (CSV with question codes or full headings, ``,`` or ``;``; XLSX)."""
    headers = table.headers
    col = {key: _index(headers, *names) for key, names in _LIME.items()}
    plan = Plan(platform="limesurvey", table=table, labels=list(headers),
                date_hint="yyyy-mm-dd hh:mm:ss, as LimeSurvey writes it")
    plan.meta = {i for i in col.values() if i is not None}
    plan.meta |= {i for i, h in enumerate(headers) if h in _LIME_META or re.fullmatch(r"groupTime\d+|.+Time", h)}
    if col["id"] is not None:
        plan.hints["id"] = col["id"]
    dates = [i for i in (col["submit"], col["last"], col["start"]) if i is not None]
    if dates:
        plan.hints["date"] = dates[0]
        plan.date_fallbacks = dates[1:]
    _customer_hint(plan, [col["token"], col["email"]])
    plan.text_hint = [i for i, h in enumerate(headers)
                      if re.search(r"\[(?:other|comment)\]$|comment$|\[Autre\]$|\[Commentaire\]$", h, re.IGNORECASE)]
    return plan


# --------------------------------------------------------------------------- Typeform

_TYPEFORM_META = ("#", "Response Type", "Start Date (UTC)", "Stage Date (UTC)", "Submit Date (UTC)", "Network ID", "Tags",
                  "Ending", "Score")


def _sniff_typeform(probe: Probe) -> float:
    rows = head_rows(probe)
    if not rows or rows[0][0] != "#":
        return 0.0
    first = set(rows[0])
    return 0.95 if "Submit Date (UTC)" in first or "Network ID" in first else 0.0


def prepare_typeform(table: Table, source: SourceConfig) -> Plan:
    """Typeform responses export (CSV/XLSX): ``#``, the questions and hidden fields, then the dates (UTC)."""
    headers = table.headers
    plan = Plan(platform="typeform", table=table, labels=list(headers),
                date_hint="yyyy-mm-dd hh:mm:ss (UTC), as Typeform writes it")
    plan.meta = {i for i, h in enumerate(headers) if h in _TYPEFORM_META}
    plan.hints["id"] = 0
    dates = [i for i in (_index(headers, "Submit Date (UTC)"), _index(headers, "Stage Date (UTC)"),
                         _index(headers, "Start Date (UTC)")) if i is not None]
    if dates:
        plan.hints["date"] = dates[0]
        plan.date_fallbacks = dates[1:]
        plan.column_zones = {i: "UTC" for i in dates}
    return plan


# --------------------------------------------------------------------------- legacy Excel

def _sniff_xls(probe: Probe) -> float:
    if not _is_workbook(probe):
        return 0.0
    return 0.85 if head_rows(probe) else 0.6


# --------------------------------------------------------------------------- registry

def _fields(platform: str, text: str, date: str, customer: str, id_: str, scores: str) -> dict[str, str]:
    return {"record": f"one open answer of a {platform} response (several open questions give several records)",
            "text": text, "date": date, "customer": customer, "id": id_, "scores": scores,
            "skipped": "header rows of the export; rows whose open answers are all non-answers ([ingest].non_answers)"}


register(InputFormat(
    name="survey.qualtrics-csv.v1", channel="survey", extensions=(".csv", ".tsv", ".xlsx"),
    reads="a Qualtrics 'Export Data' file (ids, question texts, ImportId rows; or the legacy V1..V10 layout), CSV/TSV/XLSX",
    fields={**_fields("Qualtrics", "text-entry columns (ImportId or column id ending _TEXT) and free-text columns; "
                      "metadata.question = the question text", "RecordedDate (else EndDate) in the export's timeZone",
                      "ExternalReference, else RecipientEmail", "ResponseId",
                      "nps: the question of a _NPS_GROUP column, Q_NPS, or 0-10 answers to a 'recommend' question"),
            "skipped": "Status Survey Preview / Survey Test / Spam (reason non_answer); the two header rows"},
    sniff=_sniff_qualtrics, read=platform_reader(prepare_qualtrics)))
register(InputFormat(
    name="survey.surveymonkey-csv.v1", channel="survey", extensions=(".csv", ".xlsx"),
    reads="a SurveyMonkey 'All individual responses' export (question texts, then Response / Open-Ended Response row)",
    fields=_fields("SurveyMonkey", "Open-Ended Response / Other (please specify) columns and free-text columns; "
                   "metadata.question = question text [- sub label]", "End Date (US mm/dd/yyyy hh:mm:ss AM)",
                   "Custom Data 1, else Email Address", "Respondent ID",
                   "nps: 0-10 answers to a 'recommend' question; csat: 1-5 answers to a 'satisf' question"),
    sniff=_sniff_surveymonkey, read=platform_reader(prepare_surveymonkey)))
register(InputFormat(
    name="survey.google-forms-csv.v1", channel="survey", extensions=(".csv", ".xlsx"),
    reads="a Google Forms responses file (Horodateur/Timestamp, Adresse e-mail/Email Address, Score, questions), CSV/XLSX",
    fields=_fields("Google Forms", "free-text question columns (by header or content); metadata.question = the header",
                   "Horodateur / Timestamp (2026/07/29 9:00:00 AM UTC+3, 29/07/2026 09:00:00, 7/29/2026 9:00:00)",
                   "Adresse e-mail / Email Address", "none: line-N",
                   "nps: 0-10 answers to a 'recommend' question; csat: 1-5 answers to a 'satisf' question"),
    sniff=_sniff_google_forms, read=platform_reader(prepare_google_forms)))
register(InputFormat(
    name="survey.limesurvey-csv.v1", channel="survey", extensions=(".csv", ".xlsx"),
    reads="a LimeSurvey responses export (id, submitdate, lastpage, startlanguage, seed, startdate, datestamp, question "
          "codes or full headings; , or ;)",
    fields=_fields("LimeSurvey", "[other]/[comment] columns and free-text question columns",
                   "submitdate, else datestamp, else startdate", "token, else email", "id",
                   "nps: 0-10 answers to a 'recommend' question; csat: 1-5 answers to a 'satisf' question"),
    sniff=_sniff_limesurvey, read=platform_reader(prepare_limesurvey)))
register(InputFormat(
    name="survey.typeform-csv.v1", channel="survey", extensions=(".csv", ".xlsx"),
    reads="a Typeform responses export (#, questions, Response Type, Start/Stage/Submit Date (UTC), Network ID, Tags)",
    fields=_fields("Typeform", "free-text question columns (by header or content)",
                   "Submit Date (UTC), else Stage Date (UTC), else Start Date (UTC)",
                   "a hidden field or question named email / id_client / customer_id...", "#",
                   "nps: 0-10 answers to a 'recommend' question; csat: 1-5 answers to a 'satisf' question"),
    sniff=_sniff_typeform, read=platform_reader(prepare_typeform)))
register(InputFormat(
    name="survey.xls.v1", channel="survey", extensions=(".xls",),
    reads="a legacy Excel workbook (.xls, OLE2 with a Workbook stream; not Outlook .msg) of survey answers, first sheet",
    fields={"record": "one open answer (several open-question columns in a row give several records)",
            "text": "[sources.columns].text, else a recognised header (commentaire, verbatim, avis, ...), else the "
                    "free-text column by content", "date": "[sources.columns].date, else date|horodatage|...",
            "id": "id|identifiant|response_id|...", "customer": "id_client|customer_id|email|...",
            "scores": "nps|recommandation, csat|satisfaction|note, ces|effort"},
    sniff=_sniff_xls, read=read_file))
