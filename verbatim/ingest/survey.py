"""Survey connector: CSV and XLSX exports of questionnaires -> one record per open answer.

Files:

* **CSV** — encoding UTF-8, UTF-8 with BOM or Windows-1252 (detected, or ``[[sources]].encoding``);
  delimiter sniffed among ``,`` ``;`` tab ``|`` (or ``[[sources]].delimiter``; an Excel
  ``sep=;`` first line is honoured). Rows whose number of fields differs from the header's
  (broken line, unbalanced quote) become ``malformed_row``; rows holding bytes that no encoding
  decodes (U+FFFD) become ``undecodable_bytes``. Rows whose fields are all empty are skipped
  (they are not records). ``location`` is ``path:N`` with N the physical line where the row starts.
* **XLSX** — the first worksheet, read with openpyxl in read-only mode. A file that is not a zip
  archive, a corrupt workbook, or a workbook whose uncompressed size is over
  ``[ingest].max_file_mb`` (zip bomb) or whose declared dimension is beyond Excel's limits becomes
  one ``unreadable_file`` row. ``location`` is ``path:N`` with N the sheet row.

Columns come from ``[sources.columns]``; entries left unset are recognised from the header,
case-, accent- and punctuation-insensitively (``Date de réponse`` = ``date_reponse``; words in
parentheses, ``de``/``du``/``la``/``votre``... are ignored):

======== =====================================================================================
field    recognised headers
======== =====================================================================================
text     commentaire(s), verbatim(s), remarque(s), avis, texte, text, comment(s), message,
         votre avis, pourquoi cette note ?, suggestion(s), commentaire libre, réponse libre;
         any header starting with commentaire / verbatim / remarque / suggestion /
         « qu'est-ce que »; any other header ending with ``?`` whose values are mostly free text
id       id, id_reponse, identifiant, response_id, respondent_id, n°, n° de réponse, numero_reponse
date     date, date_reponse, horodatage, submitted_at, created_at, date_publication,
         date_creation, date_soumission, timestamp
customer id_client, client_id, customer_id, numero_client, num_client, n° client, email, e-mail,
         mail, courriel, adresse email
nps      nps, score nps, note nps, recommandation, note de recommandation, probabilité de
         recommander; any header containing « recommand » whose values are numbers
csat     csat, score csat, satisfaction, note de satisfaction, note, note globale, stars,
         étoiles, rating
ces      ces, score ces, effort, score d'effort, facilité
======== =====================================================================================

When no header names the text, the text columns are found by **content** (:func:`free_text_columns`:
long, varied, wordy values; not ids, dates, numbers or choices repeated across rows). A file
with no such column is read row by row: each data row becomes ``malformed_record`` with a detail
naming the headers found and how to name the column (``--text-column COL`` or
``[sources.columns].text``), so the counts add up per record.

* **XLS** — legacy Excel workbooks (OLE2 ``D0 CF 11 E0``), first sheet, read with xlrd (format
  ``survey.xls.v1``); a file xlrd cannot open is one ``unreadable_file`` row.

Free-text answers listed in ``[ingest].non_answers`` (``RAS``, ``N/A``, ``autre``...; compared
lower-case, without accents nor end punctuation) are not verbatims: a row whose every answer is
one becomes one ``non_answer`` row; a row with a real answer keeps it.

The survey tools' exports (Qualtrics, SurveyMonkey, Google Forms, LimeSurvey, Typeform) have
their own formats, in :mod:`verbatim.ingest.survey_formats`.

Every non-empty text column of a row is its own verbatim (metadata ``question`` = header);
``source_id`` is the row id (id column, else ``line-N``), suffixed ``#header`` when the file has
several text columns. The row's date, customer and scores apply to each of its verbatims. A row
whose text columns are all empty is one ``empty_text`` row. Score markers meaning "no answer"
(``NSP``, ``N/A``, ``-``...) read as missing scores.
"""

from __future__ import annotations

import csv
import functools
import io
import logging
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pandas as pd

from verbatim.config import ColumnMap, IngestConfig, SourceConfig
from verbatim.ingest.common import (
    MIN_DATE,
    Batch,
    decode_bytes,
    file_too_large,
    parse_date,
    parse_score,
    record,
    rejected,
    source_timezone,
)
from verbatim.ingest.formats import InputFormat, Probe, register

log = logging.getLogger(__name__)

_DELIMITERS = (",", ";", "\t", "|")
#: the first bytes of an OLE2 compound document (legacy .xls workbooks, but also Outlook .msg, .doc...)
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_EXCEL_MAX_ROWS = 1_048_576
_EXCEL_MAX_COLS = 16_384
_MAX_YEAR = 2200  # later dates are typos (and overflow pandas timestamps)
_NO_ANSWER = frozenset({"nsp", "n/a", "na", "-", "ne sait pas", "non renseigne", "non renseigné", "sans reponse", "sans réponse"})
_STOPWORDS = frozenset({"de", "du", "des", "la", "le", "les", "l", "d", "votre", "vos", "a", "au", "en"})

_TEXT = ("commentaire", "commentaires", "verbatim", "verbatims", "remarque", "remarques", "avis", "texte", "text",
         "comment", "comments", "message", "pourquoi cette note", "suggestion", "suggestions", "commentaire libre",
         "reponse libre", "content", "contenu", "feedback", "review", "reponse", "answer", "body", "texte libre",
         "votre message", "commentaire client")
