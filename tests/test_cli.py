import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import MINI_EXPECTED
from verbatim.cli import main


def test_help_of_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--help"], ["ingest", "--help"], ["run", "--help"]):
        with pytest.raises(SystemExit) as exit_:
            main(argv)
        assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "--channel" in out and "--as-of" in out and "--json" in out


def test_ingest_json_accounting_per_source_and_idempotent(mini: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = mini.parent
    store = root / "cli.duckdb"
    paths = [str(root / "emails"), str(root / "chats/*.json"), str(root / "survey/enquete.csv"), str(root / "social/posts.jsonl")]
    assert main(["ingest", *paths, "--store", str(store), "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    expected = {p: dict(zip(("read", "new", "duplicates", "quarantined"), MINI_EXPECTED[k], strict=True))
                for p, k in zip(paths, MINI_EXPECTED, strict=True)}
    assert first["sources"] == expected
    for key in ("read", "new", "duplicates", "quarantined"):
        assert first[key] == sum(s[key] for s in expected.values())
    assert first["read"] == first["new"] + first["duplicates"] + first["quarantined"]

    assert main(["ingest", *paths, "--store", str(store), "--json"]) == 0
    second = json.loads(capsys.readouterr().out)
    assert second["new"] == 0 and second["duplicates"] == first["new"] + first["duplicates"]


def test_ingest_table_output_and_channel_option(mini: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = mini.parent
    assert main(["ingest", str(root / "survey/enquete.csv"), "--channel", "survey", "--store", str(root / "t.duckdb")]) == 0
    out = capsys.readouterr().out
    assert "quarantined" in out and "total" in out


def test_unreadable_and_unsupported_files_are_quarantined_not_fatal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (tmp_path / "broken.json").write_bytes(b"\xff\xfe{{{[")
    code = main(["ingest", str(tmp_path / "photo.png"), str(tmp_path / "broken.json"), str(tmp_path / "missing.eml"),
                 "--store", str(tmp_path / "s.duckdb"), "--json"])
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert result["quarantined"] == result["read"] >= 3


def test_run_with_bad_config_prints_one_line(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text("[hotspots]\nwindow_dayz = 3\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "verbatim.cli", "run", "--config", str(cfg)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "unknown key 'hotspots.window_dayz'" in result.stderr and "Traceback" not in result.stderr


def test_console_script_is_installed() -> None:
    exe = shutil.which("verbatim", path=str(Path(sys.executable).parent))
    assert exe is not None
    result = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=60)
    assert result.stdout.startswith("verbatim ")


def test_annotate_one_row_per_input_row_in_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "avis.csv"
    src.write_text(
        "ref;avis;quand\n"
        "B2;\"Je m'appelle Lucie Bernard, colis reçu en retard mais livreur très aimable. Tel 06 11 22 33 44.\";29/07/2026\n"
        "B1;;29/07/2026\n"
        "B3;\"Le paiement par carte ne passe pas !!!\";29/07/2026\n",
        encoding="cp1252",
    )
    out, seg = tmp_path / "out.csv", tmp_path / "seg.csv"
    themes = tmp_path / "themes.csv"
    assert main(["annotate", str(src), "--text-column", "avis", "--id-column", "ref", "--out", str(out), "--segments-out", str(seg),
                 "--date-column", "quand", "--themes-out", str(themes)]) == 0
    seen = pd.read_csv(themes, dtype=str, keep_default_na=False)
    # a date without a time is Paris midnight: shown on its own day, not the day before (UTC)
    assert set(seen["first_seen"]) | set(seen["last_seen"]) <= {"2026-07-29", ""} and "2026-07-29" in set(seen["first_seen"])
    rows = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(rows.columns[:7]) == ["id", "sentiment", "sentiment_score", "touchpoint", "touchpoints", "theme_id", "theme_label"]
    assert rows["id"].tolist() == ["B2", "B1", "B3"]
    segments = pd.read_csv(seg, dtype=str, keep_default_na=False)
    assert list(segments.columns[:7]) == ["id", "segment", "text", "sentiment", "sentiment_score", "touchpoint", "theme_id"]
    assert set(segments["id"]) == {"B2", "B3"} and (segments["id"] == "B2").sum() >= 2  # split on "mais"
    assert rows.loc[1, "sentiment"] == "" and rows.loc[2, "sentiment"] == "negatif"
    assert "paiement" in rows.loc[2, "touchpoints"].split("|")
    assert "livraison" in rows.loc[0, "touchpoints"].split("|")
    joined = " ".join(segments["text"])
    assert "Lucie" not in joined and "06 11" not in joined and "[NOM]" in joined and "[TEL]" in joined


def test_annotate_unknown_column_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "a.csv"
    src.write_text("id,texte\n1,bien\n", encoding="utf-8")
    assert main(["annotate", str(src), "--text-column", "avis", "--out", str(tmp_path / "o.csv")]) == 3
    err = capsys.readouterr().err
    assert "--text-column 'avis' is not a column" in err and "['id', 'texte']" in err


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--until", "2026-11-20"], "--until needs --since"),
        (["--since", "2026-11-20", "--as-of", "2026-11-21"], "not both"),
        (["--since", "2026-11-20", "--until", "2026-11-01"], "is before --since"),
        (["--as-of", "20/11/2026"], "YYYY-MM-DD"),
    ],
)
def test_run_date_options_are_checked_before_prefect_starts(mini: Path, argv: list[str], fragment: str,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--config", str(mini), *argv]) == 2
    assert fragment in capsys.readouterr().err


def test_serve_help_names_cron_and_timezone(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    out = capsys.readouterr().out
    assert "--cron" in out and "--timezone" in out and "Europe/Paris" in out


@pytest.mark.parametrize(
    ("edit", "fragment"),
    [
        ('[journey]\ntaxonomy = "aviation"\n', "aviation"),
        ('[journey]\ntaxonomy = "missing.yaml"\n', "missing.yaml"),
        ('[sentiment]\nmodel_dir = "no-model-here"\n', "no-model-here"),
    ],
)
def test_environment_errors_are_one_line_before_the_flow(mini: Path, edit: str, fragment: str) -> None:
    with mini.open("a", encoding="utf-8") as handle:
        handle.write(edit)
    result = subprocess.run([sys.executable, "-m", "verbatim.cli", "run", "--config", str(mini)], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("verbatim run: error:")]
    assert len(lines) == 1 and fragment in lines[0]


def test_unreadable_store_is_one_line(mini: Path) -> None:
    store = mini.parent / "var" / "mini.duckdb"
    store.parent.mkdir(parents=True, exist_ok=True)
    store.write_bytes(b"not a database" * 1000)
    result = subprocess.run([sys.executable, "-m", "verbatim.cli", "run", "--config", str(mini)], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 5 and "cannot open the store" in result.stderr and "Traceback" not in result.stderr
