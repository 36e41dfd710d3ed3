from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verbatim.errors import StoreError
from verbatim.ingest.common import Batch, record, rejected
from verbatim.store import Store

WHEN = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)


def _rec(i: int, text: str = "Livraison rapide, merci", channel: str = "survey") -> dict:
    return record(channel=channel, source="s.csv", source_id=str(i), received_at=WHEN, text=text, location=f"s.csv:{i}", nps=9,
                  metadata={"question": "Commentaire"})


def test_add_batch_counts_new_duplicates_and_quarantine(tmp_path: Path) -> None:
    batch = Batch.from_rows(
        [_rec(1), _rec(2, "Colis abîmé"), _rec(1)],  # the third repeats the first
        [rejected("s.csv", "s.csv:4", "empty_text", "no text")],
    )
    with Store(tmp_path / "v.duckdb") as store:
        acc = store.add_batch(batch, "r1")
        assert acc.as_dict() == {"read": 4, "new": 2, "duplicates": 1, "quarantined": 1}
        again = store.add_batch(batch, "r2")
        assert again.as_dict() == {"read": 4, "new": 0, "duplicates": 3, "quarantined": 1}
        assert store.count("verbatims") == 2
        assert store.count("quarantine") == 1  # the same broken line is not stored twice
        row = store.verbatims().iloc[0]
        assert row["received_at"].utcoffset().total_seconds() == 0 and row["nps"] == 9 and row["run_id"] == "r1"


def test_same_text_in_another_channel_or_source_id_is_new(tmp_path: Path) -> None:
    batch = Batch.from_rows([_rec(1), _rec(2), _rec(1, channel="chat")], [])
    with Store(tmp_path / "v.duckdb") as store:
        assert store.add_batch(batch, "r").new == 3


def test_whitespace_and_case_do_not_make_a_new_verbatim(tmp_path: Path) -> None:
    with Store(tmp_path / "v.duckdb") as store:
        store.add_batch(Batch.from_rows([_rec(1, "Très bien  servi")], []), "r")
        assert store.add_batch(Batch.from_rows([_rec(1, " très bien servi\n")], []), "r").duplicates == 1


def test_a_failed_write_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(tmp_path / "v.duckdb")
    batch = Batch.from_rows([_rec(1), _rec(2)], [rejected("s.csv", "s.csv:9", "bad_date", "x")])
    batch.rejected = batch.rejected.drop(columns=["excerpt"])  # makes the quarantine insert fail after the verbatims
    with pytest.raises(KeyError):
        store.add_batch(batch, "r")
    assert store.count("verbatims") == 0 and store.count("quarantine") == 0
    store.close()


def test_unopenable_store_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "not-a-db.duckdb"
    bad.write_bytes(b"this is not a duckdb file" * 100)
    with pytest.raises(StoreError, match="cannot open the store"):
        Store(bad)


def test_runs_table(tmp_path: Path) -> None:
    with Store(tmp_path / "v.duckdb") as store:
        store.start_run("r1", WHEN)
        store.finish_run("r1", "completed", {"counts": {"read": 3}})
    con = duckdb.connect(str(tmp_path / "v.duckdb"), read_only=True)
    assert con.execute("SELECT status, summary->>'$.counts.read' FROM runs").fetchone() == ("completed", "3")


def test_runs_left_running_are_marked_interrupted_by_the_next_run(tmp_path: Path) -> None:
    with Store(tmp_path / "v.duckdb") as store:
        store.start_run("r1", WHEN)
        store.finish_run("r1", "completed", {"counts": {"read": 3}})
        store.start_run("r2", WHEN)  # killed: never finished
        store.start_run("r3", WHEN)  # killed too
        store.start_run("r4", WHEN)  # the run that now holds the lock
        assert store.interrupt_stale_runs("r4") == ["r2", "r3"]
        assert store.interrupt_stale_runs("r4") == []  # once only
    con = duckdb.connect(str(tmp_path / "v.duckdb"), read_only=True)
    rows = con.execute("SELECT run_id, status, finished_at IS NOT NULL, summary->>'$.reason', summary->>'$.detected_by' "
                       "FROM runs ORDER BY run_id").fetchall()
    assert [r[:3] for r in rows] == [("r1", "completed", True), ("r2", "interrupted", True), ("r3", "interrupted", True),
                                     ("r4", "running", False)]
    assert all("killed" in r[3] and r[4] == "r4" for r in rows[1:3])
    assert con.execute("SELECT summary->>'$.counts.read' FROM runs WHERE run_id = 'r1'").fetchone() == ("3",)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.sampled_from(["bien", "mal", "Bien", "colis perdu"])), max_size=25),
       st.integers(0, 4))
def test_accounting_adds_up(tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[int, str]], n_bad: int) -> None:
    store = Store(tmp_path_factory.mktemp("acc") / "v.duckdb")
    batch = Batch.from_rows([_rec(i, t) for i, t in rows], [rejected("s", f"s:{i}", "bad_date", "x") for i in range(n_bad)])
    total_new = 0
    for run in ("a", "b"):
        acc = store.add_batch(batch, run)
        assert acc.read == acc.new + acc.duplicates + acc.quarantined == len(rows) + n_bad
        total_new += acc.new
    assert total_new == store.count("verbatims") == len({(i, t.casefold()) for i, t in rows})
    store.close()