_TEXT_PREFIXES = ("commentaire", "verbatim", "remarque", "suggestion", "qu est ce")
_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "id reponse", "identifiant", "response id", "respondent id", "n", "n reponse", "numero reponse"),
    "date": ("date", "date reponse", "horodatage", "submitted at", "created at", "date publication", "date creation",
             "date soumission", "timestamp"),
    "customer": ("id client", "client id", "customer id", "numero client", "num client", "n client", "email", "e mail",
                 "mail", "courriel", "adresse email", "adresse e mail"),
    "nps": ("nps", "score nps", "note nps", "recommandation", "note recommandation", "probabilite recommander"),
    "csat": ("csat", "score csat", "satisfaction", "note satisfaction", "note", "note globale", "stars", "etoiles",
             "rating"),
    "ces": ("ces", "score ces", "effort", "score effort", "facilite"),
}
_SCORES = ("nps", "csat", "ces")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?$")
_ISO_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$")
_VECTOR_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y")
_SEP_LINE = re.compile(r"^\s*sep=(.)\s*$", re.IGNORECASE)


@dataclass
class Table:
    """A CSV or XLSX sheet as read: header, data rows (padded to the header) and rows rejected while reading.

    Attributes:
        headers: unique column labels (duplicates suffixed `` (2)``, blanks named ``column_N``).
        rows: ``(physical line or sheet row, values)``; CSV values are strings, XLSX values cells.
        bad: quarantine rows (``malformed_row``, ``undecodable_bytes``) found while splitting.
        delimiter: the CSV delimiter (used for excerpts), ``\\t`` for XLSX.
    """

    headers: list[str]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)
    bad: list[dict[str, Any]] = field(default_factory=list)
    delimiter: str = ","


@dataclass
class Mapping:
    """Column indexes of each field (None when absent); ``text`` may hold several columns."""

    text: list[int]
    id: int | None = None
    date: int | None = None
    customer: int | None = None
    scores: dict[str, int] = field(default_factory=dict)
    metadata: list[int] = field(default_factory=list)
    #: the ``question`` written in the metadata of a text column's records (default: its header)
    questions: dict[int, str] = field(default_factory=dict)
    #: data rows (index in ``Table.rows``) that are not answers: (quarantine reason, detail)
    excluded: dict[int, tuple[str, str]] = field(default_factory=dict)
    #: the zone of the date column when the export declares it (Qualtrics), else the source's
    timezone: str | None = None
    #: what a date should look like, for ``bad_date`` details (default: ISO 8601 or dd/mm/yyyy)
    date_hint: str | None = None
    #: metadata written on every record (``platform`` of a survey tool's export)
    extra: dict[str, Any] = field(default_factory=dict)


class TableError(Exception):
    """The file cannot be read as a table; the message is the quarantine detail."""


class NoTextColumn(TableError):
    """The table reads, but no column holds free text: each data row is quarantined on its own."""


# --------------------------------------------------------------------------- entry points

def read_file(path: Path, source: SourceConfig, cfg: IngestConfig) -> Batch:
    """Read a survey export (CSV or XLSX) into a batch of records, channel ``survey``.

    Writes every ``RECORD_COLUMNS`` column: ``channel`` = ``"survey"``, ``source`` = the path,
    ``source_id`` = row id (``#question`` appended when there are several text columns),
    ``received_at`` from the date column (UTC; the file's modification time when the file has
    no date column, with ``date_source = "file_mtime"`` in the metadata), ``customer_id`` from the
    customer column, ``text`` = the answer as received, ``nps``/``csat``/``ces`` from their
    columns, ``metadata`` = ``question`` plus the columns listed in ``[sources.columns].metadata``,
    ``location`` = ``path:N``.

    Never raises for bad input: see the module docstring for the quarantine reasons.
    """
    return read_table(path, source, cfg, channel="survey", recognise_text=True)


def read_table(path: Path, source: SourceConfig, cfg: IngestConfig, *, channel: str, recognise_text: bool) -> Batch:
    """Read a CSV/XLSX file into records of ``channel`` (shared by the survey and tabular connectors).

    Args:
        path: the file.
        source: its source (column map, encoding, delimiter, time zone).
        cfg: ingest limits.
        channel: the ``channel`` written on every record.
        recognise_text: when False, ``[sources.columns].text`` must be set (tabular sources);
            the other fields are still recognised from the header when unset.

    Returns:
        The records and quarantine rows; ``len(records) + len(rejected)`` covers every row.
    """
    label = str(path)
    try:
        too_large = file_too_large(path, cfg)
        if too_large:
            return Batch.from_rows([], [rejected(label, label, "too_large", too_large)])
        table = load_table(path, source, cfg)
        try:
            mapping = resolve_columns(table, source.columns, recognise_text=recognise_text)
        except NoTextColumn as exc:
            if not table.rows and not table.bad:  # nothing to count row by row: the file is the one thing quarantined
                raise TableError(str(exc)) from None
            return Batch.from_rows([], rows_without_text(table, path, cfg, str(exc)))
        rows, bad = build_rows(table, mapping, path, source, cfg, channel)
        log.debug("%s %s: %d records, %d quarantined", channel, label, len(rows), len(bad))
        return Batch.from_rows(rows, bad)
    except TableError as exc:
        return Batch.from_rows([], [rejected(label, label, "unreadable_file", str(exc))])
    except Exception as exc:  # noqa: BLE001 - a broken file must never stop a run
        log.warning("quarantined unreadable file %s: %s", label, type(exc).__name__)
        return Batch.from_rows([], [rejected(label, label, "unreadable_file", f"{type(exc).__name__}: {str(exc)[:200]}")])


