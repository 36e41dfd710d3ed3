"""``report.html``: one self-contained French page (inline CSS, SVG charts, a few lines of JS).

Nothing is fetched when the page opens: no CDN, no web font, no image file. A Content Security
Policy in the page forbids any network access and allows only the page's own script (by hash),
on top of Jinja2's autoescaping of every value, so a verbatim holding ``<script>`` is shown as
text and never run. Customer ids are dropped before any figure is computed.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import time
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined

from verbatim.config import ReportConfig
from verbatim.report import context, metrics
from verbatim.report.format import FILTERS

log = logging.getLogger(__name__)

__all__ = ["render_report", "write_report"]

_SCRIPT = """
document.querySelectorAll("table.sortable th").forEach(function (th) {
  th.addEventListener("click", function () {
    var table = th.closest("table"), body = table.tBodies[0];
    var idx = Array.prototype.indexOf.call(th.parentNode.children, th);
    var asc = th.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[idx], y = b.cells[idx];
      var u = x.getAttribute("data-v"), v = y.getAttribute("data-v");
      var p = u !== null && v !== null ? parseFloat(u) - parseFloat(v) : x.textContent.localeCompare(y.textContent, "fr");
      return asc ? p : -p;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  });
});
""".strip()


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(loader=PackageLoader("verbatim.report", "templates"), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(FILTERS)
    return env


def _csp(script: str) -> str:
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    return f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-{digest}'"


def build_context(*, segments: pd.DataFrame | None, themes: pd.DataFrame | None, hotspots: pd.DataFrame | None,
                  journey: pd.DataFrame | None, run: dict[str, Any] | None, config_summary: dict[str, Any] | None,
                  as_of: datetime, previous: pd.DataFrame | None = None, cfg: ReportConfig) -> dict[str, Any]:
    """Everything the template shows, section by section (see :func:`render_report` for the inputs)."""
    periods = metrics.split_periods(segments, previous, as_of, cfg.window_days)
    hotspots = context.with_columns(hotspots, context.HOTSPOT_COLUMNS + context.HOTSPOT_EXTRAS)
    journey = context.with_columns(journey, context.JOURNEY_COLUMNS)
    themes = context.with_columns(themes, context.THEME_COLUMNS)
    run = run or {}
    tp_labels = context.touchpoint_labels(journey, hotspots)
    return {
        "as_of": periods.end.tz_convert(cfg.timezone), "start": periods.start, "previous_start": periods.previous_start,
        "window_days": cfg.window_days, "generated_at": datetime.now(UTC).astimezone(ZoneInfo(cfg.timezone)),
        "timezone": cfg.timezone,
        "n_segments_history": len(periods.history),
        "summary": context.summary_section(periods, run),
        "hotspots": context.hotspot_section(hotspots, periods, tp_labels, cfg),
        "journey": context.journey_section(journey),
        "themes": context.theme_section(themes, periods, tp_labels, cfg),
        "trends": context.trend_section(periods, journey, tp_labels, cfg),
        "config_items": context.flatten(config_summary or {}),
        "report_cfg": cfg.model_dump(),
        "channel_labels": context.CHANNEL_LABELS,
        "script": _SCRIPT, "csp": _csp(_SCRIPT),
    }


def render_report(*, segments: pd.DataFrame | None, themes: pd.DataFrame | None, hotspots: pd.DataFrame | None,
                  journey: pd.DataFrame | None, run: dict[str, Any] | None, config_summary: dict[str, Any] | None,
                  as_of: datetime, previous: pd.DataFrame | None = None, cfg: ReportConfig | None = None) -> str:
    """The complete ``report.html`` as a string.

    Args:
        segments: analysed segments (``Store.analysed_segments``): reads ``segment_id``,
            ``verbatim_id``, ``channel``, ``received_at``, ``nps``, ``csat``, ``ces``, ``text``
            (PII-masked), ``sentiment``, ``sentiment_score``, ``theme_id``, ``touchpoint``,
            ``touchpoints``, ``verbatim_sentiment`` and, when present, ``language``. It should
            cover the period and the one before it; older rows feed the trend charts.
            ``customer_id`` is dropped on entry.
        themes: ``themes.csv`` rows (``THEMES_CSV_COLUMNS``).
        hotspots: ``hotspots.csv`` rows (contract columns, plus ``explanation``, ``touchpoint_label``,
            ``level`` when present).
        journey: the journey view (``verbatim.journey.journey_view``), ``non_rattache`` row last.
        run: the content of ``run.json`` (counts, sources, quarantine_reasons, timings, stages).
        config_summary: what the method section lists (configuration, model versions, thresholds);
            nested dicts are flattened to dotted keys.
        as_of: end of the report's period (inclusive).
        previous: the previous period's segments, when kept apart from ``segments``.
        cfg: the ``[report]`` configuration (defaults when None).

    Any frame may be empty or None (a night without data still gives a complete report).
    """
    cfg = cfg or ReportConfig()
    started = time.perf_counter()
    ctx = build_context(segments=segments, themes=themes, hotspots=hotspots, journey=journey, run=run,
                        config_summary=config_summary, as_of=as_of, previous=previous, cfg=cfg)
    html = _environment().get_template("report.html.j2").render(**ctx)
    log.info("report rendered: %d characters, %d segments, %.2f s", len(html), ctx["n_segments_history"],
             time.perf_counter() - started)
    return html


def write_report(path: Path | str, html: str) -> Path:
    """Write ``html`` to ``path`` (UTF-8) atomically; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, path)
    return path
