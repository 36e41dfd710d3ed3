from pathlib import Path

import pytest

from verbatim.config import config_from_dict, load_config
from verbatim.errors import ConfigError


def test_sample_keys_of_the_contract_load(tmp_path: Path) -> None:
    toml = tmp_path / "c.toml"
    toml.write_text(
        """
runner = "local"
[store]
path = "var/v.duckdb"
[output]
dir = "out"
[[sources]]
kind = "tabular"
path = "exports/avis.csv"
channel = "survey"
[sources.columns]
text = "text"
id = "id"
date = "date_publication"
date_format = "%d/%m/%Y"
customer = "author"
csat = "stars"
[journey]
taxonomy = "assurance"
[hotspots]
window_days = 7
baseline_days = 56
""",
        encoding="utf-8",
    )
    cfg = load_config(toml)
    assert cfg.store.path == (tmp_path / "var/v.duckdb").resolve()
    assert cfg.output.dir == (tmp_path / "out").resolve()
    src = cfg.sources[0]
    assert src.path == (tmp_path / "exports/avis.csv").resolve()
    assert src.columns.csat == "stars" and src.columns.text_columns() == ["text"]
    assert cfg.journey.taxonomy == "assurance" and cfg.hotspots.window_days == 7


def test_tabular_source_defaults_to_survey_channel() -> None:
    cfg = config_from_dict({"sources": [{"kind": "tabular", "path": "a.csv"}]})
    assert cfg.sources[0].channel == "survey"


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"stor": {}}, "unknown key 'stor'"),
        ({"runner": "spark"}, "key 'runner' = 'spark'"),
        ({"hotspots": {"window_days": 0}}, "key 'hotspots.window_days' = 0"),
        ({"sources": [{"kind": "fax", "path": "x"}]}, "key 'sources.0.kind' = 'fax'"),
        ({"sources": [{"kind": "email"}]}, "missing key 'sources.0.path'"),
        ({"ingest": {"timezone": "Mars/Olympus"}}, "unknown time zone 'Mars/Olympus'"),
        ({"runner": "dask", "dask_address": "scheduler:8786"}, "tcp://"),
    ],
)
def test_errors_name_key_value_and_what_is_allowed(data: dict, fragment: str) -> None:
    with pytest.raises(ConfigError) as err:
        config_from_dict(data)
    assert fragment in str(err.value)
    assert "\n" not in str(err.value)


def test_missing_and_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[store\npath = 1", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)


def test_report_dates_follow_the_ingest_time_zone_unless_set() -> None:
    from verbatim.config import config_from_dict

    assert config_from_dict({"ingest": {"timezone": "America/Montreal"}}).report.timezone == "America/Montreal"
    assert config_from_dict({}).report.timezone == "Europe/Paris"
    assert config_from_dict({"ingest": {"timezone": "America/Montreal"}, "report": {"timezone": "UTC"}}).report.timezone == "UTC"
