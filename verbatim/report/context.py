"""The report's sections as plain template data (one builder per section).

Builders read aggregated frames (themes, hot spots, journey view), the run's ``run.json``
content and the analysed segments split into periods (:class:`verbatim.report.metrics.Periods`);
they return dicts and lists of dicts whose values are numbers, plain text or SVG ``Markup``.
Text is never pre-escaped here: the template (autoescape on) does it.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from verbatim.config import ReportConfig
from verbatim.journey.taxonomy import NOT_LINKED
from verbatim.report import charts, examples, metrics
from verbatim.report.format import is_missing
from verbatim.themes.ids import OUTLIER_ID

log = logging.getLogger(__name__)

#: Contract columns of ``hotspots.csv`` the report reads, then optional extras.
HOTSPOT_COLUMNS: tuple[str, ...] = ("rank", "touchpoint", "theme_id", "theme_label", "n_segments", "n_verbatims", "n_customers",
                                    "negative_share", "mean_sentiment", "trend", "score", "examples", "alert")
HOTSPOT_EXTRAS: tuple[str, ...] = ("explanation", "touchpoint_label", "level")
#: Columns of ``themes.csv`` the report reads (``category`` optional).
THEME_COLUMNS: tuple[str, ...] = ("theme_id", "label", "top_words", "n_segments", "n_verbatims", "touchpoint", "negative_share",
                                  "mean_sentiment", "category")
#: Columns of the journey view the report reads (see :data:`verbatim.journey.JOURNEY_VIEW_COLUMNS`).
JOURNEY_COLUMNS: tuple[str, ...] = ("stage", "stage_label", "touchpoint", "label", "n_segments", "n_verbatims", "n_customers",
                                    "segment_share", "negative_share", "mean_sentiment", "mentioned")

CHANNEL_LABELS = {"email": "E-mail", "chat": "Chat", "survey": "Enquête", "social": "Réseaux sociaux"}
SENTIMENT_LABELS = {"negatif": "Négatif", "neutre": "Neutre", "positif": "Positif"}
TREND_LABELS = {"hausse": "↑ hausse", "baisse": "↓ baisse", "stable": "→ stable", "nouveau": "★ nouveau"}
RUN_COUNTS = (("read", "Lus"), ("new", "Nouveaux"), ("already_seen", "Déjà vus"), ("quarantined", "En quarantaine"))
_TRUE = {"true", "1", "yes", "oui", "vrai"}


def with_columns(frame: pd.DataFrame | None, columns: tuple[str, ...]) -> pd.DataFrame:
    """A copy of ``frame`` holding at least ``columns`` (missing ones null); an empty frame for None."""
    frame = pd.DataFrame(columns=list(columns)) if frame is None else frame.copy()
    for col in columns:
        if col not in frame.columns:
            frame[col] = None
    return frame


def _num(value: Any) -> float:
    return float("nan") if is_missing(value) else float(value)


def _text(value: Any) -> str:
    return "" if is_missing(value) else str(value)


def touchpoint_labels(journey: pd.DataFrame, hotspots: pd.DataFrame) -> dict[str, str]:
    """Touchpoint id -> label, from the journey view (``touchpoint``, ``label``) and hot spots (``touchpoint_label``)."""
    labels = {NOT_LINKED: "Non rattaché", "": "—"}
    labels.update({_text(t): _text(lab) for t, lab in zip(hotspots["touchpoint"], hotspots["touchpoint_label"], strict=True)
                   if _text(lab)})
    labels.update({_text(t): _text(lab) or _text(t) for t, lab in zip(journey["touchpoint"], journey["label"], strict=True)})
    return labels


def summary_section(periods: metrics.Periods, run: dict[str, Any]) -> dict[str, Any]:
    """Volumes per channel and language, NPS/CSAT/CES with their change, sentiment split, run accounting.

    Language volumes come from the segments' ``language`` column when filled, else from the
    run's ``stages.clean.languages`` (the new verbatims of this run only).
    """
    cur, prev = periods.current, periods.previous
    channels = metrics.volume_table(cur, prev, "channel")
    for row in channels:
        row["label"] = "Total" if row["total"] else CHANNEL_LABELS.get(str(row["name"]), str(row["name"]))
    if cur["language"].notna().any() or prev["language"].notna().any():
        languages, language_source = metrics.volume_table(cur, prev, "language"), "period"
    else:
        counts = (run.get("stages") or {}).get("clean", {}).get("languages") or {}
        total = sum(int(v) for v in counts.values())
        languages = [{"name": k, "n_verbatims": int(v), "share": int(v) / total if total else float("nan"), "total": False}
                     for k, v in sorted(counts.items(), key=lambda kv: -int(kv[1]))]
        language_source = "run"
    verbatim_col = "verbatim_sentiment" if cur["verbatim_sentiment"].notna().any() else "sentiment"
    sentiment = {"verbatims": metrics.sentiment_split(metrics.verbatims_of(cur), verbatim_col),
                 "segments": metrics.sentiment_split(cur, "sentiment"),
                 "segments_previous": metrics.sentiment_split(prev, "sentiment")}
    for split in sentiment.values():
        for part in split["parts"]:
            part["label"] = SENTIMENT_LABELS[part["key"]]
    neg_now, neg_before = (sentiment[k]["parts"][0]["share"] for k in ("segments", "segments_previous"))
    counts = run.get("counts") or {}
    return {
        "channels": channels, "languages": languages, "language_source": language_source,
        "scores": metrics.score_table(cur, prev), "sentiment": sentiment,
        "negative_change": (_num(neg_now) - _num(neg_before)) * 100,
        "run_counts": [{"key": k, "label": label, "value": counts.get(k)} for k, label in RUN_COUNTS],
        "sources": [{"name": name, "formats": ", ".join(c.get("formats") or {}), **{k: c.get(k) for k, _ in RUN_COUNTS}}
                    for name, c in (run.get("sources") or {}).items()],
        "quarantine_reasons": sorted((run.get("quarantine_reasons") or {}).items(), key=lambda kv: -int(kv[1])),
        "timings": list((run.get("timings") or {}).items()),
        "run_id": _text(run.get("run_id")), "status": _text(run.get("status")),
    }


def _is_true(value: Any) -> bool:
    return bool(value) if isinstance(value, bool | np.bool_) else _text(value).strip().lower() in _TRUE


def hotspot_section(hotspots: pd.DataFrame, periods: metrics.Periods, tp_labels: dict[str, str],
                    cfg: ReportConfig) -> dict[str, Any]:
    """The ranked hot spots, alerts first, each with its masked examples (most negative first).

    Reads :data:`HOTSPOT_COLUMNS` (+ :data:`HOTSPOT_EXTRAS` when present). Examples come from the
    period's segments of the hot spot's touchpoint and theme (the whole history when the period
    has none).
    """
    frame = hotspots.assign(is_alert=hotspots["alert"].map(_is_true), rank_num=pd.to_numeric(hotspots["rank"], errors="coerce"))
    frame = frame.sort_values(["is_alert", "rank_num"], ascending=[False, True], na_position="last", kind="stable")
    n_alerts = int(frame["is_alert"].sum())
    shown = pd.concat([frame[frame["is_alert"]], frame[~frame["is_alert"]].head(max(cfg.max_hotspots - n_alerts, 0))])
    current, history = (examples.explode_touchpoints(p) for p in (periods.current, periods.history))
    rows = []
    for r in shown.itertuples(index=False):
        tp, theme = _text(r.touchpoint), _text(r.theme_id)
        picked = examples.for_mask(current, tp, theme, cfg.max_examples, cfg.max_example_chars, cfg.timezone)
        picked = picked or examples.for_mask(history, tp, theme, cfg.max_examples, cfg.max_example_chars, cfg.timezone)
        rows.append({
            "rank": r.rank_num, "alert": r.is_alert, "touchpoint": tp, "touchpoint_label": tp_labels.get(tp, tp),
            "theme_id": theme, "theme_label": _text(r.theme_label), "n_segments": _num(r.n_segments),
            "n_verbatims": _num(r.n_verbatims), "n_customers": _num(r.n_customers),
            "negative_share": _num(r.negative_share), "mean_sentiment": _num(r.mean_sentiment),
            "colour": charts.neg_colour(r.negative_share), "trend": _text(r.trend), "trend_label": TREND_LABELS.get(_text(r.trend), _text(r.trend)),
            "score": _num(r.score), "explanation": _text(r.explanation), "level": _text(r.level),
            "anchor": f"hs-{len(rows) + 1}", "examples": picked,
        })
    return {"rows": rows, "n_total": len(frame), "n_alerts": n_alerts, "n_hidden": len(frame) - len(shown)}


def journey_section(journey: pd.DataFrame) -> dict[str, Any]:
    """Journey map (SVG), the touchpoints never mentioned and the share of unlinked feedback.

    Reads :data:`JOURNEY_COLUMNS` (``non_rattache`` row last, as :func:`verbatim.journey.journey_view` gives).
    """
    linked = journey[journey["touchpoint"] != NOT_LINKED]
    unlinked = journey[journey["touchpoint"] == NOT_LINKED]
    mentioned = linked["mentioned"].map(_is_true) if len(linked) else pd.Series(dtype=bool)
    return {
        "svg": charts.journey_map(journey),
        "untouched": [_text(lab) or _text(t) for t, lab in zip(linked["touchpoint"][~mentioned], linked["label"][~mentioned],
                                                               strict=True)],
        "non_rattache_share": _num(unlinked["segment_share"].iloc[0]) if len(unlinked) else float("nan"),
        "non_rattache_segments": _num(unlinked["n_segments"].iloc[0]) if len(unlinked) else 0,
        "rows": [{"stage_label": _text(r.stage_label), "label": _text(r.label), "n_segments": _num(r.n_segments),
                  "n_verbatims": _num(r.n_verbatims), "n_customers": _num(r.n_customers), "share": _num(r.segment_share),
                  "negative_share": _num(r.negative_share), "mean_sentiment": _num(r.mean_sentiment),
                  "colour": charts.neg_colour(r.negative_share)} for r in journey.itertuples(index=False)],
    }


def theme_section(themes: pd.DataFrame, periods: metrics.Periods, tp_labels: dict[str, str],
                  cfg: ReportConfig) -> dict[str, Any]:
    """Theme table with trends, the size x sentiment chart, categories, and per-theme examples.

    Reads :data:`THEME_COLUMNS` (``top_words`` ``|``-joined); trends compare the theme's
    segments in the period and in the previous one (``theme_id`` of the segments).
    """
    frame = themes.copy()
    frame["theme_id"] = frame["theme_id"].map(_text).astype(object)
    frame["n_segments"] = pd.to_numeric(frame["n_segments"], errors="coerce").fillna(0)
    for col in ("negative_share", "mean_sentiment", "n_verbatims"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce")
    trends = metrics.theme_trends(periods.current, periods.previous, cfg.trend_ratio, cfg.trend_min_change)
    frame = frame.merge(trends, on="theme_id", how="left")
    frame[["n_current", "n_previous"]] = frame[["n_current", "n_previous"]].fillna(0).astype("int64")
    frame["trend"] = frame["trend"].fillna("stable")
    shown = frame.head(cfg.max_themes)
    ids = [t for t in shown["theme_id"].astype(str) if t != OUTLIER_ID]
    picked = examples.by_theme(periods.history, ids, cfg.max_examples, cfg.max_example_chars, cfg.timezone)
    rows = [{"theme_id": _text(r.theme_id), "label": _text(r.label), "words": _text(r.top_words).replace("|", ", "),
             "n_segments": _num(r.n_segments), "n_verbatims": _num(r.n_verbatims), "n_current": int(r.n_current),
             "n_previous": int(r.n_previous), "negative_share": _num(r.negative_share), "mean_sentiment": _num(r.mean_sentiment),
             "colour": charts.neg_colour(r.negative_share), "touchpoint": tp_labels.get(_text(r.touchpoint), _text(r.touchpoint)),
             "category": _text(r.category), "trend": _text(r.trend), "trend_label": TREND_LABELS.get(r.trend, r.trend),
             "examples": picked.get(_text(r.theme_id), [])} for r in shown.itertuples(index=False)]
    real = frame[frame["theme_id"] != OUTLIER_ID]
    return {"rows": rows, "n_total": len(frame), "n_hidden": len(frame) - len(shown),
            "scatter": charts.theme_scatter(real, cfg.scatter_labels), "categories": _categories(real)}


def _categories(themes: pd.DataFrame) -> list[dict[str, Any]]:
    """Per ``category``: number of themes, segments, segment-weighted negative share, largest themes."""
    frame = themes.assign(category=themes["category"].map(_text).replace("", "(sans catégorie)"),
                          _neg=themes["negative_share"].fillna(0) * themes["n_segments"])
    rows = []
    for name, group in frame.groupby("category", sort=False):
        n = float(group["n_segments"].sum())
        rows.append({"name": name, "n_themes": len(group), "n_segments": n,
                     "negative_share": float(group["_neg"].sum() / n) if n else float("nan"),
                     "themes": " ; ".join(group.sort_values("n_segments", ascending=False)["label"].map(_text).head(4))})
    for row in rows:
        row["colour"] = charts.neg_colour(row["negative_share"])
    return sorted(rows, key=lambda r: -r["n_segments"])


def trend_section(periods: metrics.Periods, journey: pd.DataFrame, tp_labels: dict[str, str],
                  cfg: ReportConfig) -> dict[str, Any]:
    """One small chart per touchpoint (journey order, ``non_rattache`` last) and one for everything."""
    step = metrics.step_of(cfg.trend_granularity)
    series = metrics.trend_series(periods.history, periods.end, step, cfg.trend_days)
    order = [metrics.ALL_KEY] + [t for t in journey["touchpoint"].map(_text) if t != NOT_LINKED]
    order += sorted(set(series["key"]) - set(order) - {NOT_LINKED}) + [NOT_LINKED]
    groups = dict(tuple(series.groupby("key", sort=False)))
    date_format = "%d/%m" if step == 1 else "%d/%m/%y"
    panels, silent = [], []
    for key in order:
        group = groups.get(key)
        label = "Ensemble" if key == metrics.ALL_KEY else tp_labels.get(key, key)
        if group is None or group["n_segments"].sum() == 0:
            if key != metrics.ALL_KEY:
                silent.append(label)
                continue
        n = int(group["n_segments"].sum()) if group is not None else 0
        neg = float((group["negative_share"].fillna(0) * group["n_segments"]).sum() / n) if n else float("nan")
        empty = pd.DataFrame(columns=["bucket_end", "n_segments", "negative_share"])
        panels.append({"label": label, "n_segments": n, "negative_share": neg,
                       "svg": charts.trend_panel(group if group is not None else empty, date_format)})
    return {"panels": panels, "silent": silent, "granularity": "jour" if step == 1 else "semaine", "days": cfg.trend_days}


def flatten(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Nested dicts as sorted ``("a.b.c", "value")`` pairs (lists joined with commas, long values clipped)."""
    if isinstance(value, dict):
        return [pair for k in sorted(value, key=str) for pair in flatten(value[k], f"{prefix}.{k}" if prefix else str(k))]
    text = ", ".join(map(str, value)) if isinstance(value, list | tuple) else _text(value)
    return [(prefix, text if len(text) <= 200 else text[:199] + "…")]
