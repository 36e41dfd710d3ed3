"""Crash safety: ``verbatim run`` killed with SIGKILL at several stages, then run again to completion.

One store, four runs of the CLI (each in its own process group, so the temporary Prefect server
dies with it):

1. killed during **ingest** (right after the first source was stored),
2. killed during **clean** (after a few chunks were written),
3. killed during **themes** (after sentiment, while segments are embedded and themes fitted),
4. run to completion.

After each kill the store must already be consistent (no half-written batch or chunk) and the
killed run's row in ``runs`` still says ``running``; the next run, once it holds the lock,
marks it ``interrupted`` with an end time and a reason, and logs it. After
the last run it must be complete: every record stored once, every verbatim cleaned, every
analysed verbatim scored, every segment scored, themed and linked, and the counts add up
(nothing lost). ``[flow].chunk_size`` is small so that the stages write many transactions.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.reliability.conftest import CliRun, add, note
from tests.reliability.corpus import Corpus, write_corpus

AS_OF = "2026-11-20"
CHUNK = 25
FINISHED = "Finished in state"


def _state(store: Path) -> dict[str, Any]:
    """Counts and invariants of the store, read after the writer is dead."""
    con = duckdb.connect(str(store), read_only=True)
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}

        def one(sql: str) -> int:
            return int(con.execute(sql).fetchone()[0])

        def rows(table: str) -> int:
            return one(f'SELECT count(*) FROM "{table}"') if table in tables else 0

        def dup(table: str, key: str) -> int:
            if table not in tables:
                return 0
            return one(f'SELECT count(*) - count(DISTINCT "{key}") FROM "{table}"')

        state: dict[str, Any] = {
            "verbatims": rows("verbatims"), "cleaned": rows("cleaned"), "segments": rows("segments"),
            "quarantine": rows("quarantine"),
            "analysed": one("SELECT count(*) FROM cleaned WHERE analysed") if "cleaned" in tables else 0,
            "verbatim_sentiment": rows("verbatim_sentiment"), "segment_sentiment": rows("segment_sentiment"),
            "segment_themes": rows("segment_themes"), "segment_links": rows("segment_links"),
            "duplicates": {f"{t}.{k}": dup(t, k) for t, k in (
                ("verbatims", "verbatim_id"), ("cleaned", "verbatim_id"), ("segments", "segment_id"),
                ("verbatim_sentiment", "verbatim_id"), ("segment_sentiment", "segment_id"),
                ("segment_themes", "segment_id"), ("segment_links", "segment_id"), ("quarantine", "quarantine_id"))},
            "source_keys_duplicated": one("SELECT count(*) - count(DISTINCT (channel, source_id)) FROM verbatims"),
            # a cleaned verbatim has exactly its n_segments segments; no segment without its cleaned verbatim
            "torn_clean": one("SELECT count(*) FROM cleaned c LEFT JOIN (SELECT verbatim_id, count(*) n FROM segments "
                              "GROUP BY 1) s USING (verbatim_id) WHERE coalesce(s.n, 0) <> c.n_segments")
            + one("SELECT count(*) FROM segments s ANTI JOIN cleaned c USING (verbatim_id)"),
            "orphans": one("SELECT count(*) FROM cleaned c ANTI JOIN verbatims v USING (verbatim_id)"),
            "runs": dict(con.execute("SELECT status, count(*) FROM runs GROUP BY 1").fetchall()),
            "interrupted_without_end": one("SELECT count(*) FROM runs WHERE status = 'interrupted' AND (finished_at IS NULL "
                                           "OR finished_at < started_at OR coalesce(summary->>'$.reason', '') = '')"),
        }
        analysed_segments = ("SELECT s.segment_id, s.verbatim_id FROM segments s JOIN cleaned c USING (verbatim_id) "
                             "WHERE c.analysed")
        state["analysed_segments"] = one(f"SELECT count(*) FROM ({analysed_segments})")
        for table in ("segment_sentiment", "segment_themes", "segment_links"):
            state[f"missing_{table}"] = one(f"SELECT count(*) FROM ({analysed_segments}) a ANTI JOIN \"{table}\" t "
                                            "USING (segment_id)") if table in tables else state["analysed_segments"]
        state["missing_verbatim_sentiment"] = one(
            "SELECT count(*) FROM cleaned c ANTI JOIN verbatim_sentiment v USING (verbatim_id) WHERE c.analysed"
        ) if "verbatim_sentiment" in tables else state["analysed"]
        return state
    finally:
        con.close()


def _consistent(state: dict[str, Any], label: str) -> None:
    """What must hold at any time, even right after a kill."""
    assert not any(state["duplicates"].values()), f"{label}: duplicates {state['duplicates']}"
    assert state["source_keys_duplicated"] == 0, f"{label}: a record is stored twice"
    assert state["torn_clean"] == 0, f"{label}: a verbatim's cleaning is half written"
    assert state["orphans"] == 0, f"{label}: cleaned rows without their verbatim"


def _interrupted_once(run: CliRun, state: dict[str, Any], interrupted: int, running: int = 1) -> None:
    """The run that took the lock after a kill marked the killed run ``interrupted`` (and said so in its log)."""
    expected = {"interrupted": interrupted, **({"running": running} if running else {})}
    assert {k: v for k, v in state["runs"].items() if k != "completed"} == expected, state["runs"]
    assert state["interrupted_without_end"] == 0, "an interrupted run has no end time or no reason"
    assert run.count("marked interrupted") == 1, run.stderr[-3000:]


def _kill_after(run: CliRun, fragment: str, extra_finished: int) -> None:
    """Kill once ``fragment`` was logged and then ``extra_finished`` more tasks finished."""
    assert run.wait_for(fragment), f"the run ended before {fragment!r}:\n{run.stderr[-3000:]}"
    base = run.count(FINISHED)
    if extra_finished:
        assert run.wait_for(FINISHED, base + extra_finished), f"the run ended early:\n{run.stderr[-3000:]}"
    run.kill()
    assert "another run is using the store" not in run.stderr  # the lock of the previous (killed) run was released


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    return write_corpus(tmp_path_factory.mktemp("crash") / "corpus", per_channel=60, seed=23, as_of=AS_OF,
                        chunk_size=CHUNK, with_script=False)


def test_killed_three_times_then_completes_with_nothing_lost(corpus: Corpus) -> None:
    store = corpus.root / "var" / "store.duckdb"
    args = ("run", "--config", str(corpus.config), "--as-of", AS_OF)
    states: list[dict[str, Any]] = []
    total = corpus.n_records

    # 1. during ingest: the first source has been read and stored
    run = CliRun(*args, cwd=corpus.root)
    _kill_after(run, "Beginning flow run", 2)
    states.append(_state(store))
    _consistent(states[-1], "killed in ingest")
    assert states[-1]["cleaned"] < total, "the first kill came after the cleaning: not a kill during ingest"
    assert states[-1]["runs"] == {"running": 1}  # the killed run could not record its end

    # 2. during clean: four chunks of cleaning have finished. Partitions are streamed (up to three in
    # flight): the fourth is submitted only once the first is written, so at least one chunk is stored
    run = CliRun(*args, cwd=corpus.root)
    _kill_after(run, "ingest: read", 4)
    states.append(_state(store))
    _consistent(states[-1], "killed in clean")
    assert states[-1]["verbatims"] == total  # ingest of run 2 finished before the kill
    assert 0 < states[-1]["cleaned"] < total, f"not a kill during clean: {states[-1]}"
    _interrupted_once(run, states[-1], 1)

    # 3. during the analysis: sentiment and embedding partitions (side by side) have finished, as many
    # as there are sentiment chunks; the embedding chunks (25 texts each, more of them) are not all done
    pending = states[-1]["verbatims"]  # nothing is enriched yet: every verbatim is pending
    run = CliRun(*args, cwd=corpus.root)
    _kill_after(run, "clean:", math.ceil(pending / CHUNK) + 1)
    states.append(_state(store))
    _consistent(states[-1], "killed in the analysis")
    assert states[-1]["cleaned"] == total
    assert states[-1]["missing_segment_links"] > 0, f"not a kill before the journey stage: {states[-1]}"
    _interrupted_once(run, states[-1], 2)

    # 4. to completion, every input touched first: the killed runs had read the files in full, so the
    # file ledger would skip them; touched, they are read again and every record must be recognised
    for path in corpus.root.rglob("*"):
        if path.is_file() and not {"var", "out"} & set(path.relative_to(corpus.root).parts):
            os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000_000))
    run = CliRun(*args, cwd=corpus.root)
    code = run.finish(timeout=300)
    assert code == 0, run.stderr[-4000:]
    assert (store.parent / "store.duckdb.lock").exists()  # the lock file stays; the killed runs' locks did not
    final = _state(store)
    _consistent(final, "after the last run")
    match = re.search(r"read (\d+), new (\d+), already seen (\d+), quarantined (\d+)", run.stdout)
    assert match, run.stdout
    read, new, seen, quarantined = map(int, match.groups())
    lost = total - final["verbatims"]
    add("crash.kill_points", 3)
    add("crash.records", total)
    add("crash.records_lost", lost)
    for label, state in zip(("ingest", "clean", "the analysis"), states, strict=True):
        note("crash.kills", f"killed in {label}: {state['verbatims']} stored, {state['cleaned']} cleaned, "
                            f"{state['segment_themes']} segments themed, {state['segment_links']} linked")
    assert lost == 0
    assert read == total + corpus.quarantined and quarantined == corpus.quarantined
    assert new + seen == total and new == total - states[-1]["verbatims"]
    assert final["quarantine"] == corpus.quarantined  # re-reading the broken lines did not add them twice
    assert final["cleaned"] == total and final["analysed"] == total  # every verbatim cleaned (all French)
    assert final["missing_verbatim_sentiment"] == 0
    assert final["segments"] == final["analysed_segments"] > total
    for table in ("segment_sentiment", "segment_themes", "segment_links"):
        assert final[f"missing_{table}"] == 0, table
        assert final[table] == final["segments"], table
    _interrupted_once(run, final, 3, running=0)
    assert final["runs"] == {"completed": 1, "interrupted": 3}
    assert final["interrupted_without_end"] == 0, "an interrupted run has no end time or no reason"
    add("crash.runs_marked_interrupted", final["runs"]["interrupted"])
    latest = corpus.root / "out" / "latest"
    assert (latest / "run.json").is_file() and (latest / "report.html").is_file()


# --------------------------------------------------------------------------- a kill between two files of the theme model

def _clustered_segments(n_per: int, start: int, outliers: int, seed: int) -> tuple[Any, Any]:
    """Segments in five tight clusters (plus far-away outliers) with their unit vectors: no embedding model needed."""
    import numpy as np
    import pandas as pd

    words = [["livraison", "colis", "retard", "transporteur"], ["paiement", "carte", "refus", "banque"],
             ["conseiller", "attente", "téléphone", "joindre"], ["remboursement", "retour", "avoir", "délai"],
             ["site", "application", "bug", "connexion"]]
    rng = np.random.default_rng(seed)
    centers = np.random.default_rng(1).normal(size=(len(words), 512))
    rows, vectors = [], []
    for c, vocabulary in enumerate(words):
        for _ in range(n_per):
            text = " ".join(rng.choice(vocabulary, 3)) + " vraiment"
            rows.append(text)
            vectors.append(centers[c] + 0.05 * rng.normal(size=512))
    for _ in range(outliers):
        rows.append("zorglub " + " ".join(rng.choice(["quantique", "girafe", "volcan", "sonate"], 3)))
        vectors.append(rng.normal(size=512))
    ids = [f"s{start + i}" for i in range(len(rows))]
    frame = pd.DataFrame({"segment_id": ids, "verbatim_id": ids, "text": rows, "lemmas": rows})
    matrix = np.asarray(vectors, dtype=np.float32)
    return frame, matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def test_theme_model_killed_between_its_two_files_is_detected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from verbatim.config import EmbedConfig, ThemesConfig
    from verbatim.errors import ModelError
    from verbatim.themes import ThemeModel

    cfg = ThemesConfig(min_theme_size=5, min_df=2, pool_min_size=10_000, pool_min_share=0.99)
    segments, vectors = _clustered_segments(30, 0, 0, seed=3)
    ThemeModel(cfg, EmbedConfig(), 42).fit(segments, vectors).save(tmp_path)
    night = ThemeModel.load(tmp_path)
    new, new_vectors = _clustered_segments(2, 1000, 25, seed=4)
    night.update(new, new_vectors)
    assert len(night.pool_) == 25  # the night pooled its outliers

    def killed(self: Path, target: Path) -> Path:  # the process dies before themes.json is replaced
        raise KeyboardInterrupt("SIGKILL")

    monkeypatch.setattr(Path, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        night.save(tmp_path)
    monkeypatch.undo()
    add("crash.fault_cases")
    try:
        model = ThemeModel.load(tmp_path)
    except ModelError:
        return  # detected: the flow can refit
    assert len(model.pool_) == model.pool_embeddings_.shape[0], "pool ids and pool vectors disagree"
    assert model.word_counts_.shape == (len(model.themes_), len(model.vocabulary_))
    assert model.embeddings_.shape[0] == len(model.themes_)
