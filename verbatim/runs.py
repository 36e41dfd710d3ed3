"""Run bookkeeping: run ids, dated output folders, the ``latest`` pointer and ``run.json``.

``run.json`` (contract) holds the run's counts (``read``, ``new``, ``already_seen``,
``quarantined``, in total and per source), the quarantine reasons, and the seconds spent in
each stage.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from verbatim.errors import ConfigError, PathError
from verbatim.paths import child


def parse_as_of(value: str | date | None, tz: str) -> datetime:
    """The evaluation instant of a run: end of day ``value`` in zone ``tz`` (now when None), in UTC.

    Raises:
        ConfigError: ``value`` is not an ISO date such as ``2026-11-20``.
    """
    if value is None:
        return datetime.now(UTC)
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            raise ConfigError(f"--as-of {value!r} is not a date; expected YYYY-MM-DD, for example 2026-11-20") from None
    return datetime.combine(value, time(23, 59, 59), tzinfo=ZoneInfo(tz)).astimezone(UTC)


def new_run_id(as_of: datetime, started: datetime | None = None) -> str:
    """``<as-of date>_<start time UTC>``, sortable and unique per second."""
    started = started or datetime.now(UTC)
    return f"{as_of.date().isoformat()}_{started.strftime('%Y%m%dT%H%M%S')}"


def run_folder(output_dir: Path, run_id: str) -> Path:
    """Create and return the run's dated output folder ``<output_dir>/<run_id>``, new and empty.

    Raises:
        PathError: ``run_id`` is not one plain name, or something (a folder, a file, a link) is
            already there under that name: a run never writes into a folder it did not create.
    """
    folder = child(output_dir, run_id, "the run id")
    output_dir.mkdir(parents=True, exist_ok=True)
    try:
        folder.mkdir(exist_ok=False)
    except FileExistsError:
        raise PathError(f"the run folder {str(folder)!r} already exists (or a link has its name); a run only writes "
                        "into a folder it creates: remove it, or wait a second and run again") from None
    return folder


def update_latest(output_dir: Path, folder: Path) -> Path:
    """Point ``<output_dir>/latest`` at ``folder`` (a symlink; a copy where symlinks fail).

    ``latest`` and ``.latest.tmp`` are replaced, never followed: a link already there (wherever
    it points) is swapped or removed, its target untouched.

    Raises:
        PathError: ``folder`` is not a run folder directly inside ``output_dir``.
    """
    if Path(folder).parent.resolve() != Path(output_dir).resolve():
        raise PathError(f"{str(folder)!r} is not a run folder of [output].dir {str(output_dir)!r}")
    latest = output_dir / "latest"
    tmp = output_dir / ".latest.tmp"
    if tmp.is_symlink() or tmp.is_file():
        tmp.unlink()
    elif tmp.exists():
        shutil.rmtree(tmp)
    try:
        tmp.symlink_to(folder.name, target_is_directory=True)
        os.replace(tmp, latest)  # atomic swap of the link
    except OSError:
        if latest.is_symlink() or latest.is_file():
            latest.unlink()
        elif latest.exists():
            shutil.rmtree(latest)
        shutil.copytree(folder, latest)
    return latest


@dataclass
class RunSummary:
    """What ``run.json`` holds."""

    run_id: str
    as_of: str
    started_at: str
    config: str
    counts: dict[str, int] = field(default_factory=dict)
    sources: dict[str, dict[str, int]] = field(default_factory=dict)
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    stages: dict[str, Any] = field(default_factory=dict)
    finished_at: str | None = None
    status: str = "running"

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items()}


def write_run_json(folder: Path, summary: RunSummary) -> Path:
    """Write ``run.json`` atomically in the run folder."""
    path = folder / "run.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    os.replace(tmp, path)
    return path