def rows_without_text(table: Table, path: Path, cfg: IngestConfig, detail: str) -> list[dict[str, Any]]:
    """One ``malformed_record`` row per data row of a table in which no column holds the answers.

    The file is read (so its rows are counted one by one), but none of them has a verbatim to
    analyse until the text column is named; ``detail`` says which headers were found and how to
    name it. Rows rejected while loading keep their own reason.
    """
    label = str(path)
    delim = table.delimiter
    return list(table.bad) + [
        rejected(label, f"{label}:{line}", "malformed_record", detail, delim.join(cell_text(v) for v in values),
                 cfg.excerpt_chars)
        for line, values in table.rows]


# --------------------------------------------------------------------------- loading

def load_table(path: Path, source: SourceConfig, cfg: IngestConfig) -> Table:
    """Load a CSV or XLSX file (by extension, else by its first bytes) into a :class:`Table`.

    Raises:
        TableError: the file cannot be read as a table at all.
    """
    with path.open("rb") as handle:
        head = handle.read(8)
    if head == OLE2_SIGNATURE:
        return load_xls(path)
    if path.suffix.lower() in (".xlsx", ".xlsm") or head.startswith(b"PK\x03\x04"):
        return load_xlsx(path, cfg)
    return load_csv(path, source, cfg)


