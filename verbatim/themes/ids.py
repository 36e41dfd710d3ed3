"""Theme ids: ``"T001"``, ``"T002"``...; ``"T000"`` is the unassigned bucket."""

from __future__ import annotations

import re

#: Theme id and label of unassigned segments (greetings, empty talk, one-off subjects).
OUTLIER_ID = "T000"
OUTLIER_LABEL = "non classé"

ID_PATTERN = re.compile(r"^T\d{3,}$")


def theme_id(number: int) -> str:
    """``3 -> "T003"``."""
    return f"T{number:03d}"
