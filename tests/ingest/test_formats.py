"""The registry of input formats: every fixture read as a user would, record by record.

Fixtures live in ``tests/data/formats/<channel>/`` with their hand-written expectations in
``expected.json`` (see ``formats_harness``). Also: the registry itself, forcing a format, and
the message of a file that no format recognises.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.ingest.formats_harness import check, expectations
from verbatim.cli import main
from verbatim.config import IngestConfig, SourceConfig
from verbatim.errors import ConfigError
from verbatim.ingest import read_file, read_source
from verbatim.ingest.formats import all_formats, detect, get_format

CASES = expectations()


@pytest.mark.parametrize(("channel", "path", "expected"), CASES, ids=[f"{c}/{p.name}" for c, p, _ in CASES])
def test_fixture_is_read_as_expected(channel: str, path: Path, expected: dict) -> None:
    outcome = check(channel, path, expected)
    assert outcome.ok, "\n".join(outcome.problems)


def test_every_channel_has_fixtures_for_its_named_formats() -> None:
    covered = {expected["format"] for _, _, expected in CASES}
    specific = {name for name, fmt in all_formats().items() if fmt.channel != "tabular"}
    missing = sorted(specific - covered - {"chat.json.v1", "chat.csv.v1", "survey.csv.v1", "survey.xlsx.v1",
                                           "social.json.v1", "email.rfc822.v1", "email.mbox.v1"})
    assert not missing, f"formats without a fixture in tests/data/formats/*/expected.json: {missing}"


def test_registry_names_are_versioned_and_describe_their_fields() -> None:
    formats = all_formats()
    assert len(formats) >= 8
    for name, fmt in formats.items():
        parts = name.split(".")
        assert parts[0] == fmt.channel and parts[-1].startswith("v") and parts[-1][1:].isdigit(), name
        assert fmt.reads and "text" in fmt.fields or fmt.channel == "tabular", name


def test_unknown_format_name_is_a_config_error_listing_the_names() -> None:
    with pytest.raises(ConfigError, match="social.json.v1"):
        get_format("social.jsn.v1")


def test_forced_format_wins_over_detection(tmp_path: Path) -> None:
    path = tmp_path / "avis.json"
    path.write_text(json.dumps([{"commentaire": "Livraison rapide, merci", "date": "2026-07-29"}]), encoding="utf-8")
    batch = read_source(SourceConfig(path=path, format="social.json.v1", columns={"text": "commentaire"}), IngestConfig())
    assert batch.formats == {"social.json.v1": 1}
    assert batch.read == 1


def test_unrecognised_file_names_the_closest_format_and_the_option(tmp_path: Path) -> None:
    path = tmp_path / "export.dat"
    path.write_text("Horodateur;Votre avis\n29/07/2026 09:00:00;Très bien\n", encoding="utf-8")
    batch = read_file(path, SourceConfig(path=path), IngestConfig())
    assert len(batch.records) == 0 and list(batch.rejected["reason"]) in (["unreadable_file"], ["unsupported_file"])
    empty = tmp_path / "vide.bin"
    empty.write_bytes(b"")
    assert list(read_file(empty, SourceConfig(path=empty), IngestConfig()).rejected["reason"]) == ["unsupported_file"]
    odd = tmp_path / "posts.json"
    odd.write_text('{"kind": "something"', encoding="utf-8")  # JSON that does not parse: closest formats are named
    found = detect(odd)
    if found.chosen is None:
        assert "--format" in found.closest_hint()


def test_cli_formats_lists_every_format(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["formats", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {f["name"] for f in listed} == set(all_formats())
    assert all({"name", "channel", "reads", "fields"} <= set(f) for f in listed)
    assert main(["formats"]) == 0
    assert "survey.csv.v1" in capsys.readouterr().out


def test_cli_ingest_column_mapping_and_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "export.csv"
    path.write_text("ref;Q2;Q3;quand;client\n"
                    "r1;Le colis est arrivé abîmé, carton déchiré;9;29/07/2026;C-1\n"
                    "r2;Service client injoignable depuis lundi;2;30/07/2026;C-2\n", encoding="utf-8")
    store = tmp_path / "s.duckdb"
    argv = ["ingest", str(path), "--store", str(store), "--json", "--text-column", "Q2", "--id-column", "ref",
            "--date-column", "quand", "--customer-column", "client", "--score", "nps=Q3"]
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["read"], result["new"], result["quarantined"]) == (2, 2, 0)
    assert result["sources"][str(path)] == {"read": 2, "new": 2, "duplicates": 0, "quarantined": 0}
    from verbatim.store import Store

    with Store(store) as opened:
        rows = opened.con.execute("SELECT source_id, customer_id, nps, text FROM verbatims ORDER BY source_id").fetchall()
    assert rows == [("r1", "C-1", 9, "Le colis est arrivé abîmé, carton déchiré"),
                    ("r2", "C-2", 2, "Service client injoignable depuis lundi")]
    assert main(["ingest", str(path), "--store", str(store), "--score", "stars=Q3"]) == 2
    assert "nps, csat, ces" in capsys.readouterr().err
    assert main(["ingest", str(path), "--store", str(store), "--format", "survey.csvv.v1"]) == 2
    assert "unknown input format" in capsys.readouterr().err


def test_a_file_name_with_glob_characters_is_read_as_itself(tmp_path: Path) -> None:
    path = tmp_path / "avis [copie].csv"
    path.write_text("id;commentaire;date\n1;Livraison en retard de trois jours;29/07/2026\n", encoding="utf-8")
    batch = read_source(SourceConfig(path=path), IngestConfig())
    assert list(batch.records["text"]) == ["Livraison en retard de trois jours"]