def load_xls(path: Path) -> Table:
    """Read the first worksheet of a legacy Excel workbook (``.xls``, BIFF in an OLE2 container) with xlrd.

    Date cells become datetimes, numbers floats (``cell_text`` writes integral ones without
    ``.0``), error cells empty. ``location`` rows are the sheet's (1-based).

    Raises:
        TableError: xlrd cannot open the file as a workbook (another OLE2 document such as an
            Outlook ``.msg``, a corrupt or encrypted workbook) or it has no worksheet.
    """
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), on_demand=True, logfile=io.StringIO())
    except Exception as exc:  # noqa: BLE001 - xlrd raises many types for files that are not workbooks
        raise TableError(f"expected a legacy Excel workbook (.xls), xlrd cannot open it ({type(exc).__name__}: "
                         f"{str(exc)[:150]}); open it in Excel and save it as .xlsx or CSV") from None
    try:
        if book.nsheets < 1:
            raise TableError("the .xls workbook has no worksheet")
        if book.nsheets > 1:
            log.info("%s: reading the first of %d worksheets", path, book.nsheets)
        sheet = book.sheet_by_index(0)
        table = Table(headers=[], delimiter="\t")
        width = 0
        for r in range(sheet.nrows):
            values: list[Any] = []
            for kind, value in zip(sheet.row_types(r), sheet.row_values(r), strict=True):
                if kind == xlrd.XL_CELL_DATE:
                    try:
                        value = xlrd.xldate.xldate_as_datetime(value, book.datemode)
                    except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                        value = None
                elif kind in (xlrd.XL_CELL_ERROR, xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    value = None
                values.append(value)
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            if not table.headers:
                last = max(i for i, v in enumerate(values) if v is not None and str(v).strip()) + 1
                table.headers = _unique_headers(values[:last])
                width = last
                continue
            row = values[:width] + [None] * max(0, width - len(values))
            table.rows.append((r + 1, row))
        return table
    finally:
        book.release_resources()


def _unique_headers(raw: Sequence[Any]) -> list[str]:
    headers: list[str] = []
    seen: dict[str, int] = {}
    for i, value in enumerate(raw, start=1):
        name = cell_text(value).strip().lstrip("\ufeff") or f"column_{i}"
        seen[name] = seen.get(name, 0) + 1
        headers.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return headers


def _forced_delimiter(value: str) -> str:
    return "\t" if value.lower() in ("tab", "\\t", "\t", "tabulation") else value


def sniff_delimiter(lines: Sequence[str], suffix: str = "") -> str:
    """The most plausible delimiter among , ; tab | for the first lines of a CSV file.

    Each candidate found in the header line splits a sample of lines; the one giving the most
    rows as wide as the header wins (ties: the widest header).
    """
    sample = [line for line in lines[:50] if line.strip()]
    default = "\t" if suffix == ".tsv" else ","
    if not sample:
        return default
    best, best_key = default, (-1.0, 0)
    for delim in _DELIMITERS:
        if delim not in sample[0]:
            continue
        try:
            widths = [len(r) for r in csv.reader(sample, delimiter=delim) if r]
        except csv.Error:
            continue
        if not widths or widths[0] < 2:
            continue
        key = (sum(w == widths[0] for w in widths) / len(widths), widths[0])
        if key > best_key:
            best, best_key = delim, key
    return best


def load_csv(path: Path, source: SourceConfig, cfg: IngestConfig) -> Table:
    """Decode and split a CSV file; rows with the wrong number of fields are quarantined.

    A row spanning several physical lines that does not split into the header's columns (or
    holds an odd number of quotes: an unbalanced quote swallowing the following lines) is
    quarantined as its first line only, and reading resumes on the next line, so one stray quote
    costs one row, not the rest of the file.
    """
    label = str(path)
    text, _encoding = decode_bytes(path.read_bytes(), source.encoding)
    lines = list(io.StringIO(text, newline=""))
    # csv's default field limit (128 KiB) would split long answers; they are checked against max_record_chars later
    csv.field_size_limit(max(csv.field_size_limit(), int(cfg.max_file_mb * 1024 * 1024) + 1))
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return Table(headers=[])
    sep = _SEP_LINE.match(lines[first])
    if sep and not source.delimiter:
        delimiter = sep.group(1)
        first = next((i for i in range(first + 1, len(lines)) if lines[i].strip()), len(lines))
    else:
        delimiter = _forced_delimiter(source.delimiter) if source.delimiter else sniff_delimiter(lines[first:], path.suffix.lower())
    limit = cfg.excerpt_chars
    check_fffd = "\ufffd" in text
    table = Table(headers=[], delimiter=delimiter)
    width = 0
    pos, n = first, len(lines)
    while pos < n:
        base = pos
        reader = csv.reader((lines[i] for i in range(base, n)), delimiter=delimiter, quotechar='"', doublequote=True)
        restart: int | None = None
        while True:
            start = base + reader.line_num
            try:
                fields = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                table.bad.append(rejected(label, f"{label}:{start + 1}", "malformed_row",
                                          f"the line cannot be split into fields: {exc}", lines[start] if start < n else "", limit))
                restart = start + 1
                break
            end = base + reader.line_num
            if not fields or not "".join(fields).strip():
                continue
            if not table.headers:
                table.headers = _unique_headers(fields)
                width = len(fields)
                continue
            if len(fields) > width and not any(f.strip() for f in fields[width:]):
                fields = fields[:width]  # trailing delimiters
            multiline = end - start > 1
            if len(fields) != width or (multiline and sum(lines[i].count('"') for i in range(start, end)) % 2):
                if len(fields) != width:
                    detail = f"expected {width} fields separated by {delimiter!r} as in the header, got {len(fields)}"
                else:
                    detail = "unbalanced quote: the field runs over the following lines"
                if multiline:
                    detail += f" (the row ran over lines {start + 1}-{end}; only line {start + 1} is quarantined)"
                table.bad.append(rejected(label, f"{label}:{start + 1}", "malformed_row", detail, lines[start], limit))
                if multiline:
                    restart = start + 1
                    break
                continue
            if check_fffd and any("\ufffd" in f for f in fields):
                table.bad.append(rejected(label, f"{label}:{start + 1}", "undecodable_bytes",
                                          "expected text in UTF-8 or Windows-1252 (or [[sources]].encoding), the row holds "
                                          "bytes that do not decode (shown as \ufffd)", "".join(lines[start:end]), limit))
                continue
            table.rows.append((start + 1, fields))
        if restart is None:
            break
        pos = restart
    return table


def load_xlsx(path: Path, cfg: IngestConfig) -> Table:
    """Read the first worksheet of an XLSX workbook, guarding against zip bombs and absurd sheets.

    Raises:
        TableError: not a zip archive, corrupt, too large once uncompressed, or an absurd dimension.
    """

    limit = cfg.max_file_mb * 1024 * 1024
    if not zipfile.is_zipfile(path):
        raise TableError("expected an XLSX workbook (a zip archive), the file is not one; re-export it from Excel "
                         "or save it as CSV")
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise TableError(f"the XLSX archive is corrupt: {exc}") from None
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names:
        raise TableError("expected an XLSX workbook, the zip archive has no xl/workbook.xml")
    total = sum(info.file_size for info in infos)
    if total > limit:
        raise TableError(f"the workbook uncompresses to {total / 1024 / 1024:.0f} MB, over the limit of "
                         f"{cfg.max_file_mb} MB ([ingest].max_file_mb); refused (possible zip bomb)")
    try:
        return _first_sheet(path)
    except ElementTree.ParseError:
        # openpyxl (and so pandas.to_excel) writes U+FFFE/U+FFFF as they are, which XML forbids: one such
        # character made the whole sheet unreadable. Read a copy with them replaced, as Excel's repair does.
        repaired = _xml_repaired(path)
        if repaired is None:
            raise
        log.warning("%s: characters that XML forbids replaced by U+FFFD to read the workbook", path)
        return _first_sheet(repaired)


#: Characters XML 1.0 forbids, as UTF-8 bytes (C0 controls but tab, LF, CR; U+FFFE, U+FFFF).
_XML_FORBIDDEN = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")


def _xml_repaired(path: Path) -> io.BytesIO | None:
    """An in-memory copy of the workbook with :data:`_XML_FORBIDDEN` replaced by U+FFFD in its XML parts.

    None when no part holds such a character. (The uncompressed size was checked against
    ``[ingest].max_file_mb`` before; nothing is written to disk.)
    """
    changed = False
    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith((".xml", ".rels")):
                fixed = _XML_FORBIDDEN.sub(b"\xef\xbf\xbd", data)
                changed = changed or fixed != data
                data = fixed
            dst.writestr(info, data)
    if not changed:
        return None
    out.seek(0)
    return out


def _first_sheet(path: Path | io.BytesIO) -> Table:
    """The first worksheet of a workbook whose archive was checked by :func:`load_xlsx`.

    Raises:
        TableError: the workbook cannot be opened, has no sheet, or has absurd dimensions.
        xml.etree.ElementTree.ParseError: a part is not well-formed XML.
    """
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except ElementTree.ParseError:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for corrupt files
        raise TableError(f"the XLSX workbook cannot be opened: {type(exc).__name__}: {str(exc)[:150]}") from None
    try:
        if not book.worksheets:
            raise TableError("the workbook has no worksheet")
        if len(book.worksheets) > 1:
            log.info("%s: reading the first of %d worksheets", path, len(book.worksheets))
        sheet = book.worksheets[0]
        declared_rows, declared_cols = sheet.max_row or 0, sheet.max_column or 0
        if declared_rows > _EXCEL_MAX_ROWS or declared_cols > _EXCEL_MAX_COLS:
            raise TableError(f"the sheet declares {declared_rows} rows x {declared_cols} columns, beyond Excel's "
                             f"limits ({_EXCEL_MAX_ROWS} x {_EXCEL_MAX_COLS}); refused")
        sheet.reset_dimensions()  # declared dimensions are often wrong (A1:A1); read what is there
        table = Table(headers=[], delimiter="\t")
        width = 0
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > _EXCEL_MAX_ROWS:
                raise TableError(f"the sheet has more than {_EXCEL_MAX_ROWS} rows; refused")
            if not values or all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            if not table.headers:
                last = max(i for i, v in enumerate(values) if v is not None and str(v).strip()) + 1
                table.headers = _unique_headers(values[:last])
                width = last
                continue
            row = list(values[:width])
            if len(row) < width:
                row.extend([None] * (width - len(row)))
            table.rows.append((number, row))
        return table
    finally:
        book.close()


# --------------------------------------------------------------------------- columns

def normalise_header(header: str) -> str:
    """A header as compared with the aliases: lower case, no accents, punctuation, parentheses or stop words."""
    text = unicodedata.normalize("NFKD", header.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", text)
    words = [w for w in re.split(r"[^a-z0-9]+", text) if w and w not in _STOPWORDS]
    return " ".join(words)


def cell_text(value: Any) -> str:
    """A cell as text: ``""`` for empty, integral floats without ``.0``, dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        if value != value:
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _is_free_text(values: list[Any]) -> bool:
    texts = [cell_text(v).strip() for v in values]
    texts = [t for t in texts if t]
    if not texts:
        return False
    numeric = sum(bool(re.fullmatch(r"[-+]?\d+(?:[.,]\d+)?(?:\s*/\s*\d+)?", t)) for t in texts)
    wordy = sum(" " in t or len(t) >= 15 for t in texts)
    return numeric / len(texts) < 0.5 and wordy / len(texts) >= 0.3


def _is_numeric(values: list[Any]) -> bool:
    texts = [cell_text(v).strip() for v in values]
    texts = [t for t in texts if t]
    return bool(texts) and sum(bool(re.fullmatch(r"[-+]?\d+(?:[.,]\d+)?(?:\s*/\s*\d+)?", t)) for t in texts) / len(texts) >= 0.8


def _find(headers: list[str], name: str, labels: Sequence[str] = ()) -> int | None:
    """The column named ``name``: its header (exact, then normalised), else its label (a survey tool's question text)."""
    if name in headers:
        return headers.index(name)
    wanted = normalise_header(name)
    for i, header in enumerate(headers):
        if header.strip() == name.strip() or (wanted and normalise_header(header) == wanted):
            return i
    for i, label in enumerate(labels):
        if label and (label.strip() == name.strip() or (wanted and normalise_header(label) == wanted)):
            return i
    return None


_NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)?(?:\s*/\s*\d+)?")
_DATE_LIKE = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}(?:[ T].*)?|\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AP]M)?", re.IGNORECASE)
_TOKEN_LIKE = re.compile(r"\S*(?:@|://|\d)\S*|[A-Z0-9_-]+")


