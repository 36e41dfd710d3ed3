from datetime import date
from pathlib import Path

import pytest

from verbatim.errors import ConfigError
from verbatim.runs import RunSummary, new_run_id, parse_as_of, run_folder, update_latest, write_run_json


def test_as_of_is_end_of_local_day_in_utc() -> None:
    as_of = parse_as_of("2026-11-20", "Europe/Paris")
    assert as_of.isoformat() == "2026-11-20T22:59:59+00:00"
    assert parse_as_of(date(2026, 7, 1), "Europe/Paris").hour == 21  # summer time


def test_bad_as_of_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="YYYY-MM-DD"):
        parse_as_of("20/11/2026", "Europe/Paris")


def test_latest_follows_the_newest_run(tmp_path: Path) -> None:
    first = run_folder(tmp_path, "2026-11-19_a")
    write_run_json(first, RunSummary("a", "x", "x", "c"))
    update_latest(tmp_path, first)
    second = run_folder(tmp_path, "2026-11-20_b")
    write_run_json(second, RunSummary("b", "x", "x", "c"))
    latest = update_latest(tmp_path, second)
    assert (latest / "run.json").read_text(encoding="utf-8") == (second / "run.json").read_text(encoding="utf-8")
    assert new_run_id(parse_as_of("2026-11-20", "UTC")).startswith("2026-11-20_")
