"""French formatting shared by explanations, evidence, reasons and markdown."""

from __future__ import annotations

import math


def truncate(text: str, limit: int) -> str:
    """``text`` on one line, cut at a word boundary before ``limit`` characters with an ellipsis."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:.") + "…"


def number(value: float, digits: int = 1) -> str:
    """French decimal: ``3,1``; integers without decimals; ``nan`` -> ``"n.d."``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n.d."
    if float(value).is_integer():
        return f"{int(value)}"
    return f"{value:.{digits}f}".replace(".", ",")


def percent(share: float) -> str:
    """``0.384`` -> ``"38 %"`` (non-breaking space as in French typography is avoided for CSV readers)."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "n.d."
    return f"{round(100 * share):d} %"


def p_value(value: float) -> str:
    """``0.00012`` -> ``"1,2e-04"``; ``0.034`` -> ``"0,034"``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n.d."
    return (f"{value:.1e}" if value < 0.001 else f"{value:.3f}").replace(".", ",")


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """``"12 menaces de résiliation"`` / ``"1 menace de résiliation"``."""
    return f"{n} {singular if n == 1 else (plural_form or singular + 's')}"


def cell_name(touchpoint_label: str, theme_label: str, split: str = "") -> str:
    """``"Livraison · retard colis"`` (theme omitted when empty), ``" [survey]"`` appended when split."""
    name = touchpoint_label if not theme_label else f"{touchpoint_label} · {theme_label}"
    return f"{name} [{split}]" if split else name