def free_text_score(values: Sequence[Any]) -> float:
    """How much a column looks like free-text answers, by content: 0 when it does not.

    A free-text column is long, varied and wordy: not numbers, dates, identifiers, e-mail
    addresses or URLs, and not a few choices repeated across rows. The score is the mean number
    of words times the share of distinct values (higher is more text-like).
    """
    texts = [t for t in (cell_text(v).strip() for v in values) if t]
    n = len(texts)
    if not n:
        return 0.0
    if sum(bool(_NUMBER.fullmatch(t)) for t in texts) / n >= 0.2:
        return 0.0
    if sum(bool(_DATE_LIKE.fullmatch(t)) for t in texts) / n >= 0.2:
        return 0.0
    if sum(bool(_TOKEN_LIKE.fullmatch(t)) for t in texts) / n >= 0.5:
        return 0.0
    distinct = len(set(texts)) / n
    if n >= 4 and distinct < 0.6:
        return 0.0
    words = [len(t.split()) for t in texts]
    mean = sum(words) / n
    if mean < 3.5 and max(words) < 8:
        return 0.0
    return mean * distinct


def free_text_columns(table: Table, candidates: Sequence[int], sample: int = 300) -> list[int]:
    """The columns among ``candidates`` whose content is free text (see :func:`free_text_score`).

    Every column scoring at least half the best one is kept (a survey may have several open
    questions), in column order.
    """
    rows = table.rows[:sample]
    scores = {i: free_text_score([r[i] for _, r in rows]) for i in candidates}
    best = max(scores.values(), default=0.0)
    if best <= 0:
        return []
    return [i for i in candidates if scores[i] > 0 and scores[i] >= best / 2]


def _headers_found(headers: Sequence[str]) -> str:
    return ", ".join(repr(h) for h in headers[:40]) + (" ..." if len(headers) > 40 else "")


def no_text_detail(headers: Sequence[str]) -> str:
    """The quarantine detail of a row of a file in which no column holds the answers."""
    hint = ""
    if len(headers) == 1 and any(d in headers[0] for d in _DELIMITERS):
        hint = " (a single column whose name holds a delimiter: check [[sources]].delimiter)"
    return (f"no text column recognised, by header or by content; found: {_headers_found(headers)}{hint}; name the column "
            "holding the verbatim with --text-column COL or [sources.columns].text")


