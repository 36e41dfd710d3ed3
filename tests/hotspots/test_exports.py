from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd

from verbatim.config import HotspotsConfig
from verbatim.hotspots import (
    ALL_CALLBACK_COLUMNS,
    ALL_HOTSPOT_COLUMNS,
    CALLBACK_COLUMNS,
    HOTSPOT_COLUMNS,
    alerts,
    alerts_markdown,
    compute_callbacks,
    compute_hotspots,
    write_exports,
)
from verbatim.schema import empty_frame

from .conftest import AS_OF


def test_exports_have_exactly_the_contract_columns(spiked: pd.DataFrame, cfg: HotspotsConfig, tmp_path: Path) -> None:
    hot = compute_hotspots(spiked, AS_OF, cfg)
    calls = compute_callbacks(spiked, AS_OF, cfg, hot)
    paths = write_exports(hot, calls, tmp_path / "run")
    assert set(paths) == {"hotspots_csv", "hotspots_xlsx", "callbacks_csv", "callbacks_xlsx"}
    csv = pd.read_csv(paths["hotspots_csv"], keep_default_na=False)
    assert tuple(csv.columns) == HOTSPOT_COLUMNS and len(csv) == len(hot)
    assert set(csv["alert"].astype(str).str.lower()) <= {"true", "false"}
    assert csv["alert"].astype(str).str.lower().eq("true").sum() == hot["alert"].sum()
    assert tuple(pd.read_csv(paths["callbacks_csv"]).columns) == CALLBACK_COLUMNS
    book = openpyxl.load_workbook(paths["hotspots_xlsx"])
    sheet = book.worksheets[0]
    assert tuple(c.value for c in sheet[1]) == HOTSPOT_COLUMNS and sheet.max_row == len(hot) + 1
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    assert tuple(c.value for c in book["detail"][1]) == ALL_HOTSPOT_COLUMNS
    calls_sheet = openpyxl.load_workbook(paths["callbacks_xlsx"]).worksheets[0]
    assert tuple(c.value for c in calls_sheet[1]) == CALLBACK_COLUMNS


def test_empty_inputs_still_write_headers(tmp_path: Path) -> None:
    paths = write_exports(empty_frame(ALL_HOTSPOT_COLUMNS), empty_frame(ALL_CALLBACK_COLUMNS), tmp_path)
    assert paths["hotspots_csv"].read_text(encoding="utf-8").strip() == ",".join(HOTSPOT_COLUMNS)
    assert paths["callbacks_csv"].read_text(encoding="utf-8").strip() == ",".join(CALLBACK_COLUMNS)
    sheet = openpyxl.load_workbook(paths["callbacks_xlsx"]).worksheets[0]
    assert tuple(c.value for c in sheet[1]) == CALLBACK_COLUMNS and sheet.max_row == 1


def test_alerts_and_markdown(spiked: pd.DataFrame, quiet: pd.DataFrame, cfg: HotspotsConfig) -> None:
    hot = compute_hotspots(spiked, AS_OF, cfg)
    flagged = alerts(hot)
    assert len(flagged) == hot["alert"].sum() >= 1 and flagged["evidence"].str.contains("attendus").all()
    text = alerts_markdown(hot)
    assert text.startswith("# Hot spots") and f"## Alertes ({len(flagged)})" in text and "Preuves" in text
    calm = compute_hotspots(quiet, AS_OF, cfg)
    assert "Aucune alerte" in alerts_markdown(calm[~calm["alert"]])
    assert "Aucune alerte" in alerts_markdown(empty_frame(ALL_HOTSPOT_COLUMNS))


def test_dates_are_shown_in_the_display_time_zone(tmp_path: Path) -> None:
    """A date given without a time (Paris midnight, 22:00 UTC the day before) is shown on its own day."""
    calls = pd.DataFrame({"priority": [1], "customer_id": ["C-1"], "channel": ["survey"],
                          "received_at": pd.to_datetime(["2026-07-28T22:00:00Z"], utc=True), "verbatim_id": ["v1"],
                          "excerpt": ["colis jamais reçu"], "reason": ["negatif"], "hotspot": ["livraison"]})
    paths = write_exports(empty_frame(HOTSPOT_COLUMNS), calls, tmp_path / "run", timezone="Europe/Paris")
    assert pd.read_csv(paths["callbacks_csv"])["received_at"].tolist() == ["2026-07-29T00:00:00+02:00"]
    cell = openpyxl.load_workbook(paths["callbacks_xlsx"]).worksheets[0]["D2"].value
    assert (cell.year, cell.month, cell.day, cell.hour) == (2026, 7, 29, 0)
    utc = write_exports(empty_frame(HOTSPOT_COLUMNS), calls, tmp_path / "utc")
    assert pd.read_csv(utc["callbacks_csv"])["received_at"].tolist() == ["2026-07-28T22:00:00+00:00"]