def test_upsert_is_idempotent_and_replaces_by_key(tmp_path: Path) -> None:
    import pandas as pd

    with Store(tmp_path / "v.duckdb") as store:
        frame = pd.DataFrame({"segment_id": ["a", "b"], "score": [0.5, -0.2]})
        assert store.upsert("scores", frame, "segment_id") == 2
        store.upsert("scores", frame, "segment_id")
        store.upsert("scores", pd.DataFrame({"segment_id": ["b"], "score": [0.9]}), "segment_id")
        table = store.table("scores").sort_values("segment_id")
        assert table["score"].tolist() == [0.5, 0.9]
        assert store.table("missing").empty and store.upsert("scores", frame.iloc[:0], "segment_id") == 0


def test_source_files_remember_fingerprints_per_source(tmp_path: Path) -> None:
    """The nightly flow's file ledger: fingerprints per source, a changed file replaces its row."""
    from verbatim.ingest import file_fingerprint

    export = tmp_path / "avis.csv"
    export.write_text("id,texte\n1,Livraison rapide\n", encoding="utf-8")
    fingerprint = file_fingerprint(export)
    assert fingerprint is not None and file_fingerprint(tmp_path / "absent.csv") is None
    with Store(tmp_path / "s.duckdb") as store:
        assert store.known_files("avis") == frozenset()
        store.record_files("avis", [fingerprint], "r1")
        assert store.known_files("avis") == {fingerprint} and store.known_files("autre") == frozenset()
        export.write_text("id,texte\n1,Livraison rapide\n2,Colis abîmé\n", encoding="utf-8")
        changed = file_fingerprint(export)
        assert changed != fingerprint
        store.record_files("avis", [changed], "r2")
        assert store.known_files("avis") == {changed}


def _history(n: int = 60) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Theme assignments, sentiment and links of ``n`` segments (some unscored, some unlinked, ties in the votes)."""
    rng = np.random.default_rng(7)
    ids = [f"s{i:03d}" for i in range(n)]
    assignments = pd.DataFrame({"segment_id": ids, "theme_id": rng.choice(["T000", "T001", "T002", "T003", "T004"], n)})
    scored = pd.DataFrame({"segment_id": ids, "verbatim_id": [f"v{i // 3}" for i in range(n)],
                           "sentiment": rng.choice(["negatif", "neutre", "positif"], n),
                           "sentiment_score": rng.uniform(-1, 1, n).round(3)}).iloc[5:]
    links = pd.DataFrame({"segment_id": ids, "touchpoint": rng.choice(["livraison", "paiement", "non_rattache"], n)}).iloc[:-7]
    return assignments, scored, links


@pytest.mark.parametrize("tables", [("segment_sentiment", "segment_links"), ("segment_sentiment",), ()])
def test_theme_counts_aggregated_by_the_store_match_the_table_built_from_rows(tmp_path: Path, tables: tuple[str, ...]) -> None:
    """themes.csv from DuckDB's counts equals the one built from every segment row (merges, noise, pins, ties)."""
    from verbatim.analysis import summary_table, theme_summary
    from verbatim.journey import NOT_LINKED, main_touchpoints, theme_touchpoints
    from verbatim.themes import OUTLIER_ID

    assignments, scored, links = _history()
    scored = scored if "segment_sentiment" in tables else scored.iloc[:0]
    links = links if "segment_links" in tables else links.iloc[:0]
    target = {"T002": "T001", "T004": OUTLIER_ID}  # T002 merged into T001, T004 marked noise
    theme_map = pd.DataFrame({"original_id": ["T000", "T001", "T002", "T003", "T004"]})
    theme_map["theme_id"] = theme_map["original_id"].map(lambda t: target.get(t, t))
    themes = pd.DataFrame({"theme_id": ["T001", "T003"], "label": ["a", "b"], "top_words": [["x"], ["y"]], "category": ["", ""]})
    pins = {"T003": "paiement"}
    with Store(tmp_path / "v.duckdb") as store:
        store.upsert("segment_themes", assignments, "segment_id")
        for name, frame in (("segment_sentiment", scored), ("segment_links", links)):
            if name in tables:
                store.upsert(name, frame, "segment_id")
        stats, votes = store.theme_counts(theme_map, OUTLIER_ID, NOT_LINKED)
    mapped = assignments.assign(theme_id=assignments["theme_id"].map(lambda t: target.get(t, t)))
    expected_tps = theme_touchpoints(links, mapped[mapped["theme_id"] != OUTLIER_ID], pins) if len(links) else pd.DataFrame(
        columns=["theme_id", "touchpoint"])
    expected = theme_summary(themes, mapped, scored, expected_tps)
    tps = main_touchpoints(votes, pins) if votes is not None else pd.DataFrame(columns=["theme_id", "touchpoint"])
    pd.testing.assert_frame_equal(summary_table(themes, stats, tps), expected, check_dtype=False)
    assert (votes is None) == (len(links) == 0)
    assert votes is None or OUTLIER_ID not in set(votes["theme_id"])


def test_main_touchpoint_ties_go_to_the_first_id_in_alphabetical_order() -> None:
    from verbatim.journey import main_touchpoints

    votes = pd.DataFrame({"theme_id": ["T001"] * 3, "touchpoint": ["paiement", "livraison", "non_rattache"], "n": [2, 2, 5]})
    out = main_touchpoints(votes).iloc[0]
    assert (out["touchpoint"], out["share"], out["pinned"]) == ("livraison", round(2 / 9, 4), False)