def explicit_columns(headers: list[str], columns: ColumnMap, labels: Sequence[str] = ()) -> tuple[
        list[int], dict[str, int | None], list[int]]:
    """The columns named in ``[sources.columns]`` (or on the command line): (text, id/date/customer/scores, metadata).

    A name matches a header, else a label (``labels``: the question texts of a survey tool's
    export). Mapped columns win over any recognition.

    Raises:
        TableError: a named column is in neither; the detail lists the headers found.
    """
    def explicit(key: str, name: str) -> int:
        index = _find(headers, name, labels)
        if index is None:
            option = f"--score {key}=COL" if key in _SCORES else f"--{key}-column"
            raise TableError(f"column {name!r} set in [sources.columns].{key} (or {option}) is not in the header; "
                             f"found: {_headers_found(headers)}")
        return index

    text = [explicit("text", name) for name in columns.text_columns()]
    chosen: dict[str, int | None] = {}
    for key in ("id", "date", "customer", *_SCORES):
        name = getattr(columns, key)
        chosen[key] = explicit(key, name) if name else None
    metadata = []
    for name in columns.metadata:
        index = _find(headers, name, labels)
        if index is None:
            log.warning("column %r listed in [sources.columns].metadata is not in the header; ignored", name)
        else:
            metadata.append(index)
    return text, chosen, metadata


def resolve_columns(table: Table, columns: ColumnMap, *, recognise_text: bool = True) -> Mapping:
    """Map each field to a column: explicit ``[sources.columns]`` entries first, then recognised headers.

    The text columns, when not named, are the recognised headers (``commentaire``, ``verbatim``,
    a question ending with ``?`` whose values are free text...), else the columns whose content
    is free text (:func:`free_text_columns`).

    Raises:
        TableError: the file is empty or a column named in the config is not in the header;
            :class:`NoTextColumn` when no column holds free text (each row is then quarantined).
    """
    headers = table.headers
    if not headers:
        raise TableError("the file is empty: expected a header line and rows")
    text, chosen, metadata = explicit_columns(headers, columns)
    taken = set(text) | {i for i in chosen.values() if i is not None}
    normalised = [normalise_header(h) for h in headers]
    sample = table.rows[:200]
    for key in ("id", "date", "customer", *_SCORES):
        if chosen[key] is not None:
            continue
        for alias in _ALIASES[key]:
            index = next((i for i, h in enumerate(normalised) if h == alias and i not in taken), None)
            if index is not None:
                chosen[key] = index
                taken.add(index)
                break
    if chosen["nps"] is None:
        for i, h in enumerate(normalised):
            if i not in taken and "recommand" in h and _is_numeric([r[i] for _, r in sample]):
                chosen["nps"] = i
                taken.add(i)
                break
    if not text:
        if not recognise_text:
            raise TableError(f"tabular sources need [sources.columns].text (the column holding the verbatim); "
                             f"found: {_headers_found(headers)}")
        for i, (header, norm) in enumerate(zip(headers, normalised, strict=True)):
            if i in taken:
                continue
            if norm in _TEXT or norm.startswith(_TEXT_PREFIXES) or (
                    header.rstrip().endswith("?") and _is_free_text([r[i] for _, r in sample])):
                text.append(i)
                taken.add(i)
        if not text:
            text = free_text_columns(table, [i for i in range(len(headers)) if i not in taken])
        if not text:
            raise NoTextColumn(no_text_detail(headers))
    return Mapping(text=text, id=chosen["id"], date=chosen["date"], customer=chosen["customer"],
                   scores={k: v for k in _SCORES if (v := chosen[k]) is not None}, metadata=metadata)


# --------------------------------------------------------------------------- values

def _vector_dates(values: list[str], tz: str, fmt: str | None) -> dict[str, Any]:
    """Parse many date strings at once with pandas; values it cannot parse are left out."""
    series = pd.Series(values, dtype="object")
    result: dict[str, Any] = {}
    pending = pd.Series(True, index=series.index)

    def take(mask: pd.Series, parsed: pd.Series) -> None:
        ok = mask & parsed.notna()
        for value, stamp in zip(series[ok], parsed[ok], strict=True):
            result[value] = stamp
        pending[ok] = False

    def localise(parsed: pd.Series) -> pd.Series:
        if parsed.dt.tz is None:
            parsed = parsed.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
        return parsed.dt.tz_convert("UTC")

    attempts: list[tuple[str, Any]] = [("fmt", fmt)] if fmt else []
    attempts += [("iso", None), ("iso_offset", None)] + [("fmt", f) for f in _VECTOR_FORMATS]
    for kind, value in attempts:
        mask = pending.copy()
        if kind == "iso":
            mask &= series.str.fullmatch(_ISO.pattern).fillna(False).astype(bool)
        elif kind == "iso_offset":
            mask &= series.str.fullmatch(_ISO_OFFSET.pattern).fillna(False).astype(bool)
        if not mask.any():
            continue
        try:
            if kind == "iso_offset":
                parsed = pd.to_datetime(series[mask], format="ISO8601", utc=True, errors="coerce")
            elif kind == "iso":
                parsed = localise(pd.to_datetime(series[mask], format="ISO8601", errors="coerce"))
            else:
                parsed = localise(pd.to_datetime(series[mask], format=value, errors="coerce"))
        except (ValueError, TypeError, OverflowError):
            continue
        take(mask, parsed.reindex(series.index))
        if not pending.any():
            break
    return result


