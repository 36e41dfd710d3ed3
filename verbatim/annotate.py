"""``verbatim annotate``: analyse a CSV/XLSX of texts in one go, without a store.

One output row per input row, in input order (rows without text get empty annotations), and
optionally one row per segment. Columns are the ``annotate`` contract of DESIGN.md; analysis
columns that later stages fill (sentiment, touchpoint, theme...) are present and empty until
those stages exist.
"""

from __future__ import annotations

import csv
import io
import logging
from pathlib import Path

import pandas as pd

from verbatim.clean import clean_verbatims
from verbatim.config import Config
from verbatim.errors import InputError
from verbatim.ingest.common import decode_bytes
from verbatim.ingest.keys import verbatim_key

log = logging.getLogger(__name__)

ROW_COLUMNS: tuple[str, ...] = (
    "id", "sentiment", "sentiment_score", "touchpoint", "touchpoints", "theme_id", "theme_label",
    "emotion", "effort", "intent", "language",
)
SEGMENT_OUT_COLUMNS: tuple[str, ...] = ("id", "segment", "text", "sentiment", "sentiment_score", "touchpoint", "theme_id")


def read_table(path: Path) -> pd.DataFrame:
    """Read a CSV (delimiter and encoding detected) or XLSX file as strings.

    Raises:
        InputError: the file is missing or cannot be parsed as a table.
    """
    if not path.is_file():
        raise InputError(f"input file {str(path)!r} not found; pass the path of a CSV or XLSX file")
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            return pd.read_excel(path, dtype=str, engine="openpyxl").fillna("")
        text, _ = decode_bytes(path.read_bytes())
        sample = text[:65536]
        try:
            delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
        return pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False)
    except (ValueError, OSError, csv.Error, pd.errors.ParserError) as exc:
        raise InputError(f"cannot read {str(path)!r} as a table: {exc}; expected a CSV (, ; or tab) or an XLSX file") from None


def _column(frame: pd.DataFrame, name: str | None, option: str) -> pd.Series | None:
    if name is None:
        return None
    if name not in frame.columns:
        raise InputError(f"{option} {name!r} is not a column of the input; its columns are {list(frame.columns)}")
    return frame[name]


def annotate_frame(frame: pd.DataFrame, text_column: str, cfg: Config, id_column: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Annotate every row of ``frame``.

    Reads ``text_column`` (and ``id_column`` when given; else ids are the 1-based row numbers).
    Returns (rows, segments): ``rows`` has ``ROW_COLUMNS``, one per input row in input order;
    ``segments`` has ``SEGMENT_OUT_COLUMNS`` with PII-masked segment text.
    """
    texts = _column(frame, text_column, "--text-column")
    assert texts is not None
    ids_col = _column(frame, id_column, "--id-column")
    ids = ids_col.astype(str).tolist() if ids_col is not None else [str(i + 1) for i in range(len(frame))]
    texts = texts.fillna("").astype(str)
    work = pd.DataFrame({
        "verbatim_id": [verbatim_key("survey", f"{i}#{row}", t) for row, (i, t) in enumerate(zip(ids, texts, strict=True))],
        "channel": "survey",
        "text": texts.tolist(),
    })
    cleaned, segments = clean_verbatims(work, cfg.clean)
    by_verbatim = cleaned.set_index("verbatim_id")
    rows = pd.DataFrame({c: "" for c in ROW_COLUMNS}, index=range(len(frame)))
    rows["id"] = ids
    rows["language"] = by_verbatim.loc[work["verbatim_id"], "language"].fillna("").to_numpy()
    id_of = dict(zip(work["verbatim_id"], ids, strict=True))
    seg_out = pd.DataFrame({c: "" for c in SEGMENT_OUT_COLUMNS}, index=range(len(segments)))
    if len(segments):
        seg_out["id"] = segments["verbatim_id"].map(id_of).to_numpy()
        seg_out["segment"] = segments["segment"].to_numpy()
        seg_out["text"] = segments["text"].to_numpy()
    return rows[list(ROW_COLUMNS)], seg_out[list(SEGMENT_OUT_COLUMNS)]
