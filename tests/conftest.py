"""Shared fixtures. Tests never download anything: the hub is offline."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

DATA = Path(__file__).parent / "data"

#: What ``tests/data/mini`` must give, per source label suffix: (read, new, duplicates, quarantined).
MINI_EXPECTED = {
    "emails": (1, 1, 0, 0),
    "chats/*.json": (1, 1, 0, 0),
    "survey/enquete.csv": (5, 2, 1, 2),  # NPS 14 out of range, one empty comment, one repeated row
    "social/posts.jsonl": (3, 2, 0, 1),  # last line is truncated JSON
}


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A private copy of ``tests/data/mini`` (four channels, planted faults); returns its config path."""
    target = tmp_path / "mini"
    shutil.copytree(DATA / "mini", target)
    return target / "mini.toml"