def parse_dates(values: Sequence[Any], tz: str, fmt: str | None) -> list[datetime | None]:
    """Parse a column of dates (same results as :func:`common.parse_date`, vectorised over unique values).

    Returns:
        One aware UTC datetime (or None when it does not parse, is before 1990 or after 2200) per value.
    """
    unique = list(dict.fromkeys(values))
    parsed: dict[Any, Any] = {}
    strings = [v for v in unique if isinstance(v, str)]
    if len(strings) > 64:
        parsed.update(_vector_dates(strings, tz, fmt))
    for value in unique:
        if value not in parsed:
            try:
                parsed[value] = parse_date(value, tz, fmt)
            except (ValueError, OverflowError, TypeError):
                parsed[value] = None
    out: list[datetime | None] = []
    cache: dict[Any, datetime | None] = {}
    for value in values:
        if value in cache:
            out.append(cache[value])
            continue
        stamp = parsed.get(value)
        if stamp is not None and not isinstance(stamp, datetime):
            stamp = None
        if stamp is not None and (stamp < MIN_DATE or stamp.year > _MAX_YEAR):
            stamp = None
        cache[value] = stamp
        out.append(stamp)
    return out


def _score_column(values: Sequence[Any], name: str) -> list[tuple[int | None, str | None]]:
    cache: dict[Any, tuple[int | None, str | None]] = {}
    out = []
    for value in values:
        if value not in cache:
            text = cell_text(value).strip()
            try:
                cache[value] = (None, None) if text.lower() in _NO_ANSWER else parse_score(text, name)
            except (ValueError, OverflowError):  # parse_score raises on "nan" / "inf"
                cache[value] = (None, f"{name} score {text[:30]!r} is not a number")
        out.append(cache[value])
    return out


# --------------------------------------------------------------------------- rows -> records

