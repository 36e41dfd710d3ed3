"""Inline SVG charts of the report (no plotting library, nothing fetched: the file opens offline).

Each function takes an aggregated frame and returns :class:`markupsafe.Markup` holding one
``<svg>`` element. Every piece of data written into the SVG goes through :func:`markupsafe.escape`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd
from markupsafe import Markup, escape

from verbatim.journey.taxonomy import NOT_LINKED
from verbatim.report.format import fr_int, fr_num, fr_pct, is_missing

__all__ = ["journey_map", "neg_colour", "theme_scatter", "trend_panel"]

_FONT = "font-family:system-ui,sans-serif"
_MISSING_FILL = "#c9ccd1"
#: negative share at which the colour scale is fully red
NEG_SCALE_TOP = 0.6


def neg_colour(share: float | None) -> str:
    """Fill for a negative share: green (0) through amber to red (``NEG_SCALE_TOP`` and above); grey if unknown."""
    if is_missing(share):
        return _MISSING_FILL
    t = min(max(float(share) / NEG_SCALE_TOP, 0.0), 1.0)
    return f"hsl({130 * (1 - t):.0f},62%,{44 + 4 * math.sin(math.pi * t):.0f}%)"


def _attrs(attrs: dict[str, object]) -> str:
    return "".join(f' {k.rstrip("_").replace("_", "-")}="{escape(v)}"' for k, v in attrs.items() if v is not None)


def _el(tag: str, body: object = None, **attrs: object) -> str:
    """One SVG element; ``body`` (text) is escaped, ``Markup`` bodies are kept."""
    if body is None:
        return f"<{tag}{_attrs(attrs)}/>"
    return f"<{tag}{_attrs(attrs)}>{escape(body)}</{tag}>"


def _svg(width: float, height: float, parts: Iterable[str], label: str) -> Markup:
    head = (f'<svg viewBox="0 0 {width:.0f} {height:.0f}" width="100%" '
            f'role="img" aria-label="{escape(label)}" style="{_FONT};max-width:{width:.0f}px">')
    return Markup(head + "".join(parts) + "</svg>")  # noqa: S704 - every part is built with _el/escape


def _wrap(text: str, width: int) -> list[str]:
    """At most two lines of about ``width`` characters (the second one clipped)."""
    words, lines, line = str(text).split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    if len(lines) > 2:
        lines = [lines[0], " ".join(lines[1:])]
    return [lines[0]] + ([lines[1] if len(lines[1]) <= width else lines[1][: width - 1] + "…"] if len(lines) > 1 else [])


def _legend(x: float, y: float) -> list[str]:
    """Colour scale of negativity, left to right."""
    parts = [_el("text", "Part négative :", x=x, y=y + 11, font_size=11, fill="#444")]
    for i in range(7):
        share = NEG_SCALE_TOP * i / 6
        parts.append(_el("rect", x=x + 95 + 34 * i, y=y, width=34, height=14, fill=neg_colour(share)))
        parts.append(_el("text", fr_pct(share) + ("+" if i == 6 else ""), x=x + 112 + 34 * i, y=y + 27,
                         font_size=10, fill="#444", text_anchor="middle"))
    return parts


def journey_map(journey: pd.DataFrame, width: int = 1160) -> Markup:
    """Stages as columns, touchpoints as circles: area by segment volume, colour by negative share.

    Reads ``stage``, ``stage_label``, ``touchpoint``, ``label``, ``n_segments``, ``n_verbatims``,
    ``negative_share``, ``mentioned`` (:func:`verbatim.journey.journey_view`; the
    ``non_rattache`` row is left out: the report states its share apart). Touchpoints nobody
    mentioned are dashed grey rings.
    """
    frame = journey[journey["touchpoint"] != NOT_LINKED]
    stages = list(dict.fromkeys(frame["stage"]))
    if not stages:
        return _svg(width, 40, [_el("text", "Aucun point de contact dans la taxonomie.", x=10, y=25, font_size=13)],
                    "Carte du parcours vide")
    col_w, row_h, top = width / len(stages), 150, 44
    n_rows = max(int((frame["stage"] == s).sum()) for s in stages)
    max_n = max(int(frame["n_segments"].max()), 1)
    height = top + n_rows * row_h + 50
    parts = []
    for i, stage in enumerate(stages):
        x0 = i * col_w
        rows = frame[frame["stage"] == stage]
        parts.append(_el("rect", x=x0 + 2, y=0, width=col_w - 4, height=height - 50, rx=8, fill="#f3f5f8" if i % 2 else "#eaeef4"))
        parts.append(_el("text", rows["stage_label"].iloc[0] or stage, x=x0 + col_w / 2, y=26, font_size=14,
                         font_weight="600", text_anchor="middle", fill="#1d2b3a"))
        for j, r in enumerate(rows.itertuples(index=False)):
            cx, cy = x0 + col_w / 2, top + j * row_h + 52
            n = int(r.n_segments)
            tip = f"{r.label} : {fr_int(n)} segments, {fr_int(r.n_verbatims)} verbatims, {fr_pct(r.negative_share)} négatifs"
            if n:
                radius = 6 + 40 * math.sqrt(n / max_n)
                circle = (f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{radius:.1f}" fill="{neg_colour(r.negative_share)}" '
                          f'stroke="#fff" stroke-width="2">{_el("title", tip)}</circle>')
                detail = f"{fr_int(n)} seg. · {fr_pct(r.negative_share)} nég."
            else:
                circle = (f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="8" fill="none" stroke="#8a929c" '
                          f'stroke-dasharray="3 3">{_el("title", f"{r.label} : jamais mentionné")}</circle>')
                detail = "non mentionné"
            parts.append(circle)
            for k, line in enumerate(_wrap(r.label, max(int(col_w / 7.5), 10))):
                parts.append(_el("text", line, x=cx, y=cy + 62 + 14 * k, font_size=12, text_anchor="middle", fill="#1d2b3a"))
            parts.append(_el("text", detail, x=cx, y=cy + 90, font_size=11, text_anchor="middle",
                             fill="#8a929c" if not n else "#444", font_style="italic" if not n else None))
    parts += _legend(10, height - 38)
    return _svg(width, height, parts, "Carte du parcours client")


def theme_scatter(themes: pd.DataFrame, n_labels: int, width: int = 1160, height: int = 440) -> Markup:
    """Themes by size (x, square-root scale) against mean sentiment (y), coloured by negative share.

    Reads ``theme_id``, ``label``, ``n_segments``, ``mean_sentiment``, ``negative_share``; names
    the ``n_labels`` largest themes where their label does not cover another one (every point
    has a tooltip).
    """
    frame = themes[themes["n_segments"] > 0].sort_values("n_segments", ascending=False)
    left, right, top, bottom = 56, 24, 16, 48
    plot_w, plot_h = width - left - right, height - top - bottom
    parts = [_el("rect", x=left, y=top, width=plot_w, height=plot_h, fill="#fafbfc", stroke="#d5dae1")]
    if frame.empty:
        parts.append(_el("text", "Aucun thème sur la période.", x=width / 2, y=height / 2, text_anchor="middle", font_size=13))
        return _svg(width, height, parts, "Taille et sentiment des thèmes")
    max_n = float(frame["n_segments"].max())
    sent = frame["mean_sentiment"].astype(float).fillna(0.0)
    span = max(0.2, math.ceil(max(abs(sent.min()), abs(sent.max())) * 10) / 10)

    def sx(n: float) -> float:
        return left + plot_w * math.sqrt(n / max_n)

    def sy(s: float) -> float:
        return top + plot_h * (span - s) / (2 * span)

    for tick in (-span, -span / 2, 0.0, span / 2, span):
        y = sy(tick)
        parts.append(_el("line", x1=left, x2=left + plot_w, y1=y, y2=y, stroke="#9aa3ad" if tick == 0 else "#e3e7ec",
                         stroke_dasharray="4 3" if tick == 0 else None))
        parts.append(_el("text", fr_num(tick, 2), x=left - 6, y=y + 4, font_size=11, text_anchor="end", fill="#555"))
    for frac in (0.0, 0.25, 0.5, 0.75, 1.0):
        n = max_n * frac * frac
        parts.append(_el("text", fr_int(n), x=sx(n), y=top + plot_h + 16, font_size=11, text_anchor="middle", fill="#555"))
    parts.append(_el("text", "Volume (segments, échelle racine carrée)", x=left + plot_w / 2, y=height - 8,
                     font_size=11, text_anchor="middle", fill="#333"))
    parts.append(_el("text", "Sentiment moyen", x=14, y=top + plot_h / 2, font_size=11, text_anchor="middle", fill="#333",
                     transform=f"rotate(-90 14 {top + plot_h / 2:.0f})"))
    placed: list[tuple[float, float, float, float]] = []
    labels = []
    for r in frame.head(n_labels).itertuples(index=False):  # largest first get a label
        x, y = sx(float(r.n_segments)), sy(0.0 if is_missing(r.mean_sentiment) else float(r.mean_sentiment))
        text = str(r.label) if len(str(r.label)) <= 32 else str(r.label)[:31] + "…"
        w = 6.6 * len(text)
        box = (x - 9 - w, y - 9, x - 9, y + 5) if x > left + plot_w * 0.7 else (x + 9, y - 9, x + 9 + w, y + 5)
        if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in placed):
            continue
        placed.append(box)
        labels.append(_el("text", text, x=box[0], y=y + 4, font_size=12, fill="#1d2b3a"))
    for r in frame.iloc[::-1].itertuples(index=False):  # largest drawn last, on top
        x, y = sx(float(r.n_segments)), sy(0.0 if is_missing(r.mean_sentiment) else float(r.mean_sentiment))
        tip = (f"{r.theme_id} {r.label} : {fr_int(r.n_segments)} segments, sentiment {fr_num(r.mean_sentiment, 2)}, "
               f"{fr_pct(r.negative_share)} négatifs")
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6.5" fill="{neg_colour(r.negative_share)}" stroke="#fff" '
                     f'stroke-width="1.5" opacity="0.9">{_el("title", tip)}</circle>')
    return _svg(width, height, parts + labels, "Taille et sentiment des thèmes")


def trend_panel(series: pd.DataFrame, date_format: str, width: int = 360, height: int = 150) -> Markup:
    """Bars of segment volume per bucket and a red line of negative share (right axis, 0-100 %).

    Reads ``bucket_end``, ``n_segments``, ``negative_share`` (one row per bucket, oldest first).
    """
    left, right, top, bottom = 34, 34, 12, 22
    plot_w, plot_h = width - left - right, height - top - bottom
    n = len(series)
    max_n = max(int(series["n_segments"].max()) if n else 0, 1)
    slot = plot_w / max(n, 1)
    parts = [_el("line", x1=left, x2=left + plot_w, y1=top + plot_h, y2=top + plot_h, stroke="#b8c0ca")]
    parts.append(_el("text", fr_int(max_n), x=left - 4, y=top + 8, font_size=10, text_anchor="end", fill="#4a6fa5"))
    parts.append(_el("text", "0", x=left - 4, y=top + plot_h, font_size=10, text_anchor="end", fill="#4a6fa5"))
    parts.append(_el("text", "100 %", x=left + plot_w + 4, y=top + 8, font_size=10, fill="#c0392b"))
    parts.append(_el("text", "0 %", x=left + plot_w + 4, y=top + plot_h, font_size=10, fill="#c0392b"))
    points = []
    for i, r in enumerate(series.itertuples(index=False)):
        h = plot_h * int(r.n_segments) / max_n
        x = left + i * slot
        tip = f"{r.bucket_end.strftime('%d/%m/%Y')} : {fr_int(r.n_segments)} segments, {fr_pct(r.negative_share)} négatifs"
        parts.append(f'<rect x="{x + slot * 0.12:.1f}" y="{top + plot_h - h:.1f}" width="{slot * 0.76:.1f}" height="{h:.1f}" '
                     f'fill="#9db4d3">{_el("title", tip)}</rect>')
        if not is_missing(r.negative_share):
            points.append(f"{x + slot / 2:.1f},{top + plot_h * (1 - float(r.negative_share)):.1f}")
    if len(points) > 1:
        parts.append(_el("polyline", points=" ".join(points), fill="none", stroke="#c0392b", stroke_width=2))
    for p in points if len(points) == 1 else []:
        x, y = p.split(",")
        parts.append(_el("circle", cx=x, cy=y, r=3, fill="#c0392b"))
    if n:
        first, last = series["bucket_end"].iloc[0], series["bucket_end"].iloc[-1]
        parts.append(_el("text", first.strftime(date_format), x=left, y=height - 6, font_size=10, fill="#555"))
        parts.append(_el("text", last.strftime(date_format), x=left + plot_w, y=height - 6, font_size=10, fill="#555",
                         text_anchor="end"))
    return _svg(width, height, parts, "Volume et part négative dans le temps")
