"""Hot spots: where dissatisfaction concentrates and rises, alerts, and the callback list.

* :func:`compute_hotspots` - ranked cells (touchpoint, touchpoint x theme, optionally split by
  channel or a metadata field) over a window against a baseline, with negative share and Wilson
  interval, severity, NPS impact, trend test, score, explanation and alert;
* :func:`alerts` / :func:`alerts_markdown` - the cells in alert, for the log and a Prefect artifact;
* :func:`compute_callbacks` - very dissatisfied customers of the window, one line each;
* :func:`write_exports` - ``hotspots.csv``/``.xlsx`` and ``callbacks.csv``/``.xlsx``.

Method: cells and units in :mod:`.cells`, statistics in :mod:`.stats`, score/trend/alert in
:mod:`.scoring`, callback priority in :mod:`.callbacks`; :mod:`.simulate` builds synthetic
analysed segments for the tests and ``benchmarks/bench_hotspots.py``.
"""

from verbatim.hotspots.alerts import alerts, alerts_markdown
from verbatim.hotspots.callbacks import compute_callbacks
from verbatim.hotspots.cells import Windows
from verbatim.hotspots.columns import (
    ALERT_COLUMNS,
    ALL_CALLBACK_COLUMNS,
    ALL_HOTSPOT_COLUMNS,
    CALLBACK_COLUMNS,
    HOTSPOT_COLUMNS,
    TRENDS,
)
from verbatim.hotspots.compute import compute_hotspots
from verbatim.hotspots.exports import write_exports
from verbatim.hotspots.stats import rate_test, wilson_interval

__all__ = [
    "ALERT_COLUMNS",
    "ALL_CALLBACK_COLUMNS",
    "ALL_HOTSPOT_COLUMNS",
    "CALLBACK_COLUMNS",
    "HOTSPOT_COLUMNS",
    "TRENDS",
    "Windows",
    "alerts",
    "alerts_markdown",
    "compute_callbacks",
    "compute_hotspots",
    "rate_test",
    "wilson_interval",
    "write_exports",
]
