"""The nightly flow under Prefect's test harness (a temporary local server, no account)."""

import json
import os
from pathlib import Path

import duckdb
import pytest
from prefect.testing.utilities import prefect_test_harness

from flows.nightly import deployment, nightly, nightly_for
from tests.conftest import MINI_EXPECTED
from verbatim.config import load_config

HOTSPOTS_HEADER = ("rank,touchpoint,theme_id,theme_label,n_segments,n_verbatims,n_customers,negative_share,mean_sentiment,"
                   "trend,score,examples,alert")
CALLBACKS_HEADER = "priority,customer_id,channel,received_at,verbatim_id,excerpt,reason,hotspot"


@pytest.fixture(scope="module")
def harness():
    with prefect_test_harness(server_startup_timeout=120):
        yield


def test_nightly_writes_run_json_and_is_idempotent(harness: None, mini: Path) -> None:
    first = nightly(config_path=str(mini), as_of="2026-11-20")
    folder = Path(first["output_dir"])
    run = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    assert run["status"] == "completed"
    expected = [sum(v[i] for v in MINI_EXPECTED.values()) for i in range(4)]
    assert [run["counts"][k] for k in ("read", "new", "already_seen", "quarantined")] == expected
    assert set(run["quarantine_reasons"]) == {"score_out_of_range", "empty_text", "malformed_json"}
    assert {"ingest.read", "ingest.store", "clean", "total"} <= set(run["timings"])
    clean = run["stages"]["clean"]
    assert clean["cleaned"] == run["counts"]["new"] and clean["analysed"] == clean["cleaned"]
    assert clean["languages"] == {"fr": clean["cleaned"]} and clean["segments"] >= clean["cleaned"]
    for name in ("report.html", "themes.csv", "hotspots.csv", "hotspots.xlsx", "callbacks.csv", "callbacks.xlsx",
                 "segments.parquet", "verbatims.parquet"):
        assert (folder / name).is_file(), name
    assert (folder / "hotspots.csv").read_text(encoding="utf-8").splitlines()[0] == HOTSPOTS_HEADER
    assert (folder / "callbacks.csv").read_text(encoding="utf-8").splitlines()[0] == CALLBACKS_HEADER
    assert (folder / "themes.csv").read_text(encoding="utf-8").startswith(
        "theme_id,label,top_words,n_segments,n_verbatims,touchpoint,negative_share")
    report = (folder / "report.html").read_text(encoding="utf-8")
    assert "CLI-90" not in report and "paul.girard" not in report  # customer ids only in callbacks
    latest = folder.parent / "latest"
    assert json.loads((latest / "run.json").read_text(encoding="utf-8"))["run_id"] == run["run_id"]

    second = nightly(config_path=str(mini), as_of="2026-11-20")  # unchanged files are not read again
    assert second["counts"]["read"] == 0 and second["counts"]["new"] == 0
    files = [p for p in mini.parent.rglob("*") if p.is_file() and p.parent.name in ("emails", "chats", "survey", "social")]
    assert sum(s["skipped_files"] for s in second["sources"].values()) == len(files) > 0
    for path in files:  # touched files are read again, and their records are recognised as already stored
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000_000))
    third = nightly(config_path=str(mini), as_of="2026-11-20")
    assert third["counts"]["new"] == 0
    assert third["counts"]["already_seen"] == run["counts"]["new"] + run["counts"]["already_seen"]
    assert sum(s["skipped_files"] for s in third["sources"].values()) == 0
    con = duckdb.connect(str(mini.parent / "var/mini.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM verbatims").fetchone()[0] == run["counts"]["new"]
    assert con.execute("SELECT count(*) FROM runs WHERE status = 'completed'").fetchone()[0] == 3
    assert second["stages"]["clean"]["cleaned"] == third["stages"]["clean"]["cleaned"] == 0  # nothing cleaned again
    texts = " ".join(r[0] for r in con.execute("SELECT text FROM segments").fetchall())
    assert "Paul Girard" not in texts  # the e-mail signature is removed (or masked)


def test_backfill_then_one_night_processes_only_that_night(harness: None, mini: Path) -> None:
    """Nights 16-18 Nov see only what was received by then; the night of the 19th adds only its posts."""
    seen = 0
    for night in ("2026-11-16", "2026-11-17", "2026-11-18"):
        run = nightly(config_path=str(mini), as_of=night)
        counts = run["counts"]
        assert counts["read"] == counts["new"] + counts["already_seen"] + counts["quarantined"] + counts["not_yet"]
        seen += counts["new"]
    assert seen == 4 and run["counts"]["not_yet"] == 2  # the two posts of the 19th are not due yet
    last = nightly(config_path=str(mini), as_of="2026-11-19")
    assert last["counts"]["new"] == 2 and last["counts"]["not_yet"] == 0
    assert last["stages"]["clean"]["cleaned"] == 2 and last["stages"]["enrich"]["verbatims"] == 2
    assert last["stages"]["journey"]["segments"] == last["stages"]["themes"]["assigned"] == last["stages"]["clean"]["segments"]


def test_deployment_has_the_cron_and_timezone(mini: Path) -> None:
    dep = deployment(str(mini), cron="30 3 * * 1-5", timezone="America/Montreal")
    schedule = dep.schedules[0].schedule
    assert schedule.cron == "30 3 * * 1-5" and schedule.timezone == "America/Montreal"
    assert dep.parameters == {"config_path": str(mini.resolve())}


@pytest.mark.parametrize(("runner", "flow_extra"), [("dask", ""), ("local", "processes = 2\nprocess_min_rows = 1\n")],
                         ids=["dask-local-cluster", "local-worker-processes"])
def test_partitioned_runners_give_the_same_results_as_the_default_one(harness: None, mini: Path, tmp_path: Path,
                                                                     runner: str, flow_extra: str) -> None:
    """Every heavy stage (clean, enrich, embed, link) runs in partitions on a Dask LocalCluster, or
    in this machine's worker processes, with partitions far smaller than the default run's and
    themes assigned 7 segments at a time: every stored result and the themes table match the
    default run's (tiny partitions, all in the flow's threads)."""
    import shutil

    from verbatim import workers

    copy = tmp_path / runner
    shutil.copytree(mini.parent, copy)
    config = copy / "mini.toml"
    config.write_text(f'runner = "{runner}"\n' + config.read_text(encoding="utf-8")
                      + "[flow]\nchunk_size = 3\npartitions = 2\nassign_chunk_size = 7\n" + flow_extra, encoding="utf-8")
    local = nightly(config_path=str(mini), as_of="2026-11-20")
    workers.shutdown()
    remote = nightly_for(load_config(config))(config_path=str(config), as_of="2026-11-20")
    assert (workers.running() is not None) == (runner == "local")  # the worker processes really ran
    workers.shutdown()
    assert local["counts"] == remote["counts"]
    for stage in ("clean", "enrich", "embed", "themes", "journey"):
        assert local["stages"][stage] == remote["stages"][stage], stage
    assert remote["stages"]["embed"]["texts"] > 0 and remote["stages"]["journey"]["segments"] > 0
    tables = {}
    for name, cfg_path in (("default", mini), ("partitioned", config)):
        con = duckdb.connect(str(cfg_path.parent / "var/mini.duckdb"), read_only=True)
        tables[name] = {t: con.execute(f"SELECT * EXCLUDE (run_id) FROM {t} ORDER BY 1").fetchall()
                        for t in ("cleaned", "verbatim_sentiment", "segment_themes", "segment_links")}
        tables[name]["segments"] = con.execute("SELECT * FROM segments ORDER BY 1").fetchall()
        tables[name]["segment_sentiment"] = con.execute("SELECT * FROM segment_sentiment ORDER BY 1").fetchall()
        con.close()
    for table, rows in tables["default"].items():
        assert rows and rows == tables["partitioned"][table], table
    themes = [(Path(r["output_dir"]) / "themes.csv").read_text(encoding="utf-8") for r in (local, remote)]
    assert themes[0] == themes[1] and themes[0].count("\n") >= 2
