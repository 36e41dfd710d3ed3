"""French number formatting for the report (Jinja2 filters and chart labels).

Every function accepts ``None`` and NaN and then returns an en dash, so templates never test
for missing values themselves.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["FILTERS", "fr_int", "fr_num", "fr_pct", "fr_signed", "is_missing"]

_NBSP = "\u202f"  # narrow no-break space: French thousands separator and before %
_DASH = "–"


def is_missing(value: Any) -> bool:
    """True for ``None``, NaN and pandas' NA."""
    if value is None:
        return True
    try:
        return bool(math.isnan(float(value)))
    except (TypeError, ValueError):
        return False


def _group(text: str) -> str:
    """Insert French thousands separators into an unsigned ``1234567.5``-style string."""
    whole, _, frac = text.partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    out = _NBSP.join(groups)
    return f"{out},{frac}" if frac else out


def fr_num(value: Any, digits: int = 1) -> str:
    """``1234.56`` -> ``1 234,6``."""
    if is_missing(value):
        return _DASH
    number = float(value)
    text = _group(f"{abs(number):.{digits}f}")
    return f"−{text}" if number < 0 and text.strip("0,") else text


def fr_int(value: Any) -> str:
    """``12345`` -> ``12 345``."""
    return fr_num(value, 0)


def fr_pct(value: Any, digits: int = 0) -> str:
    """A share in [0, 1] as a French percentage: ``0.256`` -> ``26 %``."""
    return _DASH if is_missing(value) else f"{fr_num(float(value) * 100, digits)}{_NBSP}%"


def fr_signed(value: Any, digits: int = 1, unit: str = "") -> str:
    """A change with its sign: ``+3,2 pts``, ``−1,0``, ``0,0``."""
    if is_missing(value):
        return _DASH
    number = round(float(value), digits)
    sign = "+" if number > 0 else ""
    return f"{sign}{fr_num(number, digits)}{(_NBSP + unit) if unit else ''}"


#: Filters registered on the report's Jinja2 environment.
FILTERS = {"fr_int": fr_int, "fr_num": fr_num, "fr_pct": fr_pct, "fr_signed": fr_signed}
