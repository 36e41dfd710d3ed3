"""Column names of the hot-spot and callback frames (the leading ones are contracts: keep them exact)."""

from __future__ import annotations

#: Contract columns of ``hotspots.csv`` / ``hotspots.xlsx``, in order (docs/DESIGN.md).
HOTSPOT_COLUMNS: tuple[str, ...] = (
    "rank", "touchpoint", "theme_id", "theme_label", "n_segments", "n_verbatims", "n_customers",
    "negative_share", "mean_sentiment", "trend", "score", "examples", "alert",
)

#: Extra columns of :func:`~verbatim.hotspots.compute_hotspots`, after the contract ones
#: (meaning in :mod:`verbatim.hotspots.compute`).
HOTSPOT_EXTRA_COLUMNS: tuple[str, ...] = (
    "level", "split", "touchpoint_label", "n_dissatisfied", "wilson_low", "wilson_high", "reference_share",
    "excess", "severity", "strong_negative_share", "n_resiliation", "n_juridique", "anger_share",
    "high_effort_share", "nps", "n_nps", "nps_impact", "n_negative_verbatims", "baseline_n_verbatims",
    "baseline_n_customers", "baseline_negative_share", "baseline_negative_verbatims",
    "expected_negative_verbatims", "ratio", "trend_weight", "p_value", "onset", "explanation", "evidence",
    "window_start", "window_end",
)

ALL_HOTSPOT_COLUMNS: tuple[str, ...] = HOTSPOT_COLUMNS + HOTSPOT_EXTRA_COLUMNS

#: Contract columns of ``callbacks.csv`` / ``callbacks.xlsx``, in order.
CALLBACK_COLUMNS: tuple[str, ...] = (
    "priority", "customer_id", "channel", "received_at", "verbatim_id", "excerpt", "reason", "hotspot",
)

#: Extra columns of :func:`~verbatim.hotspots.compute_callbacks`.
CALLBACK_EXTRA_COLUMNS: tuple[str, ...] = ("n_other_verbatims", "severity", "sentiment_score", "touchpoint", "theme_id")

ALL_CALLBACK_COLUMNS: tuple[str, ...] = CALLBACK_COLUMNS + CALLBACK_EXTRA_COLUMNS

#: Columns of :func:`~verbatim.hotspots.alerts`.
ALERT_COLUMNS: tuple[str, ...] = (
    "rank", "level", "touchpoint", "touchpoint_label", "theme_id", "theme_label", "split", "score",
    "n_dissatisfied", "n_customers", "ratio", "p_value", "explanation", "evidence",
)

#: ``level`` values.
LEVEL_TOUCHPOINT = "touchpoint"
LEVEL_THEME = "touchpoint×theme"

#: ``trend`` values.
TRENDS: tuple[str, ...] = ("hausse", "stable", "baisse", "nouveau")
