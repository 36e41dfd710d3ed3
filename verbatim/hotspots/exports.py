"""``hotspots.csv``/``.xlsx`` and ``callbacks.csv``/``.xlsx``: exactly the contract columns, in order.

CSV: UTF-8, comma-separated, ``alert`` written ``true``/``false``, dates in ISO 8601 with their offset,
in the display time zone (``[ingest].timezone``: the zone the users read dates in).
XLSX: a first sheet with the contract columns (the contract names as headers, frozen header row,
autofilter, column widths, alert rows highlighted in red), and a second sheet ``detail`` with
every column of the frame (explanation, evidence, interval, severity...).
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from verbatim.hotspots.columns import CALLBACK_COLUMNS, HOTSPOT_COLUMNS

log = logging.getLogger(__name__)

__all__ = ["write_exports"]

_MAX_WIDTH = 60


def _contract(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """``frame`` restricted to ``columns`` (missing ones empty), in that order."""
    return frame.reindex(columns=list(columns)) if len(frame) else pd.DataFrame(columns=list(columns))


def _for_csv(frame: pd.DataFrame, timezone: str) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_bool_dtype(out[col]) or col == "alert":
            out[col] = out[col].map(lambda v: "" if pd.isna(v) else ("true" if bool(v) else "false"))
        elif isinstance(out[col].dtype, pd.DatetimeTZDtype):
            out[col] = out[col].dt.tz_convert(timezone).map(lambda t: "" if pd.isna(t) else t.isoformat())
    return out


def _for_xlsx(frame: pd.DataFrame, timezone: str) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.DatetimeTZDtype):
            out[col] = out[col].dt.tz_convert(timezone).dt.tz_localize(None)  # Excel has no time zones: local, naive
    return out


def _sheet(writer: pd.ExcelWriter, frame: pd.DataFrame, name: str, timezone: str) -> None:
    frame = _for_xlsx(frame, timezone)
    frame.to_excel(writer, sheet_name=name, index=False)
    book, sheet = writer.book, writer.sheets[name]
    header = book.add_format({"bold": True, "bg_color": "#DDE4EE", "border": 1, "text_wrap": True})
    for j, col in enumerate(frame.columns):
        sheet.write(0, j, col, header)
        lengths = frame[col].astype(object).map(lambda v: 0 if v is None or v != v else len(str(v))) if len(frame) \
            else pd.Series([0])
        width = min(_MAX_WIDTH, max(len(col), int(lengths.quantile(0.9)) if len(lengths) else 0) + 2)
        is_date = pd.api.types.is_datetime64_any_dtype(frame[col])
        sheet.set_column(j, j, 20 if is_date else width, book.add_format({"num_format": "yyyy-mm-dd hh:mm"}) if is_date else None)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(frame), 1), max(len(frame.columns) - 1, 0))
    if "alert" in frame.columns and len(frame):
        col = frame.columns.get_loc("alert")
        letter = _column_letter(col)
        sheet.conditional_format(1, 0, len(frame), len(frame.columns) - 1, {
            "type": "formula", "criteria": f"=${letter}2=TRUE",
            "format": book.add_format({"bg_color": "#F8D7DA", "font_color": "#842029"}),
        })


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _write(frame: pd.DataFrame, columns: tuple[str, ...], folder: Path, stem: str, timezone: str) -> dict[str, Path]:
    contract = _contract(frame, columns)
    csv_path, xlsx_path = folder / f"{stem}.csv", folder / f"{stem}.xlsx"
    _for_csv(contract, timezone).to_csv(csv_path, index=False, encoding="utf-8")
    # customer text starting with "=" must stay text, never become a live formula
    with pd.ExcelWriter(xlsx_path, engine="xlsxwriter", engine_kwargs={"options": {"strings_to_formulas": False}}) as writer:
        _sheet(writer, contract, stem, timezone)
        _sheet(writer, frame if len(frame.columns) else contract, "detail", timezone)
    return {f"{stem}_csv": csv_path, f"{stem}_xlsx": xlsx_path}


def write_exports(hotspots: pd.DataFrame, callbacks: pd.DataFrame, folder: Path, timezone: str = "UTC") -> dict[str, Path]:
    """Write the four contract files of the complaints team into ``folder`` (created if needed).

    Args:
        hotspots: :func:`~verbatim.hotspots.compute_hotspots` output; its contract columns
            (:data:`~verbatim.hotspots.columns.HOTSPOT_COLUMNS`) go to ``hotspots.csv`` and the
            first sheet of ``hotspots.xlsx``, all of its columns to the ``detail`` sheet.
        callbacks: :func:`~verbatim.hotspots.compute_callbacks` output, likewise with
            :data:`~verbatim.hotspots.columns.CALLBACK_COLUMNS`.
        folder: the run's output folder.
        timezone: the zone dates are shown in (``[ingest].timezone``); CSV dates keep their offset.

    Returns:
        ``{"hotspots_csv", "hotspots_xlsx", "callbacks_csv", "callbacks_xlsx"}`` -> path. Empty
        frames still give files with their header row.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {**_write(hotspots, HOTSPOT_COLUMNS, folder, "hotspots", timezone),
             **_write(callbacks, CALLBACK_COLUMNS, folder, "callbacks", timezone)}
    log.info("hot spots and callbacks written to %s (%d hot spots, %d callbacks)", folder, len(hotspots), len(callbacks))
    return paths