def build_rows(table: Table, mapping: Mapping, path: Path, source: SourceConfig, cfg: IngestConfig,
               channel: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Turn table rows into record rows and quarantine rows (see :func:`read_file` for the columns written).

    Returns:
        (records, quarantine rows), including the rows rejected while loading the table.
    """
    label = str(path)
    limit = cfg.excerpt_chars
    headers = table.headers
    rows = table.rows
    bad = list(table.bad)
    records: list[dict[str, Any]] = []
    several = len(mapping.text) > 1
    text_columns = [(i, headers[i]) for i in mapping.text]
    questions = {i: mapping.questions.get(i) or headers[i] for i in mapping.text}
    is_non_answer = non_answer_matcher(tuple(cfg.non_answers))
    if mapping.date is not None:
        raw_dates = [v.strip() if isinstance(v, str) else v for v in (r[mapping.date] for _, r in rows)]
        present = [v for v in raw_dates if v is not None and v != ""]
        parsed_iter = iter(parse_dates(present, mapping.timezone or source_timezone(source, cfg), source.columns.date_format))
        dates: list[datetime | None] = [next(parsed_iter) if v is not None and v != "" else None for v in raw_dates]
        mtime = None
    else:
        raw_dates = []
        dates = []
        mtime = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
    scores = {name: _score_column([r[i] for _, r in rows], name) for name, i in mapping.scores.items()}
    date_header = headers[mapping.date] if mapping.date is not None else ""
    delim = table.delimiter

    def excerpt(values: list[Any]) -> str:
        return delim.join(cell_text(v) for v in values)

    for k, (line, values) in enumerate(rows):
        location = f"{label}:{line}"
        if k in mapping.excluded:
            reason, detail = mapping.excluded[k]
            bad.append(rejected(label, location, reason, detail, excerpt(values), limit))
            continue
        texts = []
        said_nothing = []
        for i, header in text_columns:
            value = values[i]
            value = value if isinstance(value, str) else cell_text(value)
            if value.strip():
                if is_non_answer(value):
                    said_nothing.append((questions[i], value))
                else:
                    texts.append((i, header, value))
        if not texts:
            if said_nothing:
                bad.append(rejected(label, location, "non_answer", "the free-text answer says nothing: "
                                    + ", ".join(f"{q[:60]!r}: {v.strip()[:30]!r}" for q, v in said_nothing)
                                    + " ([ingest].non_answers); counted, not analysed", excerpt(values), limit))
            else:
                bad.append(rejected(label, location, "empty_text", "expected an answer in "
                                    + " / ".join(repr(h) for _, h in text_columns) + ", all are empty", excerpt(values), limit))
            continue
        metadata: dict[str, Any] = dict(mapping.extra)
        if mapping.date is not None:
            received = dates[k]
            if received is None:
                if raw_dates[k] is None or raw_dates[k] == "":
                    bad.append(rejected(label, location, "missing_date", f"expected a date in column {date_header!r}, it is empty",
                                        excerpt(values), limit))
                else:
                    expected = f"the format {source.columns.date_format!r}" if source.columns.date_format else \
                        (mapping.date_hint or "ISO 8601 or dd/mm/yyyy [hh:mm]")
                    bad.append(rejected(label, location, "bad_date", f"expected a date in column {date_header!r} "
                                        f"({expected}, between 1990 and {_MAX_YEAR}), got {cell_text(raw_dates[k])[:40]!r}", excerpt(values), limit))
                continue
        else:
            received = mtime
            metadata["date_source"] = "file_mtime"
        score_values: dict[str, int | None] = {}
        error = None
        for name, column in scores.items():
            score, problem = column[k]
            if problem:
                error = f"column {headers[mapping.scores[name]]!r}: {problem}"
                break
            score_values[name] = score
        if error:
            bad.append(rejected(label, location, "score_out_of_range", error, excerpt(values), limit))
            continue
        large = [(h, t) for _, h, t in texts if len(t) > cfg.max_record_chars]
        if large:
            bad.append(rejected(label, location, "too_large", "answer to " + ", ".join(f"{h!r} ({len(t)} characters)" for h, t in large)
                                + f" is over the limit of {cfg.max_record_chars} characters ([ingest].max_record_chars)",
                                large[0][1], limit))
            texts = [(i, h, t) for i, h, t in texts if len(t) <= cfg.max_record_chars]
            if not texts:
                continue
        row_id = cell_text(values[mapping.id]).strip() if mapping.id is not None else ""
        row_id = row_id or f"line-{line}"
        customer = cell_text(values[mapping.customer]).strip() if mapping.customer is not None else ""
        for i in mapping.metadata:
            metadata[headers[i]] = cell_text(values[i]).strip()
        for i, header, text in texts:
            # the row common.record() builds (same keys and values), with its metadata JSON memoised: most rows
            # share their metadata, and serialising it once per record cost a third of the reading time
            records.append({
                "channel": channel, "source": label, "source_id": str(f"{row_id}#{header}" if several else row_id),
                "received_at": received, "customer_id": customer or None, "text": text,
                "nps": score_values.get("nps"), "csat": score_values.get("csat"), "ces": score_values.get("ces"),
                "metadata": metadata_json(tuple({**metadata, "question": questions[i]}.items())), "location": location,
            })
    return records, bad


_END_PUNCTUATION = " \t\r\n.!?…;:,"


def _non_answer_key(value: str) -> str:
    text = unicodedata.normalize("NFKD", value.strip().lower())
    return " ".join("".join(ch for ch in text if not unicodedata.combining(ch)).split())


@functools.lru_cache(maxsize=16)
def non_answer_matcher(non_answers: tuple[str, ...]) -> Any:
    """A predicate telling whether a free-text answer says nothing (``[ingest].non_answers``).

    Compared lower-case, accents and repeated spaces removed, and with end punctuation removed
    (``"R.A.S."``, ``"Rien à signaler !"`` and ``"N/A"`` match ``r.a.s``, ``rien a signaler``
    and ``n/a``; ``"..."`` matches itself).
    """
    exact = {_non_answer_key(v) for v in non_answers}
    stripped = {k.rstrip(_END_PUNCTUATION) for k in exact} - {""}
    longest = max((len(v) for v in non_answers), default=0) + 8

    @functools.lru_cache(maxsize=4096)
    def short_matches(value: str) -> bool:
        key = _non_answer_key(value)
        return key in exact or key.rstrip(_END_PUNCTUATION) in stripped

    def matches(value: str) -> bool:
        return len(value) <= longest and short_matches(value)

    return matches


@functools.lru_cache(maxsize=4096)
def metadata_json(items: tuple[tuple[str, Any], ...]) -> str:
    """The ``metadata`` JSON string of a record, as :func:`common.record` writes it."""
    return record(channel="", source="", source_id="", received_at=MIN_DATE, text="", location="",
                  metadata=dict(items))["metadata"]


# --------------------------------------------------------------------------- registered formats

def _sniff_csv(probe: Probe) -> float:
    """Any delimited text file whose first line splits into at least two columns."""
    if probe.raw.startswith(b"PK\x03\x04") or not probe.lines:
        return 0.0
    if probe.suffix in (".csv", ".tsv"):
        return 0.55
    if probe.suffix == ".txt":
        delimiter = sniff_delimiter(probe.lines[:20], probe.suffix)
        widths = [len(row) for row in csv.reader(probe.lines[:20], delimiter=delimiter)]
        return 0.5 if widths and widths[0] >= 2 and sum(w == widths[0] for w in widths) >= 0.8 * len(widths) else 0.0
    return 0.0


def _sniff_xlsx(probe: Probe) -> float:
    if probe.suffix in (".xlsx", ".xlsm"):
        return 0.6
    return 0.5 if probe.raw.startswith(b"PK\x03\x04") and b"xl/" in probe.raw[:4096] else 0.0


_SURVEY_FIELDS = {
    "record": "one open answer (several open-question columns in a row give several records)",
    "text": "[sources.columns].text, else a recognised header (commentaire, verbatim, avis, ...), else the free-text column",
    "date": "[sources.columns].date, else date|horodatage|submitted_at|...", "id": "id|identifiant|response_id|...",
    "customer": "id_client|customer_id|email|...", "scores": "nps|recommandation, csat|satisfaction|note, ces|effort",
}
register(InputFormat(name="survey.csv.v1", channel="survey", extensions=(".csv", ".tsv", ".txt"),
                     reads="a CSV of survey answers, one row per respondent (, ; tab |; UTF-8 or Windows-1252)",
                     fields=_SURVEY_FIELDS, sniff=_sniff_csv, read=read_file))
register(InputFormat(name="survey.xlsx.v1", channel="survey", extensions=(".xlsx", ".xlsm"),
                     reads="an Excel workbook of survey answers (first sheet, one row per respondent)",
                     fields=_SURVEY_FIELDS, sniff=_sniff_xlsx, read=read_file))


# the survey tools' formats (Qualtrics, SurveyMonkey, Google Forms, LimeSurvey, Typeform, .xls) register on import
from verbatim.ingest import survey_formats  # noqa: E402,F401  (imports this module's names: kept last)
