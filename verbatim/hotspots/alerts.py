"""Alerts: the hot spots whose dissatisfaction rises significantly, for the log and a Prefect artifact."""

from __future__ import annotations

import logging

import pandas as pd

from verbatim.hotspots.columns import ALERT_COLUMNS
from verbatim.hotspots.text import cell_name, number
from verbatim.schema import require_columns

log = logging.getLogger(__name__)

__all__ = ["alerts", "alerts_markdown"]


def alerts(hotspots: pd.DataFrame) -> pd.DataFrame:
    """The cells flagged ``alert`` (``alerte``), in rank order, with their evidence.

    Args:
        hotspots: output of :func:`~verbatim.hotspots.compute_hotspots`; reads ``alert`` and
            :data:`~verbatim.hotspots.columns.ALERT_COLUMNS`.

    Returns:
        :data:`~verbatim.hotspots.columns.ALERT_COLUMNS`, one row per alert (possibly none).
    """
    require_columns(hotspots, ("alert", *ALERT_COLUMNS), "hotspots alerts")
    flagged = hotspots[hotspots["alert"].astype(bool)].sort_values("rank", kind="mergesort")
    for row in flagged.itertuples():
        log.warning("alerte hot spot #%d: %s (%s)", row.rank, row.explanation, row.evidence)
    return flagged[list(ALERT_COLUMNS)].reset_index(drop=True)


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def alerts_markdown(hotspots: pd.DataFrame, top: int = 5) -> str:
    """Markdown for a Prefect artifact: the alerts with their evidence, then the top hot spots.

    Args:
        hotspots: output of :func:`~verbatim.hotspots.compute_hotspots` (reads the alert
            columns, ``window_start``, ``window_end``, ``trend``, ``score``).
        top: hot spots listed after the alerts.

    Returns:
        A French markdown document (``"Aucune alerte"`` when nothing rises).
    """
    flagged = alerts(hotspots)
    lines = ["# Hot spots"]
    if len(hotspots):
        start, end = hotspots["window_start"].iloc[0], hotspots["window_end"].iloc[0]
        lines.append(f"Fenêtre du {pd.Timestamp(start):%d/%m/%Y %H:%M} au {pd.Timestamp(end):%d/%m/%Y %H:%M} (UTC).")
    lines += ["", f"## Alertes ({len(flagged)})", ""]
    if flagged.empty:
        lines.append("Aucune alerte : aucun point de contact ne montre de hausse significative du mécontentement.")
    for row in flagged.itertuples():
        lines += [f"* **#{row.rank} {cell_name(row.touchpoint_label, row.theme_label, row.split)}** — {row.explanation}",
                  f"  * Preuves : {row.evidence}"]
    lines += ["", f"## Top {min(top, len(hotspots))} des hot spots", "",
              "| rang | hot spot | tendance | score | alerte |", "|---:|---|---|---:|---|"]
    for row in hotspots.sort_values("rank").head(top).itertuples():
        name = cell_name(row.touchpoint_label, row.theme_label, row.split)
        lines.append(f"| {row.rank} | {_cell(name)} | {row.trend} | {number(row.score)} | {'oui' if row.alert else 'non'} |")
    return "\n".join(lines) + "\n"
